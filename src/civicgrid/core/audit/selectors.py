"""Reading the audit trail: the staff search and a resident's "谁查看了我的数据".

Both pages page by keyset (`seq < before`, newest first) rather than by page number: no
COUNT(*) over millions of rows, and a page stays correct while records are appended.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.audit.models import AuditRecord
from civicgrid.core.division_codes import subtree_range

PAGE_SIZE = 50
RESIDENT_PAGE_SIZE = 20


@dataclass(frozen=True)
class RecordPage:
    items: list[Any]
    next_before: int | None  # pass as `before` to get the next (older) page


def _page(queryset: QuerySet[Any, Any], before: int | None, size: int) -> RecordPage:
    if before is not None:
        queryset = queryset.filter(seq__lt=before)
    items = list(queryset.order_by("-seq")[: size + 1])
    if len(items) <= size:
        return RecordPage(items, None)
    items = items[:size]
    last = items[-1]
    return RecordPage(items, last["seq"] if isinstance(last, dict) else last.seq)


def _start_of(day: date) -> datetime:
    """Midnight at the start of `day` in the current time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def search_records(filters: dict[str, Any], *, before: int | None = None) -> RecordPage:
    """Records matching the cleaned `AuditSearchForm` data, newest first."""
    queryset = AuditRecord.objects.all()
    exact = {
        "action": "action",
        "actor": "actor_label",
        "subject_key": "subject_key",
        "target_type": "target_type",
        "target_id": "target_id",
        "request_id": "request_id",
    }
    for name, field in exact.items():
        if value := (filters.get(name) or "").strip():
            queryset = queryset.filter(**{field: value})
    if filters.get("date_from"):
        queryset = queryset.filter(created_at__gte=_start_of(filters["date_from"]))
    if filters.get("date_to"):
        queryset = queryset.filter(created_at__lt=_start_of(filters["date_to"] + timedelta(1)))
    if filters.get("division_code"):
        low, high = subtree_range(filters["division_code"])
        queryset = queryset.filter(division_code__gte=low, division_code__lte=high)
    return _page(queryset, before, PAGE_SIZE)


# What a resident is shown of a read of their data. The actor's account and username are
# deliberately absent: staff are protected too (a resident who knows the name of the grid
# worker who looked them up could harass them). The organisation and role, the time and the
# reason say whether the read was legitimate; a complaint goes to the organisation, which
# finds the person through the full record.
RESIDENT_FIELDS = ("seq", "created_at", "action", "actor_organisation", "actor_role", "reason")


def reads_of_my_data(user: Any, *, before: int | None = None) -> RecordPage:
    """Reads of `user`'s data by others, newest first, as dicts of RESIDENT_FIELDS only."""
    queryset = (
        AuditRecord.objects.reads_of(user.audit_subject_keys())
        .exclude(actor_id=user.pk)  # their own look at their own data is not news to them
        .values(*RESIDENT_FIELDS)
    )
    page = _page(queryset, before, RESIDENT_PAGE_SIZE)
    for item in page.items:
        item["action_label"] = AuditAction(item["action"]).label
    return page
