"""Deleting expired pass records: set-based and in batches, so that a sweep over millions of
rows neither loads them into memory (as `QuerySet.delete()` does to cascade to corrections)
nor holds one long transaction over the whole table."""

import datetime

from django.db import connection, transaction

from civicgrid.community.models import PassCorrection, PassRecord

# Rows per batch: each batch is one short transaction (two DELETE statements by primary key).
PURGE_BATCH = 10_000


def delete_passes_before(cutoff: datetime.datetime, *, batch: int = PURGE_BATCH) -> int:
    """Delete every pass scanned before `cutoff`, with its correction requests, `batch` rows
    at a time; returns how many passes were deleted."""
    table = connection.ops.quote_name(PassRecord._meta.db_table)
    pk = connection.ops.quote_name(PassRecord._meta.pk.column)
    deleted = 0
    while True:
        # The ids of one batch, found through the scanned_at index; no ORDER BY, so the scan
        # stops after `batch` rows however many have expired.
        ids = PassRecord.objects.filter(scanned_at__lt=cutoff).order_by().values("pk")[:batch]
        with transaction.atomic():
            PassCorrection.objects.filter(pass_record__in=ids).delete()  # a plain DELETE
            sql, params = ids.query.sql_with_params()
            with connection.cursor() as cursor:
                # On a subquery: MySQL would refuse LIMIT there, SQLite and PostgreSQL do not.
                cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({sql})", params)  # noqa: S608 - names from the model, values bound
                count = cursor.rowcount
        deleted += count
        if count < batch:
            return deleted
