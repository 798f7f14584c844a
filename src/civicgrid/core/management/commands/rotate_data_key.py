"""Re-encrypt every protected value under the current data key, so an old key can be removed:
the protected fields' columns and the numbers sealed inside JSON documents (core.sealed_json).

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
from civicgrid.core.sealed_json import SealedJSONField, reseal_document

_RAW = "_rotate_raw_token"
_MAX_REPORTED_FAILURES = 20


def protected_fields(
    registry: Any = django_apps,
) -> Iterator[tuple[type[models.Model], ProtectedField | SealedJSONField]]:
    """Every protected field and sealed JSON field in a table Django manages, model by model."""
    for model in registry.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for model_field in model._meta.local_concrete_fields:
            if isinstance(model_field, ProtectedField | SealedJSONField):
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


def _batches(
    rows: models.QuerySet[Any], *, batch_size: int, db: str, progress: ProgressBar
) -> Iterator[list[tuple[Any, Any]]]:
    """(pk, stored value) pairs a batch at a time in primary-key order, each batch handled
    inside its own transaction."""
    last_pk = None
    while True:
        page = rows if last_pk is None else rows.filter(pk__gt=last_pk)
        batch = list(page.values_list("pk", _RAW)[:batch_size])
        if not batch:
            return
        with transaction.atomic(using=db):
            yield batch
        last_pk = batch[-1][0]
        progress.advance(len(batch))


def _rewrite(
    model: type[models.Model], db: str, column: str, raw: Any, pk: Any, read: Any, new: Value
) -> bool:
    """Store `new` in the row if its column still holds what was read (a concurrent edit wins)."""
    return bool(
        model._base_manager.using(db)
        .filter(pk=pk)
        .alias(**{_RAW: raw})
        .filter(**{_RAW: read})
        .update(**{column: new})
    )


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
    for batch in _batches(rows, batch_size=batch_size, db=db, progress=progress):
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
            new = Value(encrypt(model_field.kind, plain), output_field=models.TextField())
            if _rewrite(model, db, model_field.attname, raw, pk, token, new):
                counts.rewritten += 1
            else:
                counts.changed_meanwhile += 1
    return counts


def reseal_json_field(
    model: type[models.Model],
    model_field: SealedJSONField,
    *,
    batch_size: int,
    dry_run: bool,
    progress: ProgressBar,
) -> RotationCounts:
    """Re-encrypt the numbers sealed in one JSON column, a batch of rows per transaction; a row
    changed since it was read is left for the next run. Counts are of numbers, progress of rows."""
    counts = RotationCounts()
    db = router.db_for_write(model)
    # The stored document itself: the field's own converter would decrypt every number.
    raw = ExpressionWrapper(F(model_field.attname), output_field=models.JSONField())
    rows = model._base_manager.using(db).annotate(**{_RAW: raw}).order_by("pk")
    for batch in _batches(rows, batch_size=batch_size, db=db, progress=progress):
        for pk, document in batch:
            tally = [0, 0]
            try:
                resealed = reseal_document(document, tally)
            except DecryptionError as exc:
                counts.failures.append(f"{model._meta.label}.{model_field.name} pk={pk}：{exc}")
                continue
            counts.current += tally[1]
            if not tally[0]:
                continue
            if dry_run:
                counts.rewritten += tally[0]
                continue
            new = Value(resealed, output_field=models.JSONField())
            if _rewrite(model, db, model_field.attname, raw, pk, document, new):
                counts.rewritten += tally[0]
            else:
                counts.changed_meanwhile += tally[0]
    return counts


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
            in_documents = isinstance(model_field, SealedJSONField)
            rotate = reseal_json_field if in_documents else reencrypt_field
            counts = rotate(
                model,
                model_field,  # type: ignore[arg-type]
                batch_size=batch_size,
                dry_run=dry_run,
                progress=progress,
            )
            overall.add(counts)
            progress.interrupt()
            verb = "需重新加密" if dry_run else "重新加密"
            self.stdout.write(
                f"{model._meta.label}.{model_field.name}：{sizes[model, model_field.name]} "
                + ("行，其中号码" if in_documents else "个值，")
                + f"{verb} {counts.rewritten}，已是当前密钥 {counts.current}"
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
