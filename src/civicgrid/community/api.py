"""The community API, mounted at /api/v1/community.

Scoped like the pages; every write goes through `community.actions`. Residents call the scan,
household and "mine" endpoints with their session; systems and staff read gates, alerts and
dashboards within their jurisdiction. A phone may retry a scan with the same Idempotency-Key
(the middleware replays the answer); a double tap without one is still one pass. A rejected
call answers 400 (a bad gate code) or 422 naming the field, and records nothing.
"""

import datetime
import functools
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from civicgrid.community import actions, dashboards
from civicgrid.community.access import access_alert_for_user, access_checkpoint_for_user
from civicgrid.community.api_calls import call
from civicgrid.community.choices import AlertStatus
from civicgrid.community.masking import masked_name
from civicgrid.community.models import Alert, PassRecord
from civicgrid.community.resident_api import router as resident_router
from civicgrid.community.residents import household_of_user
from civicgrid.community.selectors import checkpoints_for
from civicgrid.community.staff_api import router as staff_router
from civicgrid.core.api_auth import SCOPED_AUTH
from civicgrid.core.api_errors import ApiError
from civicgrid.core.paging import Paging
from civicgrid.population.querysets import may_use_register
from civicgrid.population.selectors import area_for
from civicgrid.regions.models import Division

router = Router(tags=["community"], auth=SCOPED_AUTH)
router.add_router("", resident_router)
router.add_router("", staff_router)


class CheckpointSchema(Schema):
    id: int
    division_code: str
    name: str
    note: str
    is_active: bool
    token_version: int


class CheckpointIn(Schema):
    division_code: str = Field(max_length=12)
    name: str = Field(max_length=50)
    note: str = Field("", max_length=100)


@functools.cache
def _readers(schema: type[Schema]) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """How ninja reads each field of `schema` from an object: its `resolve_` method when it
    has one, else the attribute of the same name."""
    return tuple(
        (name, getattr(schema, f"resolve_{name}", None) or operator.attrgetter(name))
        for name in schema.model_fields
    )


class PassSchema(Schema):
    id: int
    checkpoint_id: int
    direction: str
    kind: str
    proof: str
    name: str = Field(description="姓名（部分隐藏）")
    temperature: Decimal | None
    scanned_at: datetime.datetime
    voided: bool

    @staticmethod
    def resolve_name(obj: PassRecord) -> str:
        return masked_name(obj.display_name)

    @staticmethod
    def resolve_voided(obj: PassRecord) -> bool:
        return obj.voided_at is not None

    @classmethod
    def of(cls, record: PassRecord) -> "PassSchema":
        """The schema of a pass the scan just wrote or read, built without validating it again:
        ninja skips validating an instance of the response's own type, which on the busiest
        endpoint cost more than the rest of the answer. Each field is read as ninja reads it:
        by its `resolve_` method when there is one, else the record's attribute."""
        return cls.model_construct(**{name: read(record) for name, read in _readers(cls)})


class ScanIn(Schema):
    token: str = Field(max_length=120)
    direction: str = Field(description="out 或 in")


class VisitorIn(ScanIn):
    name: str = Field(max_length=50)
    mobile: str = Field(max_length=20)
    reason: str = Field(max_length=100)
    host: str = Field(max_length=100)
    temperature: str | None = None


class ScanResult(Schema):
    created: bool = Field(description="false：重复点击或重试，返回第一次的记录")
    household_health_today: str = Field(description="ok / fever / missing")
    under_observation: bool = Field(
        False, description="true：本人正在医学观察期内（居家或集中隔离），应留在家中"
    )
    record: PassSchema


class EntryIn(Schema):
    person_id: int
    temperature: str
    symptoms: list[str] = []


class ReportIn(Schema):
    entries: list[EntryIn]


class ReportOut(Schema):
    id: int
    report_date: datetime.date
    has_fever: bool


