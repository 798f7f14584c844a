"""Access cases of the epidemic pages and API.

A province-wide daily form with one health centre in 阜城县 (county A). County A's officer
reports for it and reads county A; the city and the province read it too; 景县's officer (county
B) gets 404 for anything of county A; residents and volunteers have no business here.
"""

from civicgrid.core.testing import UNAUTHORIZED, AccessCase

PUBLIC: dict[str, str] = {}


def _form(p):
    from civicgrid.epidemic.tests import factories as f

    form = f.daily_form(p)
    f.health_centre()
    return (form.pk,)


def _report(p):
    from civicgrid.epidemic.tests import factories as f

    form = f.daily_form(p)
    centre, clinician = f.health_centre()
    return (f.submit(clinician, form, centre).report.pk,)


def _county_form(p):
    from civicgrid.accounts.choices import OrganisationType as T
    from civicgrid.epidemic.form_actions import do_create_report_form
    from civicgrid.regions.models import Division

    form = do_create_report_form(
        p.county_a_admin, code="fever-clinic", name="发热门诊日报",
        division=Division.objects.get(code="131128000000"),
        organisation_types=[T.MEDICAL], deadline_hour=12,
    )  # fmt: skip
    return (form.pk,)


def _county_a(p):
    return {"within": "131128"}


_READERS_A = ("county_a_officer", "city_officer", "province_officer", "cdc_a")
_NOT_READERS = ("grid_worker_a1", "volunteer_a", "resident_a")
API = {"anonymous": UNAUTHORIZED}

CASES = [
    AccessCase(
        "epidemic:home",
        allowed=("county_a_officer", "cdc_a", "grid_worker_a1", "admin"),
        denied=("resident_a",),
    ),
    AccessCase(
        "epidemic:report_entry",
        args=_form,
        allowed=("county_a_officer", "admin"),
        denied=("county_b_officer", "city_officer", "grid_worker_a1", "resident_a"),
    ),
    AccessCase(
        "epidemic:report_entry",
        method="post",
        args=_form,
        data=lambda p: {"op": "save", "v_new_confirmed": "1"},
        allowed=("county_a_officer",),
        denied=("county_b_officer", "city_officer", "resident_a"),
        ok_status=(302,),
    ),
    AccessCase(
        "epidemic:report_upload",
        args=_form,
        allowed=("county_a_officer", "admin"),
        denied=("county_b_officer", "city_officer", "grid_worker_a1", "resident_a"),
    ),
    AccessCase(
        "epidemic:report_template",
        args=_form,
        allowed=("county_a_officer",),
        denied=("county_b_officer", "city_officer", "resident_a"),
    ),
    AccessCase(
        "epidemic:report_detail",
        args=_report,
        allowed=_READERS_A,
        denied=("county_b_officer", "grid_worker_a1", "resident_a"),
    ),
    *(
        AccessCase(
            name,
            args=_form,
            data=_county_a,
            allowed=_READERS_A,
            denied=("county_b_officer", *_NOT_READERS),
        )
        for name in (
            "epidemic:completeness",
            "epidemic:completeness_export",
            "epidemic:statistics",
            "epidemic:statistics_export",
            "epidemic:situation_report",
        )
    ),
    AccessCase(
        "epidemic:approvals",
        args=_form,
        allowed=("city_officer", "province_officer", "county_a_officer"),
        denied=("cdc_a", "grid_worker_a1", "resident_a"),
    ),
    AccessCase(
        "epidemic:approvals",
        method="post",
        args=_form,
        data=lambda p: {"op": "confirm", "county": "131128"},
        allowed=("city_officer",),
        denied=("county_a_officer", "county_b_officer", "province_officer", "cdc_a"),
        ok_status=(302,),
    ),
    AccessCase(
        "epidemic:approvals",
        method="post",
        args=_form,
        data=lambda p: {"op": "lock"},
        allowed=("province_officer",),
        denied=("city_officer", "county_a_officer"),
        ok_status=(302,),
    ),
    AccessCase(
        "epidemic:design_list",
        allowed=("county_a_admin", "admin"),
        denied=("county_a_officer", "cdc_a", "resident_a"),
    ),
    AccessCase(
        "epidemic:design_create",
        allowed=("county_a_admin", "admin"),
        denied=("county_a_officer", "resident_a"),
    ),
    AccessCase(
        "epidemic:design_edit",
        args=_form,
        allowed=("admin",),
        denied=("county_a_admin", "county_a_officer"),  # a province-wide form
    ),
    AccessCase(
        "epidemic:design_edit",
        args=_county_form,
        allowed=("county_a_admin", "admin"),
        denied=("county_b_officer", "county_a_officer"),
    ),
]

