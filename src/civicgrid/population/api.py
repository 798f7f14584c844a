"""The population register's API, mounted at /api/v1/population.

Households, persons, visits and the flagged survey answers a visit follows up, scoped like
the pages (jurisdiction, and a grid worker's own grids);
every write goes through the register's actions. Identity and mobile numbers are always masked
here: full values are only ever shown on a page, for a stated reason, audited. A rejected write
answers 422 naming the field (`details.fields`) and leaves the database as it was.
"""

import datetime
import json

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from civicgrid.core.access import access_scoped_or_404
from civicgrid.core.api_auth import SCOPED_AUTH
from civicgrid.core.api_errors import ApiError
from civicgrid.core.idcard import normalize_id_number
from civicgrid.core.mobile import normalize_mobile
from civicgrid.core.paging import Paging
from civicgrid.core.scoping import covers
from civicgrid.population import selectors
from civicgrid.population.actions import (
    do_change_household_grid,
    do_change_person_status,
    do_create_household,
    do_move_person,
    do_record_visit,
    do_register_person,
    do_split_household,
    do_update_person_contact,
)
from civicgrid.population.api_fields import fields_named, register_reader
from civicgrid.population.choices import (
    PersonStatus,
    PersonTag,
    Relationship,
    ResidenceType,
    VisitMethod,
)
from civicgrid.population.declaration_api import router as declaration_router
from civicgrid.population.household_rows import household_search_page, person_page
from civicgrid.population.household_schemas import HouseholdBriefSchema
from civicgrid.population.models import (
    Household,
    Person,
    PersonChange,
    ScreeningVisit,
    SurveyResponse,
)
from civicgrid.population.querysets import grid_restriction
from civicgrid.population.self_service_api import router as self_service_router
from civicgrid.population.survey_schemas import SurveyResponseSchema
from civicgrid.population.worklist_api import router as worklist_router
from civicgrid.regions.models import Division

router = Router(tags=["population"], auth=SCOPED_AUTH)
router.add_router("/self", self_service_router)
router.add_router("", declaration_router)
router.add_router("/worklist", worklist_router)

NOT_VISIBLE = "记录不存在或不在您的管辖范围内"
JSON_UTF8 = "application/json; charset=utf-8"


# --- schemas ---------------------------------------------------------------------------------


class PersonSchema(Schema):
    id: int
    name: str
    sex: str = Field(description="M 男 · F 女")
    birth_date: datetime.date
    id_number: str = Field(description="公民身份号码（部分隐藏）")
    mobile: str = Field(description="手机号码（部分隐藏），没有则为空")
    household_id: int | None
    relationship: Relationship
    residence_type: ResidenceType
    status: PersonStatus
    division_code: str
    grid_id: int | None
    tags: list[PersonTag]

    @staticmethod
    def resolve_id_number(obj: Person) -> str:
        return str(obj.id_number)  # the masked text: ProtectedValue prints itself masked

    @staticmethod
    def resolve_mobile(obj: Person) -> str:
        return str(obj.mobile or "")

    @staticmethod
    def resolve_tags(obj: Person) -> list[str]:
        return sorted(t.tag for t in obj.taggings.all())


class PersonChangeSchema(Schema):
    field: str = Field(description="household、status、relationship、mobile 或 tags")
    old_value: str
    new_value: str
    reason: str
    changed_at: datetime.datetime


class FollowUpSchema(SurveyResponseSchema):
    person_name: str
    household_id: int | None
    household_address: str

    @staticmethod
    def resolve_person_name(obj: SurveyResponse) -> str:
        return obj.person.name  # type: ignore[union-attr]

    @staticmethod
    def resolve_household_id(obj: SurveyResponse) -> int | None:
        return obj.person.household_id  # type: ignore[union-attr]

    @staticmethod
    def resolve_household_address(obj: SurveyResponse) -> str:
        household = obj.person.household  # type: ignore[union-attr]
        return household.address if household else ""


