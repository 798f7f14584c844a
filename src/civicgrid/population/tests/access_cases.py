"""Access cases of the population pages and API. Each group of pages appends its own CASES."""

from civicgrid.core.testing import UNAUTHORIZED, AccessCase


def _declaration_in_community_a1(p):
    import datetime

    from civicgrid.core.idcard import make_id_number
    from civicgrid.population.declarations import MemberInput, do_declare_household
    from civicgrid.regions.models import Division

    number = make_id_number("131128", datetime.date(1990, 1, 1), 7)
    declaration = do_declare_household(
        p.resident_a,
        community=Division.objects.get(code="131128100001"),
        building="1号楼", unit="", room="101", contact_mobile="",
        members=[MemberInput("测试", number, "head", True)],
    )  # fmt: skip
    return (declaration.pk,)


def _survey_for_resident_a(p):
    from civicgrid.population.models import Survey, SurveyQuestion

    _declaration_in_community_a1(p)
    survey = Survey.objects.create(title="调查", division_code="131128000000")
    SurveyQuestion.objects.create(survey=survey, text="是否发热", kind="yes_no", risk_answer="是")
    return (survey.pk,)


PUBLIC: dict[str, str] = {}

CASES = [
    # Residents' own pages: any signed-in user; each sees only their own declarations.
    AccessCase("population_self:home", allowed=("resident_a", "county_a_officer")),
    AccessCase("population_self:declare", allowed=("resident_a",)),
    # A survey is offered only to residents of the area it covers.
    AccessCase(
        "population_self:survey",
        args=_survey_for_resident_a,
        allowed=("resident_a",),
        denied=("resident_b",),
    ),
    AccessCase(
        "population_self:review",
        allowed=("county_a_officer", "grid_worker_a1", "admin"),
        denied=("resident_a", "volunteer_a"),
    ),
    AccessCase(
        "population_self:review_return",
        method="post",
        args=_declaration_in_community_a1,
        data=lambda p: {"note": "请补充单元号"},
        allowed=("county_a_officer", "city_officer"),
        ok_status=(302,),
        denied=("county_b_officer", "resident_a", "volunteer_a", "cdc_a"),
    ),
    AccessCase(
        "population_self:review_verify",
        method="post",
        args=_declaration_in_community_a1,
        allowed=("county_a_officer",),
        ok_status=(302,),  # without a grid it redirects back with a message
        denied=("county_b_officer", "resident_b", "volunteer_a", "cdc_a"),
    ),
    # The same in the API (JSON bodies: past authentication only; the rest in
    # test_declaration_api.py).
    AccessCase(
        "api:population_self_declarations",
        allowed=("resident_a", "county_a_officer"),
        anonymous=UNAUTHORIZED,
    ),
    AccessCase(
        "api:population_declarations",
        allowed=("county_a_officer", "grid_worker_a1", "admin"),
        denied=("resident_a", "volunteer_a", "cdc_a"),
        anonymous=UNAUTHORIZED,
    ),
    AccessCase(
        "api:population_declaration_verify",
        method="post",
        args=_declaration_in_community_a1,
        allowed=("county_a_officer",),
        ok_status=(400, 422),
        anonymous=UNAUTHORIZED,
    ),
    AccessCase(
        "api:population_declaration_return",
        method="post",
        args=_declaration_in_community_a1,
        allowed=("county_a_officer",),
        ok_status=(400, 422),
        anonymous=UNAUTHORIZED,
    ),
]


def _export_of_county_a_officer(p):
    from civicgrid.population.exports import do_start_person_export

    return (do_start_person_export(p.county_a_officer).pk,)


CASES += [
    AccessCase(
        "population_exports:start",
        allowed=("county_a_officer", "grid_worker_a1"),
        denied=("resident_a", "volunteer_a"),
    ),
    # An export belongs to whoever started it.
    AccessCase(
        "population_exports:detail",
        args=_export_of_county_a_officer,
        allowed=("county_a_officer",),
        denied=("county_b_officer", "city_officer", "resident_a"),
    ),
    AccessCase(
        "population_exports:download",
        args=_export_of_county_a_officer,
        allowed=(),  # still running in a test: 404 even for its owner until it finishes
        denied=("county_a_officer", "county_b_officer", "resident_a"),
    ),
]


