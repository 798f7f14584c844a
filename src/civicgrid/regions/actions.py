"""Actions on divisions and grids."""

import random
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from pypinyin import Style, lazy_pinyin

from civicgrid.core import division_codes
from civicgrid.regions import response_cache
from civicgrid.regions.choices import DivisionLevel
from civicgrid.regions.division_files import DivisionRow
from civicgrid.regions.models import Division, Grid

BATCH_SIZE = 2000


@dataclass(frozen=True)
class RowProblem:
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.line} 行（{self.code}）：{self.message}"


class DivisionImportError(Exception):
    """The file was refused; nothing was written. `problems` lists every offending line."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(f"区划文件有 {len(problems)} 处错误，未导入任何数据")
        self.problems = problems


@dataclass(frozen=True)
class DivisionImportResult:
    created: int
    updated: int
    unchanged: int


def pinyin_of(name: str) -> tuple[str, str]:
    """('fcx', 'fuchengxian') for 阜城县: initials and full pinyin, lower case, letters only."""
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore"))
    full = "".join(lazy_pinyin(name, errors="ignore"))
    return initials.lower()[:100], full.lower()[:400]


def _validate(rows: Iterable[DivisionRow]) -> tuple[dict[str, str], list[RowProblem]]:
    """Normalised code -> name for a whole file, and every problem found in it."""
    names: dict[str, str] = {}
    first_line: dict[str, int] = {}
    problems = []
    for row in rows:
        try:
            code = division_codes.normalize_code(row.code)
        except division_codes.InvalidDivisionCode as exc:
            problems.append(RowProblem(row.line, row.code, str(exc)))
            continue
        if not row.name:
            problems.append(RowProblem(row.line, row.code, "名称为空"))
        elif len(row.name) > 100:
            problems.append(RowProblem(row.line, row.code, "名称超过 100 个字"))
        elif code in names:
            problems.append(RowProblem(row.line, row.code, f"代码与第 {first_line[code]} 行重复"))
        else:
            names[code] = row.name
            first_line[code] = row.line
    if not names and not problems:
        problems.append(RowProblem(0, "", "文件中没有任何区划"))
    known = set(names)
    missing = {division_codes.parent_code(c) for c in names} - known - {None}
    known |= set(Division.objects.filter(code__in=missing).values_list("code", flat=True))
    for code in names:
        parent = division_codes.parent_code(code)
        if parent is not None and parent not in known:
            problems.append(
                RowProblem(
                    first_line[code], code, f"上级区划 {parent} 既不在文件中，也不在数据库中"
                )
            )
    return names, sorted(problems, key=lambda p: p.line)


def do_import_divisions(rows: list[DivisionRow]) -> DivisionImportResult:
    """Create or rename divisions from a national division file, all or nothing.

    Every code is validated (digits, length, level segments) and every division must have its
    parent in the file or already in the database; any problem refuses the whole file.
    """
    names, problems = _validate(rows)
    if problems:
        raise DivisionImportError(problems)
    existing = dict(Division.objects.filter(code__in=names).values_list("code", "name"))
    new, renamed = [], []
    # Parents before children, so foreign keys are satisfied batch by batch.
    for code in sorted(names, key=lambda c: (division_codes.level_of(c), c)):
        name = names[code]
        if code in existing and existing[code] == name:
            continue
        initials, full = pinyin_of(name)
        level = division_codes.level_of(code)
        division = Division(
            code=code,
            name=name,
            level=level,
            parent_id=division_codes.parent_code(code),
            is_development_zone=division_codes.is_development_zone(code),
            pinyin_initials=initials,
            pinyin=full,
        )
        (renamed if code in existing else new).append(division)
    with transaction.atomic():
        Division.objects.bulk_create(new, batch_size=BATCH_SIZE)
        Division.objects.bulk_update(
            renamed, ["name", "pinyin_initials", "pinyin"], batch_size=BATCH_SIZE
        )
        transaction.on_commit(response_cache.clear)
    return DivisionImportResult(
        created=len(new), updated=len(renamed), unchanged=len(names) - len(new) - len(renamed)
    )


GRID_STREETS = ["建设路", "人民路", "胜利街", "和平路", "文化路", "新华街", "幸福路", "育才街"]
NUMERALS = "一二三四五六七八九十"


def _short_name(name: str) -> str:
    """'棉一东社区居民委员会' -> '棉一东社区', '崔庙村村民委员会' -> '崔庙村'."""
    for suffix in ("居民委员会", "村民委员会", "委员会", "居委会", "村委会"):
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


def do_generate_demo_grids(within_code: str) -> int:
    """Give every community/village under `within_code` plausible grids.

    Grids are not public data; these are generated, deterministically per community so that
    running the demo twice yields the same grids. An urban residents' committee gets 2–4 grids
    of ~330 households, a village one. Communities that already have grids are kept.
    """
    communities = (
        Division.objects.within(within_code)
        .filter(level=DivisionLevel.VILLAGE, grids__isnull=True)
        .values_list("code", "name")
    )
    grids = []
    for code, name in communities:
        rng = random.Random(code)  # noqa: S311 - demo data, not security
        count = rng.randint(2, 4) if "居民委员会" in name or "社区" in name else 1
        for number in range(1, count + 1):
            west, east = rng.sample(GRID_STREETS, 2)
            grids.append(
                Grid(
                    division_id=code,
                    division_code=code,
                    number=number,
                    name=f"{_short_name(name)}第{NUMERALS[number - 1]}网格",
                    boundary=f"东至{east}，西至{west}，南至第{number}排住宅楼，北至社区边界",
                )
            )
    with transaction.atomic():
        Grid.objects.bulk_create(grids, batch_size=BATCH_SIZE)
    return len(grids)
