"""Public read API of the division spine, mounted at /api/v1/divisions."""

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from civicgrid.core.api_errors import ApiError
from civicgrid.core.division_codes import InvalidDivisionCode, normalize_code
from civicgrid.regions import response_cache, selectors
from civicgrid.regions.models import Division

router = Router(tags=["divisions"])

CODE_PATTERN = r"^[0-9]{2}([0-9]{2}([0-9]{2}([0-9]{3}([0-9]{3})?)?)?)?$"


class DivisionSchema(Schema):
    code: str = Field(description="12 位统计用区划代码")
    name: str
    level: int = Field(description="1 省 · 2 地市 · 3 县区 · 4 乡镇街道 · 5 村（居）委会")
    parent_code: str | None = Field(None, alias="parent_id")
    is_development_zone: bool


class DivisionChildSchema(DivisionSchema):
    child_count: int = Field(description="下一级区划数量")


class SearchQuery(Schema):
    q: str = Field(min_length=1, max_length=50, description="名称片段、拼音或拼音首字母")
    within: str | None = Field(None, pattern=CODE_PATTERN, description="只在此区划内查找")


def _normalized(code: str) -> str:
    try:
        return normalize_code(code)
    except InvalidDivisionCode as exc:
        raise ApiError(
            422, "invalid_division_code", f"参数 code 无效：{exc}", field="code"
        ) from exc


def _division(code: str) -> Division:
    try:
        return selectors.get_division(code)
    except InvalidDivisionCode as exc:
        raise ApiError(
            422, "invalid_division_code", f"参数 code 无效：{exc}", field="code"
        ) from exc


@router.get("/search", response=list[DivisionSchema], summary="按名称或拼音首字母查找区划")
def search_divisions(request: HttpRequest, filters: Query[SearchQuery]) -> list[Division]:
    within = _division(filters.within) if filters.within else None
    return selectors.search_divisions(filters.q, within=within)


def _json(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


def _cached_response(key: str, build: Callable[[], object]) -> HttpResponse:
    body = response_cache.cached_bytes(key, lambda: _json(build()))
    return HttpResponse(body, content_type="application/json; charset=utf-8")


@router.get("/{code}", response=DivisionSchema, summary="查询一个区划")
def get_division(request: HttpRequest, code: str) -> HttpResponse:
    return _cached_response(
        f"division:{_normalized(code)}",
        lambda: DivisionSchema.from_orm(_division(code)).model_dump(),
    )


@router.get("/{code}/children", response=list[DivisionChildSchema], summary="下一级区划")
def list_children(request: HttpRequest, code: str) -> HttpResponse:
    # Malformed codes fail here, before the cache, with the same 422 as ever.
    normalized = _normalized(code)
    return _cached_response(
        f"children:{normalized}",
        lambda: [
            DivisionChildSchema.from_orm(child).model_dump()
            for child in selectors.children_of(_division(code))
        ],
    )
