"""Half of each page of the live totals and tallies left free on PostgreSQL (fillfactor 50).

Every report adds to the rows of its division and of every division above it for the day: the
province's, city's, county's and township's rows of a day are updated hundreds of times a
second, and the first report of the day inserts all of them on one page. With full pages
(fillfactor 100) a new row version does not fit beside the old one, so about half the updates
were not HOT: a new version elsewhere plus an entry in each of the table's five indexes. With
room on the page every update of the benchmark stayed HOT in one process and nine in ten with
eight threads, and the totals' UPSERT fell from 1.6-2.1 ms to 0.6 ms of PostgreSQL's time per
report (bench_epidemic --in-process). Only pages written from now on get the room (each new
day's rows are new pages); `VACUUM FULL` would rewrite the older ones. The tables grow to up
to twice their pages; the statistics read them through indexes (not yet measured again with
the sparser pages). SQLite has no such setting: nothing to do there.
"""

from django.db import migrations

TABLES = ("epidemic_elementtotal", "epidemic_reporttally")


def _set(fillfactor: str):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} {fillfactor}")

    return run


class Migration(migrations.Migration):
    dependencies = [("epidemic", "0004_form_definition_key")]

    operations = [
        migrations.RunPython(_set("SET (fillfactor = 50)"), _set("RESET (fillfactor)")),
    ]
