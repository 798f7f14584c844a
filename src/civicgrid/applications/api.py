"""网上办事 over the API, mounted at /api/v1/applications.

- `GET /items/{code}/form`: the item's current form definition (the formspec JSON, see
  `applications.formspec`), its version, workflow and materials — what another system needs to
  build the same form.
- `POST /cases`: submit every answer at once. Either JSON (`{"item": code, "answers": {...}}`,
  for forms without file fields), or `multipart/form-data` with a field `item`, a field
  `answers` holding the answers as JSON, and each file as a part named by its field's path
  (`plan`, `partners.0.licence`; repeat the part for several files). Files are checked by
  content like the page's; the answers' file fields are filled with the stored references.
  Retries with the same `Idempotency-Key` header answer the first case.
- `GET /cases`, `GET /cases/{number}`: the caller's cases; a case's status, step, clock and
  history (applicant, the department's clerks and supervisors; 404 for anyone else).
- `GET /queue` and `POST /cases/{number}/advance|material-requests|refusal|completion`: the
  clerk side; `POST /cases/{number}/supply` (multipart `files`) and `/rating`: the applicant.
- `GET /report`: per department the caller works in or supervises, finished cases, ratings
  (response rate, satisfaction = share of 4–5 stars, average, bad ones) and where the bad
  ratings' follow-ups stand (open, overdue, done) — the 好差评 report.

Rule violations answer 422 naming the field, a wrong role 403; nothing is half-saved. API tokens
may read the cases of their jurisdiction; acting on a case needs a signed-in person.
"""

import datetime
import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from pydantic import ValidationError as PydanticError

from civicgrid.applications import actions, clock, disclosure, selectors
from civicgrid.applications.access import access_case_for_user, access_worked_case_for_user
from civicgrid.applications.choices import (
    ApplicantKind,
    CaseStatus,
    DeliveryMethod,
    EventKind,
    StepKind,
    TimeLeft,
)
from civicgrid.applications.models import Case, WorkflowStep
from civicgrid.catalog.models import ServiceItem
from civicgrid.core.api_auth import SCOPED_AUTH
from civicgrid.core.api_errors import ApiError
from civicgrid.core.paging import Paging, page_of

router = Router(tags=["applications"], auth=SCOPED_AUTH)


# --- schemas ---------------------------------------------------------------------------------


class StepSchema(Schema):
    key: str
    name: str
    kind: StepKind
    role: str


class MaterialSchema(Schema):
    name: str
    required: bool
    from_certificate: bool = Field(description="由电子证照共享获取，申请人无需上传")

    @staticmethod
    def resolve_from_certificate(obj: Any) -> bool:
        return bool(obj.certificate_type)


class FormSchema(Schema):
    item: str
    name: str
    version: int
    definition: dict[str, Any]
    workflow: list[StepSchema]
    materials: list[MaterialSchema]
    promised_limit_days: int


class EventSchema(Schema):
    kind: EventKind
    step_name: str
    status: CaseStatus
    note: str
    created_at: datetime.datetime


def _remaining(case: Case) -> clock.Remaining:
    """The time left the queue computed for the page, else this case's own."""
    found = getattr(case, "remaining", None)
    if found is None:
        found = case.remaining = clock.remaining_many([case])[0]
    return found


class CaseSchema(Schema):
    number: str
    item: str = Field(alias="item.code")
    item_name: str = Field(alias="item.name")
    applicant_kind: ApplicantKind
    applicant_name: str
    credit_code: str
    status: CaseStatus
    current_step: str | None
    form_version: int = Field(alias="form_definition.version")
    submitted_at: datetime.datetime
    due_date: datetime.date
    due_warning: str
    time_left: str | None = Field(description="overdue / due_soon / on_time / paused；办结后为空")
    working_days_left: int | None

    @staticmethod
    def resolve_current_step(obj: Case) -> str | None:
        return obj.current_step.name if obj.current_step_id and obj.is_open else None

    @staticmethod
    def resolve_time_left(obj: Case) -> str | None:
        return _remaining(obj).kind if obj.is_open else None

    @staticmethod
    def resolve_working_days_left(obj: Case) -> int | None:
        if not obj.is_open or obj.is_paused:
            return None
        return _remaining(obj).working_days


class CaseDetailSchema(CaseSchema):
    answers: dict[str, Any] = Field(description="申请内容；身份证号和手机号码脱敏显示")
    refusal_reason: str
    events: list[EventSchema]
    open_request: list[str] | None
    delivery: dict[str, str] | None
    rating: int | None

    @staticmethod
    def resolve_answers(obj: Case) -> dict[str, Any]:
        # API callers never get the numbers in full (no audited reveal through the API).
        return disclosure.shown_answers(obj)

    @staticmethod
    def resolve_events(obj: Case) -> list[Any]:
        return list(obj.events.all())

    @staticmethod
    def resolve_open_request(obj: Case) -> list[str] | None:
        request = obj.open_request
        return list(request.items) if request else None

    @staticmethod
    def resolve_delivery(obj: Case) -> dict[str, str] | None:
        delivery = getattr(obj, "delivery", None) if hasattr(obj, "delivery") else None
        if delivery is None:
            return None
        return {
            "method": delivery.method,
            "certificate_number": delivery.certificate_number,
            "carrier": delivery.carrier,
            "tracking_number": delivery.tracking_number,
            "pickup_place": delivery.pickup_place,
        }

    @staticmethod
    def resolve_rating(obj: Case) -> int | None:
        evaluation = getattr(obj, "evaluation", None) if hasattr(obj, "evaluation") else None
        return evaluation.rating if evaluation else None


