"""The errands API, mounted at /api/v1/errands.

Scoped like the pages (see `errands.querysets`), every write through `errands.actions`. Posting
a need takes JSON; the steps after it take form fields (multipart), since receipts and drop-off
photos travel with them. Names and numbers are masked for volunteers; the handoff code is only
in the requester's own view. A rejected call answers 422 naming the field and changes nothing.
"""

import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from civicgrid.accounts.models import User
from civicgrid.core.api_auth import SCOPED_AUTH
from civicgrid.core.api_errors import ApiError
from civicgrid.core.paging import Paging, page_of
from civicgrid.errands import actions, selectors
from civicgrid.errands.access import access_claimable_errand, access_errand_for_user
from civicgrid.errands.choices import ErrandKind, ErrandStatus, EventKind, RepaymentMethod
from civicgrid.errands.models import Errand, ErrandEvent, ErrandMessage

router = Router(tags=["errands"], auth=SCOPED_AUTH)


# --- schemas ---------------------------------------------------------------------------------


class ItemSchema(Schema):
    name: str = Field(max_length=50)
    quantity: int = Field(ge=1, le=actions.MAX_QUANTITY)
    unit: str = Field("", max_length=10)
    note: str = Field("", max_length=100)


class EventSchema(Schema):
    kind: EventKind
    status: ErrandStatus
    reason: str
    created_at: datetime.datetime


class ErrandSchema(Schema):
    id: int
    division_code: str
    kind: ErrandKind
    status: ErrandStatus
    items: list[ItemSchema]
    budget: Decimal
    window_start: datetime.datetime
    window_end: datetime.datetime
    dropoff_instructions: str
    contactless: bool
    building: str
    unit: str
    room: str
    contact_name: str = Field(description="联系人；志愿者看到的是部分隐藏的姓名")
    contact_mobile: str = Field(description="联系电话（始终部分隐藏）")
    volunteer_id: int | None
    amount_advanced: Decimal | None
    overdue: bool
    created_at: datetime.datetime

    @staticmethod
    def resolve_items(obj: Errand) -> list[Any]:
        return list(obj.items.all())

    @staticmethod
    def resolve_contact_name(obj: Errand, context: dict[str, Any]) -> str:
        user = context["request"].auth
        if obj.is_requester_side(user) or actions.oversees(user, obj):
            return obj.contact_name
        return selectors.masked_name(obj.contact_name)

    @staticmethod
    def resolve_contact_mobile(obj: Errand) -> str:
        return str(obj.contact_mobile or "")

    @staticmethod
    def resolve_overdue(obj: Errand) -> bool:
        return obj.is_overdue


class ErrandDetailSchema(ErrandSchema):
    handoff_code: str | None = Field(description="收货码：只有求助人本人能看到")
    outstanding: Decimal = Field(description="求助人尚欠志愿者的金额（元）")
    events: list[EventSchema]
    actions: list[str] = Field(description="当前用户可以进行的操作")

    @staticmethod
    def resolve_handoff_code(obj: Errand, context: dict[str, Any]) -> str | None:
        return obj.handoff_code if obj.is_requester_side(context["request"].auth) else None

    @staticmethod
    def resolve_outstanding(obj: Errand) -> Decimal:
        return actions.outstanding(obj)

    @staticmethod
    def resolve_events(obj: Errand) -> list[ErrandEvent]:
        return list(obj.events.all())

    @staticmethod
    def resolve_actions(obj: Errand, context: dict[str, Any]) -> list[str]:
        user = context["request"].auth
        return selectors.viewer_of(user, obj).actions if isinstance(user, User) else []


class ErrandPage(Schema):
    count: int
    items: list[ErrandSchema]


class ErrandFilters(Paging):
    status: ErrandStatus | None = None


class ErrandIn(Schema):
    kind: ErrandKind
    items: list[ItemSchema] = Field(min_length=1, max_length=actions.MAX_ITEMS)
    budget: Decimal = Field(description="预算（元），不能为负数")
    window_start: datetime.datetime
    window_end: datetime.datetime
    dropoff_instructions: str = Field("", max_length=200)
    contactless: bool = True
    # Only when a grid worker or community staff posts for a resident:
    community_code: str = Field("", description="代为发布时：社区/村的 12 位区划代码")
    building: str = Field("", max_length=30)
    unit: str = Field("", max_length=20)
    room: str = Field("", max_length=30)
    contact_name: str = Field("", max_length=50)
    contact_mobile: str = Field("", max_length=30)


