"""Generated people: the demo register, and province-scale registers for benchmarks.

Nobody here is real. Names are drawn from Faker's zh_CN lists with a seeded generator (the
surname frequencies are Faker's), ID numbers are made by `core.idcard.make_id_number` (valid,
with the birth date and sex they encode), and mobile numbers are counted up from the
1990 001 0000 block (1990 000 xxxx holds the demo accounts'); none is a real person's.

Households are plausible and ages consistent: elderly people living alone, couples, couples
with children (born when their mother was 22–38), three generations with the head's elderly
parents, young people on their own, and tenants; tags follow age and household (儿童 under 14,
独居老人 for the over-65s living alone, some 慢性病 from 55, a few 残疾人, 孕产妇, 重点人员).
Urban communities (居民委员会) get building / unit / room addresses, villages door plates on
their streets.

- `do_load_demo_population()`: every grid of the demo areas (`civicgrid demo`) with about 330
  households, imported through the register's bulk path (`population.importing`), and the demo
  grid workers assigned to grids of their community. Deterministic and idempotent: a second run
  finds every grid populated and returns at once.
- `write_register_csv(path, persons=...)`: the same generator over real Hebei communities
  (the packaged division file), as a CSV a clerk would upload, optionally with the usual
  spreadsheet damage; for `bench/bench_import_people.py`.
"""

from __future__ import annotations

import bisect
import csv
import datetime
import itertools
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from faker.providers.person.zh_CN import Provider as ChineseNames

from civicgrid.core.idcard import make_id_number

SEED = 2020
HOUSEHOLDS_PER_GRID = 330
# Birth dates are drawn against a fixed day, so the demo is the same whenever it is loaded.
REFERENCE_DATE = datetime.date(2024, 6, 30)
DEMO_AREAS = ("131128100000", "130371005000")  # 阜城镇, 船厂路街道 (regions' demo grids)
GRID_WORKERS = ("grid_worker_1", "grid_worker_2")
GRID_WORKER_COMMUNITY = "131128100001"  # 东南关居民委员会, as in accounts.demo
FIRST_MOBILE = 1990_001_0000
VILLAGE_STREETS = ("前街", "后街", "东街", "西街", "中心街", "南大街", "北大街", "新村路")

HEADERS = (
    "姓名", "公民身份号码", "联系电话", "社区/村代码", "社区/村", "楼栋", "单元", "门牌/房号",
    "与户主关系", "人口类型", "标签", "网格",
)  # fmt: skip


@dataclass(frozen=True)
class Place:
    """Where generated households go: a community (and maybe one of its grids)."""

    code: str
    name: str
    households: int
    grid: str = ""
    first_building: int = 1  # urban: buildings are numbered on across a community's grids

    @property
    def urban(self) -> bool:
        return "居民委员会" in self.name or "社区" in self.name