class PersonDetailSchema(PersonSchema):
    household_address: str
    changes: list[PersonChangeSchema]
    survey_responses: list[SurveyResponseSchema] = Field(description="防疫调查答卷（新的在前）")

    @staticmethod
    def resolve_household_address(obj: Person) -> str:
        return obj.household.address if obj.household else ""

    @staticmethod
    def resolve_changes(obj: Person) -> list[PersonChange]:
        return list(obj.changes.all())

    @staticmethod
    def resolve_survey_responses(obj: Person) -> list[SurveyResponse]:
        return selectors.survey_answers_of([obj])[obj.pk]


class HouseholdSchema(HouseholdBriefSchema):
    division_code: str
    building: str
    unit: str
    room: str
    head_id: int | None
    contact_mobile: str = Field(description="联系电话（部分隐藏）")
    members: list[PersonSchema] = Field(description="在住成员，户主在前")

    @staticmethod
    def resolve_contact_mobile(obj: Household) -> str:
        return str(obj.contact_mobile or "")

    @staticmethod
    def resolve_members(obj: Household) -> list[Person]:
        return list(obj.members.all())


class VisitSchema(Schema):
    id: int
    household_id: int
    visited_on: datetime.date
    method: VisitMethod
    reached: list[int] = Field(description="联系到的人员编号")
    travel_history: str
    has_symptoms: bool
    symptoms: str
    notes: str
    created_at: datetime.datetime
    followed_up_answers: list[int] = Field(description="这次走访完成跟进的调查答卷编号")

    @staticmethod
    def resolve_reached(obj: ScreeningVisit) -> list[int]:
        return sorted(p.pk for p in obj.reached.all())

    @staticmethod
    def resolve_followed_up_answers(obj: ScreeningVisit) -> list[int]:
        return sorted(a.pk for a in obj.followed_up_answers.all())


class HouseholdPage(Schema):
    count: int
    items: list[HouseholdSchema]


class PersonPage(Schema):
    count: int
    items: list[PersonSchema]


class HouseholdFilters(Paging):
    q: str = Field(
        "",
        max_length=50,
        description="姓名、拼音首字母、地址、手机尾号 4 位，或完整的手机号码、身份证号"
        "（网格员可按姓名或地址的任意片段查找，其他范围按开头匹配）",
    )
    tag: PersonTag | None = Field(None, description="有该标签成员的住户")
    grid_id: int | None = None


class PersonFilters(Paging):
    q: str = Field(
        "",
        max_length=50,
        description="姓名、拼音首字母、手机尾号 4 位，或完整的手机号码、身份证号"
        "（网格员可按姓名的任意片段查找，其他范围按开头匹配）",
    )
    tag: PersonTag | None = None
    status: PersonStatus | None = None
    household_id: int | None = None
    grid_id: int | None = None


class HouseholdIn(Schema):
    community_code: str = Field(pattern=r"^[0-9]{12}$", description="社区/村的 12 位区划代码")
    grid_id: int | None = Field(None, description="网格；网格员必须填写自己负责的网格")
    building: str = Field("", max_length=30)
    unit: str = Field("", max_length=20)
    room: str = Field("", max_length=30)
    contact_mobile: str = Field("", max_length=30)


class PersonIn(Schema):
    household_id: int
    id_number: str = Field(max_length=40)
    name: str = Field(max_length=50)
    relationship: Relationship = Relationship.OTHER
    residence_type: ResidenceType = ResidenceType.REGISTERED
    mobile: str = Field("", max_length=30)
    tags: list[PersonTag] = []


class PersonPatch(Schema):
    mobile: str | None = Field(None, max_length=30, description="新号码；空字符串表示清除")
    tags: list[PersonTag] | None = Field(None, description="全部标签（替换原有标签）")
    reason: str = Field("", max_length=200)


class MoveIn(Schema):
    household_id: int
    reason: str = Field("", max_length=200)
    relationship: Relationship | None = Field(
        None, description="与新户户主的关系；head 使其成为户主（该户已有户主时拒绝）"
    )


class SplitIn(Schema):
    members: list[int] = Field(description="分出去的在住成员编号")
    head_id: int = Field(description="新户户主（分出去的成员之一）")
    remaining_head_id: int | None = Field(None, description="原户主分出时，原户的新户主")
    grid_id: int | None = Field(None, description="新户所在网格；默认与原户相同")
    building: str = Field("", max_length=30)
    unit: str = Field("", max_length=20)
    room: str = Field(max_length=30)
    reason: str = Field("", max_length=200)