class DisinfectionIn(Schema):
    done_at: datetime.datetime
    area: str
    method: str
    note: str = Field("", max_length=100)


class DisinfectionOut(Schema):
    id: int
    done_at: datetime.datetime
    area: str
    method: str


class AlertSchema(Schema):
    id: int
    division_code: str
    household_id: int | None
    rule_kind: str
    rule: str
    detail: str
    status: str
    finding: str
    day: datetime.date
    created_at: datetime.datetime

    @staticmethod
    def resolve_rule_kind(obj: Alert) -> str:
        return obj.rule.kind

    @staticmethod
    def resolve_rule(obj: Alert) -> str:
        return obj.rule.description


class ResolveIn(Schema):
    status: str = Field(description="confirmed 或 dismissed")
    finding: str = Field(max_length=300)


class ResidentRowSchema(Schema):
    person_id: int
    name: str = Field(description="姓名（部分隐藏）")
    household_id: int | None
    address: str
    exits_this_week: int
    disinfections_this_week: int = Field(description="家庭本周消毒次数")
    fever_days: int = Field(description="近 14 天家庭报告发热的天数")
    fever_today: bool | None = Field(description="今日健康报告是否有人发热；未报告为 null")
    under_observation: bool = Field(description="正在医学观察（居家或集中隔离）")

    @staticmethod
    def resolve_person_id(obj: Any) -> int:
        return obj.pk

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return masked_name(obj.name)

    @staticmethod
    def resolve_address(obj: Any) -> str:
        return obj.household.address if obj.household else ""


class ResidentPage(Schema):
    count: int
    items: list[ResidentRowSchema]


class DashboardSchema(Schema):
    division_code: str
    day: datetime.date
    out_by_hour: list[int]
    in_by_hour: list[int]
    out_today: int
    in_today: int
    visitors_today: int
    out_now: int
    households: int
    not_reported: int
    open_alerts: int
    fever_cases: int
    not_proven: int


def _scan_result(result: actions.PassResult) -> Status:
    return Status(
        201 if result.created else 200,
        ScanResult.model_construct(
            created=result.created,
            household_health_today=result.health,
            under_observation=result.under_observation,
            record=PassSchema.of(result.record),
        ),
    )


@router.get("/checkpoints", response=list[CheckpointSchema], url_name="community_checkpoints")
def list_checkpoints(request: HttpRequest) -> Any:
    return checkpoints_for(request.auth)[:500]


@router.post(
    "/checkpoints", response={201: CheckpointSchema}, url_name="community_checkpoint_create"
)
def create_checkpoint(request: HttpRequest, body: CheckpointIn) -> Any:
    return Status(201, call(actions.do_create_checkpoint, request.auth, **body.dict()))


@router.post(
    "/checkpoints/{checkpoint_id}/revoke",
    response=CheckpointSchema,
    url_name="community_checkpoint_revoke",
)
def revoke_checkpoint(request: HttpRequest, checkpoint_id: int) -> Any:
    checkpoint = access_checkpoint_for_user(request.auth, checkpoint_id, request=request)
    return call(actions.do_revoke_checkpoint_codes, request.auth, checkpoint=checkpoint)


@router.post("/scans", response={201: ScanResult, 200: ScanResult}, url_name="community_scan")
def scan(request: HttpRequest, body: ScanIn) -> Any:
    result = call(
        actions.do_scan_as_resident, request.auth, token=body.token, direction=body.direction
    )
    return _scan_result(result)


@router.post(
    "/scans/visitor", response={201: ScanResult, 200: ScanResult}, url_name="community_scan_visitor"
)
def scan_visitor(request: HttpRequest, body: VisitorIn) -> Any:
    visitor = actions.VisitorInput(body.name, body.mobile, body.reason, body.host, body.temperature)
    result = call(
        actions.do_register_visitor,
        request.auth,
        token=body.token,
        direction=body.direction,
        visitor=visitor,
    )
    return _scan_result(result)