class MessageSchema(Schema):
    id: int
    sender_id: int | None
    body: str
    created_at: datetime.datetime


class BoardSchema(Schema):
    counts: dict[str, int]
    money: dict[str, Decimal]
    volunteers: list[dict[str, Any]]


# --- helpers ---------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    if not isinstance(request.auth, User):
        raise ApiError(403, "forbidden", "代购操作须由本人登录后进行")
    return request.auth


def _errand(request: HttpRequest, errand_id: int) -> Errand:
    return access_errand_for_user(request.auth, errand_id, request=request)


def _read(upload: UploadedFile | None) -> bytes | None:
    return upload.read() if upload is not None else None


# --- endpoints -------------------------------------------------------------------------------


@router.get("", response=ErrandPage, summary="代购需求列表", url_name="errands_list")
def list_errands(request: HttpRequest, filters: Query[ErrandFilters]) -> dict[str, object]:
    errands = Errand.objects.visible_to(request.auth).prefetch_related("items")
    if filters.status:
        errands = errands.filter(status=filters.status)
    return page_of(errands, filters)


@router.post(
    "",
    response={201: ErrandDetailSchema},
    summary="发布代购需求（支持 Idempotency-Key）",
    url_name="errands_list",
)
def create_errand(request: HttpRequest, payload: ErrandIn) -> Status[Errand]:
    user = _user(request)
    mode = selectors.posting_mode(user)
    if mode is None:
        raise ApiError(403, "forbidden", "您的角色不能发布代购需求")
    if mode == "self":
        destination = selectors.resident_destination(user)
    else:
        destination = selectors.destination_for_others(
            user,
            community_code=payload.community_code,
            building=payload.building,
            unit=payload.unit,
            room=payload.room,
            contact_name=payload.contact_name,
            contact_mobile=payload.contact_mobile,
        )
    errand = actions.do_post_errand(
        user,
        destination=destination,
        posted_via=mode,
        kind=payload.kind,
        items=[actions.ItemInput(**item.dict()) for item in payload.items],
        budget=payload.budget,
        window_start=payload.window_start,
        window_end=payload.window_end,
        dropoff_instructions=payload.dropoff_instructions,
        contactless=payload.contactless,
    )
    return Status(201, errand)


@router.get("/board", response=BoardSchema, summary="社区志愿服务看板", url_name="errands_board")
def get_board(request: HttpRequest) -> dict[str, object]:
    if not selectors.may_see_board(request.auth):
        raise ApiError(403, "forbidden", "只有社区工作人员和上级部门可以查看看板")
    board = selectors.board_for(request.auth)
    return {"counts": board.counts, "money": board.money, "volunteers": board.volunteers}


@router.get(
    "/{errand_id}", response=ErrandDetailSchema, summary="一条需求", url_name="errands_detail"
)
def get_errand(request: HttpRequest, errand_id: int) -> Errand:
    return _errand(request, errand_id)


@router.post(
    "/{errand_id}/claim",
    response=ErrandDetailSchema,
    summary="认领（同时认领只有一人成功）",
    url_name="errands_claim",
)
def claim_errand(request: HttpRequest, errand_id: int) -> Errand:
    user = _user(request)
    errand = access_claimable_errand(user, errand_id, request=request)
    try:
        return actions.do_claim_errand(user, errand=errand)
    except ValidationError as exc:
        raise ApiError(409, "conflict", exc.messages[0]) from exc


@router.post(
    "/{errand_id}/bought",
    response=ErrandDetailSchema,
    summary="已购买：垫付金额与小票照片",
    url_name="errands_bought",
)
def mark_bought(
    request: HttpRequest,
    errand_id: int,
    amount: Annotated[str, Form(..., description="垫付金额（元）")],
    receipt: Annotated[
        UploadedFile | None, File(None, description="小票照片：JPG、PNG 或 WebP，≤ 5 MB")
    ] = None,
) -> Errand:
    user = _user(request)
    errand = _errand(request, errand_id)
    return actions.do_mark_bought(user, errand=errand, amount=amount, receipt=_read(receipt))