class PeopleGenerator:
    """Households of generated people, as register rows (`HEADERS`), deterministic per seed."""

    def __init__(self, seed: int = SEED, *, first_mobile: int = FIRST_MOBILE) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
        surnames = list(ChineseNames.last_names.items())
        self.surnames = [name for name, _weight in surnames]
        self.surname_weights = list(itertools.accumulate(weight for _name, weight in surnames))
        self.male_names = list(ChineseNames.first_names_male)
        self.female_names = list(ChineseNames.first_names_female)
        self.next_mobile = first_mobile
        self.used: set[tuple[str, int]] = set()  # (region + birth date, sequence)

    # --- people --------------------------------------------------------------------------------

    def surname(self) -> str:
        point = self.rng.random() * self.surname_weights[-1]
        return self.surnames[bisect.bisect_left(self.surname_weights, point)]

    def given_name(self, male: bool) -> str:
        return self.rng.choice(self.male_names if male else self.female_names)

    def id_number(self, region: str, born: datetime.date, male: bool) -> str:
        key = f"{region}{born:%Y%m%d}"
        while True:
            sequence = self.rng.randrange(1 if male else 2, 1000, 2)
            if (key, sequence) not in self.used:
                self.used.add((key, sequence))
                return make_id_number(region, born, sequence)

    def mobile(self) -> str:
        number = self.next_mobile
        self.next_mobile += 1
        return str(number)

    def birth_date(self, age: int) -> datetime.date:
        day = REFERENCE_DATE - datetime.timedelta(days=age * 365 + self.rng.randrange(365))
        return max(day, datetime.date(1925, 1, 1))

    # --- households ----------------------------------------------------------------------------

    def household(self, place: Place, address: tuple[str, str, str]) -> list[list[str]]:
        """One household's rows."""
        rng = self.rng
        kind = rng.random()
        tenant = False
        members: list[tuple[str, int, bool, str]] = []  # (relationship, age, male, surname)
        head_male = rng.random() < 0.7
        family = self.surname()
        if kind < 0.12:  # an elderly person living alone
            members.append(("户主", rng.randint(65, 92), rng.random() < 0.4, family))
        elif kind < 0.20:  # a young adult on their own, often renting
            tenant = rng.random() < 0.6
            members.append(("户主", rng.randint(19, 34), head_male, family))
        elif kind < 0.38:  # a couple
            age = rng.randint(24, 80)
            members += [("户主", age, head_male, family),
                        ("配偶", max(20, age + rng.randint(-5, 5)), not head_male, self.surname())]  # fmt: skip
        elif kind < 0.72:  # a couple with children
            age = rng.randint(26, 52)
            members += [("户主", age, head_male, family),
                        ("配偶", max(22, age + rng.randint(-4, 4)), not head_male, self.surname())]  # fmt: skip
            mother = min(age for rel, age, male, _s in members if not male)
            for _child in range(rng.choice((1, 1, 2, 2, 3))):
                child_age = mother - rng.randint(22, 38)
                if child_age >= 0:
                    members.append(("子女", child_age, rng.random() < 0.52, family))
        elif kind < 0.88:  # three generations: the head's parents live with them
            age = rng.randint(32, 55)
            members += [("户主", age, head_male, family),
                        ("配偶", max(24, age + rng.randint(-4, 4)), not head_male, self.surname())]  # fmt: skip
            parent_age = min(95, age + rng.randint(22, 35))
            members.append(("父母", parent_age, True, family))
            if rng.random() < 0.75:
                members.append(
                    ("父母", max(parent_age - rng.randint(-3, 5), age + 20), False, self.surname())
                )
            mother = min(age for rel, age, male, _s in members[:2] if not male)
            for _child in range(rng.choice((1, 1, 2))):
                child_age = mother - rng.randint(22, 36)
                if child_age >= 0:
                    members.append(("子女", child_age, rng.random() < 0.52, family))
        else:  # tenants sharing a flat
            tenant = True
            for index in range(rng.randint(1, 3)):
                members.append(("户主" if index == 0 else "租户", rng.randint(20, 45),
                                rng.random() < 0.55, self.surname()))  # fmt: skip
        residence = "户籍人口" if rng.random() < 0.85 else "常住非户籍人口"
        if tenant:
            residence = "暂住人口" if rng.random() < 0.6 else "常住非户籍人口"
        region = place.code[:6]
        alone = len(members) == 1
        rows = []
        for relationship, age, male, surname in members:
            born = self.birth_date(age)
            name = surname + self.given_name(male)
            tags = []
            if age < 14:
                tags.append("儿童")
            if alone and age >= 65:
                tags.append("独居老人")
            if age >= 55 and rng.random() < 0.22:
                tags.append("慢性病")
            if rng.random() < 0.015:
                tags.append("残疾人")
            if (
                not male
                and 22 <= age <= 38
                and relationship in ("户主", "配偶")
                and rng.random() < 0.04
            ):
                tags.append("孕产妇")
            if age >= 18 and rng.random() < 0.005:
                tags.append("重点人员")
            has_mobile = 16 <= age <= 75 or (age > 75 and rng.random() < 0.4)
            rows.append([
                name, self.id_number(region, born, male), self.mobile() if has_mobile else "",
                place.code, place.name, *address, relationship, residence, "、".join(tags),
                place.grid,
            ])  # fmt: skip
        return rows

    def addresses(self, place: Place) -> Iterator[tuple[str, str, str]]:
        """Distinct addresses for a place's households."""
        if place.urban:
            building = place.first_building
            while True:
                for unit, floor, door in itertools.product((1, 2), range(1, 7), (1, 2)):
                    yield f"{building}号楼", f"{unit}单元", f"{floor}0{door}"
                building += 1
        for number in itertools.count(1):
            for street in VILLAGE_STREETS:
                yield "", "", f"{street}{number}号"

    def rows(self, places: Sequence[Place]) -> Iterator[list[str]]:
        for place in places:
            addresses = self.addresses(place)
            for _household in range(place.households):
                yield from self.household(place, next(addresses))