class CasePage(Schema):
    count: int
    items: list[CaseSchema]


class SubmitJson(Schema):
    item: str = Field(max_length=40)
    answers: dict[str, Any]


class NoteIn(Schema):
    note: str = Field("", max_length=1000)


class MaterialRequestIn(Schema):
    items: list[str] = Field(min_length=1, max_length=30)
    note: str = Field("", max_length=1000)


class RefusalIn(Schema):
    reason: str = Field(max_length=2000)


class CompletionIn(Schema):
    method: DeliveryMethod
    recipient: str = Field("", max_length=50)
    recipient_mobile: str = Field("", max_length=20)
    address: str = Field("", max_length=200)
    carrier: str = Field("", max_length=40)
    tracking_number: str = Field("", max_length=40)
    pickup_place: str = Field("", max_length=200)


class RatingIn(Schema):
    rating: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=500)


class ReportLineSchema(Schema):
    department_id: int = Field(alias="department.pk")
    department: str = Field(alias="department.name")
    division_code: str = Field(alias="department.division_code")
    finished: int = Field(description="已办结（含不予许可）的办件数")
    rated: int
    response_rate: float | None = Field(description="评价率：已评价 / 已办结")
    satisfaction: float | None = Field(description="满意率：4–5 星 / 已评价")
    average: float | None
    bad: int = Field(description="差评（1–2 星）数")
    follow_ups_open: int
    follow_ups_overdue: int
    follow_ups_done: int


class ReportSchema(Schema):
    departments: list[ReportLineSchema]


class QueueFilter(Paging):
    department: int | None = None
    item: str | None = Field(None, description="事项编码")
    status: CaseStatus | None = None
    time_left: TimeLeft | None = None


# --- helpers ---------------------------------------------------------------------------------


def _person(request: HttpRequest) -> Any:
    principal = request.auth  # type: ignore[attr-defined]
    if getattr(getattr(principal, "_meta", None), "label", "") != "accounts.User":
        raise ApiError(403, "forbidden", "办理和申请须由本人登录后进行，接口令牌只能查询")
    return principal


def _run(call: Any) -> Any:
    try:
        return call()
    except PermissionDenied as exc:
        raise ApiError(403, "forbidden", str(exc) or "无权进行此操作") from exc


def _body(request: HttpRequest, schema: type[Schema]) -> Any:
    """The action's input, as JSON or as form fields (the page's shape), validated after the
    case was looked up, so that someone else's case answers 404 whatever they sent."""
    if request.content_type == "application/json":
        try:
            raw = json.loads(request.body or b"{}")
        except ValueError:
            raise ApiError(422, "invalid_input", "请求体不是有效的 JSON") from None
    else:
        raw = {
            key: values if key == "items" else values[-1] for key, values in request.POST.lists()
        }
    try:
        return schema.model_validate(raw if isinstance(raw, dict) else {})
    except PydanticError as exc:
        fields = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
        names = "、".join(f["field"] for f in fields) or "请求"
        raise ApiError(422, "invalid_input", f"参数无效：{names}", fields=fields) from None


def _detail(case: Case) -> Case:
    return Case.objects.select_related("item", "current_step", "form_definition").get(pk=case.pk)


# --- endpoints -------------------------------------------------------------------------------


@router.get(
    "/items/{code}/form",
    response=FormSchema,
    summary="事项的申请表单定义",
    url_name="applications_item_form",
)
def item_form(request: HttpRequest, code: str) -> dict[str, Any]:
    item = get_object_or_404(ServiceItem, code=code)
    form = actions.current_form(item)
    return {
        "item": item.code,
        "name": item.name,
        "version": form.version,
        "definition": form.definition,
        "workflow": list(WorkflowStep.objects.filter(item=item).order_by("position")),
        "materials": list(item.materials.all()),
        "promised_limit_days": item.promised_limit_days,
    }


@router.post(
    "/cases",
    response={201: CaseDetailSchema},
    summary="一次提交全部申请内容",
    url_name="applications_submit",
)
def submit_case(request: HttpRequest) -> Status:
    user = _person(request)
    if request.content_type == "application/json":
        try:
            body = SubmitJson.model_validate_json(request.body or b"{}")
        except ValueError as exc:
            raise ApiError(422, "invalid_input", "请求体应为 {item, answers} JSON") from exc
        code, answers, files = body.item, body.answers, {}
    else:
        code = request.POST.get("item", "")
        try:
            answers = json.loads(request.POST.get("answers") or "{}")
        except ValueError:
            answers = None
        if not isinstance(answers, dict):
            raise ApiError(
                422, "invalid_input", "answers 应为 JSON 对象", fields=[{"field": "answers"}]
            )
        files = {key: request.FILES.getlist(key) for key in request.FILES}
    item = ServiceItem.objects.filter(code=code).first()
    if item is None:
        raise ApiError(422, "invalid_input", "事项编码不存在", fields=[{"field": "item"}])
    case = _run(lambda: actions.do_submit_case(user, item=item, answers=answers, files=files))
    return Status(201, _detail(case))