@router.post(
    "/{errand_id}/delivered",
    response=ErrandDetailSchema,
    summary="已送达：收货码或放置照片",
    url_name="errands_delivered",
)
def mark_delivered(
    request: HttpRequest,
    errand_id: int,
    code: Annotated[str, Form("", max_length=10, description="居民告知的 4 位收货码")] = "",
    photo: Annotated[UploadedFile | None, File(None, description="放置照片")] = None,
) -> Errand:
    user = _user(request)
    errand = _errand(request, errand_id)
    return actions.do_mark_delivered(user, errand=errand, code=code, photo=_read(photo))


@router.post(
    "/{errand_id}/confirm",
    response=ErrandDetailSchema,
    summary="求助人确认收货",
    url_name="errands_confirm",
)
def confirm_errand(request: HttpRequest, errand_id: int) -> Errand:
    return actions.do_confirm_delivery(_user(request), errand=_errand(request, errand_id))


@router.post(
    "/{errand_id}/cancel",
    response=ErrandDetailSchema,
    summary="取消（志愿者放弃则重新待认领）",
    url_name="errands_cancel",
)
def cancel_errand(
    request: HttpRequest, errand_id: int, reason: Annotated[str, Form("", max_length=200)] = ""
) -> Errand:
    return actions.do_cancel_errand(
        _user(request), errand=_errand(request, errand_id), reason=reason
    )


@router.post(
    "/{errand_id}/reassign",
    response=ErrandDetailSchema,
    summary="社区工作人员改派",
    url_name="errands_reassign",
)
def reassign_errand(
    request: HttpRequest,
    errand_id: int,
    volunteer_id: Annotated[int, Form(...)],
    reason: Annotated[str, Form("", max_length=200)] = "",
) -> Errand:
    volunteer = User.objects.filter(pk=volunteer_id).first()
    return actions.do_reassign_errand(
        _user(request), errand=_errand(request, errand_id), volunteer=volunteer, reason=reason
    )


@router.post(
    "/{errand_id}/repayments",
    response={201: ErrandDetailSchema},
    summary="记录还款（只记账，不代收代付）",
    url_name="errands_repayments",
)
def record_repayment(
    request: HttpRequest,
    errand_id: int,
    amount: Annotated[str, Form(...)],
    method: Annotated[RepaymentMethod, Form(RepaymentMethod.OTHER)] = RepaymentMethod.OTHER,
) -> Status[Errand]:
    errand = _errand(request, errand_id)
    actions.do_record_repayment(_user(request), errand=errand, amount=amount, method=method)
    return Status(201, errand)


@router.post(
    "/{errand_id}/ratings",
    response={201: ErrandDetailSchema},
    summary="评价对方（1–5 星，每方一次）",
    url_name="errands_ratings",
)
def rate_errand(
    request: HttpRequest,
    errand_id: int,
    score: Annotated[int, Form(...)],
    comment: Annotated[str, Form("", max_length=200)] = "",
) -> Status[Errand]:
    errand = _errand(request, errand_id)
    actions.do_rate_errand(_user(request), errand=errand, score=score, comment=comment)
    return Status(201, errand)


@router.get(
    "/{errand_id}/messages",
    response=list[MessageSchema],
    summary="需求上的留言",
    url_name="errands_messages",
)
def list_messages(request: HttpRequest, errand_id: int) -> list[ErrandMessage]:
    return list(_errand(request, errand_id).messages.all()[:200])


@router.post(
    "/{errand_id}/messages",
    response={201: MessageSchema},
    summary="留言（代替电话号码）",
    url_name="errands_messages",
)
def send_message(
    request: HttpRequest, errand_id: int, body: Annotated[str, Form(..., max_length=500)]
) -> Status[ErrandMessage]:
    message = actions.do_send_errand_message(
        _user(request), errand=_errand(request, errand_id), body=body
    )
    return Status(201, message)
