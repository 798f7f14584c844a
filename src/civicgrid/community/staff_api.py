"""The community staff's settings and requests in the API, as their pages have them: the alert
rules with each one's hit rate (to tune a threshold), and the residents' correction requests
to accept or reject. Mounted under /api/v1/community; scoped like the pages (a staff member or
token sees their jurisdiction's; only the community's own staff change anything)."""

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from civicgrid.community import actions, rules
from civicgrid.community.access import access_correction_for_user
from civicgrid.community.api_calls import call
from civicgrid.community.choices import CorrectionStatus
from civicgrid.community.masking import masked_name
from civicgrid.community.models import AlertRule, PassCorrection
from civicgrid.community.selectors import corrections_for
from civicgrid.core.api_auth import SCOPED_AUTH

router = Router(tags=["community: staff"], auth=SCOPED_AUTH)


class RuleSchema(Schema):
    id: int
    division_code: str
    kind: str
    threshold: int | None
    is_active: bool
    description: str = Field(description="规则的一句话说明")
    alerts: int = Field(description="已产生的预警")
    confirmed: int
    dismissed: int
    open: int
    hit_rate: float | None = Field(description="属实 ÷ 已核实（%）；尚无核实为 null")


class RuleIn(Schema):
    division_code: str = Field(max_length=12)
    kind: str = Field(description="exits_per_day / observed_out / fever / no_report")
    threshold: int | None = Field(None, description="外出次数或天数；其他规则不填")
    is_active: bool = True


class CorrectionSchema(Schema):
    id: int
    division_code: str
    pass_id: int
    pass_direction: str
    pass_scanned_at: datetime.datetime
    name: str = Field(description="姓名（部分隐藏）")
    reason: str
    status: str
    resolution: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_pass_id(obj: PassCorrection) -> int:
        return obj.pass_record_id

    @staticmethod
    def resolve_pass_direction(obj: PassCorrection) -> str:
        return obj.pass_record.direction

    @staticmethod
    def resolve_pass_scanned_at(obj: PassCorrection) -> datetime.datetime:
        return obj.pass_record.scanned_at

    @staticmethod
    def resolve_name(obj: PassCorrection) -> str:
        return masked_name(obj.pass_record.display_name)


class SettleIn(Schema):
    accept: bool = Field(description="true：记录有误，作废该条出入记录；false：维持原记录")
    resolution: str = Field("", max_length=200, description="维持原记录时必填")


def _rule_rows(found: list[AlertRule]) -> list[dict[str, Any]]:
    rates = rules.hit_rates(found)
    return [
        {
            "id": rule.pk,
            "division_code": rule.division_code,
            "kind": rule.kind,
            "threshold": rule.threshold,
            "is_active": rule.is_active,
            "description": rule.description,
            "alerts": rates[rule.pk]["total"],
            "confirmed": rates[rule.pk]["confirmed"],
            "dismissed": rates[rule.pk]["dismissed"],
            "open": rates[rule.pk]["open"],
            "hit_rate": rates[rule.pk]["rate"],
        }
        for rule in found
    ]


@router.get("/rules", response=list[RuleSchema], url_name="community_rules")
def list_rules(request: HttpRequest) -> Any:
    """The alert rules of the communities in scope, each with its hit rate."""
    return _rule_rows(list(AlertRule.objects.visible_to(request.auth)[:1000]))


@router.put("/rules", response=RuleSchema, url_name="community_rule_save")
def save_rule(request: HttpRequest, body: RuleIn) -> Any:
    """Create or change the community's rule of a kind (its own staff only: 403)."""
    rule = call(actions.do_save_alert_rule, request.auth, **body.dict())
    return _rule_rows([rule])[0]


@router.get("/corrections", response=list[CorrectionSchema], url_name="community_corrections")
def list_corrections(request: HttpRequest, status: str = CorrectionStatus.OPEN) -> Any:
    """Residents' correction requests in scope, the open ones unless `status` says otherwise."""
    return corrections_for(request.auth, status)[:500]


@router.post(
    "/corrections/{correction_id}/settle",
    response=CorrectionSchema,
    url_name="community_correction_settle",
)
def settle_correction(request: HttpRequest, correction_id: int, body: SettleIn) -> Any:
    """Accept (the pass is voided and counts nowhere) or reject with a reason."""
    correction = access_correction_for_user(request.auth, correction_id, request=request)
    call(
        actions.do_resolve_pass_correction, request.auth, correction=correction,
        accept=body.accept, resolution=body.resolution,
    )  # fmt: skip
    correction.refresh_from_db()
    return correction
