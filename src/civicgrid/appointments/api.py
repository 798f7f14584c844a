"""办事预约 over the API, mounted at /api/v1/appointments.

Appeals (the blocked applicant files one; the office's staff list and decide them with a
reason) and closures (staff close a day, cancelling its bookings, or reopen it) call the same
actions as the pages.

Offices and their open slots are readable by any signed-in principal (they are public service
information); bookings are the applicant's own, or those at offices in a staff member's or
token's jurisdiction; check-in and load are for the office's staff. Every write goes through
`appointments.actions`; writes take form fields. A refused call answers with the rule's Chinese
message naming the field (422, or 409 for a place someone else took) and changes nothing.
"""

import datetime
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Form, Query, Router, Schema, Status

from civicgrid.accounts.models import User
from civicgrid.appointments import actions, selectors
from civicgrid.appointments.access import (
    access_appeal_for_staff,
    access_booking_for_user,
    access_office_for_staff,
    bookable_slot,
)
from civicgrid.appointments.choices import AppealStatus, BookingStatus
from civicgrid.appointments.models import BlockAppeal, Booking, BookingBlock, Closure, Office, Slot
from civicgrid.appointments.querysets import is_office_staff
from civicgrid.catalog.models import ServiceItem
from civicgrid.core.api_auth import SCOPED_AUTH
from civicgrid.core.api_errors import ApiError
from civicgrid.core.paging import Paging, page_of

router = Router(tags=["appointments"], auth=SCOPED_AUTH)
T = TypeVar("T")
MAX_LOAD_DAYS = 62


# --- schemas ---------------------------------------------------------------------------------


class ItemSchema(Schema):
    id: int
    code: str
    name: str
    department: str = Field(alias="department.name")


class OfficeSchema(Schema):
    id: int
    name: str
    address: str
    phone: str
    division_code: str
    notes: str


class SlotSchema(Schema):
    id: int
    office_id: int
    counter_id: int
    counter: str = Field(alias="counter.name")
    date: datetime.date
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    capacity: int
    booked: int
    remaining: int


class BookingSchema(Schema):
    id: int
    number: str
    status: BookingStatus
    item_id: int
    item: str = Field(alias="item.name")
    office_id: int
    office: str = Field(alias="office.name")
    counter: str = Field(alias="counter.name")
    slot_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    applicant: str = Field(description="预约人（工作人员看到的是部分隐藏的姓名）")
    enterprise: str | None = Field(description="代办企业")
    credit_code: str = Field(description="代办企业预约时经校验的统一社会信用代码（个人预约为空）")
    rescheduled_count: int
    checked_in_at: datetime.datetime | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_applicant(obj: Booking, context: dict[str, Any]) -> str:
        name = obj.applicant.full_name
        return (
            name
            if obj.applicant_id == getattr(context["request"].auth, "pk", None)
            else selectors.masked_name(name)
        )

    @staticmethod
    def resolve_enterprise(obj: Booking) -> str | None:
        return obj.enterprise.name if obj.enterprise else None


class BookingDetailSchema(BookingSchema):
    token: str | None = Field(description="签到二维码内容：只有预约人本人、预约有效时才有")

    @staticmethod
    def resolve_token(obj: Booking, context: dict[str, Any]) -> str | None:
        own = obj.applicant_id == getattr(context["request"].auth, "pk", None)
        return actions.booking_token(obj) if own and obj.status == BookingStatus.BOOKED else None


class BookingPage(Schema):
    count: int
    items: list[BookingSchema]


class BookingFilters(Paging):
    status: BookingStatus | None = None
    office_id: int | None = None
    day: datetime.date | None = None


class SlotFilters(Schema):
    item: int = Field(description="事项 ID")
    day: datetime.date | None = None


class LoadFilters(Schema):
    start: datetime.date | None = None
    days: int = Field(14, ge=1, le=MAX_LOAD_DAYS)


