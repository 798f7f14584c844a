"""Where rows go: the importer's scope, and communities and grids named in cells.

A community is given by its 12-digit code (a "社区/村代码" column, or digits in the "社区/村"
column), by its name (`东南关居民委员会`, `东南关社区` and `东南关` all name the same residents'
committee), or for the whole file by the default community chosen when importing. Names are
looked up inside the importer's jurisdiction (and inside the import area when one is chosen);
a name shared by several communities there asks for the code. A grid is named within its
community: by its full name (`东南关第一网格`), without the community (`第一网格`) or by its
number (`1`, `一`).

Every cell is resolved once per distinct value, so a province file with a million rows costs
one query for its communities and one per community for grids.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import Role
from civicgrid.core import division_codes
from civicgrid.regions.models import Division, DivisionLevel, Grid

# Roles that may import into the register: a grid worker records visits but does not load
# whole registers, and CDC and clinic staff read them.
IMPORT_ROLES = frozenset(
    {
        Role.PROVINCE_OFFICER,
        Role.CITY_OFFICER,
        Role.COUNTY_OFFICER,
        Role.COMMUNITY_STAFF,
        Role.ADMINISTRATOR,
    }
)
_NAME_SUFFIXES = (
    "居民委员会",
    "村民委员会",
    "社区居委会",
    "居委会",
    "村委会",
    "委员会",
    "社区",
    "村",
)
_GRID_NUMBER = re.compile(r"^第?([0-9]{1,3}|[一二三四五六七八九十]{1,3})(?:号)?(?:网格)?$")
_NUMERALS = {ch: n for n, ch in enumerate("一二三四五六七八九十", start=1)}


def core_name(name: str) -> str:
    """`东南关居民委员会`, `东南关社区` -> `东南关`; `崔庙村村民委员会`, `崔庙村` -> `崔庙`."""
    text = re.sub(r"\s+", "", name or "")
    changed = True
    while changed and text:
        changed = False
        for suffix in _NAME_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text.removesuffix(suffix), True
                break
    return text


def _chinese_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if len(text) == 1:
        return _NUMERALS.get(text)
    if len(text) == 2 and text[0] == "十":
        return 10 + _NUMERALS.get(text[1], 0)
    if len(text) == 2 and text[1] == "十":
        return _NUMERALS.get(text[0], 0) * 10
    if len(text) == 3 and text[1] == "十":
        return _NUMERALS.get(text[0], 0) * 10 + _NUMERALS.get(text[2], 0)
    return None


class ImportScope:
    """The subtrees an actor may import into; `ranges is None` means everywhere (the system,
    a superuser)."""

    def __init__(self, actor: object | None) -> None:
        self.ranges: list[tuple[str, str]] | None
        if actor is None or getattr(actor, "is_superuser", False):
            self.ranges = None
            return
        self.ranges = [
            division_codes.subtree_range(m.division_code)
            for m in actor.active_memberships  # type: ignore[attr-defined]
            if m.role in IMPORT_ROLES
        ]
        if not self.ranges:
            raise PermissionDenied(
                _("只有省、市、县级工作人员、社区工作人员或系统管理员可以导入人口台账。")
            )

    def covers(self, code: str) -> bool:
        return self.ranges is None or any(low <= code <= high for low, high in self.ranges)

    def sql(self, column: str) -> tuple[str, list[str]]:
        """A condition on `column` (a division code) for raw SQL: "1=1" when unrestricted."""
        if self.ranges is None:
            return "1=1", []
        parts, params = [], []
        for low, high in self.ranges:
            parts.append(f"({column} >= %s AND {column} <= %s)")
            params += [low, high]
        return "(" + " OR ".join(parts) + ")", params


@dataclass
class PlaceResolver:
    """Resolves community and grid cells to codes and ids, each distinct value once.

    Made by `load()` in the importing process; afterwards it needs no database, so worker
    processes receive a copy and resolve their rows themselves.
    """

    ranges: list[tuple[str, str]] | None  # the importer's scope (None: everywhere)
    default_community: str
    area: str
    area_name: str
    names: dict[str, str]  # every community and village: code -> name
    grid_lists: dict[str, list[tuple[int, int, str]]]  # community -> (id, number, name)
    _by_name: dict[str, list[str]] = field(default_factory=dict)
    _by_core: dict[str, list[str]] = field(default_factory=dict)
    _communities: dict[tuple[str, str], tuple[str, str, str]] = field(default_factory=dict)
    _grids: dict[tuple[str, str], tuple[int | None, str]] = field(default_factory=dict)

    @classmethod
    def load(
        cls, scope: ImportScope, *, default_community: str = "", area: str = "", grids: bool = True
    ) -> PlaceResolver:
        """One query for every community and village (about 54,000 in Hebei) and, when the file
        has a grid column, one for the grids where the importer may import."""
        names = dict(
            Division.objects.filter(level=DivisionLevel.VILLAGE).values_list("code", "name")
        )
        grid_lists: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        if grids:
            query = Grid.objects.all()
            if area:
                low, high = division_codes.subtree_range(area)
                query = query.filter(division_code__gte=low, division_code__lte=high)
            if scope.ranges is not None:
                within = Q(pk__in=[])
                for low, high in scope.ranges:
                    within |= Q(division_code__gte=low, division_code__lte=high)
                query = query.filter(within)
            for grid_id, code, number, name in query.order_by(
                "division_code", "number"
            ).values_list("id", "division_code", "number", "name"):
                grid_lists[code].append((grid_id, number, name))
        area_name = ""
        if area:
            area_name = (
                Division.objects.filter(code=area).values_list("name", flat=True).first() or area
            )
        return cls(
            ranges=scope.ranges,
            default_community=default_community,
            area=area,
            area_name=area_name,
            names=names,
            grid_lists=dict(grid_lists),
        )

    def covers(self, code: str) -> bool:
        return self.ranges is None or any(low <= code <= high for low, high in self.ranges)

    def _searchable(self, code: str) -> bool:
        return self.covers(code) and (not self.area or self._in_area(code))

    # --- communities -------------------------------------------------------------------------

    def community(
        self, code_cell: str, name_cell: str
    ) -> tuple[str, tuple[tuple[str, str, str], ...]]:
        """(12-digit code or "", problems as (column key, cell, message))."""
        key = (code_cell, name_cell)
        found = self._communities.get(key)
        if found is None:
            found = self._resolve_community(code_cell, name_cell)
            self._communities[key] = found
        code, column, message = found
        if message:
            return "", ((column, code_cell if column == "division_code" else name_cell, message),)
        return code, ()

    def community_name(self, code: str) -> str:
        return self.names.get(code, code)

    def _resolve_community(self, code_cell: str, name_cell: str) -> tuple[str, str, str]:
        if code_cell.strip():
            return self._by_code(code_cell.strip(), "division_code")
        text = re.sub(r"\s+", "", name_cell)
        if text and text.isdigit():
            return self._by_code(text, "community")
        if text:
            return self._by_community_name(text)
        if self.default_community:
            return self.default_community, "", ""
        return "", "community", _("请填写社区/村，或在导入时指定整个文件所属的社区/村。")

    def _by_code(self, raw: str, column: str) -> tuple[str, str, str]:
        try:
            code = division_codes.normalize_code(raw)
        except division_codes.InvalidDivisionCode as exc:
            return "", column, str(exc)
        name = self.names.get(code)
        if name is None:
            if division_codes.level_of(code) != DivisionLevel.VILLAGE:
                return (
                    "",
                    column,
                    _("%(code)s 不是社区或村的代码，请填写 12 位的社区/村代码。") % {"code": raw},
                )
            return "", column, _("找不到区划代码为 %(code)s 的社区或村。") % {"code": raw}
        if not self.covers(code):
            return "", column, self._outside(name, code)
        if self.area and not self._in_area(code):
            return "", column, self._outside_area(name, code)
        return code, "", ""

    def _by_community_name(self, text: str) -> tuple[str, str, str]:
        if not self._by_name:
            for code, name in self.names.items():
                self._by_name.setdefault(name, []).append(code)
        codes = [c for c in self._by_name.get(text, []) if self._searchable(c)]
        if not codes:
            codes = [c for c in self._core_index().get(core_name(text), []) if self._searchable(c)]
        if len(codes) == 1:
            return codes[0], "", ""
        if len(codes) > 1:
            shown = "、".join(f"{self.community_name(c)}（{c}）" for c in codes[:5])
            return (
                "",
                "community",
                _(
                    "“%(name)s”对应多个社区/村：%(choices)s。请改填 12 位社区/村代码，或在导入时选定所属乡镇。"
                )
                % {"name": text, "choices": shown},
            )
        # Not found where the importer works: say so if it exists elsewhere.
        elsewhere = self._by_name.get(text) or self._core_index().get(core_name(text))
        if elsewhere:
            code = elsewhere[0]
            if not self.covers(code):
                return "", "community", self._outside(self.community_name(code), code)
            return "", "community", self._outside_area(self.community_name(code), code)
        return (
            "",
            "community",
            _("找不到名为“%(name)s”的社区或村，请核对名称或改填 12 位社区/村代码。")
            % {"name": text},
        )

    def _core_index(self) -> dict[str, list[str]]:
        """Codes by `core_name`, built the first time a name is not found as written."""
        if not self._by_core:
            for code, name in self.names.items():
                self._by_core.setdefault(core_name(name), []).append(code)
        return self._by_core

    def _in_area(self, code: str) -> bool:
        low, high = division_codes.subtree_range(self.area)
        return low <= code <= high

    @staticmethod
    def _outside(name: str, code: str) -> str:
        return _("“%(name)s”（%(code)s）不在您的管辖范围内，不能导入。") % {
            "name": name,
            "code": code,
        }

    def _outside_area(self, name: str, code: str) -> str:
        return _("“%(name)s”（%(code)s）不在本次导入选定的范围（%(area)s）内。") % {
            "name": name,
            "code": code,
            "area": self.area_name,
        }

    # --- grids -------------------------------------------------------------------------------

    def grid(
        self, community_code: str, cell: str
    ) -> tuple[int | None, tuple[tuple[str, str, str], ...]]:
        text = re.sub(r"\s+", "", cell or "")
        if not text or not community_code:
            return None, ()
        key = (community_code, text)
        found = self._grids.get(key)
        if found is None:
            found = self._resolve_grid(community_code, text)
            self._grids[key] = found
        grid_id, message = found
        return grid_id, ((("grid", cell, message),) if message else ())

    def _resolve_grid(self, community_code: str, text: str) -> tuple[int | None, str]:
        grids = self.grid_lists.get(community_code, [])
        short = core_name(self.community_name(community_code))
        for grid_id, _number, name in grids:
            if text in (name, name.removeprefix(short)):
                return grid_id, ""
        if match := _GRID_NUMBER.match(text.removeprefix(short)):
            number = _chinese_number(match.group(1))
            for grid_id, grid_number, _name in grids:
                if grid_number == number:
                    return grid_id, ""
        existing = "、".join(name for _id, _n, name in grids) or _("（该社区/村还没有划分网格）")
        return None, _("在“%(community)s”找不到网格“%(grid)s”。现有网格：%(grids)s。") % {
            "community": self.community_name(community_code),
            "grid": text,
            "grids": existing,
        }
