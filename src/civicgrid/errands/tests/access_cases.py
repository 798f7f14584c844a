"""Access cases of the errand pages and API.

Each case's `args` builds a fresh errand of resident_a in community A1 (whose volunteer team
volunteer_a belongs to, and whose first grid grid_worker_a1 looks after) in the state the URL
needs; resident_b lives in 景县 and county_b_officer oversees it: both must see nothing.
"""

from civicgrid.core.testing import UNAUTHORIZED, AccessCase


def _state(state: str, **kwargs):
    def build(p):
        from civicgrid.errands.tests import factories as f
        from civicgrid.population.tests import factories as pf

        pf.assign(p.grid_worker_a1, grid_index=0)
        f.resident_home(p.resident_b, f.COMMUNITY_B1)
        if state == "open":
            errand = f.open_errand(p.resident_a)
        else:
            errand = getattr(f, f"{state}_errand")(p.resident_a, p.volunteer_a, **kwargs)
        return (errand.pk,)

    return build


def _photo(p):
    from civicgrid.errands.models import ErrandPhoto

    (errand_id,) = _state("bought")(p)
    return (errand_id, ErrandPhoto.objects.get(errand_id=errand_id).pk)


def _code(p):
    from civicgrid.errands.models import Errand

    return {"code": Errand.objects.latest("pk").handoff_code}


def _other_volunteer(p):
    from civicgrid.errands.tests import factories as f

    other = f.volunteer("volunteer_a2", p.organisations["volunteers_a1"])
    return {"volunteer": other.pk, "volunteer_id": other.pk, "reason": "原志愿者生病"}


OUTSIDERS = ("county_b_officer", "resident_b", "cdc_a")
SEE_OPEN = ("resident_a", "volunteer_a", "grid_worker_a1", "county_a_officer", "admin")
PAGE_POST = {"method": "post", "ok_status": (302,)}

PUBLIC: dict[str, str] = {}

CASES = [
    AccessCase(
        "errands:errand_list",
        allowed=("resident_a", "volunteer_a", "grid_worker_a1", "county_a_officer", "cdc_a"),
    ),
    # Residents post for themselves; grid workers and community staff for a resident.
    AccessCase(
        "errands:errand_create",
        allowed=("resident_a", "grid_worker_a1"),
        denied=("volunteer_a", "county_a_officer", "cdc_a"),
        args=lambda p: (),
    ),
    AccessCase("errands:ledger", allowed=("resident_a", "volunteer_a", "county_a_officer")),
    AccessCase(
        "errands:board",
        allowed=("county_a_officer", "city_officer", "admin"),
        denied=("volunteer_a", "resident_a", "grid_worker_a1", "cdc_a"),
    ),
    AccessCase(
        "errands:board_export",
        allowed=("county_a_officer", "admin"),
        denied=("volunteer_a", "resident_a", "grid_worker_a1"),
    ),
    AccessCase("errands:errand_detail", args=_state("open"), allowed=SEE_OPEN, denied=OUTSIDERS),
    # Once claimed, other volunteers no longer see it.
    AccessCase(
        "errands:errand_detail",
        args=_state("claimed"),
        allowed=("resident_a", "volunteer_a", "county_a_officer"),
        denied=OUTSIDERS,
    ),
    AccessCase(
        "errands:errand_claim",
        args=_state("open"),
        allowed=("volunteer_a",),
        denied=("grid_worker_a1", "county_a_officer", *OUTSIDERS),
        **PAGE_POST,
    ),
    AccessCase(
        "errands:errand_bought",
        args=_state("claimed"),
        data=lambda p: {"amount": "0"},
        allowed=("volunteer_a",),
        denied=OUTSIDERS,
        **PAGE_POST,
    ),
    AccessCase(
        "errands:errand_deliver",
        args=_state("bought"),
        data=_code,
        allowed=("volunteer_a",),
        denied=OUTSIDERS,
        **PAGE_POST,
    ),
    AccessCase(
        "errands:errand_confirm",
        args=_state("delivered"),
        allowed=("resident_a",),
        denied=OUTSIDERS,
        **PAGE_POST,
    ),
    AccessCase(
        "errands:errand_cancel",
        args=_state("open"),
        data=lambda p: {"reason": "已经买到了"},
        allowed=("resident_a", "county_a_officer"),
        denied=OUTSIDERS,
        **PAGE_POST,
    ),
    AccessCase(
        "errands:errand_reassign",
        args=_state("claimed"),
        data=_other_volunteer,
        allowed=("county_a_officer", "admin"),
        denied=OUTSIDERS,
        **PAGE_POST,
    ),
    AccessCase(
        "errands:errand_repay",
        args=_state("confirmed"),
        data=lambda p: {"amount": "10", "method": "cash"},
        allowed=("resident_a", "volunteer_a"),
        denied=OUTSIDERS,
        **PAGE_POST,
    ),
    AccessCase(
        "errands:errand_rate",
        args=_state("confirmed"),
        data=lambda p: {"score": "5", "comment": "很及时"},
        allowed=("resident_a", "volunteer_a"),
        denied=OUTSIDERS,
        **PAGE_POST,
    ),
    AccessCase(
        "errands:errand_message",
        args=_state("claimed"),
        data=lambda p: {"body": "已到楼下"},
        allowed=("resident_a", "volunteer_a"),
        denied=OUTSIDERS,
        **PAGE_POST,
    ),
    AccessCase(
        "errands:errand_call",
        method="post",
        args=_state("claimed"),
        data=lambda p: {"preset": "送货联系"},
        allowed=("volunteer_a", "county_a_officer"),
        denied=OUTSIDERS,
    ),
    AccessCase(
        "errands:errand_photo",
        args=_photo,
        allowed=("resident_a", "volunteer_a", "county_a_officer"),
        denied=OUTSIDERS,
    ),
]