class StatusIn(Schema):
    status: PersonStatus
    reason: str = Field("", max_length=200)


class VisitIn(Schema):
    visited_on: datetime.date
    method: VisitMethod
    reached: list[int] = Field([], description="联系到的人员编号，须为该户成员")
    travel_history: str = Field("", max_length=500)
    has_symptoms: bool = False
    symptoms: str = Field("", max_length=200)
    notes: str = Field("", max_length=2000)


# --- helpers ---------------------------------------------------------------------------------


def _editor(request: HttpRequest):  # type: ignore[no-untyped-def]
    principal = register_reader(request)
    if not selectors.may_edit_register(principal):
        raise ApiError(403, "forbidden", "您的角色无权修改人口台账")
    return principal


def _json_answer(page: dict[str, object]) -> HttpResponse:
    """A list already shaped as its documented schema (see household_rows: building and
    validating model instances was most of the cost of the register's busiest requests)."""
    return HttpResponse(json.dumps(page, ensure_ascii=False), content_type=JSON_UTF8)


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _household(request: HttpRequest, household_id: int, *, field: str | None = None) -> Household:
    """A visible household; for one named in a request body, a 422 on that field instead."""
    try:
        return access_scoped_or_404(
            Household.objects.select_related("grid", "head"),
            request.auth,
            request=request,
            pk=household_id,
        )
    except Http404:
        if field is None:
            raise
        raise _invalid(field, "住户" + NOT_VISIBLE) from None


def _person(request: HttpRequest, person_id: int) -> Person:
    return access_scoped_or_404(
        Person.objects.select_related("household").prefetch_related("taggings"),
        request.auth,
        request=request,
        pk=person_id,
    )


def _with_members(households: QuerySet[Household], principal: object) -> QuerySet[Household]:
    return households.prefetch_related(selectors.members_prefetch(principal))  # type: ignore[arg-type]


def _annotated(principal: object, household: Household) -> Household:
    """The household again, with the list's annotations and members (after a write)."""
    rows = selectors.households_for(principal).filter(pk=household.pk)  # type: ignore[arg-type]
    return _with_members(rows, principal).get()


# --- households ------------------------------------------------------------------------------


@router.get(
    "/households",
    response=HouseholdPage,
    summary="住户列表与查找",
    url_name="population_households",
)
def list_households(request: HttpRequest, filters: Query[HouseholdFilters]) -> HttpResponse:
    principal = register_reader(request)
    page = household_search_page(
        principal, filters, query=filters.q, tag=filters.tag or "", grid_id=filters.grid_id
    )
    return _json_answer(page)


@router.post(
    "/households",
    response={201: HouseholdSchema},
    summary="登记住户",
    url_name="population_households",
)
def create_household(request: HttpRequest, payload: HouseholdIn) -> Status[Household]:
    principal = _editor(request)
    if not covers(principal, payload.community_code):
        raise _invalid("community_code", "社区" + NOT_VISIBLE)
    community = Division.objects.filter(code=payload.community_code).first()
    if community is None:
        raise _invalid("community_code", "社区" + NOT_VISIBLE)
    grid = None
    if payload.grid_id is not None:
        grid = selectors.visible_grids(principal).filter(pk=payload.grid_id).first()
        if grid is None:
            raise _invalid("grid_id", "网格" + NOT_VISIBLE)
    elif grid_restriction(principal) is not None:
        raise _invalid("grid_id", "网格员登记住户时必须填写自己负责的网格")
    with fields_named("contact_mobile"):
        mobile = normalize_mobile(payload.contact_mobile) if payload.contact_mobile else ""
    with fields_named(not_a_community="community_code", grid="grid_id"):
        household = do_create_household(
            principal,
            community=community,
            grid=grid,
            building=payload.building,
            unit=payload.unit,
            room=payload.room,
            contact_mobile=mobile,
        )
    return Status(201, _annotated(principal, household))


@router.get(
    "/households/{household_id}",
    response=HouseholdSchema,
    summary="查询一户",
    url_name="population_household",
)
def get_household(request: HttpRequest, household_id: int) -> Household:
    principal = register_reader(request)
    rows = selectors.households_for(principal).filter(pk=household_id)
    found = _with_members(rows, principal).first()
    if found is None:
        _household(request, household_id)  # the same 404 for missing and not yours, audited
        raise Http404(NOT_VISIBLE)
    return found


