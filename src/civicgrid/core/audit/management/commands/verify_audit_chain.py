"""Verify the audit hash chain; exit non-zero at the first broken link."""

import re
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicgrid.core.audit.verification import DEFAULT_BATCH_SIZE, verify_chain

BAR_WIDTH = 30
_ANCHOR = re.compile(r"^(\d+):([0-9a-f]{64})$")


class Command(BaseCommand):
    help = (
        "校验审计记录的哈希链：分批读取全部记录，发现第一处断裂（记录被修改、删除或重新链接）"
        "即报告其序号、应有值与实际值，并以非零状态退出。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="每批读取的记录数"
        )
        parser.add_argument(
            "--anchor",
            metavar="SEQ:HASH",
            help="此前校验时记下的“序号:摘要”（保存在数据库以外），核对链从那里起未被重写",
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args: object, **options: object) -> None:
        batch_size = int(options["batch_size"])  # type: ignore[call-overload]
        if batch_size < 1:
            raise CommandError("--batch-size 必须为正整数")
        anchor = None
        if options["anchor"]:
            match = _ANCHOR.match(str(options["anchor"]))
            if match is None:
                raise CommandError("--anchor 的格式应为 序号:64 位十六进制摘要")
            anchor = (int(match[1]), match[2])

        self.interactive = self.stderr.isatty()
        self.last_drawn = -1.0
        started = time.monotonic()
        progress = None if options["no_progress"] else self.draw_progress
        report = verify_chain(batch_size=batch_size, anchor=anchor, progress=progress)
        if progress is not None and self.interactive:
            self.stderr.write("")  # end the bar's line
        elapsed = time.monotonic() - started

        if report.broken is not None:
            raise CommandError(
                f"{report.broken}（已校验 {report.checked:,} 条完好记录）", returncode=1
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"审计链完整：共 {report.checked:,} 条记录，用时 {elapsed:.1f} 秒。\n"
                f"链末端 {report.head_seq}:{report.head_hash}\n"
                "请把这一行保存在数据库以外，下次用 --anchor 核对。"
            )
        )

    def draw_progress(self, done: int, total: int) -> None:
        share = min(done / total, 1.0) if total else 1.0
        if self.interactive:
            filled = int(share * BAR_WIDTH)
            bar = "█" * filled + "·" * (BAR_WIDTH - filled)
            self.stderr.write(f"\r校验中 [{bar}] {share:6.1%} {done:,}/{total:,}", ending="")
            self.stderr.flush()
        elif share - self.last_drawn >= 0.1 or (share == 1.0 and self.last_drawn < 1.0):
            # Logs and pipes get a line per tenth instead of a redrawn bar.
            self.stderr.write(f"校验中 {share:.0%} {done:,}/{total:,}")
            self.last_drawn = share
