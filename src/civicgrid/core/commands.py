"""Pieces every import command shares: reading the file named on the command line, the
`--actor` user, and a progress bar in the terminal. Errors are `CommandError`s in Chinese."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, OutputWrapper

BAR_WIDTH = 30


def read_command_file(path: Path) -> bytes:
    """The bytes of `path`, or a CommandError naming it and why it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CommandError(f"无法读取文件 {path}：{exc.strerror}") from exc


def command_actor(username: str | None) -> Any:
    """The active user named by `--actor`, None when no name is given (the system itself)."""
    if not username:
        return None
    actor = get_user_model().objects.filter(username=username, is_active=True).first()
    if actor is None:
        raise CommandError(f"找不到启用的用户 {username}")
    return actor


class TerminalProgress:
    """A progress callback `(done, total, message)` drawing `[####----]  45%  1350/3000  …`
    in place on a terminal, and one plain line per tenth on anything else (a log file)."""

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.tty = stream.isatty()
        self.tenths_shown = -1

    def __call__(self, done: int, total: int, message: str = "") -> None:
        share = done / total if total else 1.0
        per_second = done / max(time.monotonic() - self.started, 1e-6)
        line = f"{share:4.0%}  {done}/{total}  {per_second:.0f}/秒  {message}".rstrip()
        if not self.tty:
            if int(share * 10) > self.tenths_shown:
                self.tenths_shown = int(share * 10)
                self.stream.write(line)
            return
        filled = round(BAR_WIDTH * share)
        self.stream.write(f"\r[{('#' * filled).ljust(BAR_WIDTH, '-')}] {line}\x1b[K", ending="")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("")