@router.get(
    "/households/{household_id}/visits",
    response=list[VisitSchema],
    summary="一户的走访记录（新的在前）",
    url_name="population_household_visits",
)
def list_visits(
    request: HttpRequest, household_id: int, paging: Query[Paging]
) -> list[ScreeningVisit]:
    register_reader(request)
    household = _household(request, household_id)
    end = paging.offset + paging.limit
    return list(
        household.visits.prefetch_related("reached", "followed_up_answers").order_by(
            "-visited_on", "-pk"
        )[paging.offset : end]
    )


@router.post(
    "/households/{household_id}/visits",
    response={201: VisitSchema},
    summary="记录走访排查（支持 Idempotency-Key）",
    url_name="population_household_visits",
)
def record_visit(
    request: HttpRequest, household_id: int, payload: VisitIn
) -> Status[ScreeningVisit]:
    principal = _editor(request)
    household = _household(request, household_id)
    wanted = set(payload.reached)
    reached = list(Person.objects.visible_to(principal).filter(pk__in=wanted))
    unknown = sorted(wanted - {p.pk for p in reached})
    if unknown:
        raise _invalid("reached", f"人员 {unknown} " + NOT_VISIBLE)
    with fields_named(future_date="visited_on", not_member="reached"):
        visit = do_record_visit(
            principal,
            household=household,
            visited_on=payload.visited_on,
            method=payload.method,
            reached=reached,
            travel_history=payload.travel_history,
            has_symptoms=payload.has_symptoms,
            symptoms=payload.symptoms if payload.has_symptoms else "",
            notes=payload.notes,
        )
    return Status(201, visit)


# --- persons ---------------------------------------------------------------------------------


@router.post(
    "/households/{household_id}/split",
    response={201: HouseholdSchema},
    summary="分户：部分在住成员迁入同社区的新户",
    url_name="population_household_split",
)
def split_household(request: HttpRequest, household_id: int, payload: SplitIn) -> Status[Household]:
    principal = _editor(request)
    household = _household(request, household_id)
    living = {
        p.pk: p for p in Person.objects.visible_to(principal).filter(household=household).living()
    }
    strangers = sorted(set(payload.members) - set(living))
    if strangers:
        raise _invalid("members", f"人员 {strangers} 不是本户在住成员")
    for field, pk in (
        ("head_id", payload.head_id),
        ("remaining_head_id", payload.remaining_head_id),
    ):
        if pk is not None and pk not in living:
            raise _invalid(field, f"人员 {pk} 不是本户在住成员")
    grid = None
    if payload.grid_id is not None:
        grid = (
            selectors.visible_grids(principal)
            .filter(pk=payload.grid_id, division_id=household.division_code)
            .first()
        )
        if grid is None:
            raise _invalid("grid_id", "网格" + NOT_VISIBLE)
    with fields_named(
        members="members", head="head_id", remaining_head="remaining_head_id", room="room"
    ):
        new = do_split_household(
            principal,
            household=household,
            members=[living[pk] for pk in dict.fromkeys(payload.members)],
            head=living[payload.head_id],
            remaining_head=living.get(payload.remaining_head_id or 0),
            grid=grid,
            building=payload.building,
            unit=payload.unit,
            room=payload.room,
            reason=payload.reason,
        )
    return Status(201, _annotated(principal, new))


class GridIn(Schema):
    grid_id: int = Field(description="本社区/村的另一个网格")
    reason: str = Field("", max_length=200)


@router.put(
    "/households/{household_id}/grid",
    response=HouseholdSchema,
    summary="整户调整到本社区的另一个网格（社区工作人员；网格员不能）",
    url_name="population_household_grid",
)
def change_household_grid(request: HttpRequest, household_id: int, payload: GridIn) -> Household:
    principal = _editor(request)
    household = _household(request, household_id)
    if not selectors.may_change_grids(principal):
        raise ApiError(403, "forbidden", "网格员不能把住户调整到其他网格，请社区工作人员办理")
    grid = selectors.visible_grids(principal).filter(pk=payload.grid_id).first()
    if grid is None:
        raise _invalid("grid_id", "网格" + NOT_VISIBLE)
    with fields_named(grid="grid_id"):
        do_change_household_grid(principal, household=household, grid=grid, reason=payload.reason)
    return _annotated(principal, household)


