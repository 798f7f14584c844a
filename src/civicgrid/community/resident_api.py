"""The resident's own side of the community brain in the API, as their pages have it: their
figures (the source's per-resident example) and a correction asked for a pass recorded about
them. Mounted under /api/v1/community; signed-in residents only (an API token acts for an
office, not a person: 403)."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from civicgrid.community import actions, dashboards
from civicgrid.community.api_calls import call
from civicgrid.core.api_auth import SCOPED_AUTH, person_of_request
from civicgrid.core.api_errors import ApiError
from civicgrid.epidemic.observation import active_observation_of

router = Router(tags=["community: residents"], auth=SCOPED_AUTH)


class MySummary(Schema):
    person_id: int
    name: str
    address: str
    outings_this_week: int = Field(description="本周外出次数（已作废的不计）")
    disinfections_this_week: int = Field(description="家庭本周消毒次数")
    disinfections_total: int
    fever_days: int = Field(description="近 14 天家庭报告发热的天数")
    health_today: str = Field(description="今日家庭健康报告：ok / fever / missing")
    observation_id: int | None = Field(
        description="本人正在医学观察时为观察编号：在 /api/v1/epidemic/line-lists/observations/"
        "{id}/checks 报告体温；否则为 null"
    )


class CorrectionIn(Schema):
    reason: str = Field(max_length=200, description="哪里不对，如：当时不在小区")


class CorrectionOut(Schema):
    id: int
    pass_id: int
    reason: str
    status: str = Field(description="open / accepted / rejected")
    resolution: str

    @staticmethod
    def resolve_pass_id(obj: Any) -> int:
        return obj.pass_record_id


@router.get("/me", response=MySummary, url_name="community_me")
def my_summary(request: HttpRequest) -> Any:
    """Outings this week, the household's disinfections and fever days, today's report."""
    user = person_of_request(request)
    summary = dashboards.resident_summary(user)
    if summary is None:
        raise ApiError(404, "no_household", "人口台账中没有找到您的住户，请先登记住户")
    person = summary.person
    observation = active_observation_of(person)
    return {
        "person_id": person.pk,
        "name": person.name,
        "address": person.household.address,
        "outings_this_week": summary.outings_this_week,
        "disinfections_this_week": summary.disinfections_this_week,
        "disinfections_total": summary.disinfections_total,
        "fever_days": summary.fever_days,
        "health_today": summary.health_today,
        "observation_id": observation.pk if observation is not None else None,
    }


@router.post(
    "/passes/{pass_id}/corrections",
    response={201: CorrectionOut},
    url_name="community_pass_correction",
)
def ask_correction(request: HttpRequest, pass_id: int, body: CorrectionIn) -> Any:
    """Contest a pass recorded about oneself; staff of the community accept or reject it."""
    user = person_of_request(request)
    record = dashboards.passes_about(user).filter(pk=pass_id).first()
    if record is None:
        raise ApiError(404, "not_found", "记录不存在")
    correction = call(actions.do_request_pass_correction, user, record=record, reason=body.reason)
    return Status(201, correction)