# --- the grid worker's pages and the register API (grid_urls.py, api.py) ---------------------


def _grid_home(p, grid_index=0):
    """A household with one member in a grid of community A1; grid 0 is grid_worker_a1's."""
    from civicgrid.population.tests import factories as f

    f.assign(p.grid_worker_a1, grid_index=0)
    home = f.household(grid_index=grid_index, room=f"G{grid_index}")
    return home, f.person(home, "网格住户", mobile="13800001234")


def _household_in(grid_index):
    return lambda p: (_grid_home(p, grid_index)[0].pk,)


def _person_in(grid_index):
    return lambda p: (_grid_home(p, grid_index)[1].pk,)


def _move_target(p):
    import json

    from civicgrid.population.tests import factories as f

    return json.dumps({"household_id": f.household(grid_index=0, room="G0-2").pk})


def _other_grid(p):
    import json

    from civicgrid.population.tests import factories as f

    return json.dumps({"grid_id": f.grids_of(f.COMMUNITY_A1)[1].pk})


_REGISTER_READERS = ("grid_worker_a1", "county_a_officer", "city_officer", "admin")
_OUTSIDERS = ("county_b_officer", "volunteer_a", "resident_a")

CASES += [
    AccessCase(
        "population_grid:household_list",
        allowed=_REGISTER_READERS,
        denied=("volunteer_a", "resident_a"),
    ),
    AccessCase("population_grid:worklist", allowed=_REGISTER_READERS, denied=("volunteer_a",)),
    AccessCase(
        "population_grid:coverage",
        allowed=("county_a_officer", "city_officer", "admin"),
        denied=("grid_worker_a1", "volunteer_a", "resident_a"),
    ),
    # Another county's area: 404, as for any record outside the jurisdiction.
    AccessCase(
        "population_grid:coverage",
        data=lambda p: {"within": "131128"},
        allowed=("county_a_officer", "province_officer"),
        denied=("county_b_officer",),
    ),
    AccessCase(
        "population_grid:household_detail",
        args=_household_in(0),
        allowed=_REGISTER_READERS,
        denied=_OUTSIDERS,
    ),
    # The next grid of the same community: its grid worker's colleague sees it, they do not.
    AccessCase(
        "population_grid:household_detail",
        args=_household_in(1),
        allowed=("county_a_officer",),
        denied=("grid_worker_a1",),
    ),
    AccessCase(
        "population_grid:visit_create",
        args=_household_in(0),
        allowed=("grid_worker_a1", "county_a_officer"),
        denied=(*_OUTSIDERS, "cdc_a"),
    ),
    AccessCase(
        "population_grid:visit_create",
        args=_household_in(1),
        allowed=("county_a_officer",),
        denied=("grid_worker_a1",),
    ),
    AccessCase(
        "population_grid:person_change",
        args=_person_in(0),
        allowed=("grid_worker_a1", "county_a_officer"),
        denied=(*_OUTSIDERS, "cdc_a"),
    ),
    AccessCase(
        "population_grid:person_change",
        args=_person_in(1),
        allowed=("county_a_officer",),
        denied=("grid_worker_a1",),
    ),
    AccessCase(
        "population_grid:split",
        args=_household_in(0),
        allowed=("grid_worker_a1", "county_a_officer"),
        denied=(*_OUTSIDERS, "cdc_a"),
    ),
    AccessCase(
        "population_grid:split",
        args=_household_in(1),
        allowed=("county_a_officer",),
        denied=("grid_worker_a1",),
    ),
    AccessCase(
        "population_grid:household_call",
        method="post",
        args=_household_in(0),
        data=lambda p: {"preset": "入户排查联系"},
        allowed=("grid_worker_a1", "county_a_officer", "cdc_a"),
        denied=_OUTSIDERS,
    ),
    AccessCase(
        "population_grid:person_call",
        method="post",
        args=_person_in(0),
        data=lambda p: {"preset": "入户排查联系"},
        allowed=("grid_worker_a1", "county_a_officer", "cdc_a"),
        denied=_OUTSIDERS,
    ),
    AccessCase(
        "population_grid:person_call",
        method="post",
        args=_person_in(1),
        data=lambda p: {"preset": "入户排查联系"},
        allowed=("county_a_officer",),
        denied=("grid_worker_a1",),
    ),
    AccessCase(
        "api:population_households",
        allowed=(*_REGISTER_READERS, "cdc_a"),
        denied=("volunteer_a", "resident_a"),
        anonymous=UNAUTHORIZED,
    ),
    AccessCase(
        "api:population_persons",
        allowed=_REGISTER_READERS,
        denied=("volunteer_a", "resident_a"),
        anonymous=UNAUTHORIZED,
    ),
    # Survey answers to follow up: a list scoped like the persons (checked in
    # test_survey_follow_ups), so only the roles matter here.
    AccessCase(
        "api:population_survey_follow_ups",
        allowed=_REGISTER_READERS,
        denied=("volunteer_a", "resident_a"),
        anonymous=UNAUTHORIZED,
    ),
    # The worklist's households and key persons: lists scoped like the register (checked in
    # test_grid_worklist), so only the roles matter here.
    AccessCase(
        "api:population_worklist_households",
        allowed=_REGISTER_READERS,
        denied=("volunteer_a", "resident_a"),
        anonymous=UNAUTHORIZED,
    ),
    AccessCase(
        "api:population_worklist_key_persons",
        allowed=_REGISTER_READERS,
        denied=("volunteer_a", "resident_a"),
        anonymous=UNAUTHORIZED,
    ),
    AccessCase(
        "api:population_household",
        args=_household_in(0),
        allowed=_REGISTER_READERS,
        denied=_OUTSIDERS,
        anonymous=UNAUTHORIZED,
    ),
    AccessCase(
        "api:population_household",
        args=_household_in(1),
        allowed=("county_a_officer",),
        denied=("grid_worker_a1",),
        anonymous=UNAUTHORIZED,
    ),
    AccessCase(
        "api:population_household_visits",
        args=_household_in(0),
        allowed=_REGISTER_READERS,
        denied=_OUTSIDERS,
        anonymous=UNAUTHORIZED,
    ),
    AccessCase(
        "api:population_household_visits",
        args=_household_in(1),
        allowed=("county_a_officer",),
        denied=("grid_worker_a1",),
        anonymous=UNAUTHORIZED,
    ),
    AccessCase(
        "api:population_person",
        args=_person_in(0),
        allowed=_REGISTER_READERS,
        denied=_OUTSIDERS,
        anonymous=UNAUTHORIZED,
    ),
    AccessCase(
        "api:population_person",
        args=_person_in(1),
        allowed=("county_a_officer",),
        denied=("grid_worker_a1",),
        anonymous=UNAUTHORIZED,
    ),
    # The residents' own survey API: any signed-in user, each seeing their own community's.
    AccessCase(
        "api:population_self_surveys",
        allowed=("resident_a", "resident_b", "county_a_officer"),
        anonymous=UNAUTHORIZED,
    ),
    AccessCase(
        "api:population_self_survey_answer",
        method="post",
        args=lambda p: (1,),
        allowed=("resident_a",),
        ok_status=(400, 404, 422),  # the body is checked first; scoping is in its own tests
        anonymous=UNAUTHORIZED,
    ),
    # A JSON body is validated before the handler runs, so this only shows that signed-in
    # callers get past authentication; who may split whose household is in test_moves.py.
    AccessCase(
        "api:population_household_split",
        method="post",
        args=_household_in(0),
        allowed=("grid_worker_a1", "county_a_officer"),
        ok_status=(400, 422),
        anonymous=UNAUTHORIZED,
    ),
    # JSON bodies: the test client sends a string as it is for PUT.
    AccessCase(
        "api:population_person_household",
        method="put",
        args=_person_in(0),
        data=_move_target,
        allowed=("grid_worker_a1", "county_a_officer"),
        denied=(*_OUTSIDERS, "cdc_a"),
        anonymous=UNAUTHORIZED,
    ),
    AccessCase(
        "api:population_person_status",
        method="put",
        args=_person_in(0),
        data=lambda p: '{"status": "moved_out", "reason": "外出务工"}',
        allowed=("grid_worker_a1", "county_a_officer"),
        denied=(*_OUTSIDERS, "cdc_a"),
        anonymous=UNAUTHORIZED,
    ),
    AccessCase(
        "api:population_person_status",
        method="put",
        args=_person_in(1),
        data=lambda p: '{"status": "moved_out"}',
        allowed=("county_a_officer",),
        denied=("grid_worker_a1",),
        anonymous=UNAUTHORIZED,
    ),
    # A household to another grid: staff of the jurisdiction, never a grid worker (who would
    # hand it to a grid they cannot see).
    AccessCase(
        "api:population_household_grid",
        method="put",
        args=_household_in(0),
        data=_other_grid,
        allowed=("county_a_officer", "admin"),
        denied=(*_OUTSIDERS, "cdc_a", "grid_worker_a1"),
        anonymous=UNAUTHORIZED,
    ),
    AccessCase(
        "population_grid:household_grid",
        args=_household_in(0),
        allowed=("county_a_officer", "admin"),
        denied=(*_OUTSIDERS, "cdc_a", "grid_worker_a1"),
    ),
]


