"""One-click xlsx exports of the dashboard's lists, names masked, numbers never included.

A community's lists are a few thousand rows at most, so the file is written in the request;
every export is audited like any other export of personal data.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.community import dashboards
from civicgrid.community.masking import masked_name
from civicgrid.community.models import Alert, PassRecord
from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.scoping import jurisdiction_q
from civicgrid.core.spreadsheets import write_report
from civicgrid.population.selectors import LIST_ORDER
from civicgrid.regions.models import Division

MAX_ROWS = 20_000


def _local(value: Any) -> Any:
    return timezone.localtime(value).replace(tzinfo=None) if value else ""


@dataclass(frozen=True)
class ListQuery:
    """How the page showing a list has it filtered and ordered, so its export holds the same
    rows: only the residents' list has either (`dashboards.RESIDENT_FILTERS`)."""

    show: str = ""
    busiest_first: bool = True


def _passes(user: Any, area: Division, query: ListQuery) -> Iterable[list[object]]:
    start, end = dashboards.day_bounds(timezone.localdate())
    records = (
        PassRecord.objects.visible_to(user)
        .filter(jurisdiction_q([area.code]), scanned_at__gte=start, scanned_at__lt=end)
        .select_related("checkpoint", "person")
        .order_by("scanned_at")[:MAX_ROWS]
    )
    for r in records:
        yield [
            _local(r.scanned_at), r.checkpoint.name, r.get_direction_display(),
            masked_name(r.display_name), r.get_kind_display(), r.get_proof_display(),
            r.temperature or "", _("已更正作废") if r.voided_at else "",
        ]  # fmt: skip


def _unreported(user: Any, area: Division, query: ListQuery) -> Iterable[list[object]]:
    households = dashboards.unreported_households(user, area.code, timezone.localdate())
    for h in households.select_related("head", "grid").order_by(*LIST_ORDER)[:MAX_ROWS]:
        yield [h.address, masked_name(h.head.name) if h.head else "", h.grid.name if h.grid else ""]


def _alerts(user: Any, area: Division, query: ListQuery) -> Iterable[list[object]]:
    alerts = (
        Alert.objects.visible_to(user)
        .filter(jurisdiction_q([area.code]))
        .select_related("rule", "household")
        .order_by("-created_at")[:MAX_ROWS]
    )
    for a in alerts:
        yield [
            _local(a.created_at), a.rule.get_kind_display(), a.household.address if a.household else "",
            a.detail, a.get_status_display(), a.finding, _local(a.resolved_at),
        ]  # fmt: skip


def _fever(user: Any, area: Division, query: ListQuery) -> Iterable[list[object]]:
    for e in dashboards.fever_entries(user, area.code, timezone.localdate()):
        yield [
            e.report.household.address,
            masked_name(e.person.name),
            e.temperature,
            "、".join(e.symptoms),
        ]


def _residents(user: Any, area: Division, query: ListQuery) -> Iterable[list[object]]:
    rows = dashboards.resident_rows(
        user, area.code, today=timezone.localdate(), busiest_first=query.busiest_first,
        show=query.show,
    )  # fmt: skip
    health = {None: _("未报告"), True: _("发热"), False: _("正常")}
    for p in rows[:MAX_ROWS]:
        yield [
            masked_name(p.name), p.household.address if p.household else "", p.exits_this_week,
            p.disinfections_this_week, p.fever_days, health[p.fever_today],
            _("是") if p.under_observation else "",
        ]  # fmt: skip


@dataclass(frozen=True)
class ListExport:
    title: Any
    headers: list[Any]
    rows: Callable[[Any, Division, ListQuery], Iterable[list[object]]]


LISTS = {
    "passes": ListExport(
        _("今日出入记录"),
        [
            _("时间"),
            _("卡口"),
            _("方向"),
            _("姓名"),
            _("类别"),
            _("验证方式"),
            _("体温"),
            _("备注"),
        ],
        _passes,
    ),
    "unreported": ListExport(_("今日未报告住户"), [_("住址"), _("户主"), _("网格")], _unreported),
    "alerts": ListExport(
        _("预警"),
        [_("预警时间"), _("规则"), _("住址"), _("情况"), _("状态"), _("核实情况"), _("核实时间")],
        _alerts,
    ),
    "fever": ListExport(_("今日发热人员"), [_("住址"), _("姓名"), _("体温"), _("症状")], _fever),
    "residents": ListExport(
        _("居民一览"),
        [
            _("姓名"),
            _("住址"),
            _("本周外出"),
            _("家庭本周消毒"),
            _("近 14 天发热（天）"),
            _("今日健康"),
            _("医学观察"),
        ],
        _residents,
    ),
}


def export_list(
    user: Any, kind: str, area: Division, *, query: ListQuery = ListQuery(),
    request: HttpRequest | None = None,
) -> bytes:  # fmt: skip
    """The xlsx bytes of one list, as `query` filters it; audited with the row count."""
    spec = LISTS[kind]
    rows = list(spec.rows(user, area, query))
    content = write_report(rows, spec.headers, title=spec.title)
    with transaction.atomic():
        record_audit(
            actor=user,
            action=AuditAction.EXPORT,
            target=("community." + kind, area.code),
            division_code=area.code,
            request=request,
            details={"rows": len(rows), "unmasked": False, "list": kind, "show": query.show},
        )
    return content
