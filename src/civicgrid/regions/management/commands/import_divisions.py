"""Import a national division file (CSV `code,name`, any depth); all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civicgrid.regions.actions import DivisionImportError, do_import_divisions
from civicgrid.regions.division_files import read_division_rows


class Command(BaseCommand):
    help = "导入区划代码文件（CSV：code,name，任意层级，UTF-8 或 GB18030，可为 .gz）；有任何错误则不写入。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):  # type: ignore[no-untyped-def]
        try:
            raw = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {file}：{exc.strerror}") from exc
        rows = read_division_rows(raw)
        self.stdout.write(f"读取 {len(rows)} 行，正在校验……")
        try:
            result = do_import_divisions(rows)
        except DivisionImportError as exc:
            for problem in exc.problems[:200]:
                self.stderr.write(str(problem))
            if len(exc.problems) > 200:
                self.stderr.write(f"……另有 {len(exc.problems) - 200} 处错误")
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"导入完成：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}"
            )
        )