CASES += [
    AccessCase(
        "api:epidemic_forms", allowed=("county_a_officer", "grid_worker_a1", "resident_a"), **API
    ),
    AccessCase(
        "api:epidemic_form",
        args=_county_form,
        allowed=("county_a_officer", "city_officer", "province_officer"),
        denied=("county_b_officer", "resident_a"),  # a form of 阜城县 only
        **API,
    ),
    AccessCase(
        "api:epidemic_form_units",
        args=_form,
        allowed=("county_a_officer", "county_b_officer"),  # county B's list is empty
        denied=("resident_a",),
        **API,
    ),
    AccessCase(
        "api:epidemic_reports",
        data=lambda p: {"form": _form(p)[0], "within": "131128"},
        allowed=_READERS_A,
        denied=("county_b_officer",),
        **API,
    ),
    AccessCase(
        "api:epidemic_report",
        args=_report,
        allowed=_READERS_A,
        denied=("county_b_officer", "grid_worker_a1", "resident_a"),
        **API,
    ),
    *(
        AccessCase(
            name,
            args=_form,
            data=lambda p: {"within": "131128", "element": "new_confirmed"},
            allowed=_READERS_A,
            denied=("county_b_officer", "grid_worker_a1", "resident_a"),
            **API,
        )
        for name in ("api:epidemic_statistics", "api:epidemic_trend", "api:epidemic_completeness")
    ),
]


# --- line lists --------------------------------------------------------------------------------
# A confirmed case in community A1 entered by 阜城县's CDC, with a contact under home observation
# by the community committee of A1 (grid_worker_a1's organisation).


def _case(p):
    from civicgrid.epidemic.tests import factories as f

    return (f.case(p).pk,)


def _observation(p):
    from civicgrid.epidemic.tests import factories as f

    _contact, observation = f.observed_contact(p, f.case(p))
    return (observation.pk,)


def _cluster(p):
    from civicgrid.epidemic.tests import factories as f

    return (f.case(p).cluster_id,)


def _export(p):
    from civicgrid.epidemic.line_list_exports import do_start_line_list_export, export_line_list

    _case(p)  # something to export
    export = do_start_line_list_export(p.county_a_officer, kind="cases")
    export_line_list.call(export.pk, "cases")  # the worker's part (on_commit never runs here)
    return (export.pk,)


_LL_READERS_A = ("county_a_officer", "city_officer", "province_officer", "cdc_a")
_LL_OUTSIDERS = ("county_b_officer", "grid_worker_a1", "volunteer_a", "resident_a")
JSON_POST = {"method": "post", "anonymous": UNAUTHORIZED, "ok_status": (400, 422)}

