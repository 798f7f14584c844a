"""The staff board's xlsx export: every errand the user oversees, personal data masked.

One community's errands are a few hundred rows, so the file is written in the request; the
export is audited like every other export of personal data.
"""

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.spreadsheets import XLSX_CONTENT_TYPE, write_report
from civicgrid.errands.models import Errand
from civicgrid.errands.selectors import board_errands, masked_name

MAX_ROWS = 20_000
_L = gettext_lazy
HEADERS = [
    _L("编号"), _L("社区/村代码"), _L("类型"), _L("状态"), _L("发布时间"), _L("最晚送达"), _L("住址"),
    _L("联系人"), _L("联系电话"), _L("物品"), _L("预算（元）"), _L("垫付金额（元）"), _L("志愿者"),
    _L("认领时间"), _L("送达时间"), _L("确认时间"), _L("发布方式"),
]  # fmt: skip


def _local(value: Any) -> Any:
    return timezone.localtime(value).replace(tzinfo=None) if value else ""


def _row(errand: Errand) -> list[object]:
    items = "、".join(f"{i.name}×{i.quantity}{i.unit}" for i in errand.items.all())
    volunteer = errand.volunteer
    return [
        errand.pk, errand.division_code, errand.get_kind_display(), errand.get_status_display(),
        _local(errand.created_at), _local(errand.window_end), errand.address,
        masked_name(errand.contact_name), str(errand.contact_mobile or ""), items, errand.budget,
        errand.amount_advanced if errand.amount_advanced is not None else "",
        (volunteer.full_name or volunteer.username) if volunteer else "",
        _local(errand.claimed_at), _local(errand.delivered_at), _local(errand.confirmed_at),
        errand.get_posted_via_display(),
    ]  # fmt: skip


def errand_report(user: Any, *, request: HttpRequest | None = None) -> tuple[bytes, str]:
    """The xlsx bytes and a file name; audited (the rows, masked, in the details)."""
    errands = (
        board_errands(user)
        .select_related("volunteer")
        .prefetch_related("items")
        .order_by("-created_at", "-id")[:MAX_ROWS]
    )
    rows = [_row(errand) for errand in errands]
    content = write_report(rows, HEADERS, title=_("代购需求"))
    with transaction.atomic():
        record_audit(
            actor=user,
            action=AuditAction.EXPORT,
            target=("errands.errand", "*"),
            request=request,
            details={"rows": len(rows), "unmasked": False},
        )
    return content, f"代购需求-{timezone.localdate():%Y%m%d}.xlsx"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
