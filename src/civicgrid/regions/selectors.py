"""Read-side queries on divisions, shared by the API and the pages."""

from django.db.models import Q
from django.http import Http404

from civicgrid.core import division_codes
from civicgrid.regions.models import Division

SEARCH_LIMIT = 20


def get_division(raw_code: str) -> Division:
    """The division for a code given as 12 digits or its significant prefix.

    Raises InvalidDivisionCode for a malformed code and Http404 for an unknown one.
    """
    code = division_codes.normalize_code(raw_code)
    division = Division.objects.filter(code=code).first()
    if division is None:
        raise Http404(f"区划代码 {raw_code} 不存在")
    return division


def children_of(division: Division) -> list[Division]:
    """Direct children, each annotated with `child_count` (its own number of children)."""
    return list(division.children.with_child_counts().order_by("code"))


def search_divisions(query: str, *, within: Division | None = None) -> list[Division]:
    """Divisions whose name contains `query`, or whose pinyin or initials start with it.

    Higher levels first, so '阜城' finds the county before the villages named after it.
    """
    text = query.strip()
    if not text:
        return []
    if text.isascii() and text.isalpha():
        lowered = text.lower()
        condition = Q(pinyin_initials__startswith=lowered) | Q(pinyin__startswith=lowered)
    else:
        condition = Q(name__contains=text)
    divisions = Division.objects.filter(condition)
    if within is not None:
        divisions = divisions.within(within.code)
    return list(divisions.order_by("level", "code")[:SEARCH_LIMIT])
