"""Import the service catalogue from a spreadsheet (upsert by 事项编码, all or nothing), with a
progress bar in the terminal.

    civicgrid manage import_catalog items.xlsx            # check, then write if no problem
    civicgrid manage import_catalog items.xlsx --check    # check only
    civicgrid manage import_catalog items.xlsx --actor fucheng_admin   # with that user's remit
    civicgrid manage import_catalog items.xlsx --report 问题.xlsx      # every problem as .xlsx

The rules are those of the import page and the API (`catalog.importing`, `catalog.actions`);
the command runs in the foreground, so it needs no task.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civicgrid.catalog.actions import do_import_catalog
from civicgrid.core.commands import TerminalProgress, command_actor, read_command_file
from civicgrid.core.spreadsheets import SpreadsheetError

PROBLEMS_PRINTED = 100


class Command(BaseCommand):
    help = "从表格导入服务事项（按事项编码新增或更新；有任何问题则全部不导入）。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", type=Path, help=".xlsx、.xls、.ods 或 .csv 文件")
        parser.add_argument("--check", action="store_true", help="只检查，不写入")
        parser.add_argument("--actor", help="以该用户身份导入（受其权限范围限制）")
        parser.add_argument("--report", type=Path, help="有问题时把全部问题写入该 .xlsx 文件")

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        path: Path = options["file"]
        data = read_command_file(path)
        actor = command_actor(options["actor"])
        bar = TerminalProgress(self.stderr)
        try:
            report = do_import_catalog(
                actor, data=data, filename=path.name, dry_run=options["check"], on_progress=bar
            )
        except SpreadsheetError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        for header in report.unknown_headers:
            self.stderr.write(f"未识别的列，已忽略：{header}")
        for problem in report.problems[:PROBLEMS_PRINTED]:
            self.stderr.write(str(problem))
        if len(report.problems) > PROBLEMS_PRINTED:
            self.stderr.write(f"……另有 {len(report.problems) - PROBLEMS_PRINTED} 处问题")
        if options["report"] and report.problems:
            options["report"].write_bytes(report.problem_report())
            self.stderr.write(f"问题清单已写入 {options['report']}")
        summary = (
            f"共 {report.rows} 行：新增 {len(report.created)} 项，更新 {len(report.updated)} 项，"
            f"未变化 {report.unchanged} 项"
        )
        if report.problems:
            raise CommandError(f"发现 {len(report.problems)} 处问题，未导入任何事项（{summary}）")
        if report.dry_run:
            self.stdout.write(f"检查通过，未写入：{summary}")
        else:
            self.stdout.write(self.style.SUCCESS(f"导入完成：{summary}"))
