"""服务事项目录 over the API, mounted at /api/v1/catalog.

The catalogue is public information: searching, item details, life events, departments and
the online-availability rate need no sign-in (like the pages). Importing a spreadsheet needs an
administrator's or department clerk's session, or the API token of a department (which imports
its own department's items only), and obeys the same rules as the page; the import runs as a
task whose progress, result and problem report only its starter can read.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from civicgrid.accounts.models import ApiToken, User
from civicgrid.catalog import search, selectors
from civicgrid.catalog.choices import ItemKind, ItemLevel
from civicgrid.catalog.import_runs import (
    access_catalog_import_for,
    do_check_catalog_upload,
    do_queue_catalog_import,
)
from civicgrid.catalog.importing import may_import
from civicgrid.catalog.models import CatalogImport, ServiceItem
from civicgrid.core.api_auth import SCOPED_AUTH
from civicgrid.core.api_errors import ApiError
from civicgrid.core.models import TaskProgress
from civicgrid.core.paging import Paging
from civicgrid.core.spreadsheets import XLSX_CONTENT_TYPE, SpreadsheetError

router = Router(tags=["catalog"])


class ItemFilters(Paging):
    q: str = Field("", max_length=search.MAX_QUERY_LENGTH, description="关键词、拼音或拼音首字母")
    department: int | None = Field(None, description="实施部门（机构 id）")
    life_event: str | None = Field(None, max_length=40, description="人生事件/企业事件编码")
    level: ItemLevel | None = Field(None, description="实施层级：1 省 · 2 市 · 3 县 · 4 乡镇")


class ItemSummarySchema(Schema):
    code: str
    name: str
    kind: ItemKind
    department_id: int
    department_name: str
    division_code: str
    level: int
    promised_limit_days: int
    legal_limit_days: int
    online: bool
    online_depth: int
    hall_visits: int


class ItemPage(Schema):
    count: int
    items: list[ItemSummarySchema]


class MaterialSchema(Schema):
    name: str
    required: bool
    original_check: bool = Field(description="需核验原件")
    certificate_type: str = Field(description="可由该类电子证照自动获取，无需提交（空：需提交）")
    template_url: str | None = Field(description="空白模板下载地址")
    notes: str


class LifeEventSchema(Schema):
    code: str
    name: str
    audience: str


class FaqSchema(Schema):
    q: str
    a: str


class ItemDetailSchema(ItemSummarySchema):
    status: str
    legal_basis: str
    conditions: str
    fee: Decimal
    fee_basis: str
    channels: list[str]
    by_phone: bool
    by_mail: bool
    by_appointment: bool
    in_person: bool
    faq: list[FaqSchema]
    materials: list[MaterialSchema]
    life_events: list[LifeEventSchema]
    handleable_online: bool = Field(description="计入网上可办率")

    @staticmethod
    def resolve_department_name(obj: ServiceItem) -> str:
        return obj.department.name

    @staticmethod
    def resolve_materials(obj: ServiceItem) -> list[dict[str, Any]]:
        return [
            {
                "name": m.name,
                "required": m.required,
                "original_check": m.original_check,
                "certificate_type": m.certificate_type,
                "template_url": selectors.template_url(m),
                "notes": m.notes,
            }
            for m in obj.materials.all()
        ]

    @staticmethod
    def resolve_life_events(obj: ServiceItem) -> list[Any]:
        return list(obj.life_events.all())

    @staticmethod
    def resolve_handleable_online(obj: ServiceItem) -> bool:
        return obj.is_handleable_online


class CountedLifeEventSchema(LifeEventSchema):
    items: int = Field(alias="item_count")


class DepartmentSchema(Schema):
    id: int
    name: str
    division_code: str
    items: int = Field(alias="item_count")


class RateSchema(Schema):
    key: str
    label: str
    items: int = Field(description="已发布事项数")
    handleable: int = Field(description="网上可办事项数")
    percent: Decimal | None = Field(description="网上可办率（%）")
    cases_total: int
    cases_online: int
    cases_online_percent: Decimal | None = Field(description="网上办件占比（%）")
    meets_target: bool


class RateReport(Schema):
    target: Decimal
    total: RateSchema
    by_level: list[RateSchema]
    by_department: list[RateSchema]


@router.get("/items", response=ItemPage, auth=None, summary="查找服务事项")
def catalog_items(request: HttpRequest, filters: Query[ItemFilters]) -> HttpResponse:
    found = search.search(
        filters.q,
        department=filters.department,
        life_event=filters.life_event,
        level=filters.level,
    )
    window = found[filters.offset : filters.offset + filters.limit]
    # The rows come ready from the search index (`Entry.summary`, the shape of ItemPage):
    # validating them again per request would cost more than the search itself.
    body = {"count": len(found), "items": [entry.summary for entry in window]}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )


@router.get("/items/{code}", response=ItemDetailSchema, auth=None, summary="服务事项详情")
def catalog_item(request: HttpRequest, code: str) -> ServiceItem:
    item = selectors.item_detail(code)
    if item is None:
        raise ApiError(404, "not_found", "没有该服务事项")
    return item


@router.get(
    "/life-events", response=list[CountedLifeEventSchema], auth=None, summary="人生事件与企业事件"
)
def catalog_life_events(request: HttpRequest) -> list[Any]:
    return selectors.life_events_with_counts()


@router.get("/departments", response=list[DepartmentSchema], auth=None, summary="实施部门")
def catalog_departments(request: HttpRequest) -> list[Any]:
    return selectors.departments_with_counts()


@router.get("/online-rate", response=RateReport, auth=None, summary="网上可办率")
def catalog_online_rate(
    request: HttpRequest, within: str | None = Query(None, pattern=r"^[0-9]{2,12}$")
) -> dict[str, Any]:
    try:
        code = selectors.normalised_within(within)
    except ValueError as exc:
        raise ApiError(422, "invalid_division_code", str(exc), field="within") from exc
    return {
        "target": selectors.ONLINE_RATE_TARGET,
        "total": selectors.online_rate(within=code),
        "by_level": selectors.online_rates_by_level(within=code),
        "by_department": selectors.online_rates_by_department(within=code),
    }


class ImportProblemSchema(Schema):
    row: int = Field(description="表格中的行号（0：整个文件）")
    column: str
    message: str


class ImportProgressSchema(Schema):
    done: int
    total: int
    percent: int
    message: str


class ImportSchema(Schema):
    key: str = Field(description="导入标识，查询进度和问题清单时使用")
    status: str = Field(
        description="checked 检查通过 · rejected 有问题未导入 · queued 排队中 · "
        "running 导入中 · done 导入完成 · failed 失败"
    )
    file_name: str
    dry_run: bool
    written: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    problem_count: int
    problems: list[ImportProblemSchema] = Field(description="前 200 处问题；全部见 report_url")
    report_url: str | None = Field(description="全部问题的 .xlsx 清单（有问题时）")
    status_url: str
    progress: ImportProgressSchema | None
    message: str


def _import_body(request: HttpRequest, batch: CatalogImport, *, dry_run: bool) -> dict[str, Any]:
    progress = (
        TaskProgress.objects.filter(key=batch.progress_key).first() if batch.progress_key else None
    )
    key = str(batch.key)
    return {
        "key": key,
        "status": batch.status,
        "file_name": batch.file_name,
        "dry_run": dry_run,
        "written": batch.status == CatalogImport.Status.DONE
        and bool(batch.created_count or batch.updated_count),
        "rows": batch.rows,
        "created": batch.created_count,
        "updated": batch.updated_count,
        "unchanged": batch.unchanged_count,
        "problem_count": batch.problem_count,
        "problems": [{"row": r, "column": c, "message": m} for r, c, m in batch.problems],
        "report_url": request.build_absolute_uri(
            reverse("api:catalog_import_report", kwargs={"key": key})
        )
        if batch.error_report
        else None,
        "status_url": request.build_absolute_uri(
            reverse("api:catalog_import_status", kwargs={"key": key})
        ),
        "progress": {
            "done": progress.done,
            "total": progress.total,
            "percent": progress.percent,
            "message": progress.message,
        }
        if progress
        else None,
        "message": batch.message,
    }


def _importer(request: HttpRequest) -> Any:
    actor = request.auth  # type: ignore[attr-defined]
    if not isinstance(actor, User | ApiToken) or not may_import(actor):
        raise ApiError(
            403, "forbidden", "只有系统管理员、部门工作人员和部门的接口令牌可以导入服务事项"
        )
    return actor


@router.post(
    "/imports",
    response={200: ImportSchema, 202: ImportSchema},
    auth=SCOPED_AUTH,
    summary="导入服务事项表格",
)
def catalog_import(
    request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False
) -> Any:
    """`dry_run=true`: check now and answer the result (nothing written; 422 listing the
    problems, with `report_url`, when there are any). Otherwise the file is queued and the
    answer is 202 with `status_url`: the import runs as a task, all or nothing, with the same
    rules as the page; a department's token imports only its own department's items."""
    actor = _importer(request)
    data, name = file.read(), file.name or ""
    try:
        if dry_run:
            batch = do_check_catalog_upload(actor, data=data, filename=name, request=request)
        else:
            batch = do_queue_catalog_import(actor, data=data, filename=name)
    except SpreadsheetError as exc:
        raise ApiError(422, exc.code, str(exc), field="file") from exc
    body = _import_body(request, batch, dry_run=dry_run)
    if batch.status == CatalogImport.Status.REJECTED:
        raise ApiError(
            422,
            "invalid_rows",
            f"表格有 {batch.problem_count} 处问题，未导入任何事项",
            problems=body["problems"],
            report_url=body["report_url"],
            key=body["key"],
        )
    return Status(200 if dry_run else 202, body)


@router.get(
    "/imports/{uuid:key}",
    response=ImportSchema,
    auth=SCOPED_AUTH,
    summary="服务事项导入的进度与结果",
)
def catalog_import_status(request: HttpRequest, key: uuid.UUID) -> Any:
    batch = access_catalog_import_for(_importer(request), key)
    dry_run = batch.status == CatalogImport.Status.CHECKED or (
        batch.status == CatalogImport.Status.REJECTED and batch.progress_key is None
    )
    return _import_body(request, batch, dry_run=dry_run)


@router.get(
    "/imports/{uuid:key}/report.xlsx", auth=SCOPED_AUTH, summary="服务事项导入的问题清单（.xlsx）"
)
def catalog_import_report(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    batch = access_catalog_import_for(_importer(request), key)
    if not batch.error_report:
        raise ApiError(404, "not_found", "该导入没有问题清单")
    response = HttpResponse(bytes(batch.error_report), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="catalog-import-problems.xlsx"'
    return response