class DayLoadSchema(Schema):
    date: datetime.date
    capacity: int
    booked: int
    checked_in: int
    no_show: int
    percent: int


# --- helpers ---------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    if not isinstance(request.auth, User):
        raise ApiError(403, "forbidden", "预约操作须由本人登录后进行")
    return request.auth


def _applicant(request: HttpRequest) -> User:
    user = _user(request)
    if actions.applicant_kind(user) is None:
        raise ApiError(403, "forbidden", "只有居民或企业经办人可以预约办事或申诉")
    return user


def _run(call: Callable[[], T], *, conflict_fields: tuple[str, ...] = ()) -> T:
    """Run an action; a full slot or a taken booking is 409, other rule violations 422."""
    try:
        return call()
    except PermissionDenied as exc:
        raise ApiError(403, "forbidden", str(exc) or "无权进行此操作") from exc
    except ValidationError as exc:
        named = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        field, texts = next(iter(named.items()))
        status = 409 if field in conflict_fields and "约满" in texts[0] else 422
        raise ApiError(
            status, "conflict" if status == 409 else "invalid_input", texts[0], field=field
        ) from exc


def _item(item_id: int) -> ServiceItem:
    item = selectors.bookable_items().filter(pk=item_id).first()
    if item is None:
        raise Http404("事项不存在或不提供预约")
    return item


def _slot(slot_id: int) -> Slot:
    slot = bookable_slot(slot_id)
    if slot is None:
        raise ApiError(422, "invalid_input", "时段不存在", field="slot_id")
    return slot


def _bookings(request: HttpRequest) -> Any:
    return Booking.objects.visible_to(request.auth).select_related(
        "item", "office", "counter", "applicant", "enterprise"
    )


# --- endpoints -------------------------------------------------------------------------------


@router.get(
    "/items", response=list[ItemSchema], summary="可预约的事项", url_name="appointments_items"
)
def list_items(request: HttpRequest) -> list[ServiceItem]:
    return list(selectors.bookable_items()[:500])


@router.get(
    "/offices",
    response=list[OfficeSchema],
    summary="可预约某事项的办事大厅",
    url_name="appointments_offices",
)
def list_offices(request: HttpRequest, item: int | None = None) -> list[Office]:
    if item is not None:
        return list(selectors.offices_for_item(_item(item)))
    return list(Office.objects.bookable().order_by("division_code", "name")[:500])


@router.get(
    "/offices/{office_id}/slots",
    response=list[SlotSchema],
    summary="某办事大厅某事项还有名额的时段",
    url_name="appointments_slots",
)
def list_slots(request: HttpRequest, office_id: int, filters: Query[SlotFilters]) -> list[Slot]:
    office = Office.objects.bookable().filter(pk=office_id).first()
    if office is None:
        raise Http404("办事大厅不存在或暂停预约")
    return list(selectors.open_slots(office, _item(filters.item), day=filters.day)[:1000])


@router.get(
    "/offices/{office_id}/load",
    response=list[DayLoadSchema],
    summary="办事大厅每日负荷（已约 / 可约）",
    url_name="appointments_load",
)
def office_load(request: HttpRequest, office_id: int, filters: Query[LoadFilters]) -> list[Any]:
    office = access_office_for_staff(request.auth, office_id, request=request)
    start = filters.start or timezone.localdate()
    return [
        {**load.__dict__, "percent": load.percent}
        for load in selectors.office_load(office, start, filters.days)
    ]


@router.post(
    "/offices/{office_id}/check-in",
    response=BookingSchema,
    summary="窗口签到：扫描预约二维码或输入预约号",
    url_name="appointments_check_in",
)
def check_in(
    request: HttpRequest, office_id: int, code: Annotated[str, Form(..., max_length=300)]
) -> Booking:
    user = _user(request)
    office = access_office_for_staff(user, office_id, request=request)
    return _run(lambda: actions.do_check_in_booking(user, office=office, code=code))