CASES += [
    AccessCase("epidemic:case_list", allowed=_LL_READERS_A, denied=_LL_OUTSIDERS[1:]),
    AccessCase(
        "epidemic:case_create",
        allowed=("cdc_a", "admin"),
        denied=("county_a_officer", "grid_worker_a1", "resident_a"),
    ),
    AccessCase("epidemic:case_detail", args=_case, allowed=_LL_READERS_A, denied=_LL_OUTSIDERS),
    AccessCase(
        "epidemic:case_detail",
        method="post",
        args=_case,
        data=lambda p: {"op": "outcome", "outcome": "recovered"},
        allowed=("cdc_a",),
        denied=("county_b_officer", "resident_a"),
        ok_status=(302,),
    ),
    AccessCase(
        "epidemic:key_persons",
        allowed=("grid_worker_a1", "county_a_officer", "cdc_a", "county_b_officer"),
        denied=("volunteer_a", "resident_a"),
    ),
    AccessCase(
        "epidemic:worklist",
        allowed=("grid_worker_a1", "county_a_officer", "cdc_a", "county_b_officer"),
        denied=("volunteer_a", "resident_a", "clerk_a"),
    ),
    AccessCase(
        "epidemic:observation_create",
        allowed=("cdc_a", "county_a_officer"),
        denied=("grid_worker_a1", "resident_a"),
    ),
    AccessCase(
        "epidemic:observation_detail",
        args=_observation,
        allowed=("grid_worker_a1", "county_a_officer", "cdc_a"),
        denied=("county_b_officer", "volunteer_a", "resident_a"),
    ),
    AccessCase(
        "epidemic:sites",
        allowed=("cdc_a", "county_a_officer", "grid_worker_a1"),
        denied=("volunteer_a", "resident_a"),
    ),
    AccessCase(
        "epidemic:sites",
        method="post",
        data=lambda p: {"name": "示例隔离点", "division_code": "131128", "capacity": "20"},
        allowed=("cdc_a", "county_a_officer"),
        denied=("grid_worker_a1", "volunteer_a", "resident_a"),
        ok_status=(302,),
    ),
    AccessCase("epidemic:chain_list", allowed=_LL_READERS_A, denied=_LL_OUTSIDERS[1:]),
    AccessCase("epidemic:chain_detail", args=_cluster, allowed=_LL_READERS_A, denied=_LL_OUTSIDERS),
    AccessCase(
        "epidemic:line_list_statistics",
        data=_county_a,
        allowed=_LL_READERS_A,
        denied=_LL_OUTSIDERS,
    ),
    AccessCase(
        "epidemic:line_list_statistics_export",
        data=_county_a,
        allowed=_LL_READERS_A,
        denied=_LL_OUTSIDERS,
    ),
    AccessCase("epidemic:line_list_exports", allowed=_LL_READERS_A, denied=_LL_OUTSIDERS[1:]),
    AccessCase(
        "epidemic:line_list_export",
        args=_export,
        allowed=("county_a_officer",),
        denied=("city_officer", "county_b_officer", "resident_a"),
    ),
    AccessCase(
        "epidemic:line_list_export_download",
        args=_export,
        allowed=("county_a_officer",),
        denied=("city_officer", "county_b_officer", "resident_a"),
    ),
    # The API.
    AccessCase(
        "api:epidemic_ll_cases", data=_county_a, allowed=_LL_READERS_A, denied=_LL_OUTSIDERS, **API
    ),
    AccessCase("api:epidemic_ll_cases", allowed=("cdc_a",), **JSON_POST),
    AccessCase(
        "api:epidemic_ll_case", args=_case, allowed=_LL_READERS_A, denied=_LL_OUTSIDERS, **API
    ),
    *(
        AccessCase(name, args=_case, allowed=("cdc_a",), **JSON_POST)
        for name in ("api:epidemic_ll_reclassify", "api:epidemic_ll_outcome")
    ),
    AccessCase(
        "api:epidemic_ll_case_chain", args=_case, allowed=_LL_READERS_A, denied=_LL_OUTSIDERS, **API
    ),
    AccessCase(
        "api:epidemic_ll_contacts",
        data=_county_a,
        allowed=_LL_READERS_A,
        denied=_LL_OUTSIDERS,
        **API,
    ),
    AccessCase(
        "api:epidemic_ll_key_persons",
        allowed=("grid_worker_a1", "county_a_officer"),
        denied=("volunteer_a", "resident_a"),
        **API,
    ),
    AccessCase(
        "api:epidemic_ll_sites",
        allowed=("grid_worker_a1", "county_a_officer", "cdc_a"),
        denied=("volunteer_a", "resident_a"),
        **API,
    ),
    AccessCase(
        "api:epidemic_ll_observations",
        allowed=("grid_worker_a1", "county_a_officer", "cdc_a"),
        denied=("volunteer_a", "resident_a"),
        **API,
    ),
    AccessCase("api:epidemic_ll_release", args=_observation, allowed=("cdc_a",), **JSON_POST),
    AccessCase(
        "api:epidemic_ll_checks",
        args=_observation,
        allowed=("grid_worker_a1", "county_a_officer", "cdc_a"),
        denied=("county_b_officer", "volunteer_a", "resident_a"),
        **API,
    ),
    AccessCase(
        "api:epidemic_ll_worklist",
        allowed=("grid_worker_a1", "county_a_officer", "county_b_officer"),
        denied=("volunteer_a", "resident_a"),
        **API,
    ),
    AccessCase(
        "api:epidemic_ll_chains", data=_county_a, allowed=_LL_READERS_A, denied=_LL_OUTSIDERS, **API
    ),
    AccessCase(
        "api:epidemic_ll_chain", args=_cluster, allowed=_LL_READERS_A, denied=_LL_OUTSIDERS, **API
    ),
    *(
        AccessCase(
            name,
            data=lambda p: {"within": "131128", "column": "new_confirmed"},
            allowed=_LL_READERS_A,
            denied=_LL_OUTSIDERS,
            **API,
        )
        for name in ("api:epidemic_ll_statistics", "api:epidemic_ll_trend")
    ),
    AccessCase("api:epidemic_ll_exports", allowed=("county_a_officer",), **JSON_POST),
    AccessCase(
        "api:epidemic_ll_export",
        args=_export,
        allowed=("county_a_officer",),
        denied=("city_officer", "county_b_officer", "resident_a"),
        **API,
    ),
]
