"""Onboard staff from a spreadsheet on the command line, with a progress bar in the terminal.

    civicgrid manage onboard_staff staff.xlsx                     # skip bad rows, keep the rest
    civicgrid manage onboard_staff staff.xlsx --all-or-nothing    # any bad row: write nothing
    civicgrid manage onboard_staff staff.xlsx --check             # validate only
    civicgrid manage onboard_staff staff.xlsx --actor fucheng_admin --report result.xlsx

Without --actor the import runs as the system, unrestricted; with it, the rules and the scope of
that administrator apply, as on the page. The rules are `accounts.onboarding`'s.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from civicgrid.accounts.models import OnboardingBatch
from civicgrid.accounts.onboarding import (
    REPORT_HEADERS,
    RowStatus,
    do_onboard_staff,
    read_onboarding_table,
    report_rows,
    status_label,
    unknown_column_warnings,
)
from civicgrid.core.commands import command_actor, read_command_file
from civicgrid.core.spreadsheets import SpreadsheetError, write_report_to

BAR_WIDTH = 30
ERRORS_PRINTED = 50


class TerminalBar:
    """`[#########---------]  45%  5400/12000  310 行/秒` redrawn in place on a terminal, and a
    plain line every tenth on anything else (a log file)."""

    def __init__(self, stream, total: int) -> None:  # type: ignore[no-untyped-def]
        self.stream = stream
        self.total = total
        self.started = time.monotonic()
        self.tty = stream.isatty()
        self.last_tenth = -1

    def __call__(self, done: int, total: int) -> None:
        share = done / total if total else 1
        rate = done / max(time.monotonic() - self.started, 1e-6)
        text = f"{share:4.0%}  {done}/{total}  {rate:.0f} 行/秒"
        if self.tty:
            filled = round(BAR_WIDTH * share)
            self.stream.write(f"\r[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {text}", ending="")
            self.stream.flush()
        elif int(share * 10) > self.last_tenth:
            self.last_tenth = int(share * 10)
            self.stream.write(text)

    def close(self) -> None:
        if self.tty:
            self.stream.write("")


class Command(BaseCommand):
    help = "从表格批量开通工作人员账号并设置岗位（列：姓名、手机号码、机构、机构类型、角色、区划代码）。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", type=Path, help=".xlsx、.xls、.ods 或 .csv 文件")
        parser.add_argument(
            "--all-or-nothing", action="store_true", help="任何一行出错则全部不导入"
        )
        parser.add_argument("--check", action="store_true", help="只检查，不写入")
        parser.add_argument("--actor", help="以该管理员身份导入（受其管辖范围限制）")
        parser.add_argument("--report", type=Path, help="把逐行结果写入该 .xlsx 文件")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        path: Path = options["file"]
        data = read_command_file(path)
        actor = command_actor(options["actor"])
        try:
            table = read_onboarding_table(data, path.name)
        except SpreadsheetError as exc:
            raise CommandError(str(exc)) from exc
        for warning in unknown_column_warnings(table):
            self.stderr.write(warning)
        self.stdout.write(
            f"读取 {len(table.records)} 行数据，正在{'检查' if options['check'] else '导入'}……"
        )
        bar = TerminalBar(self.stderr, len(table.records))
        mode = (
            OnboardingBatch.Mode.ALL_OR_NOTHING
            if options["all_or_nothing"]
            else OnboardingBatch.Mode.SKIP
        )
        try:
            report = do_onboard_staff(
                actor,
                table.records,
                mode=mode,
                dry_run=options["check"],
                on_progress=bar,
                source=path.name,
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        for row in report.errors[:ERRORS_PRINTED]:
            self.stderr.write(f"第 {row.number} 行：{row.message}")
        if len(report.errors) > ERRORS_PRINTED:
            self.stderr.write(f"……另有 {len(report.errors) - ERRORS_PRINTED} 行出错")
        if options["report"]:
            with options["report"].open("wb") as target:
                write_report_to(
                    target, report_rows(report.rows, written=report.written), REPORT_HEADERS
                )
            self.stdout.write(f"逐行结果已写入 {options['report']}")
        summary = "；".join(
            f"{status_label(s, written=report.written)} {report.count(s)}" for s in RowStatus
        )
        if report.written:
            self.stdout.write(self.style.SUCCESS(f"导入完成：{summary}"))
        elif options["check"]:
            self.stdout.write(f"检查完成，未写入：{summary}")
        else:
            self.stdout.write(self.style.WARNING(f"未写入任何数据：{summary}"))
