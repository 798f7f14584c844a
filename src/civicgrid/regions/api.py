"""Public read API of the division spine, mounted at /api/v1/divisions."""

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from civicgrid.core.api_errors import ApiError
from civicgrid.core.division_codes import InvalidDivisionCode
from civicgrid.regions import selectors
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


@router.get("/{code}", response=DivisionSchema, summary="查询一个区划")
def get_division(request: HttpRequest, code: str) -> Division:
    return _division(code)


@router.get("/{code}/children", response=list[DivisionChildSchema], summary="下一级区划")
def list_children(request: HttpRequest, code: str) -> list[Division]:
    return selectors.children_of(_division(code))
