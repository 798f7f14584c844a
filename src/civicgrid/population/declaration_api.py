"""Residents' household declarations (居民登记) in the API, both sides of them.

Mounted at /api/v1/population: a resident declares their household and follows it under
`/self/declarations`; the community's grid workers and staff list the ones waiting under
`/declarations` and verify (into the register, the address corrected if need be) or return
them. Every step goes through `population.declarations`, as the pages do; ID numbers are
masked in every answer.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from civicgrid.accounts.models import User
from civicgrid.core.access import access_scoped_or_404
from civicgrid.core.api_auth import SCOPED_AUTH, person_of_request
from civicgrid.core.api_errors import ApiError
from civicgrid.core.paging import Paging
from civicgrid.population import declarations as d
from civicgrid.population import selectors
from civicgrid.population.api_fields import fields_named
from civicgrid.population.choices import DeclarationStatus, Relationship
from civicgrid.population.models import DeclaredMember, HouseholdDeclaration
from civicgrid.regions.models import Division, Grid

router = Router(tags=["population: declarations"], auth=SCOPED_AUTH)


class DeclaredMemberSchema(Schema):
    name: str
    id_number: str = Field(description="公民身份号码（部分隐藏）")
    relationship: Relationship
    is_declarant: bool = Field(description="登记人本人")

    @staticmethod
    def resolve_id_number(obj: DeclaredMember) -> str:
        return str(obj.id_number)  # masked


class DeclarationSchema(Schema):
    id: int
    division_code: str
    building: str
    unit: str
    room: str
    status: DeclarationStatus
    review_note: str = Field(description="退回原因，或核实时的住址更正")
    household_id: int | None = Field(description="核实后所在的住户")
    created_at: datetime.datetime
    reviewed_at: datetime.datetime | None
    members: list[DeclaredMemberSchema]


class MemberIn(Schema):
    name: str = Field(max_length=50)
    id_number: str = Field(max_length=40)
    relationship: Relationship
    is_declarant: bool = False


class DeclarationIn(Schema):
    community_code: str = Field(pattern=r"^[0-9]{12}$", description="社区/村的 12 位区划代码")
    building: str = Field("", max_length=30)
    unit: str = Field("", max_length=20)
    room: str = Field(max_length=30)
    contact_mobile: str = Field("", max_length=30)
    members: list[MemberIn] = Field(description="家庭成员，恰有一位户主")


class VerifyIn(Schema):
    grid_id: int = Field(description="该社区的网格（新建住户时归入）")
    building: str | None = Field(None, max_length=30, description="更正后的楼栋；不填则按登记")
    unit: str | None = Field(None, max_length=20)
    room: str | None = Field(None, max_length=30)


class ReturnIn(Schema):
    note: str = Field(max_length=200, description="退回原因，居民会看到")


def _reviewer(request: HttpRequest) -> User:
    user = person_of_request(request)
    if not selectors.may_edit_register(user):
        raise ApiError(403, "forbidden", "您的角色无权核实居民登记")
    return user


def _declaration(request: HttpRequest, declaration_id: int) -> HouseholdDeclaration:
    return access_scoped_or_404(
        HouseholdDeclaration.objects.prefetch_related("members"),
        request.auth,
        request=request,
        pk=declaration_id,
    )


@router.get(
    "/self/declarations",
    response=list[DeclarationSchema],
    summary="我的住户登记（新的在前）",
    url_name="population_self_declarations",
)
def my_declarations(request: HttpRequest) -> list[HouseholdDeclaration]:
    user = person_of_request(request)
    return list(
        HouseholdDeclaration.objects.filter(declared_by=user)
        .prefetch_related("members")
        .order_by("-created_at", "-pk")[:20]
    )


@router.post(
    "/self/declarations",
    response={201: DeclarationSchema},
    summary="登记我家的住户信息（网格员核实后入库）",
    url_name="population_self_declarations",
)
def declare(request: HttpRequest, payload: DeclarationIn) -> Status[HouseholdDeclaration]:
    user = person_of_request(request)
    community = Division.objects.filter(code=payload.community_code).first()
    if community is None:
        raise ValidationError({"community_code": ["没有这个社区或村"]})
    declaration = d.do_declare_household(
        user,
        community=community,
        building=payload.building,
        unit=payload.unit,
        room=payload.room,
        contact_mobile=payload.contact_mobile,
        members=[d.MemberInput(**member.dict()) for member in payload.members],
    )
    return Status(201, _declaration(request, declaration.pk))


@router.get(
    "/declarations",
    response=list[DeclarationSchema],
    summary="待核实（或已处理）的居民登记，先登记的在前",
    url_name="population_declarations",
)
def list_declarations(
    request: HttpRequest,
    paging: Query[Paging],
    status: DeclarationStatus = DeclarationStatus.PENDING,
) -> list[HouseholdDeclaration]:
    _reviewer(request)
    end = paging.offset + paging.limit
    return list(selectors.declarations_waiting(request.auth, status=status)[paging.offset : end])


@router.post(
    "/declarations/{declaration_id}/verify",
    response=DeclarationSchema,
    summary="核实入库（可更正住址；该地址已有住户时并入该户）",
    url_name="population_declaration_verify",
)
def verify(request: HttpRequest, declaration_id: int, payload: VerifyIn) -> HouseholdDeclaration:
    user = _reviewer(request)
    declaration = _declaration(request, declaration_id)
    grid = Grid.objects.filter(pk=payload.grid_id, division_id=declaration.division_code).first()
    if grid is None:
        raise ValidationError({"grid_id": ["请选择该社区的网格"]})
    address = None
    if (payload.building, payload.unit, payload.room) != (None, None, None):
        address = d.AddressFix(
            payload.building if payload.building is not None else declaration.building,
            payload.unit if payload.unit is not None else declaration.unit,
            payload.room if payload.room is not None else declaration.room,
        )
    with fields_named(room="room", grid="grid_id"), _handled_is_a_conflict():
        d.do_verify_declaration(user, declaration=declaration, grid=grid, address=address)
    return _declaration(request, declaration_id)


@router.post(
    "/declarations/{declaration_id}/return",
    response=DeclarationSchema,
    summary="退回居民修改（写明原因）",
    url_name="population_declaration_return",
)
def send_back(request: HttpRequest, declaration_id: int, payload: ReturnIn) -> HouseholdDeclaration:
    user = _reviewer(request)
    declaration = _declaration(request, declaration_id)
    with _handled_is_a_conflict():
        d.do_return_declaration(user, declaration=declaration, note=payload.note)
    return _declaration(request, declaration_id)


@contextmanager
def _handled_is_a_conflict() -> Iterator[None]:
    """A declaration someone already verified or returned: 409, not a 422 about a field."""
    try:
        yield
    except ValidationError as exc:
        if getattr(exc, "code", None) == "not_pending":
            raise ApiError(409, "not_pending", exc.messages[0]) from exc
        raise
