"""The daily-reporting API, mounted at /api/v1/epidemic.

Forms, reporting units, reports (submit, correct, read with history) and live statistics, all
scoped by jurisdiction like the pages and written through `epidemic.actions`. A write names the
version it read (`version`, 0 for a new report); a stale one answers 409 with the current
version. Bad figures answer 422 naming each element; nothing is saved. Retries of a submission
carry an `Idempotency-Key` header (the middleware replays the first answer). Figures travel as
decimal strings ("12", "3.50"): exact, whatever the client's float.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from civicgrid.accounts.models import ApiToken, User
from civicgrid.core.api_auth import SCOPED_AUTH
from civicgrid.core.api_errors import ApiError
from civicgrid.core.scoping import jurisdiction_q
from civicgrid.epidemic import actions, selectors
from civicgrid.epidemic.access import (
    access_form_and_unit_for_reporter,
    access_form_for_user,
    access_report_for_user,
    access_unit_for_reporter,
)
from civicgrid.epidemic.choices import ElementKind, ElementType, ReportStatus
from civicgrid.epidemic.line_list_api import router as line_list_router
from civicgrid.epidemic.models import Report, ReportForm
from civicgrid.epidemic.querysets import STATISTICS_ROLES
from civicgrid.epidemic.remit import local_today, reporting_units_for
from civicgrid.population.selectors import area_for, default_area
from civicgrid.regions.models import Division

router = Router(tags=["epidemic"], auth=SCOPED_AUTH)
router.add_router("/line-lists", line_list_router)


# --- schemas ---------------------------------------------------------------------------------


class ElementSchema(Schema):
    code: str
    name: str
    type: ElementType
    kind: ElementKind
    unit: str
    required: bool


class RuleSchema(Schema):
    kind: str
    left: str | None = Field(None, description="左项指标代码；不能为负数规则为空时指全部指标")
    right: str | None
    severity: str
    description: str

    @staticmethod
    def resolve_left(obj: Any) -> str | None:
        return obj.left.code if obj.left_id else None

    @staticmethod
    def resolve_right(obj: Any) -> str | None:
        return obj.right.code if obj.right_id else None

    @staticmethod
    def resolve_description(obj: Any) -> str:
        return str(obj)


class FormSchema(Schema):
    id: int
    code: str
    name: str
    division_code: str
    organisation_types: list[str]
    deadline_hour: int
    is_active: bool


class FormDetailSchema(FormSchema):
    elements: list[ElementSchema]
    rules: list[RuleSchema]

    @staticmethod
    def resolve_elements(obj: ReportForm) -> list[Any]:
        return list(obj.elements.filter(is_active=True))

    @staticmethod
    def resolve_rules(obj: ReportForm) -> list[Any]:
        return list(obj.rules.filter(is_active=True).select_related("left", "right"))


class UnitSchema(Schema):
    id: int
    name: str
    type: str
    division_code: str


class RevisionSchema(Schema):
    version: int
    values: dict[str, str]
    status: ReportStatus
    changed_at: datetime.datetime
    note: str


class ReportSchema(Schema):
    id: int
    form_id: int
    unit_id: int
    division_code: str
    date: datetime.date
    values: dict[str, str]
    warnings: list[str]
    status: ReportStatus
    version: int
    on_time: bool | None
    submitted_at: datetime.datetime | None


class ReportDetailSchema(ReportSchema):
    revisions: list[RevisionSchema]

    @staticmethod
    def resolve_revisions(obj: Report) -> list[Any]:
        return list(obj.revisions.all())


class ReportIn(Schema):
    form: int
    unit: int
    date: datetime.date
    values: dict[str, str | int | float | None] = Field(description="指标代码 → 数值")
    submit: bool = Field(True, description="false：暂存草稿（已上报的日报再保存即为更正）")
    version: int | None = Field(
        None, ge=0, description="读取时的版本；新日报为 0。与当前版本不符时返回 409"
    )
    note: str = Field("", max_length=200)


class CorrectionIn(Schema):
    values: dict[str, str | int | float | None]
    version: int = Field(ge=1)
    submit: bool = True
    note: str = Field("", max_length=200)


class ReportPage(Schema):
    count: int
    items: list[ReportSchema]


class ReportFilters(Schema):
    form: int
    date: datetime.date | None = None
    within: str = ""
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0)


class StatisticsFilters(Schema):
    within: str = Field("", description="区划代码（2、4、6、9 或 12 位）；默认为本人管辖区划")
    start: datetime.date | None = None
    end: datetime.date | None = None
    by: str = Field("", pattern="^(|community)$", description="community：按村（社区）分组")


class StatRowSchema(Schema):
    label: str
    code: str
    values: dict[str, Decimal]


class StatisticsSchema(Schema):
    within: str
    start: datetime.date
    end: datetime.date
    rows: list[StatRowSchema]
    total: StatRowSchema
    unreported_on_end: int


class TrendSchema(Schema):
    within: str
    element: str
    dates: list[datetime.date]
    values: list[Decimal]


class CompletenessRowSchema(Schema):
    label: str
    code: str
    expected: int
    reported: int
    on_time: int


class CompletenessSchema(Schema):
    within: str
    date: datetime.date
    rows: list[CompletenessRowSchema]
    total: CompletenessRowSchema
    missing_units: list[dict[str, Any]]
    missing_count: int


# --- helpers ---------------------------------------------------------------------------------


def _reader(request: HttpRequest) -> Any:
    principal = request.auth
    if isinstance(principal, ApiToken) or (
        isinstance(principal, User) and principal.has_role(*STATISTICS_ROLES)
    ):
        return principal
    raise ApiError(403, "forbidden", "您的角色不能查看统计")


def _within(request: HttpRequest, code: str) -> Division:
    within = area_for(request.auth, code) if code else default_area(request.auth)
    if within is None:
        raise Http404("该区划不存在或不在您的管辖范围内")
    return within


def _save(request: HttpRequest, **kwargs: Any) -> actions.SavedReport:
    try:
        return actions.do_save_report(request.auth, **kwargs)
    except actions.ReportConflict as exc:
        raise ApiError(
            409, "version_conflict", exc.message, current_version=exc.current_version
        ) from None


def _range(filters: StatisticsFilters) -> tuple[datetime.date, datetime.date]:
    end = min(filters.end or local_today(), local_today())
    start = filters.start or end - datetime.timedelta(days=29)
    if start > end or (end - start).days >= selectors.MAX_RANGE_DAYS:
        raise ValidationError({"start": f"日期范围应在 1 至 {selectors.MAX_RANGE_DAYS} 天之间"})
    return start, end


def _row(row: Any) -> dict[str, Any]:
    return {"label": row.label, "code": row.code, "values": row.values}


# --- endpoints -------------------------------------------------------------------------------


@router.get("/forms", response=list[FormSchema], summary="适用的报表", url_name="epidemic_forms")
def list_forms(request: HttpRequest) -> Any:
    return ReportForm.objects.applicable_to(request.auth).active()


@router.get(
    "/forms/{form_id}",
    response=FormDetailSchema,
    summary="报表及其指标、规则",
    url_name="epidemic_form",
)
def get_form(request: HttpRequest, form_id: int) -> ReportForm:
    return access_form_for_user(request.auth, form_id)


@router.get(
    "/forms/{form_id}/units",
    response=list[UnitSchema],
    summary="我可以为其填报的单位",
    url_name="epidemic_form_units",
)
def list_units(request: HttpRequest, form_id: int) -> Any:
    form = access_form_for_user(request.auth, form_id)
    return reporting_units_for(request.auth, form).order_by("division_code", "name")


@router.get("/reports", response=ReportPage, summary="日报列表", url_name="epidemic_reports")
def list_reports(request: HttpRequest, filters: Query[ReportFilters]) -> dict[str, Any]:
    form = access_form_for_user(request.auth, filters.form)
    reports = Report.objects.visible_to(request.auth).filter(form=form)
    if filters.within:
        reports = reports.filter(jurisdiction_q([_within(request, filters.within).code]))
    if filters.date:
        reports = reports.filter(date=filters.date)
    end = filters.offset + filters.limit
    return {
        "count": reports.count(),
        "items": list(reports.order_by("-date", "pk")[filters.offset : end]),
    }


@router.post(
    "/reports",
    response={200: ReportSchema, 201: ReportSchema},
    summary="填报或更正某单位某日的日报（支持 Idempotency-Key）",
    url_name="epidemic_reports",
)
def save_report(request: HttpRequest, payload: ReportIn) -> Status[Report]:
    form, unit = access_form_and_unit_for_reporter(request.auth, payload.form, payload.unit)
    saved = _save(
        request,
        form=form,
        unit=unit,
        date=payload.date,
        values=payload.values,
        submit=payload.submit,
        expected_version=payload.version,
        note=payload.note,
    )
    return Status(201 if saved.created else 200, saved.report)


@router.get(
    "/reports/{report_id}",
    response=ReportDetailSchema,
    summary="日报及修改记录",
    url_name="epidemic_report",
)
def get_report(request: HttpRequest, report_id: int) -> Report:
    return access_report_for_user(request.auth, report_id, request=request)


@router.put(
    "/reports/{report_id}",
    response=ReportSchema,
    summary="更正日报（须带读取时的版本）",
    url_name="epidemic_report",
)
def correct_report(request: HttpRequest, report_id: int, payload: CorrectionIn) -> Report:
    report = access_report_for_user(request.auth, report_id, request=request)
    unit = access_unit_for_reporter(request.auth, report.form, report.unit_id)
    return _save(
        request,
        form=report.form,
        unit=unit,
        date=report.date,
        values=payload.values,
        submit=payload.submit,
        expected_version=payload.version,
        note=payload.note,
    ).report


@router.get(
    "/forms/{form_id}/statistics",
    response=StatisticsSchema,
    summary="按下级区划（县以下按单位）的统计",
    url_name="epidemic_statistics",
)
def get_statistics(
    request: HttpRequest, form_id: int, filters: Query[StatisticsFilters]
) -> dict[str, Any]:
    form = access_form_for_user(_reader(request), form_id)
    start, end = _range(filters)
    within = _within(request, filters.within)
    result = selectors.statistics(form, within, start, end, by_community=filters.by == "community")
    return {
        "within": result.within.code,
        "start": start,
        "end": end,
        "rows": [_row(r) for r in result.rows],
        "total": _row(result.total),
        "unreported_on_end": result.unreported_on_end,
    }


@router.get(
    "/forms/{form_id}/trend",
    response=TrendSchema,
    summary="某区划某指标的逐日数",
    url_name="epidemic_trend",
)
def get_trend(
    request: HttpRequest, form_id: int, element: str, filters: Query[StatisticsFilters]
) -> dict[str, Any]:
    form = access_form_for_user(_reader(request), form_id)
    found = form.elements.filter(code=element).first()
    if found is None:
        raise ValidationError({"element": f"表单中没有指标“{element}”"})
    start, end = _range(filters)
    within = _within(request, filters.within)
    result = selectors.trend(form, within, found, start, end)
    return {
        "within": within.code,
        "element": element,
        "dates": result.dates,
        "values": result.values,
    }


@router.get(
    "/forms/{form_id}/completeness",
    response=CompletenessSchema,
    summary="上报情况（应报、已报、按时、未报单位）",
    url_name="epidemic_completeness",
)
def get_completeness(
    request: HttpRequest, form_id: int, within: str = "", date: datetime.date | None = None
) -> dict[str, Any]:
    form = access_form_for_user(_reader(request), form_id)
    day = date or local_today()
    result = selectors.completeness(form, _within(request, within), day)

    def row(r: Any) -> dict[str, Any]:
        return {
            "label": r.label,
            "code": r.code,
            "expected": r.expected,
            "reported": r.reported,
            "on_time": r.on_time,
        }

    return {
        "within": result.within.code,
        "date": day,
        "rows": [row(r) for r in result.rows],
        "total": row(result.total),
        "missing_units": [
            {"id": u.unit_id, "name": u.name, "division_code": u.division_code}
            for u in result.missing_units
        ],
        "missing_count": result.missing_count,
    }
