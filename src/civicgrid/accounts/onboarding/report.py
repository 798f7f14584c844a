"""The per-row report of a staff onboarding run: statuses, rows, counts, spreadsheet rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class RowStatus(models.TextChoices):
    CREATED = "created", gettext_lazy("新建账号")
    ROLE_ADDED = "role_added", gettext_lazy("已有账号，新增岗位")
    EXISTING = "existing", gettext_lazy("已存在，未更改")
    ERROR = "skipped_error", gettext_lazy("出错，已跳过")


# What a status means when nothing was written (a check, or an all-or-nothing file with errors).
PLANNED_LABELS = {
    RowStatus.CREATED: gettext_lazy("将新建账号"),
    RowStatus.ROLE_ADDED: gettext_lazy("将为已有账号新增岗位"),
    RowStatus.EXISTING: gettext_lazy("已存在，无需更改"),
    RowStatus.ERROR: gettext_lazy("有错误"),
}
REPORT_HEADERS = (
    gettext_lazy("行号"),
    gettext_lazy("结果"),
    gettext_lazy("说明"),
    gettext_lazy("姓名"),
    gettext_lazy("手机号码"),
    gettext_lazy("机构"),
    gettext_lazy("角色"),
)


@dataclass
class RowResult:
    """What became of one data row. `mobile` is masked: reports are stored and downloaded."""

    number: int
    status: str
    message: str = ""
    name: str = ""
    mobile: str = ""
    organisation: str = ""
    role: str = ""

    def as_list(self) -> list[Any]:
        return [
            self.number,
            self.status,
            self.message,
            self.name,
            self.mobile,
            self.organisation,
            self.role,
        ]

    @classmethod
    def from_list(cls, values: Sequence[Any]) -> RowResult:
        return cls(*values)


@dataclass
class OnboardingReport:
    """The per-row report of one run; `written` says whether any change was committed."""

    mode: str
    dry_run: bool
    written: bool
    rows: list[RowResult]
    warnings: list[str] = field(default_factory=list)
    new_organisations: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {status.value: self.count(status) for status in RowStatus}

    @property
    def errors(self) -> list[RowResult]:
        return [row for row in self.rows if row.status == RowStatus.ERROR]

    def summary(self) -> str:
        return _(
            "新建账号 %(created)d，新增岗位 %(role_added)d，已存在 %(existing)d，出错 %(errors)d"
        ) % {
            "created": self.count(RowStatus.CREATED),
            "role_added": self.count(RowStatus.ROLE_ADDED),
            "existing": self.count(RowStatus.EXISTING),
            "errors": self.count(RowStatus.ERROR),
        }


def status_label(status: str, *, written: bool) -> str:
    """The words for a row's status in a report: done ("新建账号") or planned ("将新建账号")."""
    try:
        member = RowStatus(status)
    except ValueError:
        return status
    return str(member.label if written else PLANNED_LABELS[member])


def report_rows(rows: Iterable[RowResult], *, written: bool) -> Iterator[list[Any]]:
    """Rows for `core.spreadsheets.write_report` under `REPORT_HEADERS`."""
    for row in rows:
        values = row.as_list()
        values[1] = status_label(row.status, written=written)
        yield values