@router.get(
    "/bookings",
    response=BookingPage,
    summary="预约列表（本人的，或辖区内的）",
    url_name="appointments_bookings",
)
def list_bookings(request: HttpRequest, filters: Query[BookingFilters]) -> dict[str, object]:
    rows = _bookings(request)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.office_id:
        rows = rows.filter(office_id=filters.office_id)
    if filters.day:
        rows = rows.filter(slot__date=filters.day)
    return page_of(rows.order_by("-starts_at", "-pk"), filters)


@router.post(
    "/bookings",
    response={201: BookingDetailSchema},
    summary="预约（同一时段最后一个名额只有一人约到）",
    url_name="appointments_bookings",
)
def create_booking(
    request: HttpRequest,
    slot_id: Annotated[int, Form(...)],
    item_id: Annotated[int, Form(...)],
) -> Status[Booking]:
    user = _applicant(request)
    slot, item = _slot(slot_id), _item(item_id)
    booking = _run(
        lambda: actions.do_book_appointment(user, slot=slot, item=item), conflict_fields=("slot",)
    )
    return Status(201, booking)


@router.get(
    "/bookings/{booking_id}",
    response=BookingDetailSchema,
    summary="一个预约",
    url_name="appointments_booking",
)
def get_booking(request: HttpRequest, booking_id: int) -> Booking:
    return access_booking_for_user(request.auth, booking_id, request=request)


@router.post(
    "/bookings/{booking_id}/cancel",
    response=BookingDetailSchema,
    summary="取消预约",
    url_name="appointments_cancel",
)
def cancel_booking(
    request: HttpRequest, booking_id: int, reason: Annotated[str, Form("", max_length=200)] = ""
) -> Booking:
    user = _user(request)
    booking = access_booking_for_user(user, booking_id, request=request)
    return _run(lambda: actions.do_cancel_booking(user, booking=booking, reason=reason))


@router.post(
    "/bookings/{booking_id}/reschedule",
    response=BookingDetailSchema,
    summary="改约（新时段约满则原预约不变）",
    url_name="appointments_reschedule",
)
def reschedule_booking(
    request: HttpRequest, booking_id: int, slot_id: Annotated[int, Form(...)]
) -> Booking:
    user = _user(request)
    booking = access_booking_for_user(user, booking_id, request=request)
    slot = _slot(slot_id)
    return _run(
        lambda: actions.do_reschedule_booking(user, booking=booking, slot=slot),
        conflict_fields=("slot",),
    )


# --- blocks and appeals ----------------------------------------------------------------------


class AppealSchema(Schema):
    id: int
    status: AppealStatus
    text: str
    office_id: int = Field(alias="block.office_id")
    office: str = Field(alias="block.office.name")
    applicant: str = Field(description="申诉人（工作人员看到的是部分隐藏的姓名）")
    no_shows: int = Field(alias="block.no_shows")
    blocked_until: datetime.datetime = Field(alias="block.ends_at")
    created_at: datetime.datetime
    decided_at: datetime.datetime | None
    decision_reason: str

    @staticmethod
    def resolve_applicant(obj: BlockAppeal, context: dict[str, Any]) -> str:
        name = obj.block.applicant.full_name
        own = obj.block.applicant_id == getattr(context["request"].auth, "pk", None)
        return name if own else selectors.masked_name(name)


class BlockSchema(Schema):
    id: int
    office: str = Field(alias="office.name")
    no_shows: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    appeal: AppealSchema | None

    @staticmethod
    def resolve_appeal(obj: BookingBlock) -> BlockAppeal | None:
        return BlockAppeal.objects.filter(block=obj).select_related("block__office").first()


class AppealPage(Schema):
    count: int
    items: list[AppealSchema]


class AppealFilters(Paging):
    status: AppealStatus | None = None


def _require_office_staff(request: HttpRequest) -> None:
    if not is_office_staff(request.auth):
        raise ApiError(403, "forbidden", "只有办事大厅的工作人员可以查看申诉")


