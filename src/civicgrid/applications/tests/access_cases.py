"""Access cases of the applications pages and API.

Each case's `args` builds a fresh item at 阜城县发展和改革局 (clerk_a's department) and a case
of enterprise_agent_a in the state the URL needs. clerk_b (景县's bureau), county_b_officer and
resident_b must see nothing of it; the applicant does not reach the clerk pages.
"""

from civicgrid.core.testing import UNAUTHORIZED, AccessCase


def _service(p):
    from civicgrid.applications.tests import factories as f

    return f.item(p.organisations["department_a"])


def _case(status: str = "submitted"):
    def build(p):
        from civicgrid.applications import actions
        from civicgrid.applications.tests import factories as f

        case = f.submit(p.enterprise_agent_a, _service(p))
        if status == "awaiting_material":
            case = actions.do_advance_case(p.clerk_a, case=case)
            actions.do_request_material(p.clerk_a, case=case, items=["用地预审意见"])
        elif status in ("completed", "rated"):
            case = f.advance_to(case, p.clerk_a, "approved")
            case = actions.do_complete_case(
                p.clerk_a, case=case, method="pickup", pickup_place="政务服务中心 3 号窗口"
            )
            if status == "rated":
                actions.do_rate_case(p.enterprise_agent_a, case=case, rating=1, comment="等太久")
        return (case.number,)

    return build


def _draft(p):
    from civicgrid.applications import actions

    return (actions.do_start_draft(p.enterprise_agent_a, item=_service(p)).pk,)


def _draft_step(p):
    from civicgrid.applications.models import Draft

    (draft_id,) = _draft(p)
    return (draft_id, Draft.objects.get(pk=draft_id).current_step)


def _attachment(p):
    from civicgrid.applications.models import Case

    (number,) = _case()(p)
    return (Case.objects.get(number=number).attachments.get().reference,)


def _follow_up(p):
    from civicgrid.applications.models import FollowUp

    _case("rated")(p)
    return (FollowUp.objects.get().pk,)


def _item_code(p):
    return (_service(p).code,)


def _pdf(p):
    from civicgrid.applications.tests import factories as f

    return {"files": f.pdf_upload("补正.pdf")}


OUTSIDERS = ("clerk_b", "county_b_officer", "resident_b")
CLERK_SIDE = ("clerk_a", "county_a_officer", "admin")
POST = {"method": "post", "ok_status": (302,)}
API = {"anonymous": UNAUTHORIZED}

PUBLIC: dict[str, str] = {}

