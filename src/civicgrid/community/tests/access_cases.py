"""Access cases of the community pages and API.

The personas have no community staff, so each case's `args` adds `community_staff_a1` (staff of
community A1's committee) to them through `factories.community_staff` before it is named.
county_b_officer oversees 景县 and must see nothing of A1; residents and volunteers hold no
register role.
"""

from civicgrid.core.testing import UNAUTHORIZED, AccessCase


def _gate(p):
    from civicgrid.community.tests import factories as f

    return (f.checkpoint(p).pk,)


def _staff(p):
    from civicgrid.community.tests import factories as f

    f.community_staff(p)
    return ()


def _alert(p):
    from civicgrid.community import actions
    from civicgrid.community.tests import factories as f
    from civicgrid.population.tests import factories as pf

    pf.assign(p.grid_worker_a1, grid_index=0)
    household, people = f.home(p.resident_a)
    actions.do_save_alert_rule(
        f.community_staff(p), division_code=f.COMMUNITY_A1, kind="fever", threshold=None,
        is_active=True,
    )  # fmt: skip
    actions.do_report_household_health(
        p.resident_a, household=household, entries=[actions.EntryInput(people[0].pk, "38.5")]
    )
    from civicgrid.community.models import Alert

    return (Alert.objects.latest("pk").pk,)


def _pass(p):
    from civicgrid.community import actions, tokens
    from civicgrid.community.tests import factories as f

    gate = f.checkpoint(p)
    f.home(p.resident_a)
    return (
        actions.do_scan_as_resident(
            p.resident_a, token=tokens.poster_token(gate), direction="out"
        ).record.pk,
    )


def _correction(p):
    from civicgrid.community import actions
    from civicgrid.community.models import PassRecord

    (pass_id,) = _pass(p)
    record = PassRecord.objects.get(pk=pass_id)
    return (actions.do_request_pass_correction(p.resident_a, record=record, reason="不是我").pk,)


def _resident(p):
    from civicgrid.community.tests import factories as f

    f.home(p.resident_a)
    return ()


STAFF = "community_staff_a1"
OUTSIDERS = ("county_b_officer",)
NOT_STAFF = ("resident_a", "volunteer_a")

PUBLIC = {
    "community:scan": "the gate QR code's landing page: the signed token is the key; "
    "recording a pass needs a signed-in resident of the gate's community",
    "community:scan_visitor": "the visitor form behind a gate's signed token (visitors have no account)",
}

CASES = [
    AccessCase(
        "community:checkpoint_list",
        args=_staff,
        allowed=(STAFF, "grid_worker_a1", "county_a_officer", "county_b_officer"),
        denied=NOT_STAFF,
    ),
    AccessCase(
        "community:checkpoint_poster",
        args=_gate,
        allowed=(STAFF, "grid_worker_a1", "county_a_officer", "admin"),
        denied=OUTSIDERS + NOT_STAFF,
    ),
    AccessCase(
        "community:checkpoint_tablet",
        args=_gate,
        allowed=(STAFF, "grid_worker_a1", "admin"),
        denied=OUTSIDERS + NOT_STAFF,
    ),
    AccessCase(
        "community:checkpoint_tablet_code",
        args=_gate,
        allowed=(STAFF, "grid_worker_a1"),
        denied=OUTSIDERS + NOT_STAFF,
    ),
    AccessCase(
        "community:checkpoint_guard",
        args=_gate,
        allowed=(STAFF, "grid_worker_a1"),
        denied=OUTSIDERS + NOT_STAFF + ("county_a_officer",),
    ),
    AccessCase(
        "community:checkpoint_revoke",
        args=_gate,
        method="post",
        ok_status=(302,),
        allowed=(STAFF, "admin"),
        denied=OUTSIDERS + NOT_STAFF + ("grid_worker_a1", "county_a_officer"),
    ),
    AccessCase(
        "community:checkpoint_active",
        args=_gate,
        method="post",
        data=lambda p: {"active": "0"},
        ok_status=(302,),
        allowed=(STAFF, "admin"),
        denied=OUTSIDERS + NOT_STAFF + ("grid_worker_a1", "county_a_officer"),
    ),
    AccessCase(
        "community:dashboard",
        args=_staff,
        data=lambda p: {"c": "131128100001"},
        allowed=(STAFF, "grid_worker_a1", "county_a_officer", "admin"),
        denied=OUTSIDERS + NOT_STAFF,
    ),
    AccessCase(
        "community:resident_list",
        args=_staff,
        data=lambda p: {"c": "131128100001"},
        allowed=(STAFF, "grid_worker_a1", "county_a_officer", "admin"),
        denied=OUTSIDERS + NOT_STAFF,
    ),
    AccessCase(
        "community:overview",
        data=lambda p: {"c": "131128"},
        allowed=("county_a_officer", "city_officer", "admin"),
        denied=OUTSIDERS + NOT_STAFF,
    ),
    AccessCase(
        "community:export_list",
        args=lambda p: (_staff(p), "unreported")[1:],
        data=lambda p: {"c": "131128100001"},
        allowed=(STAFF, "county_a_officer"),
        denied=OUTSIDERS + NOT_STAFF,
    ),
    AccessCase(
        "community:alert_list",
        args=_staff,
        allowed=(STAFF, "grid_worker_a1", "county_a_officer", "county_b_officer"),
        denied=NOT_STAFF,
    ),
    AccessCase(
        "community:alert_detail",
        args=_alert,
        allowed=(STAFF, "grid_worker_a1", "county_a_officer"),
        denied=OUTSIDERS + NOT_STAFF,
    ),
    AccessCase(
        "community:rule_list",
        args=_staff,
        allowed=(STAFF, "grid_worker_a1", "county_a_officer"),
        denied=NOT_STAFF,
    ),
    AccessCase(
        "community:correction_list",
        args=_staff,
        allowed=(STAFF, "grid_worker_a1", "county_a_officer"),
        denied=NOT_STAFF,
    ),
    AccessCase(
        "community:correction_resolve",
        args=_correction,
        method="post",
        data=lambda p: {"accept": "1"},
        ok_status=(302,),
        allowed=(STAFF,),
        denied=OUTSIDERS + NOT_STAFF + ("county_a_officer",),
    ),
    # A resident's own pages: every signed-in account has them (empty without a household).
    AccessCase("community:me", args=_resident, allowed=("resident_a", "resident_b")),
    AccessCase("community:my_health", args=_resident, allowed=("resident_a",)),
    AccessCase("community:my_disinfection", args=_resident, allowed=("resident_a",)),
    AccessCase("community:my_passes", args=_resident, allowed=("resident_a", "resident_b")),
    AccessCase(
        "community:my_pass_correct",
        args=_pass,
        method="post",
        data=lambda p: {"reason": "不是我"},
        ok_status=(302,),
        allowed=("resident_a",),
        denied=("resident_b", "county_b_officer"),
    ),
]