API = {"anonymous": UNAUTHORIZED}
API_POST = {"method": "post", "anonymous": UNAUTHORIZED}

CASES += [
    AccessCase(
        "api:errands_list", allowed=("resident_a", "volunteer_a", "county_a_officer"), **API
    ),
    AccessCase(
        "api:errands_board",
        allowed=("county_a_officer", "admin"),
        denied=("volunteer_a", "resident_a", "grid_worker_a1"),
        **API,
    ),
    AccessCase(
        "api:errands_detail", args=_state("open"), allowed=SEE_OPEN, denied=OUTSIDERS, **API
    ),
    AccessCase(
        "api:errands_claim",
        args=_state("open"),
        allowed=("volunteer_a",),
        denied=("grid_worker_a1", *OUTSIDERS),
        **API_POST,
    ),
    AccessCase(
        "api:errands_bought",
        args=_state("claimed"),
        data=lambda p: {"amount": "0"},
        allowed=("volunteer_a",),
        denied=OUTSIDERS,
        **API_POST,
    ),
    AccessCase(
        "api:errands_delivered",
        args=_state("bought"),
        data=_code,
        allowed=("volunteer_a",),
        denied=OUTSIDERS,
        **API_POST,
    ),
    AccessCase(
        "api:errands_confirm",
        args=_state("delivered"),
        allowed=("resident_a",),
        denied=OUTSIDERS,
        **API_POST,
    ),
    AccessCase(
        "api:errands_cancel",
        args=_state("open"),
        data=lambda p: {"reason": "已经买到了"},
        allowed=("resident_a",),
        denied=OUTSIDERS,
        **API_POST,
    ),
    AccessCase(
        "api:errands_reassign",
        args=_state("claimed"),
        data=_other_volunteer,
        allowed=("county_a_officer",),
        denied=OUTSIDERS,
        **API_POST,
    ),
    AccessCase(
        "api:errands_repayments",
        args=_state("confirmed"),
        data=lambda p: {"amount": "10", "method": "wechat"},
        allowed=("resident_a",),
        denied=OUTSIDERS,
        ok_status=(201,),
        **API_POST,
    ),
    AccessCase(
        "api:errands_ratings",
        args=_state("confirmed"),
        data=lambda p: {"score": "4"},
        allowed=("volunteer_a",),
        denied=OUTSIDERS,
        ok_status=(201,),
        **API_POST,
    ),
    AccessCase(
        "api:errands_messages",
        args=_state("claimed"),
        allowed=("resident_a", "volunteer_a"),
        denied=OUTSIDERS,
        **API,
    ),
]