# --- Bulk import of the register (population.import_views) ------------------------------------
# Importers: officers of the province, city and county, community staff and administrators.
# A batch is its uploader's alone: everyone else, the superuser included, gets 404.
_IMPORTERS = ("county_a_officer", "city_officer", "province_officer", "county_a_admin", "admin")
_SHEET = "姓名,身份证号,社区,门牌\n张伟,131128199001011231,东南关社区,前街1号\n".encode()


def _import_batch_of(persona, **fields):
    def args(p):
        from civicgrid.population.models import ImportBatch

        batch = ImportBatch.objects.create(
            created_by=p.users[persona],
            file_name="台账.csv",
            file_data=_SHEET,
            headers=["姓名", "身份证号", "社区", "门牌"],
            mapping={"0": "name", "1": "id_number", "2": "community", "3": "room"},
            total_rows=1,
            **fields,
        )
        return (batch.key,)

    return args


CASES += [
    AccessCase(
        "population:import_upload",
        allowed=_IMPORTERS,
        denied=("grid_worker_a1", "cdc_a", "volunteer_a", "resident_a"),
    ),
    AccessCase(
        "population:import_mapping",
        args=_import_batch_of("county_a_officer"),
        allowed=("county_a_officer",),
        denied=("city_officer", "county_b_officer", "admin", "grid_worker_a1", "resident_a"),
    ),
    AccessCase(
        "population:import_batch",
        args=_import_batch_of("county_a_officer", status="checked"),
        allowed=("county_a_officer",),
        denied=("city_officer", "county_b_officer", "admin", "grid_worker_a1", "resident_a"),
    ),
    AccessCase(
        "population:import_run",
        method="post",
        args=_import_batch_of("county_a_officer", status="checked"),
        data=lambda p: {"mode": "skip"},
        allowed=("county_a_officer",),
        ok_status=(302,),
        denied=("city_officer", "county_b_officer", "admin", "grid_worker_a1", "resident_a"),
    ),
    AccessCase(
        "population:import_report",
        args=_import_batch_of("admin", status="done", error_report=b"PK\x03\x04"),
        allowed=("admin",),
        denied=("county_a_officer", "county_a_admin", "grid_worker_a1", "resident_a"),
    ),
]