@router.get("/passes/mine", response=list[PassSchema], url_name="community_my_passes")
def my_passes(request: HttpRequest) -> Any:
    return dashboards.passes_about(request.auth)[:500]


def _my_household(request: HttpRequest) -> Any:
    household = household_of_user(request.auth)
    if household is None:
        raise ApiError(404, "no_household", "人口台账中没有找到您的住户，请先登记住户")
    return household


@router.post("/health-reports", response={201: ReportOut}, url_name="community_health_report")
def report_health(request: HttpRequest, body: ReportIn) -> Any:
    entries = [
        actions.EntryInput(e.person_id, e.temperature, tuple(e.symptoms)) for e in body.entries
    ]
    household = _my_household(request)
    report = call(
        actions.do_report_household_health, request.auth, household=household, entries=entries
    )
    return Status(201, report)


@router.post("/disinfections", response={201: DisinfectionOut}, url_name="community_disinfection")
def log_disinfection(request: HttpRequest, body: DisinfectionIn) -> Any:
    household = _my_household(request)
    log = call(actions.do_log_disinfection, request.auth, household=household, **body.dict())
    return Status(201, log)


@router.get("/alerts", response=list[AlertSchema], url_name="community_alerts")
def list_alerts(
    request: HttpRequest, status: str = AlertStatus.OPEN, household_id: int | None = None
) -> Any:
    """The alerts the caller sees, of a status (anything else: all), newest first; of one
    household with `household_id`."""
    alerts = Alert.objects.visible_to(request.auth).select_related("rule")
    if household_id is not None:
        alerts = alerts.filter(household_id=household_id)
    return alerts.filter(status=status)[:500] if status in AlertStatus.values else alerts[:500]


@router.post("/alerts/{alert_id}/resolve", response=AlertSchema, url_name="community_alert_resolve")
def resolve_alert(request: HttpRequest, alert_id: int, body: ResolveIn) -> Any:
    alert = access_alert_for_user(request.auth, alert_id, request=request)
    return call(
        actions.do_resolve_alert,
        request.auth,
        alert=alert,
        status=body.status,
        finding=body.finding,
    )


def _community(request: HttpRequest, code: str) -> Division:
    area = area_for(request.auth, code) if may_use_register(request.auth) else None
    if area is None or area.level != 5:
        raise ApiError(404, "not_found", "记录不存在或不在您的管辖范围内")
    return area


@router.get("/dashboard/{code}/residents", response=ResidentPage, url_name="community_residents")
def residents(
    request: HttpRequest, code: str, paging: Query[Paging], order: str = "exits", show: str = "",
    household_id: int | None = None,
) -> Any:  # fmt: skip
    """Every resident's figures, most exits this week first (`order=address`: by address);
    `show` keeps those out now (`out`), of households not reported today (`unreported`),
    reported with a fever today (`fever`) or under medical observation (`observed`);
    `household_id` the members of one household (the grid worker's household page)."""
    area = _community(request, code)
    if show and show not in dashboards.RESIDENT_FILTERS:
        raise ApiError(422, "invalid_input", "show 只能是 out、unreported、fever 或 observed")
    rows = dashboards.resident_rows(
        request.auth, area.code, today=timezone.localdate(), busiest_first=order != "address",
        show=show,
    )  # fmt: skip
    if household_id is not None:
        rows = rows.filter(household_id=household_id)
    end = paging.offset + paging.limit
    return {"count": rows.count(), "items": list(rows[paging.offset : end])}


@router.get("/dashboard/{code}", response=DashboardSchema, url_name="community_dashboard")
def dashboard(request: HttpRequest, code: str) -> Any:
    area = _community(request, code)
    board = dashboards.community_dashboard(request.auth, area)
    return {
        "division_code": area.code,
        **{k: v for k, v in vars(board).items() if k != "community"},
    }