@router.get("/cases", response=CasePage, summary="我的办件", url_name="applications_mine")
def my_cases(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    return page_of(selectors.my_cases(_person(request)).select_related("form_definition"), paging)


@router.get(
    "/cases/{number}",
    response=CaseDetailSchema,
    summary="按编号查询办件",
    url_name="applications_case",
)
def case_status(request: HttpRequest, number: str) -> Case:
    return _detail(access_case_for_user(request.auth, number, request=request))  # type: ignore[attr-defined]


@router.get(
    "/queue", response=CasePage, summary="办件队列（按到期日）", url_name="applications_queue"
)
def queue(request: HttpRequest, filters: Query[QueueFilter]) -> dict[str, Any]:
    principal = request.auth  # type: ignore[attr-defined]
    if not (selectors.is_clerk_side(principal) or not hasattr(principal, "active_memberships")):
        raise ApiError(403, "forbidden", "只有部门办事人员和监管人员可以查看办件队列")
    item_id = None
    if filters.item:
        item_id = (
            ServiceItem.objects.filter(code=filters.item).values_list("pk", flat=True).first() or -1
        )
    rows = selectors.clerk_queue(
        principal,
        department_id=filters.department,
        item_id=item_id,
        status=filters.status,
        time_left=filters.time_left,
    )
    page = page_of(selectors.queue_rows(rows), filters)
    selectors.with_remaining(page["items"])  # the time left from one calendar snapshot
    return page


def _clerk_case(request: HttpRequest, number: str) -> tuple[Any, Case]:
    user = _person(request)
    return user, access_worked_case_for_user(user, number, request=request)


@router.post(
    "/cases/{number}/advance",
    response=CaseDetailSchema,
    summary="办理当前步骤（受理、审查通过、准予）",
    url_name="applications_advance",
)
def advance(request: HttpRequest, number: str) -> Case:
    user, case = _clerk_case(request, number)
    body = _body(request, NoteIn)
    return _detail(_run(lambda: actions.do_advance_case(user, case=case, note=body.note)))


@router.post(
    "/cases/{number}/material-requests",
    response=CaseDetailSchema,
    summary="要求补正材料（暂停计时）",
    url_name="applications_request_material",
)
def request_material(request: HttpRequest, number: str) -> Case:
    user, case = _clerk_case(request, number)
    body = _body(request, MaterialRequestIn)
    _run(lambda: actions.do_request_material(user, case=case, items=body.items, note=body.note))
    return _detail(case)


@router.post(
    "/cases/{number}/refusal",
    response=CaseDetailSchema,
    summary="不予许可",
    url_name="applications_refuse",
)
def refuse(request: HttpRequest, number: str) -> Case:
    user, case = _clerk_case(request, number)
    body = _body(request, RefusalIn)
    return _detail(_run(lambda: actions.do_refuse_case(user, case=case, reason=body.reason)))


@router.post(
    "/cases/{number}/completion",
    response=CaseDetailSchema,
    summary="办结并送达",
    url_name="applications_complete",
)
def complete(request: HttpRequest, number: str) -> Case:
    user, case = _clerk_case(request, number)
    body = _body(request, CompletionIn)
    return _detail(_run(lambda: actions.do_complete_case(user, case=case, **body.model_dump())))


@router.post(
    "/cases/{number}/supply",
    response=CaseDetailSchema,
    summary="补正材料（multipart，文件字段 files）",
    url_name="applications_supply",
)
def supply(request: HttpRequest, number: str) -> Case:
    user = _person(request)
    case = access_case_for_user(user, number, request=request)
    files = request.FILES.getlist("files")
    note = request.POST.get("note", "")
    return _detail(
        _run(lambda: actions.do_supply_material(user, case=case, files=files, note=note))
    )


@router.post(
    "/cases/{number}/rating",
    response={201: CaseDetailSchema},
    summary="评价（好差评）",
    url_name="applications_rate",
)
def rate(request: HttpRequest, number: str) -> Status:
    user = _person(request)
    case = access_case_for_user(user, number, request=request)
    body = _body(request, RatingIn)
    _run(lambda: actions.do_rate_case(user, case=case, rating=body.rating, comment=body.comment))
    return Status(201, _detail(case))


@router.get(
    "/report",
    response=ReportSchema,
    summary="好差评报表（按部门）",
    url_name="applications_report",
)
def department_report(request: HttpRequest) -> dict[str, Any]:
    user = _person(request)
    if not selectors.is_clerk_side(user):
        raise ApiError(403, "forbidden", "只有部门办事人员和监管人员可以查看好差评报表")
    return {"departments": selectors.department_report(user)}