@router.get(
    "/persons", response=PersonPage, summary="人员列表与查找", url_name="population_persons"
)
def list_persons(request: HttpRequest, filters: Query[PersonFilters]) -> HttpResponse:
    principal = register_reader(request)
    persons = selectors.matching_persons(principal, selectors.normalize_query(filters.q))
    if filters.tag:
        persons = persons.filter(taggings__tag=filters.tag)
    if filters.status:
        persons = persons.filter(status=filters.status)
    if filters.household_id is not None:
        persons = persons.filter(household_id=filters.household_id)
    if filters.grid_id is not None:
        persons = persons.filter(grid_id=filters.grid_id)
    return _json_answer(person_page(principal, persons, filters))


@router.post(
    "/persons", response={201: PersonSchema}, summary="登记人员", url_name="population_persons"
)
def register_person(request: HttpRequest, payload: PersonIn) -> Status[Person]:
    principal = _editor(request)
    household = _household(request, payload.household_id, field="household_id")
    with fields_named("id_number"):
        id_number = normalize_id_number(payload.id_number)
    with fields_named("mobile"):
        mobile = normalize_mobile(payload.mobile) if payload.mobile else ""
    with fields_named(name="name", duplicate="id_number"):
        person = do_register_person(
            principal,
            id_number=id_number,
            name=payload.name,
            household=household,
            relationship=payload.relationship,
            residence_type=payload.residence_type,
            mobile=mobile,
            tags=payload.tags,
        )
    return Status(201, _person(request, person.pk))


@router.get(
    "/persons/{person_id}",
    response=PersonDetailSchema,
    summary="查询一个人员（含变更记录）",
    url_name="population_person",
)
def get_person(request: HttpRequest, person_id: int) -> Person:
    register_reader(request)
    return _person(request, person_id)


@router.get(
    "/survey-follow-ups",
    response=list[FollowUpSchema],
    summary="防疫调查中需关注、尚未走访跟进的答卷（先提交的在前）",
    url_name="population_survey_follow_ups",
)
def list_survey_follow_ups(request: HttpRequest, paging: Query[Paging]) -> list[SurveyResponse]:
    principal = register_reader(request)
    end = paging.offset + paging.limit
    return list(selectors.survey_follow_ups(principal)[paging.offset : end])


@router.patch(
    "/persons/{person_id}",
    response=PersonDetailSchema,
    summary="修改手机号码或标签",
    url_name="population_person",
)
def update_person(request: HttpRequest, person_id: int, payload: PersonPatch) -> Person:
    principal = _editor(request)
    person = _person(request, person_id)
    with fields_named("mobile"):
        do_update_person_contact(
            principal,
            person=person,
            mobile=payload.mobile,
            tags=payload.tags,
            reason=payload.reason,
        )
    return _person(request, person_id)


@router.put(
    "/persons/{person_id}/household",
    response=PersonDetailSchema,
    summary="迁往另一户（可跨网格、跨社区）",
    url_name="population_person_household",
)
def move_person(request: HttpRequest, person_id: int, payload: MoveIn) -> Person:
    principal = _editor(request)
    person = _person(request, person_id)
    household = _household(request, payload.household_id, field="household_id")
    with fields_named(head_taken="relationship"):
        do_move_person(
            principal,
            person=person,
            household=household,
            reason=payload.reason,
            relationship=payload.relationship,
        )
    # The mover may no longer see the person (a grid worker moving someone out of the grid).
    return Person.objects.select_related("household").prefetch_related("taggings").get(pk=person.pk)


@router.put(
    "/persons/{person_id}/status",
    response=PersonDetailSchema,
    summary="变更人员状态（在住、已迁出、已故）",
    url_name="population_person_status",
)
def change_status(request: HttpRequest, person_id: int, payload: StatusIn) -> Person:
    principal = _editor(request)
    person = _person(request, person_id)
    do_change_person_status(principal, person=person, status=payload.status, reason=payload.reason)
    return _person(request, person_id)