@router.get(
    "/block",
    response={200: BlockSchema, 204: None},
    summary="本人当前的预约限制及其申诉（没有限制时 204）",
    url_name="appointments_block",
)
def my_block(request: HttpRequest) -> Any:
    user = _applicant(request)
    block = actions.active_block(user)
    return Status(204, None) if block is None else block


@router.post(
    "/appeals",
    response={201: AppealSchema},
    summary="对本人当前的预约限制提出申诉（每个限制一次）",
    url_name="appointments_appeals",
)
def file_appeal(
    request: HttpRequest, text: Annotated[str, Form(..., max_length=2000)]
) -> Status[BlockAppeal]:
    user = _applicant(request)
    block = actions.active_block(user)
    if block is None:
        raise ApiError(422, "invalid_input", "您目前没有预约限制，无需申诉", field="block")
    appeal = _run(lambda: actions.do_appeal_block(user, block=block, text=text))
    return Status(201, appeal)


@router.get(
    "/appeals",
    response=AppealPage,
    summary="辖区内办事大厅收到的申诉",
    url_name="appointments_appeals",
)
def list_appeals(request: HttpRequest, filters: Query[AppealFilters]) -> dict[str, object]:
    _require_office_staff(request)
    rows = BlockAppeal.objects.visible_to(request.auth).select_related(
        "block", "block__office", "block__applicant"
    )
    if filters.status:
        rows = rows.filter(status=filters.status)
    return page_of(rows.order_by("-created_at", "-pk"), filters)


@router.post(
    "/appeals/{appeal_id}/decide",
    response=AppealSchema,
    summary="处理申诉：同意（立即解除限制）或驳回，均须填写处理意见",
    url_name="appointments_appeal_decide",
)
def decide_appeal(
    request: HttpRequest,
    appeal_id: int,
    decision: Annotated[Literal["grant", "refuse"], Form(...)],
    reason: Annotated[str, Form(..., max_length=2000)],
) -> BlockAppeal:
    user = _user(request)
    appeal = access_appeal_for_staff(user, appeal_id, request=request)
    return _run(
        lambda: actions.do_decide_appeal(
            user, appeal=appeal, grant=decision == "grant", reason=reason
        )
    )


# --- closures --------------------------------------------------------------------------------


class ClosureSchema(Schema):
    id: int
    office_id: int
    date: datetime.date
    reason: str


@router.get(
    "/offices/{office_id}/closures",
    response=list[ClosureSchema],
    summary="办事大厅今后的临时闭厅日期",
    url_name="appointments_closures",
)
def list_closures(request: HttpRequest, office_id: int) -> list[Closure]:
    office = access_office_for_staff(request.auth, office_id, request=request)
    return list(office.closures.filter(date__gte=timezone.localdate()).order_by("date")[:200])


@router.post(
    "/offices/{office_id}/closures",
    response={201: ClosureSchema},
    summary="设为闭厅：当天的预约全部取消并通知预约人",
    url_name="appointments_closures",
)
def add_closure(
    request: HttpRequest,
    office_id: int,
    date: Annotated[datetime.date, Form(...)],
    reason: Annotated[str, Form(..., max_length=2000)],
) -> Status[Closure]:
    user = _user(request)
    office = access_office_for_staff(user, office_id, request=request)
    closure = _run(lambda: actions.do_add_closure(user, office=office, date=date, reason=reason))
    return Status(201, closure)


@router.post(
    "/offices/{office_id}/closures/{closure_id}/reopen",
    response={204: None},
    summary="取消闭厅：当天重新开放预约（已取消的预约不恢复）",
    url_name="appointments_closure_reopen",
)
def reopen_closure(request: HttpRequest, office_id: int, closure_id: int) -> Status[None]:
    user = _user(request)
    office = access_office_for_staff(user, office_id, request=request)
    closure = office.closures.filter(pk=closure_id).first()
    if closure is None:
        raise Http404("闭厅日期不存在")
    _run(lambda: actions.do_remove_closure(user, closure=closure))
    return Status(204, None)