# The API: anonymous callers get 401; JSON bodies are validated before the handler runs, so
# POST cases with a body only show that signed-in callers get past authentication (422 for
# or 400 for the form-encoded test body), and their scoping is tested in test_api.py.
API = {"anonymous": UNAUTHORIZED}
JSON_POST = {"method": "post", "anonymous": UNAUTHORIZED, "ok_status": (400, 422)}
CASES += [
    AccessCase(
        "api:community_checkpoints", args=_staff, allowed=(STAFF, "county_a_officer"), **API
    ),
    AccessCase("api:community_checkpoint_create", allowed=("county_a_officer",), **JSON_POST),
    AccessCase(
        "api:community_checkpoint_revoke",
        args=_gate,
        method="post",
        anonymous=UNAUTHORIZED,
        allowed=(STAFF,),
        denied=(*OUTSIDERS, "county_a_officer", "resident_a"),
    ),
    AccessCase("api:community_scan", allowed=("resident_a",), **JSON_POST),
    AccessCase("api:community_scan_visitor", allowed=("resident_a",), **JSON_POST),
    AccessCase("api:community_my_passes", allowed=("resident_a", "resident_b"), **API),
    AccessCase("api:community_health_report", allowed=("resident_a",), **JSON_POST),
    AccessCase("api:community_disinfection", allowed=("resident_a",), **JSON_POST),
    AccessCase(
        "api:community_alerts",
        args=_staff,
        allowed=(STAFF, "grid_worker_a1", "county_b_officer"),
        **API,
    ),
    AccessCase("api:community_alert_resolve", args=_alert, allowed=(STAFF,), **JSON_POST),
    AccessCase(
        "api:community_residents",
        args=lambda p: (_staff(p), "131128100001")[1:],
        allowed=(STAFF, "grid_worker_a1", "county_a_officer"),
        denied=OUTSIDERS + NOT_STAFF,
        **API,
    ),
    AccessCase(
        "api:community_dashboard",
        args=lambda p: (_staff(p), "131128100001")[1:],
        allowed=(STAFF, "grid_worker_a1", "county_a_officer"),
        denied=OUTSIDERS + NOT_STAFF,
        **API,
    ),
    # A resident's own figures and corrections; staff tokens and accounts have no person.
    AccessCase("api:community_me", args=_resident, allowed=("resident_a",), **API),
    AccessCase("api:community_pass_correction", args=_pass, allowed=("resident_a",), **JSON_POST),
    # The rules and the corrections: read in scope (an empty list beyond it), changed by the
    # community's own staff.
    AccessCase(
        "api:community_rules",
        args=_staff,
        allowed=(STAFF, "grid_worker_a1", "county_a_officer", "resident_a"),
        **API,
    ),
    AccessCase(
        "api:community_rule_save",
        args=_staff,
        method="put",
        data=lambda p: '{"division_code": "131128100001", "kind": "fever"}',
        allowed=(STAFF,),
        denied=(*OUTSIDERS, "grid_worker_a1", "county_a_officer", "resident_a"),
        anonymous=UNAUTHORIZED,
    ),
    AccessCase(
        "api:community_corrections",
        args=_staff,
        allowed=(STAFF, "grid_worker_a1", "county_a_officer", "resident_a"),
        **API,
    ),
    AccessCase("api:community_correction_settle", args=_correction, allowed=(STAFF,), **JSON_POST),
]
