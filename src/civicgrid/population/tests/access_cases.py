"""Access cases of the population pages and API. Each group of pages appends its own CASES."""

from civicgrid.core.testing import AccessCase


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
        denied=("county_b_officer", "resident_a", "volunteer_a"),
    ),
    AccessCase(
        "population_self:review_verify",
        method="post",
        args=_declaration_in_community_a1,
        allowed=("county_a_officer",),
        ok_status=(302,),  # without a grid it redirects back with a message
        denied=("county_b_officer", "resident_b", "volunteer_a"),
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
