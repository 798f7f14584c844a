"""Re-encrypt every protected value under the current data key, so an old key can be removed.

Rotation: put the new key first in CIVICGRID_DATA_KEYS (keep the old one after it), restart,
run this command, then remove the old key. Idempotent: values already under the current key are
left as they are, so a second run (or a run after an interruption) rewrites only what is left.
Look-up hashes do not change (their key is not rotated).

Each row is rewritten only if its ciphertext is still the one that was read, so a user editing
the same number at the same moment wins rather than being overwritten.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps as django_apps
from django.core.management.base import BaseCommand, CommandError, OutputWrapper
from django.db import models, router, transaction
from django.db.models import ExpressionWrapper, F, Value

from civicgrid.core.crypto import (
    DecryptionError,
    current_data_key_id,
    decrypt,
    encrypt,
    token_key_id,
)
from civicgrid.core.protected_fields import ProtectedField

_RAW = "_rotate_raw_token"
_MAX_REPORTED_FAILURES = 20


def protected_fields(
    registry: Any = django_apps,
) -> Iterator[tuple[type[models.Model], ProtectedField]]:
    """Every protected field stored in a table Django manages, model by model."""
    for model in registry.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for model_field in model._meta.local_concrete_fields:
            if isinstance(model_field, ProtectedField):
                yield model, model_field


@dataclass
class RotationCounts:
    rewritten: int = 0
    current: int = 0
    changed_meanwhile: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, other: RotationCounts) -> None:
        self.rewritten += other.rewritten
        self.current += other.current
        self.changed_meanwhile += other.changed_meanwhile
        self.failures += other.failures


class ProgressBar:
    """A one-line bar redrawn in place on a terminal; a line per 10 % when output is a file."""

    WIDTH = 30

    def __init__(self, out: OutputWrapper, total: int) -> None:
        self.out = out
        self.total = total
        self.done = 0
        self.tty = out.isatty()
        self._last_decile = 0

    def advance(self, count: int) -> None:
        self.done += count
        percent = self.done * 100 // self.total if self.total else 100
        if self.tty:
            filled = self.WIDTH * percent // 100
            bar = "#" * filled + "." * (self.WIDTH - filled)
            self.out.write(f"\r[{bar}] {percent:3d}% {self.done}/{self.total}", ending="")
            self.out.flush()
        elif percent // 10 > self._last_decile:
            self._last_decile = percent // 10
            self.out.write(f"进度 {percent}%（{self.done}/{self.total}）")

    def interrupt(self) -> None:
        """End the bar's line before other output."""
        if self.tty:
            self.out.write("")


def reencrypt_field(
    model: type[models.Model],
    model_field: ProtectedField,
    *,
    batch_size: int,
    dry_run: bool,
    progress: ProgressBar,
) -> RotationCounts:
    """Re-encrypt one field's values, a batch per transaction, in primary-key order."""
    counts = RotationCounts()
    current = current_data_key_id()
    db = router.db_for_write(model)
    # Read the stored text itself: the field's own converter would decrypt every value.
    raw = ExpressionWrapper(F(model_field.attname), output_field=models.TextField())
    rows = (
        model._base_manager.using(db)
        .filter(**{f"{model_field.attname}__isnull": False})
        .annotate(**{_RAW: raw})
        .order_by("pk")
    )
    last_pk = None
    while True:
        page = rows if last_pk is None else rows.filter(pk__gt=last_pk)
        batch = list(page.values_list("pk", _RAW)[:batch_size])
        if not batch:
            return counts
        with transaction.atomic(using=db):
            for pk, token in batch:
                try:
                    if token_key_id(token) == current:
                        counts.current += 1
                        continue
                    plain = decrypt(model_field.kind, token)
                except DecryptionError as exc:
                    counts.failures.append(f"{model._meta.label}.{model_field.name} pk={pk}：{exc}")
                    continue
                if dry_run:
                    counts.rewritten += 1
                    continue
                updated = (
                    model._base_manager.using(db)
                    .filter(pk=pk)
                    .alias(**{_RAW: raw})
                    .filter(**{_RAW: token})
                    .update(
                        **{
                            model_field.attname: Value(
                                encrypt(model_field.kind, plain), output_field=models.TextField()
                            )
                        }
                    )
                )
                if updated:
                    counts.rewritten += 1
                else:
                    counts.changed_meanwhile += 1
        last_pk = batch[-1][0]
        progress.advance(len(batch))


class Command(BaseCommand):
    help = (
        "用当前数据密钥（CIVICGRID_DATA_KEYS 的第一个）重新加密所有受保护字段（身份证号、手机号等）的值。"
        "可重复执行；完成后即可从配置中删除旧密钥。"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--batch-size", type=int, default=500, help="每个事务处理的行数")
        parser.add_argument("--dry-run", action="store_true", help="只统计需要重新加密的值，不写入")

    def handle(self, *args, batch_size: int, dry_run: bool, **options):  # type: ignore[no-untyped-def]
        if batch_size < 1:
            raise CommandError("--batch-size 至少为 1。")
        targets = list(protected_fields())
        sizes = {
            (model, f.name): model._base_manager.filter(**{f"{f.attname}__isnull": False}).count()
            for model, f in targets
        }
        total = sum(sizes.values())
        self.stdout.write(
            f"当前数据密钥：{current_data_key_id()}。受保护字段 {len(targets)} 个，共 {total} 个值。"
            + ("（试运行，不写入）" if dry_run else "")
        )
        progress = ProgressBar(self.stdout, total)
        overall = RotationCounts()
        for model, model_field in targets:
            counts = reencrypt_field(
                model, model_field, batch_size=batch_size, dry_run=dry_run, progress=progress
            )
            overall.add(counts)
            progress.interrupt()
            verb = "需重新加密" if dry_run else "重新加密"
            self.stdout.write(
                f"{model._meta.label}.{model_field.name}：{sizes[model, model_field.name]} 个值，"
                f"{verb} {counts.rewritten}，已是当前密钥 {counts.current}"
                + (
                    f"，期间被修改而跳过 {counts.changed_meanwhile}"
                    if counts.changed_meanwhile
                    else ""
                )
                + (f"，无法解密 {len(counts.failures)}" if counts.failures else "")
            )
        verb = "需重新加密" if dry_run else "重新加密"
        summary = (
            f"{'试运行' if dry_run else '完成'}：{verb} {overall.rewritten} 个值，"
            f"已是当前密钥 {overall.current} 个"
        )
        if overall.changed_meanwhile:
            summary += f"，期间被修改而跳过 {overall.changed_meanwhile} 个（再运行一次即可）"
        if overall.failures:
            for line in overall.failures[:_MAX_REPORTED_FAILURES]:
                self.stderr.write(line)
            if len(overall.failures) > _MAX_REPORTED_FAILURES:
                self.stderr.write(f"……另有 {len(overall.failures) - _MAX_REPORTED_FAILURES} 个")
            raise CommandError(
                f"{summary}；{len(overall.failures)} 个值无法解密（见上），这些值未作改动，"
                "请勿删除旧密钥。"
            )
        self.stdout.write(self.style.SUCCESS(summary + "。"))
        if not dry_run and not overall.changed_meanwhile:
            self.stdout.write("所有值都已使用当前密钥，可以从 CIVICGRID_DATA_KEYS 中删除旧密钥。")