CASES = [
    AccessCase(
        "applications:my_applications", allowed=("resident_a", "enterprise_agent_a", "clerk_a")
    ),
    AccessCase("applications:apply", args=_item_code, allowed=("resident_a", "enterprise_agent_a")),
    AccessCase(
        "applications:draft_step",
        args=_draft_step,
        allowed=("enterprise_agent_a",),
        denied=("resident_b", "clerk_a", "clerk_b"),
    ),
    AccessCase(
        "applications:draft_check",
        args=_draft,
        allowed=("enterprise_agent_a",),
        denied=("resident_b", "clerk_a"),
    ),
    AccessCase(
        "applications:draft_submit",
        args=_draft,
        allowed=("enterprise_agent_a",),
        denied=("resident_b", "clerk_a"),
        method="post",
        ok_status=(422,),  # the empty draft is not complete: the check page with the errors
    ),
    AccessCase("applications:track_search", allowed=("resident_a", "enterprise_agent_a")),
    AccessCase(
        "applications:case_track",
        args=_case(),
        allowed=("enterprise_agent_a", *CLERK_SIDE),
        denied=OUTSIDERS,
    ),
    AccessCase(
        "applications:case_supply",
        args=_case("awaiting_material"),
        data=_pdf,
        allowed=("enterprise_agent_a",),
        denied=OUTSIDERS,
        **POST,
    ),
    AccessCase(
        "applications:case_rate",
        args=_case("completed"),
        data=lambda p: {"rating": "5"},
        allowed=("enterprise_agent_a",),
        denied=OUTSIDERS,
        **POST,
    ),
    AccessCase(
        "applications:attachment",
        args=_attachment,
        allowed=("enterprise_agent_a", *CLERK_SIDE),
        denied=OUTSIDERS,
    ),
    AccessCase(
        "applications:clerk_queue",
        allowed=(*CLERK_SIDE, "clerk_b"),
        denied=("resident_a", "enterprise_agent_a", "volunteer_a"),
    ),
    AccessCase(
        "applications:clerk_case",
        args=_case(),
        allowed=CLERK_SIDE,
        denied=(*OUTSIDERS, "enterprise_agent_a"),
    ),
    AccessCase(
        "applications:clerk_reveal",
        args=_case(),
        data=lambda p: {"reason": "核对申请人身份"},
        allowed=("clerk_a", "admin"),
        denied=(*OUTSIDERS, "enterprise_agent_a", "county_a_officer"),
        method="post",
        ok_status=(200,),
    ),
    AccessCase(
        "applications:clerk_advance",
        args=_case(),
        allowed=("clerk_a", "admin"),
        denied=(*OUTSIDERS, "enterprise_agent_a"),
        **POST,
    ),
    AccessCase(
        "applications:clerk_request",
        args=_case(),
        data=lambda p: {"items": "用地预审意见"},
        allowed=("clerk_a",),
        denied=(*OUTSIDERS, "enterprise_agent_a"),
        **POST,
    ),
    AccessCase(
        "applications:clerk_refuse",
        args=_case(),
        data=lambda p: {"reason": "不符合产业政策"},
        allowed=("clerk_a",),
        denied=(*OUTSIDERS, "enterprise_agent_a"),
        **POST,
    ),
    AccessCase(
        "applications:clerk_complete",
        args=_case(),
        data=lambda p: {"method": "pickup", "pickup_place": "3 号窗口"},
        allowed=("clerk_a",),
        denied=(*OUTSIDERS, "enterprise_agent_a"),
        method="post",
        ok_status=(422,),  # not approved yet: the case page with the refusal
    ),
    AccessCase(
        "applications:department_report",
        allowed=(*CLERK_SIDE, "clerk_b"),
        denied=("resident_a", "enterprise_agent_a"),
    ),
    AccessCase(
        "applications:follow_up_close",
        args=_follow_up,
        data=lambda p: {"action_taken": "已电话回访并优化流程"},
        allowed=("clerk_a",),
        denied=("clerk_b", "county_b_officer", "resident_b", "enterprise_agent_a"),
        **POST,
    ),
    # The API (the same rules; 401 for anonymous callers).
    AccessCase(
        "api:applications_item_form",
        args=_item_code,
        allowed=("resident_a", "enterprise_agent_a", "clerk_a"),
        **API,
    ),
    AccessCase(
        "api:applications_submit",
        method="post",
        data=lambda p: {"item": "NOPE", "answers": "{}"},
        allowed=("resident_a", "enterprise_agent_a"),
        ok_status=(422,),  # reached the action: the item does not exist
        **API,
    ),
    AccessCase("api:applications_mine", allowed=("resident_a", "enterprise_agent_a"), **API),
    AccessCase(
        "api:applications_case",
        args=_case(),
        allowed=("enterprise_agent_a", *CLERK_SIDE),
        denied=OUTSIDERS,
        **API,
    ),
    AccessCase(
        "api:applications_queue",
        allowed=(*CLERK_SIDE, "clerk_b"),
        denied=("resident_a", "enterprise_agent_a"),
        **API,
    ),
    AccessCase(
        "api:applications_advance",
        args=_case(),
        method="post",
        allowed=("clerk_a",),
        denied=(*OUTSIDERS, "enterprise_agent_a"),
        **API,
    ),
    AccessCase(
        "api:applications_request_material",
        args=_case(),
        method="post",
        data=lambda p: {"items": ["用地预审意见"]},
        allowed=("clerk_a",),
        denied=(*OUTSIDERS, "enterprise_agent_a"),
        **API,
    ),
    AccessCase(
        "api:applications_refuse",
        args=_case(),
        method="post",
        data=lambda p: {"reason": "不符合产业政策要求"},
        allowed=("clerk_a",),
        denied=(*OUTSIDERS, "enterprise_agent_a"),
        **API,
    ),
    AccessCase(
        "api:applications_complete",
        args=_case(),
        method="post",
        data=lambda p: {"method": "pickup", "pickup_place": "3 号窗口"},
        allowed=("clerk_a",),
        denied=(*OUTSIDERS, "enterprise_agent_a"),
        ok_status=(422,),  # not approved yet
        **API,
    ),
    AccessCase(
        "api:applications_supply",
        args=_case("awaiting_material"),
        method="post",
        data=_pdf,
        allowed=("enterprise_agent_a",),
        denied=OUTSIDERS,
        **API,
    ),
    AccessCase(
        "api:applications_rate",
        args=_case("completed"),
        method="post",
        data=lambda p: {"rating": 4},
        allowed=("enterprise_agent_a",),
        denied=OUTSIDERS,
        ok_status=(201,),
        **API,
    ),
    AccessCase(
        "api:applications_report",
        allowed=(*CLERK_SIDE, "clerk_b"),  # clerk_b: 200 with 景县's lines only (test_api)
        denied=("resident_a", "enterprise_agent_a"),
        **API,
    ),
]