# --- the demo register -----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoPopulationResult:
    persons: int = 0
    households: int = 0
    grid_assignments: int = 0
    seconds: float = 0.0


def demo_places(households_per_grid: int = HOUSEHOLDS_PER_GRID) -> list[Place]:
    """One place per grid of the demo areas, buildings numbered on within each community."""
    from civicgrid.core import division_codes
    from civicgrid.regions.models import Grid

    places = []
    for area in DEMO_AREAS:
        low, high = division_codes.subtree_range(area)
        grids = (
            Grid.objects.filter(division_code__gte=low, division_code__lte=high)
            .select_related("division")
            .order_by("division_code", "number")
        )
        for grid in grids:
            buildings = -(-households_per_grid // 24)  # 24 flats per building
            places.append(
                Place(
                    code=grid.division_code,
                    name=grid.division.name,
                    households=households_per_grid,
                    grid=grid.name,
                    first_building=1 + (grid.number - 1) * buildings,
                )
            )
    return places


def demo_population_missing() -> bool:
    """Whether any demo grid still has no household (one indexed query)."""
    from civicgrid.core import division_codes
    from civicgrid.regions.models import Grid

    for area in DEMO_AREAS:
        low, high = division_codes.subtree_range(area)
        if Grid.objects.filter(
            division_code__gte=low, division_code__lte=high, households__isnull=True
        ).exists():
            return True
    return False


def do_load_demo_population(
    *,
    households_per_grid: int = HOUSEHOLDS_PER_GRID,
    workers: int | None = None,
    on_start: Callable[[], None] | None = None,
) -> DemoPopulationResult:
    """Populate the demo grids and assign the demo grid workers; see the module docstring.
    `on_start` is called when there is work to do (`civicgrid demo` says so)."""
    started = time.perf_counter()
    result = DemoPopulationResult()
    if demo_population_missing():
        if on_start is not None:
            on_start()
        from civicgrid.population.importing import import_people, propose_mapping
        from civicgrid.population.importing.sources import generated_source

        places = demo_places(households_per_grid)
        estimated = sum(p.households for p in places) * 3
        source = generated_source(
            "演示人口", list(HEADERS), lambda: generator_rows(places), estimated
        )
        report = import_people(
            None, source, mapping=propose_mapping(list(HEADERS)), mode="skip", workers=workers
        )
        result = DemoPopulationResult(
            persons=report.counts.created, households=report.counts.households_created
        )
    assigned = _assign_grid_workers()
    return DemoPopulationResult(
        persons=result.persons,
        households=result.households,
        grid_assignments=assigned,
        seconds=time.perf_counter() - started,
    )


def generator_rows(places: Sequence[Place], seed: int = SEED) -> Iterator[list[str]]:
    """The demo rows, the same on every call (a fresh generator each time)."""
    return PeopleGenerator(seed).rows(places)


def _assign_grid_workers() -> int:
    from civicgrid.accounts.models import User
    from civicgrid.population.actions import do_assign_grid
    from civicgrid.population.models import GridAssignment
    from civicgrid.regions.models import Grid

    grids = list(Grid.objects.filter(division_id=GRID_WORKER_COMMUNITY).order_by("number"))
    users = {u.username: u for u in User.objects.filter(username__in=GRID_WORKERS)}
    if not grids or not users:
        return 0
    assigned = 0
    for index, grid in enumerate(grids):
        user = users.get(GRID_WORKERS[index % len(GRID_WORKERS)])
        if user is None or GridAssignment.objects.filter(grid=grid).exists():
            continue
        do_assign_grid(None, grid=grid, user=user)
        assigned += 1
    return assigned


# --- province-scale files --------------------------------------------------------------------


def hebei_communities(within: str = "13", excluding: str = "") -> list[tuple[str, str]]:
    """(code, name) of every community and village in the packaged Hebei file under `within`
    (and not under `excluding`)."""
    from civicgrid.regions.division_files import PACKAGED_HEBEI, read_division_rows

    return [
        (row.code, row.name)
        for row in read_division_rows(PACKAGED_HEBEI.read_bytes())
        if len(row.code) == 12
        and not row.code.endswith("000")
        and row.code.startswith(within)
        and not (excluding and row.code.startswith(excluding))
    ]


def register_places(
    persons: int, *, within: str = "13", excluding: str = "", seed: int = SEED
) -> list[Place]:
    """Communities drawn from the Hebei file, about 1,000 people (~380 households) each,
    with enough households for `persons` people."""
    rng = random.Random(seed)  # noqa: S311 - demo data
    communities = hebei_communities(within, excluding)
    households = max(1, round(persons / 2.6))  # a few more than needed; the file is cut
    count = max(1, min(len(communities), households // 380))
    chosen = sorted(rng.sample(communities, count))
    per, extra = divmod(households, count)
    return [
        Place(code, name, per + (1 if i < extra else 0)) for i, (code, name) in enumerate(chosen)
    ]


def damage(rows: Iterator[list[str]], share: float, *, seed: int = SEED) -> Iterator[list[str]]:
    """The usual spreadsheet damage on `share` of the rows: IDs turned into scientific notation
    or given a wrong check digit or their 15-digit old form, full-width digits and stray spaces
    (which the importer repairs), mobiles with +86 (accepted), and a row repeated."""
    rng = random.Random(seed + 1)  # noqa: S311 - demo data
    previous: list[str] | None = None
    for row in rows:
        if rng.random() < share:
            row = list(row)
            number = row[1]
            kind = rng.randrange(7)
            if kind == 0:
                row[1] = f"{float(number[:17] + '0'):.5E}"  # 1.31128E+17
            elif kind == 1:
                row[1] = number[:17] + ("0" if number[17] != "0" else "1")
            elif kind == 2:
                row[1] = number[:6] + number[8:17]  # 15-digit first-generation form
            elif kind == 3:
                row[1] = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
            elif kind == 4:
                row[1] = f" {number[:6]} {number[6:]} "
            elif kind == 5 and row[2]:
                row[2] = f"+86 {row[2][:3]}-{row[2][3:7]}-{row[2][7:]}"
            elif kind == 6 and previous is not None:
                row[1] = previous[1]  # the row above's number: a duplicate in the file
        previous = row
        yield row


def write_register_csv(
    target: Path | IO[str],
    *,
    persons: int,
    within: str = "13",
    excluding: str = "",
    seed: int = SEED,
    damaged: float = 0.0,
    encoding: str = "utf-8",
) -> int:
    """Write a register CSV of `persons` people in communities under `within` (the last
    household may be cut short); returns the number of data rows."""
    places = register_places(persons, within=within, excluding=excluding, seed=seed)
    rows: Iterator[list[str]] = itertools.islice(PeopleGenerator(seed).rows(places), persons)
    if damaged:
        rows = damage(rows, damaged, seed=seed)
    headers = [h for h in HEADERS if h != "网格"]

    def write(stream: IO[str]) -> int:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(headers)
        count = 0
        for row in rows:
            writer.writerow(row[: len(headers)])
            count += 1
        return count

    if isinstance(target, Path):
        with target.open("w", encoding=encoding, newline="") as stream:
            return write(stream)
    return write(target)
