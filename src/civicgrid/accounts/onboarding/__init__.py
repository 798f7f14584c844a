"""Bulk onboarding of staff from a spreadsheet: accounts, organisations and roles in one go.

The source province registered 12,000 staff in two days this way. An administrator uploads a
sheet (page `/accounts/onboarding/`, command `civicgrid manage onboard_staff`); each data row
names one person and one role:

| column (accepted headers)                       | rule |
|---|---|
| 姓名 / name                                       | required, at most 50 characters, no digits (a digit means the columns slipped); spaces inside an all-Chinese name are dropped (`张  三` → `张三`) |
| 手机号码 / 手机号 / 联系电话 / mobile             | required; normalised by `core.mobile` (spreadsheet damage such as `1.38123E+10` is refused); the same number twice in one file is an error on the later row |
| 机构 / 单位 / organisation                        | required; see "organisations" below |
| 机构类型 / organisation_type                      | optional; a label of `OrganisationType` (`疾病预防控制中心`) or its code (`cdc`) |
| 机构区划代码 / organisation_division_code         | optional; where the organisation sits, when the name alone is ambiguous |
| 角色 / 岗位 / role                                | required; a label of `Role` (`网格员`) or its code (`grid_worker`); must suit the organisation's type |
| 区划代码 / division_code                          | required; 12 digits or the significant prefix (`131128`); must exist; becomes the jurisdiction and must lie inside the organisation's division |

Organisations. An organisation is identified by its exact name and its division. Without an
organisation division column, the row's division and then its ancestors are searched upwards,
and the nearest organisation of that name wins: a grid worker of `131128100001` finds
"东南关居民委员会" in that community, a county officer of `131128100000` finds
"阜城县疫情防控办公室" in the county above. When no organisation is found and the row gives an
organisation type, the organisation is created in the organisation division (if given) or in
the row's division; without a type the row is an error, which names the place where an
organisation of that name does exist (the usual cause: a division outside the organisation).
A type that contradicts an existing organisation's type is an error, never a silent change.

People. The mobile number identifies the person. A new number gets an account: username = the
number, full name = the name, no usable password (staff sign in the first time with their
number and an SMS code at /accounts/login/code/ and may set a password later), and an SMS plus
an inbox message (`staff_account_opened`). An existing account with that number is reused and
given the role ("已有账号，新增岗位", inbox message `staff_role_added`); if it already holds the
role with the same jurisdiction the row is reported "已存在" and nothing changes, so running
the same file twice duplicates nothing. An existing account whose registered name differs from
the sheet's is refused (a mistyped number must not hand a stranger a role); one with no name
gets the sheet's; a resident account becomes a staff account; a disabled account is refused.

Who may import where. The actor must be a superuser or an administrator; an administrator only
onboards into organisations and jurisdictions inside the jurisdictions of their administrator
roles. `actor=None` is the system (the management command run without `--actor`).

Modes and transactions. Every row is validated first against look-ups made once for the whole
file (divisions with their ancestors, organisations by name, accounts by mobile hash, their
roles), so a 12,000-row file costs a handful of queries before any write. Then:
- "skip": rows are written in chunks of `WRITE_CHUNK`, one transaction per chunk and a
  savepoint per row, so a bad row changes nothing, good rows are kept, and the SQLite write
  lock is never held for long while others use the site;
- "all_or_nothing": if any row has an error nothing is written; otherwise everything is written
  in one transaction, and a row failing there (a concurrent import took the number) rolls all
  back. That transaction holds the SQLite write lock and the audit chain head (every audited
  write of the platform queues behind it) for the whole write, about 40 s for 12,000 rows on
  the 2-core development machine: prefer "skip" for large files while the site is in use;
- `dry_run=True` ("仅检查"): validation only; the report says what would happen.
Organisations created for a row belong to that row's savepoint. The role grants write their own
audit records (`do_grant_role`); the run adds one `import` record with the counts. Notifications
are written per chunk, one `notify` per (template, organisation, role), which queues its texts
with `transaction.on_commit`: text messages go out only for rows that were committed.

Measured by `bench/bench_onboarding.py` (12,000 generated rows, all of Hebei's divisions).

The package: `rows` (columns, parsing one row), `planning` (look-ups, scope, what each row
does), `actions` (writing, `do_onboard_staff`, the batches of the page and its task),
`report` (statuses and the per-row report).
"""

from civicgrid.accounts.onboarding.actions import (
    do_onboard_staff,
    do_run_onboarding_batch,
    do_start_onboarding_batch,
    read_onboarding_table,
    unknown_column_warnings,
)
from civicgrid.accounts.onboarding.report import (
    PLANNED_LABELS,
    REPORT_HEADERS,
    OnboardingReport,
    RowResult,
    RowStatus,
    report_rows,
    status_label,
)
from civicgrid.accounts.onboarding.rows import COLUMNS, clean_name

__all__ = [
    "COLUMNS",
    "PLANNED_LABELS",
    "REPORT_HEADERS",
    "OnboardingReport",
    "RowResult",
    "RowStatus",
    "clean_name",
    "do_onboard_staff",
    "do_run_onboarding_batch",
    "do_start_onboarding_batch",
    "read_onboarding_table",
    "report_rows",
    "status_label",
    "unknown_column_warnings",
]
