"""Read-side queries of the catalogue shared by pages, the API and other apps.

`online_rate(...)` is the online-availability rate (网上可办率): computed from the catalogue and
the cases actually received, never typed in. Of the published items, an item counts as
handleable online when it offers the online channel at depth three (在线预审、网上受理) or
more and — once it has any cases — at least one of them arrived online
(`ServiceItem.cases_total` / `cases_online`, kept by `catalog.actions.do_count_case`). An
item that claims online handling but whose every case came through the counter does not count.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import NoReverseMatch, reverse

from civicgrid.accounts.models import Organisation
from civicgrid.catalog.choices import ItemLevel, ItemStatus
from civicgrid.catalog.models import (
    ONLINE_DEPTH_THRESHOLD,
    LifeEvent,
    ServiceItem,
    ServiceMaterial,
)
from civicgrid.core import division_codes

# The provincial target: at least 95 % of province, city and county items handleable online.
ONLINE_RATE_TARGET = Decimal("95")

HANDLEABLE_ONLINE = (
    Q(online=True)
    & Q(online_depth__gte=ONLINE_DEPTH_THRESHOLD)
    & (Q(cases_total=0) | Q(cases_online__gt=0))
)


def published_items() -> QuerySet[ServiceItem]:
    return ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class OnlineRate:
    """One row of the rate: a level, a department or a total."""

    key: str
    label: str
    items: int
    handleable: int
    cases_total: int
    cases_online: int

    @property
    def percent(self) -> Decimal | None:
        """Share of published items handleable online, in per cent (one decimal)."""
        return _percent(self.handleable, self.items)

    @property
    def cases_online_percent(self) -> Decimal | None:
        """Share of received cases that arrived online."""
        return _percent(self.cases_online, self.cases_total)

    @property
    def meets_target(self) -> bool:
        return self.percent is not None and self.percent >= ONLINE_RATE_TARGET


_AGGREGATES = {
    "items": Count("pk"),
    "handleable": Count("pk", filter=HANDLEABLE_ONLINE),
    "total": Sum("cases_total", default=0),
    "online_cases": Sum("cases_online", default=0),
}


def _scoped(items: QuerySet[ServiceItem] | None, within: str | None) -> QuerySet[ServiceItem]:
    rows = (items if items is not None else ServiceItem.objects.all()).filter(
        status=ItemStatus.PUBLISHED
    )
    if within:
        low, high = division_codes.subtree_range(within)
        rows = rows.filter(division_code__gte=low, division_code__lte=high)
    return rows


def _rate(key: str, label: str, row: dict) -> OnlineRate:  # type: ignore[type-arg]
    return OnlineRate(
        key=key,
        label=label,
        items=row["items"],
        handleable=row["handleable"],
        cases_total=row["total"] or 0,
        cases_online=row["online_cases"] or 0,
    )


def online_rate(
    items: QuerySet[ServiceItem] | None = None, *, within: str | None = None
) -> OnlineRate:
    """The rate over `items` (default: the whole catalogue), optionally inside a division."""
    row = _scoped(items, within).aggregate(**_AGGREGATES)
    return _rate("total", "合计", row)


def online_rates_by_level(
    items: QuerySet[ServiceItem] | None = None, *, within: str | None = None
) -> list[OnlineRate]:
    """One row per division level that has items: province, city, county, township."""
    rows = {
        r["level"]: r
        for r in _scoped(items, within).values("level").order_by().annotate(**_AGGREGATES)
    }
    return [
        _rate(str(level.value), str(level.label), rows[level.value])
        for level in ItemLevel
        if level.value in rows
    ]


def online_rates_by_department(
    items: QuerySet[ServiceItem] | None = None, *, within: str | None = None
) -> list[OnlineRate]:
    """One row per implementing department, lowest rate first (where work is needed)."""
    rows = list(
        _scoped(items, within)
        .values("department_id", "department__name")
        .order_by()
        .annotate(**_AGGREGATES)
    )
    rates = [_rate(str(r["department_id"]), r["department__name"], r) for r in rows]
    return sorted(rates, key=lambda r: (r.percent if r.percent is not None else 0, r.label))


def item_detail(code: str) -> ServiceItem | None:
    """A published item with everything its page shows, or None."""
    return (
        published_items()
        .select_related("department")
        .prefetch_related("materials", "life_events")
        .filter(code=code)
        .first()
    )


def life_events_with_counts() -> list[LifeEvent]:
    """Life events that have published items, each with `item_count`."""
    return list(
        LifeEvent.objects.annotate(
            item_count=Count("items", filter=Q(items__status=ItemStatus.PUBLISHED))
        ).filter(item_count__gt=0)
    )


def departments_with_counts() -> list[Organisation]:
    """Departments implementing published items, each with `item_count`, by division and name."""
    counts = dict(published_items().values_list("department_id").order_by().annotate(n=Count("pk")))
    departments = list(Organisation.objects.filter(pk__in=counts).order_by("division_code", "name"))
    for department in departments:
        department.item_count = counts[department.pk]  # type: ignore[attr-defined]
    return departments


def template_url(material: ServiceMaterial) -> str | None:
    """Where the material's blank template downloads, or None without one."""
    if not material.template:
        return None
    return reverse("catalog:material_template", args=[material.item.code, material.pk])


def normalised_within(within: str | None) -> str | None:
    """A division code given as a filter, as 12 digits; ValueError (Chinese) when malformed."""
    if not within:
        return None
    try:
        return division_codes.normalize_code(within)
    except division_codes.InvalidDivisionCode as exc:
        raise ValueError(str(exc)) from exc


def optional_url(name: str, *args: object) -> str | None:
    """`reverse(name, args)`, or None while the app owning the page is not installed yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None
