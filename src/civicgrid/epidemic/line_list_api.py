"""The line-list API, mounted at /api/v1/epidemic/line-lists.

Cases, contacts, key persons, sites, observations and their health checks, the follow-up
worklist, transmission chains, live line-list statistics and background exports — scoped by
jurisdiction like the pages (`visible_to`, 404 alike for missing and not yours) and written
through the same actions. Persons travel by citizen ID number in requests and come back masked.
A phone that retries a health check sends the same `key` (or an `Idempotency-Key` header): the
first entry comes back, never a second one.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from civicgrid.accounts.models import ApiToken, User
from civicgrid.core.api_auth import SCOPED_AUTH
from civicgrid.core.api_errors import ApiError
from civicgrid.core.paging import Paging, page_of
from civicgrid.core.scoping import jurisdiction_q
from civicgrid.epidemic import chains, line_list_exports, line_list_stats, line_lists, observation
from civicgrid.epidemic.access import (
    access_case_for_user,
    access_cluster_for_user,
    access_observation_for_user,
    access_site_for_user,
    access_team_for_user,
)
from civicgrid.epidemic.choices import (
    CaseStatus,
    CheckSlot,
    ContactType,
    KeyPersonCategory,
    ObservationPlace,
    Outcome,
    Severity,
    WorklistFlag,
)
from civicgrid.epidemic.models import (
    Case,
    Contact,
    KeyPerson,
    MonitoringEntry,
    Observation,
    QuarantineSite,
)
from civicgrid.epidemic.querysets import KEY_PERSON_READERS, LINE_LIST_ROLES, WORKLIST_ROLES
from civicgrid.epidemic.remit import local_today
from civicgrid.population.selectors import area_for, default_area

router = Router(tags=["epidemic line lists"], auth=SCOPED_AUTH)


# --- schemas ---------------------------------------------------------------------------------


class PersonIn(Schema):
    id_number: str = Field(description="公民身份号码（台账中已有的人员按号码复用）")
    name: str = Field("", max_length=50, description="新登记人员的姓名")
    mobile: str = Field("", max_length=20)
    community: str = Field("", max_length=12, description="新登记人员现住址所在村（社区）代码")
    address: str = Field("", max_length=30)


class PersonOut(Schema):
    id: int
    name: str
    id_number: str = Field(description="脱敏")
    division_code: str

    @staticmethod
    def resolve_id_number(obj: Any) -> str:
        return str(obj.id_number)


class CaseIn(Schema):
    person: PersonIn
    status: CaseStatus
    reporting_unit: int | None = None
    hospital: int | None = None
    severity: Severity = Severity.NONE
    onset_date: datetime.date | None = None
    diagnosis_date: datetime.date | None = None
    report_date: datetime.date | None = None
    note: str = Field("", max_length=300)
    source_cases: list[int] = Field(default_factory=list, max_length=50)
    contact_type: ContactType = ContactType.OTHER
    last_exposure_date: datetime.date | None = None


class ClassificationOut(Schema):
    from_status: str
    to_status: str
    on_date: datetime.date
    changed_at: datetime.datetime
    note: str


class CaseOut(Schema):
    id: int
    person: PersonOut
    status: CaseStatus
    division_code: str
    reporting_unit_id: int
    hospital_id: int | None
    severity: str
    onset_date: datetime.date | None
    diagnosis_date: datetime.date | None
    report_date: datetime.date
    confirmed_on: datetime.date | None
    outcome: str
    outcome_date: datetime.date | None
    cluster_id: int | None
    version: int


class CaseDetailOut(CaseOut):
    classifications: list[ClassificationOut]

    @staticmethod
    def resolve_classifications(obj: Case) -> list[Any]:
        return list(obj.classifications.all())


class ReclassifyIn(Schema):
    status: CaseStatus
    on_date: datetime.date | None = None
    note: str = Field("", max_length=200)
    version: int | None = Field(None, ge=1)


class OutcomeIn(Schema):
    outcome: Outcome
    on_date: datetime.date | None = None
    note: str = Field("", max_length=200)


class ContactIn(Schema):
    person: PersonIn
    case: int
    contact_type: ContactType
    last_exposure_date: datetime.date
    home_observation_team: int | None = Field(None, description="居家医学观察的负责单位")


class ContactOut(Schema):
    id: int
    person: PersonOut
    division_code: str
    reported_on: datetime.date
    converted_case_id: int | None
    cluster_id: int | None
    sources: list[int]

    @staticmethod
    def resolve_sources(obj: Contact) -> list[int]:
        return [e.case_id for e in obj.exposures.all()]


class KeyPersonIn(Schema):
    person: PersonIn
    category: KeyPersonCategory
    arrival_date: datetime.date
    origin: str = Field("", max_length=100)
    transport: str = Field("", max_length=100)
    note: str = Field("", max_length=300)


class KeyPersonOut(Schema):
    id: int
    person: PersonOut
    division_code: str
    grid_id: int | None
    category: KeyPersonCategory
    origin: str
    arrival_date: datetime.date
    transport: str


class SiteIn(Schema):
    name: str = Field(max_length=100)
    division_code: str = Field(max_length=12)
    capacity: int = Field(ge=1, le=100000)
    address: str = Field("", max_length=200)


class SiteOut(Schema):
    id: int
    name: str
    division_code: str
    address: str
    capacity: int
    occupied: int
    is_active: bool


class ObservationIn(Schema):
    id_number: str
    place: ObservationPlace
    site: int | None = None
    team: int
    start_date: datetime.date | None = None
    planned_end_date: datetime.date | None = None
    last_exposure_date: datetime.date | None = None


class ObservationOut(Schema):
    id: int
    person: PersonOut
    division_code: str
    place: ObservationPlace
    site_id: int | None
    team_id: int
    start_date: datetime.date
    planned_end_date: datetime.date
    status: str
    released_on: datetime.date | None
    last_check_at: datetime.datetime | None
    last_temperature: Decimal | None
    fever: bool
    checks: int


class WorklistRowOut(ObservationOut):
    flags: list[WorklistFlag]


class ReleaseIn(Schema):
    on_date: datetime.date | None = None
    note: str = Field("", max_length=200)


class CheckIn(Schema):
    date: datetime.date | None = None
    slot: CheckSlot
    temperature: Decimal = Field(description="℃，一位小数")
    symptoms: list[str] = Field(default_factory=list, max_length=10)
    note: str = Field("", max_length=200)
    key: str = Field("", max_length=64, description="客户端重试键：同一键的重试返回第一次的记录")


class CheckOut(Schema):
    id: int
    observation_id: int
    date: datetime.date
    slot: CheckSlot
    temperature: Decimal
    symptoms: list[str]
    by_self: bool
    recorded_at: datetime.datetime


class WorklistOut(Schema):
    today: datetime.date
    total: int
    counts: dict[str, int]
    items: list[WorklistRowOut]


class NodeOut(Schema):
    id: int
    kind: str
    label: str
    division_code: str
    case_id: int | None
    generation: int
    x: float
    y: float


class GraphOut(Schema):
    cluster_id: int
    total_nodes: int
    generations: int
    truncated: bool
    nodes: list[NodeOut]
    edges: list[tuple[int, int, str]]


class ClusterOut(Schema):
    cluster_id: int
    size: int
    cases: int
    label: str


class ClusterPage(Schema):
    count: int
    items: list[ClusterOut]


class LineListRowOut(Schema):
    label: str
    code: str
    values: dict[str, int]


class LineListStatisticsOut(Schema):
    within: str
    start: datetime.date
    end: datetime.date
    columns: dict[str, str]
    rows: list[LineListRowOut]
    total: LineListRowOut


class LineListTrendOut(Schema):
    within: str
    column: str
    dates: list[datetime.date]
    values: list[int]


class ExportIn(Schema):
    kind: str = Field(pattern="^(cases|contacts|key_persons|observations)$")
    within: str = Field("", max_length=12)
    unmasked: bool = False
    reason: str = Field("", max_length=200)


class ProgressOut(Schema):
    done: int
    total: int
    finished: bool
    failed: bool
    message: str


class ExportOut(Schema):
    id: int
    filename: str
    row_count: int
    unmasked: bool
    progress: ProgressOut
    download: str

    @staticmethod
    def resolve_download(obj: Any) -> str:
        from django.urls import reverse

        return reverse("epidemic:line_list_export_download", args=[obj.pk])


class CasePage(Schema):
    count: int
    items: list[CaseOut]


class ContactPage(Schema):
    count: int
    items: list[ContactOut]


class KeyPersonPage(Schema):
    count: int
    items: list[KeyPersonOut]


class ObservationPage(Schema):
    count: int
    items: list[ObservationOut]


class ListFilters(Paging):
    within: str = Field("", max_length=12, description="区划代码")


class CaseFilters(ListFilters):
    status: CaseStatus | None = None


# --- helpers ---------------------------------------------------------------------------------


def _allowed(request: HttpRequest, roles: frozenset[str]) -> Any:
    principal = request.auth
    if isinstance(principal, ApiToken) or (
        isinstance(principal, User) and principal.has_role(*roles)
    ):
        return principal
    raise ApiError(403, "forbidden", "您的角色不能使用个案信息")


def _within(request: HttpRequest, code: str) -> Any:
    within = area_for(request.auth, code) if code else default_area(request.auth)
    if within is None:
        raise Http404("该区划不存在或不在您的管辖范围内")
    return within


def _scoped(request: HttpRequest, rows: Any, within: str) -> Any:
    rows = rows.visible_to(request.auth)
    return rows.filter(jurisdiction_q([_within(request, within).code])) if within else rows


def _person(given: PersonIn) -> line_lists.PersonInput:
    return line_lists.PersonInput(**given.dict())


def _organisation(pk: int | None, field: str) -> Any:
    from civicgrid.accounts.models import Organisation

    if pk is None:
        return None
    found = Organisation.objects.filter(pk=pk, is_active=True).first()
    if found is None:
        raise ValidationError({field: "机构不存在"})
    return found


# --- cases -----------------------------------------------------------------------------------


@router.get("/cases", response=CasePage, summary="病例列表", url_name="epidemic_ll_cases")
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> Any:
    _allowed(request, LINE_LIST_ROLES)
    rows = _scoped(request, Case.objects, filters.within).select_related("person")
    if filters.status:
        rows = rows.filter(status=filters.status)
    return page_of(rows.order_by("-report_date", "-pk"), filters)


@router.post(
    "/cases",
    response={201: CaseOut},
    summary="录入病例（按身份证号）",
    url_name="epidemic_ll_cases",
)
def enter_case(request: HttpRequest, payload: CaseIn) -> Any:
    sources = [
        access_case_for_user(request.auth, pk, request=request) for pk in payload.source_cases
    ]
    case = line_lists.do_enter_case(
        request.auth,
        person=_person(payload.person),
        status=payload.status,
        reporting_unit=_organisation(payload.reporting_unit, "reporting_unit"),
        hospital=_organisation(payload.hospital, "hospital"),
        severity=payload.severity,
        onset_date=payload.onset_date,
        diagnosis_date=payload.diagnosis_date,
        report_date=payload.report_date,
        note=payload.note,
        source_cases=sources,
        contact_type=payload.contact_type,
        last_exposure_date=payload.last_exposure_date,
    )
    return Status(201, Case.objects.select_related("person").get(pk=case.pk))


@router.get(
    "/cases/{case_id}",
    response=CaseDetailOut,
    summary="病例及分类记录",
    url_name="epidemic_ll_case",
)
def get_case(request: HttpRequest, case_id: int) -> Case:
    _allowed(request, LINE_LIST_ROLES)
    return access_case_for_user(request.auth, case_id, request=request)


@router.post(
    "/cases/{case_id}/reclassify",
    response=CaseDetailOut,
    summary="订正病例分类",
    url_name="epidemic_ll_reclassify",
)
def reclassify_case(request: HttpRequest, case_id: int, payload: ReclassifyIn) -> Case:
    case = access_case_for_user(request.auth, case_id, request=request)
    return line_lists.do_reclassify_case(
        request.auth, case=case, to_status=payload.status, on_date=payload.on_date,
        note=payload.note, expected_version=payload.version,
    )  # fmt: skip


@router.post(
    "/cases/{case_id}/outcome",
    response=CaseDetailOut,
    summary="登记转归",
    url_name="epidemic_ll_outcome",
)
def record_outcome(request: HttpRequest, case_id: int, payload: OutcomeIn) -> Case:
    case = access_case_for_user(request.auth, case_id, request=request)
    return line_lists.do_record_outcome(
        request.auth, case=case, outcome=payload.outcome, on_date=payload.on_date, note=payload.note
    )


@router.get(
    "/cases/{case_id}/chain",
    response=GraphOut,
    summary="病例所在传播链",
    url_name="epidemic_ll_case_chain",
)
def case_chain(request: HttpRequest, case_id: int, limit: int = 5000, offset: int = 0) -> Any:
    _allowed(request, LINE_LIST_ROLES)
    case = access_case_for_user(request.auth, case_id, request=request)
    if case.cluster_id is None:
        raise Http404("该病例尚无传播链")
    return _graph(request, case.cluster_id, limit, offset)


# --- contacts and key persons ----------------------------------------------------------------


@router.get(
    "/contacts", response=ContactPage, summary="密切接触者列表", url_name="epidemic_ll_contacts"
)
def list_contacts(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    _allowed(request, LINE_LIST_ROLES)
    rows = _scoped(request, Contact.objects, filters.within).select_related("person")
    return page_of(rows.prefetch_related("exposures").order_by("-reported_on", "-pk"), filters)


@router.post(
    "/contacts",
    response={201: ContactOut},
    summary="登记密切接触者",
    url_name="epidemic_ll_contacts",
)
def register_contact(request: HttpRequest, payload: ContactIn) -> Any:
    case = access_case_for_user(request.auth, payload.case, request=request)
    team = (
        access_team_for_user(request.auth, payload.home_observation_team)
        if payload.home_observation_team
        else None
    )
    contact = line_lists.do_register_contact(
        request.auth, person=_person(payload.person), case=case, contact_type=payload.contact_type,
        last_exposure_date=payload.last_exposure_date, observe_at_home_with=team,
    )  # fmt: skip
    return Status(201, Contact.objects.select_related("person").get(pk=contact.pk))


@router.get(
    "/key-persons",
    response=KeyPersonPage,
    summary="重点人员列表",
    url_name="epidemic_ll_key_persons",
)
def list_key_persons(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    _allowed(request, KEY_PERSON_READERS)
    rows = _scoped(request, KeyPerson.objects, filters.within).select_related("person")
    return page_of(rows.order_by("-arrival_date", "-pk"), filters)


@router.post(
    "/key-persons",
    response={201: KeyPersonOut},
    summary="登记重点人员",
    url_name="epidemic_ll_key_persons",
)
def register_key_person(request: HttpRequest, payload: KeyPersonIn) -> Any:
    key_person = line_lists.do_register_key_person(
        request.auth, person=_person(payload.person), category=payload.category,
        arrival_date=payload.arrival_date, origin=payload.origin, transport=payload.transport,
        note=payload.note,
    )  # fmt: skip
    return Status(201, KeyPerson.objects.select_related("person").get(pk=key_person.pk))


# --- sites, observations, checks -------------------------------------------------------------


@router.get("/sites", response=list[SiteOut], summary="集中隔离点", url_name="epidemic_ll_sites")
def list_sites(request: HttpRequest) -> Any:
    _allowed(request, WORKLIST_ROLES)
    return QuarantineSite.objects.visible_to(request.auth).order_by("division_code", "name")[:500]


@router.post(
    "/sites", response={201: SiteOut}, summary="设立集中隔离点", url_name="epidemic_ll_sites"
)
def create_site(request: HttpRequest, payload: SiteIn) -> Any:
    return Status(201, observation.do_create_site(request.auth, **payload.dict()))


@router.get(
    "/observations",
    response=ObservationPage,
    summary="医学观察列表",
    url_name="epidemic_ll_observations",
)
def list_observations(
    request: HttpRequest, filters: Query[ListFilters], status: str = "active"
) -> Any:
    _allowed(request, WORKLIST_ROLES)
    rows = _scoped(request, Observation.objects, filters.within).select_related("person")
    if status:
        rows = rows.filter(status=status)
    return page_of(rows.order_by("planned_end_date", "pk"), filters)


@router.post(
    "/observations",
    response={201: ObservationOut},
    summary="安排医学观察",
    url_name="epidemic_ll_observations",
)
def start_observation(request: HttpRequest, payload: ObservationIn) -> Any:
    person = line_lists.find_person(payload.id_number)
    if person is None:
        raise ValidationError({"id_number": "该身份证号不在人口台账中，请先登记"})
    site = access_site_for_user(request.auth, payload.site) if payload.site else None
    contact = Contact.objects.filter(person=person).first()
    started = observation.do_start_observation(
        request.auth,
        observation.ObservationInput(
            person=person, place=payload.place, site=site,
            team=access_team_for_user(request.auth, payload.team),
            start_date=payload.start_date or local_today(), planned_end_date=payload.planned_end_date,
            last_exposure_date=payload.last_exposure_date, contact=contact,
        ),
    )  # fmt: skip
    return Status(201, Observation.objects.select_related("person").get(pk=started.pk))


@router.post(
    "/observations/{observation_id}/release", response=ObservationOut, summary="解除医学观察",
    url_name="epidemic_ll_release",
)  # fmt: skip
def release_observation(request: HttpRequest, observation_id: int, payload: ReleaseIn) -> Any:
    found = access_observation_for_user(request.auth, observation_id, request=request)
    return observation.do_release_observation(
        request.auth, observation=found, on_date=payload.on_date, note=payload.note
    )


@router.get(
    "/observations/{observation_id}/checks", response=list[CheckOut], summary="健康监测记录",
    url_name="epidemic_ll_checks",
)  # fmt: skip
def list_checks(request: HttpRequest, observation_id: int) -> Any:
    found = access_observation_for_user(request.auth, observation_id, request=request)
    if not observation.may_monitor(request.auth, found):
        raise Http404("记录不存在或不在您的管辖范围内")
    return list(MonitoringEntry.objects.filter(observation=found).order_by("-date", "-slot")[:200])


@router.post(
    "/observations/{observation_id}/checks", response={200: CheckOut, 201: CheckOut},
    summary="记录健康监测（同一 key 重试返回第一次的记录）", url_name="epidemic_ll_checks",
)  # fmt: skip
def record_check(request: HttpRequest, observation_id: int, payload: CheckIn) -> Any:
    found = access_observation_for_user(request.auth, observation_id, request=request)
    result = observation.do_record_check(
        request.auth, observation=found, date=payload.date or local_today(), slot=payload.slot,
        temperature=payload.temperature, symptoms=payload.symptoms, note=payload.note,
        key=payload.key or request.headers.get("Idempotency-Key", ""),
    )  # fmt: skip
    return Status(201 if result.created else 200, result.entry)


@router.get(
    "/worklist", response=WorklistOut, summary="每日随访工作清单", url_name="epidemic_ll_worklist"
)
def get_worklist(
    request: HttpRequest,
    within: str = "",
    team: int | None = None,
    flag: WorklistFlag | None = None,
    place: ObservationPlace | None = None,
    limit: int = Query(50, ge=1, le=500),  # type: ignore[call-overload]
    offset: int = Query(0, ge=0),  # type: ignore[call-overload]
) -> Any:
    principal = request.auth
    found_team = access_team_for_user(principal, team) if team else None
    if found_team is None and not (
        isinstance(principal, ApiToken) or principal.has_role(*WORKLIST_ROLES)
    ):
        raise ApiError(403, "forbidden", "您的角色不能查看随访清单")
    code = _within(request, within).code if within else ""
    result = observation.worklist(
        principal, within_code=code, team=found_team, flag=flag or "", place=place or "",
        limit=limit, offset=offset,
    )  # fmt: skip
    return {
        "today": result.moment.today,
        "total": result.total,
        "counts": result.counts,
        "items": result.rows,
    }


# --- chains ----------------------------------------------------------------------------------


def _graph(request: HttpRequest, cluster_id: int, limit: int, offset: int) -> Any:
    if not 1 <= limit <= chains.MAX_NODES or offset < 0:
        raise ValidationError({"limit": f"limit 应在 1 至 {chains.MAX_NODES} 之间"})
    graph = chains.read_cluster(request.auth, cluster_id, limit=limit, offset=offset)
    return {
        "cluster_id": graph.cluster_id,
        "total_nodes": graph.total_nodes,
        "generations": graph.generations,
        "truncated": graph.truncated,
        "nodes": graph.nodes,
        "edges": graph.edges,
    }


@router.get(
    "/chains",
    response=ClusterPage,
    summary="辖区内的传播链（每条折叠为一个节点）",
    url_name="epidemic_ll_chains",
)
def list_chains(request: HttpRequest, within: str = "", limit: int = 200, offset: int = 0) -> Any:
    _allowed(request, LINE_LIST_ROLES)
    if not 1 <= limit <= 1000:
        raise ValidationError({"limit": "limit 应在 1 至 1000 之间"})
    count, items = chains.clusters_in(
        request.auth, _within(request, within).code, limit=limit, offset=offset
    )
    return {"count": count, "items": items}


@router.get(
    "/chains/{cluster_id}",
    response=GraphOut,
    summary="一条传播链（已排好布局）",
    url_name="epidemic_ll_chain",
)
def get_chain(request: HttpRequest, cluster_id: int, limit: int = 5000, offset: int = 0) -> Any:
    _allowed(request, LINE_LIST_ROLES)
    access_cluster_for_user(request.auth, cluster_id)
    return _graph(request, cluster_id, limit, offset)


# --- statistics and exports ------------------------------------------------------------------


def _range(
    start: datetime.date | None, end: datetime.date | None
) -> tuple[datetime.date, datetime.date]:
    last = min(end or local_today(), local_today())
    first = start or last - datetime.timedelta(days=29)
    if first > last or (last - first).days > 366:
        raise ValidationError({"start": "日期范围应在 1 至 366 天之间"})
    return first, last


@router.get(
    "/statistics",
    response=LineListStatisticsOut,
    summary="个案实时统计（按下级区划）",
    url_name="epidemic_ll_statistics",
)
def get_statistics(
    request: HttpRequest,
    within: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> Any:
    _allowed(request, LINE_LIST_ROLES)
    first, last = _range(start, end)
    result = line_list_stats.line_list_statistics(_within(request, within), first, last)

    def row(r: Any) -> dict[str, Any]:
        return {"label": r.label, "code": r.code, "values": r.values}

    return {
        "within": result.within.code, "start": first, "end": last,
        "columns": {c.code: str(c.name) for c in result.columns},
        "rows": [row(r) for r in result.rows], "total": row(result.total),
    }  # fmt: skip


@router.get(
    "/trend", response=LineListTrendOut, summary="个案指标逐日数", url_name="epidemic_ll_trend"
)
def get_trend(
    request: HttpRequest, column: str, within: str = "",
    start: datetime.date | None = None, end: datetime.date | None = None,
) -> Any:  # fmt: skip
    _allowed(request, LINE_LIST_ROLES)
    found = line_list_stats.COLUMN_CODES.get(column)
    if found is None:
        raise ValidationError({"column": f"没有指标“{column}”"})
    first, last = _range(start, end)
    area = _within(request, within)
    trend = line_list_stats.line_list_trend(area, found, first, last)
    return {"within": area.code, "column": column, "dates": trend.dates, "values": trend.values}


@router.post(
    "/exports",
    response={202: ExportOut},
    summary="导出个案清单（后台任务）",
    url_name="epidemic_ll_exports",
)
def start_export(request: HttpRequest, payload: ExportIn) -> Any:
    if not isinstance(request.auth, User):
        raise ApiError(403, "forbidden", "导出须以工作人员身份登录")
    code = _within(request, payload.within).code if payload.within else ""
    try:
        export = line_list_exports.do_start_line_list_export(
            request.auth, kind=payload.kind, within_code=code, unmasked=payload.unmasked,
            reason=payload.reason,
        )  # fmt: skip
    except PermissionDenied:
        raise ApiError(403, "forbidden", "您的角色不能导出该清单或完整号码") from None
    export.refresh_from_db()
    return Status(202, export)


@router.get(
    "/exports/{export_id}", response=ExportOut, summary="导出进度", url_name="epidemic_ll_export"
)
def get_export(request: HttpRequest, export_id: int) -> Any:
    from civicgrid.core.models import ExportFile

    found = (
        ExportFile.objects.select_related("progress")
        .filter(pk=export_id, owner=request.auth)
        .first()
    )
    if found is None:
        raise Http404("导出不存在")
    return found
