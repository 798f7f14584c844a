"""Import a population register from a spreadsheet, with a progress bar in the terminal.

    civicgrid import-people 台账.csv                          # skip bad rows, import the rest
    civicgrid import-people 台账.xlsx --all-or-nothing        # any bad row: write nothing
    civicgrid import-people 台账.csv --dry-run --report 问题.xlsx
    civicgrid import-people 台账.csv --community 131128100001 # rows without a community go here
    civicgrid import-people 台账.csv --column "证件=公民身份号码" --column "备注="

(`civicgrid import-people` runs this command: `civicgrid manage import_people ...`.)
Without --actor the import runs as the system, unrestricted; with it, the jurisdiction of that
user applies, as on the page. The rules are `population.importing`'s; a CSV of any size is
streamed, a workbook is read whole (up to 100 MB).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from civicgrid.accounts.models import User
from civicgrid.core.spreadsheets import SpreadsheetError, header_key
from civicgrid.population.importing.columns import COLUMNS, column_label, propose_mapping
from civicgrid.population.importing.rows import problem_text
from civicgrid.population.importing.run import import_people
from civicgrid.population.importing.sources import open_source

BAR_WIDTH = 30
PROBLEMS_PRINTED = 50


class TerminalBar:
    """`[#########---------]  45%  450000/1000000  31000 行/秒  已检查 …` redrawn in place on a
    terminal, a plain line every tenth elsewhere (a log file)."""

    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        self.stream = stream
        self.started = time.monotonic()
        self.tty = stream.isatty()
        self.last_tenth = -1

    def __call__(self, done: int, total: int, message: str) -> None:
        share = done / total if total else 1.0
        rate = done / max(time.monotonic() - self.started, 1e-6)
        text = f"{share:4.0%}  {done}/{total}  {rate:.0f} 行/秒  {message}"
        if self.tty:
            filled = round(BAR_WIDTH * share)
            self.stream.write(
                f"\r[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {text}\x1b[K", ending=""
            )
            self.stream.flush()
        elif int(share * 10) > self.last_tenth:
            self.last_tenth = int(share * 10)
            self.stream.write(text)

    def close(self) -> None:
        if self.tty:
            self.stream.write("")


def parse_columns(headers: list[str], corrections: list[str]) -> dict[int, str]:
    """The proposed mapping with `表头=列` corrections applied (`表头=` leaves a column out)."""
    mapping = propose_mapping(headers)
    keys = {header_key(k): c.key for c in COLUMNS for k in (c.key, str(c.label), *c.aliases)}
    for correction in corrections:
        header, sep, target = correction.partition("=")
        if not sep:
            raise CommandError(f"--column 应写成“表头=列名”，收到 {correction!r}")
        positions = [i for i, h in enumerate(headers) if header_key(h) == header_key(header)]
        if not positions:
            raise CommandError(f"表头中没有“{header}”，现有：{'、'.join(headers)}")
        if not target.strip():
            mapping.pop(positions[0], None)
            continue
        key = keys.get(header_key(target))
        if key is None:
            raise CommandError(
                f"无法识别列名“{target}”，可用：{'、'.join(str(c.label) for c in COLUMNS)}"
            )
        mapping = {p: k for p, k in mapping.items() if k != key}
        mapping[positions[0]] = key
    return mapping


class Command(BaseCommand):
    help = "从表格（.xlsx、.xls、.ods、.csv）导入人口台账：按公民身份号码新增或更新人员，按户归并。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", type=Path, help="人口登记表")
        parser.add_argument(
            "--community",
            default="",
            help="社区/村代码：没有社区列的行归入该社区；乡镇或县代码：只在其范围内按名称查找社区",
        )
        parser.add_argument(
            "--all-or-nothing", action="store_true", help="任何一行出错则全部不导入"
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--actor", help="以该用户身份导入（受其管辖范围限制）")
        parser.add_argument("--report", type=Path, help="把问题清单写入该 .xlsx 文件")
        parser.add_argument("--column", action="append", default=[], help="纠正列的对应：表头=列名")
        parser.add_argument("--workers", type=int, help="校验用的进程数（默认：大文件用全部 CPU）")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}")
        actor = None
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"], is_active=True).first()
            if actor is None:
                raise CommandError(f"找不到启用的用户 {options['actor']}")
        try:
            source = open_source(file_name=path.name, path=path)
        except SpreadsheetError as exc:
            raise CommandError(str(exc)) from exc
        mapping = parse_columns(source.headers, options["column"])
        for warning in source.warnings:
            self.stderr.write(warning)
        shown = "、".join(
            f"{source.headers[p]}→{column_label(k)}" for p, k in sorted(mapping.items())
        )
        self.stdout.write(f"表头在第 {source.header_row} 行：{shown}")
        self.stdout.write(
            f"约 {source.estimated_rows} 行数据，正在{'检查' if options['dry_run'] else '导入'}……"
        )
        bar = TerminalBar(self.stderr)
        report_file = options["report"].open("wb") if options["report"] else None
        try:
            report = import_people(
                actor,
                source,
                mapping=mapping,
                mode="all_or_nothing" if options["all_or_nothing"] else "skip",
                dry_run=options["dry_run"],
                place_code=options["community"],
                on_progress=bar,
                report_to=report_file,
                workers=options["workers"],
            )
        except (SpreadsheetError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        finally:
            bar.close()
            if report_file is not None:
                report_file.close()
        for problem in report.preview[:PROBLEMS_PRINTED]:
            self.stderr.write(problem_text(problem))
        if report.problem_count > PROBLEMS_PRINTED:
            self.stderr.write(f"……共 {report.problem_count} 个问题")
        if options["report"] and report.problem_count:
            self.stdout.write(f"问题清单已写入 {options['report']}")
        seconds = report.timings.get("total", 0)
        line = f"{report.summary()}（{seconds:.1f} 秒）"
        if report.written:
            self.stdout.write(self.style.SUCCESS(line))
        elif options["dry_run"]:
            self.stdout.write(f"检查完成，未写入：{line}")
        elif report.refused:
            raise CommandError(line)
        else:
            self.stdout.write(line)
        sys.stdout.flush()
