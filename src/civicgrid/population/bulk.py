# ruff: noqa: S608 - statements are built from this module's table names and model table names;
# every value is passed as a parameter (or is an integer computed here).
"""The register's bulk write path: staged rows in, households and persons out, set-based.

`population.importing` validates rows (in Python, on all cores) into records for a temporary
staging table; this module does everything that needs the whole file or the register, in SQL
that runs on SQLite and PostgreSQL alike:

1. load the staging table (PostgreSQL `COPY`; SQLite `executemany`, committed per chunk);
2. `analyse()`: duplicates inside the file (the later row is refused), persons already in the
   register (by the look-up hash of the ID number) and whether anything about them changed,
   persons registered outside the importer's jurisdiction (refused), one head per household,
   households grouped by the head's ID number or by community + building + unit + room and
   matched to existing households; counts of what would happen. Nothing in the register is
   touched, so a dry run and a refused file leave the database exactly as it was.
3. `write()`: new households and persons with `INSERT ... SELECT`, changed ones with
   `UPDATE ... FROM`; a move writes a `PersonChange` and clears the old household's head, as
   `do_move_person` does; members' denormalised community and grid follow their household;
   tags are added and, where the file gives tags, removed. Ids come from the tables' own
   sequences (PostgreSQL) or after the current maximum under SQLite's write lock.

The derived fields (sex, birth date, pinyin initials, last four digits, address text, the
denormalised community and grid) are the ones `population.actions` computes; nothing here
calls those actions per row or writes per-row audit records: the importer writes one.

Large loads on PostgreSQL (at least `REBUILD_MIN_ROWS` new rows, and more new rows than the
table holds) drop the table's secondary indexes and its unique and foreign-key constraints
inside the transaction and re-create them afterwards, which validates them in one pass each:
several times faster than maintaining a dozen indexes row by row. The tables are locked
against other writers (and readers) until the import commits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from civicgrid.population.choices import PersonStatus, Relationship, ResidenceType
from civicgrid.population.importing.columns import TAG_BITS
from civicgrid.population.importing.rows import STAGING_COLUMNS
from civicgrid.population.models import Household, Person, PersonChange, PersonTagging
from civicgrid.regions.models import Division

logger = logging.getLogger(__name__)

REBUILD_MIN_ROWS = 20_000
# Households per transaction on SQLite in "skip" mode: about 30,000 persons, so the write lock
# is released every second or so while a city register loads (measured: smaller slices cost
# more in total, larger ones keep other writers waiting longer).
SQLITE_SLICE = 12_000
SQLITE_CACHE_KIB = 256 * 1024
# Memory for the sorts, hash aggregates and hash joins of one import's connection on PostgreSQL:
# with the server's usual 4 MB, grouping and joining a million staged rows spills to disk in
# batches. Set for this session while the import runs, and reset afterwards.
PG_WORK_MEM = "128MB"

ROWS = "cg_import_rows"
PROBLEMS = "cg_import_problems"
HEADS = "cg_import_heads"
HOUSEHOLDS = "cg_import_households"
DUPLICATES = "cg_import_duplicates"
TAG_BITS_TABLE = "cg_import_tag_bits"
TAG_MASKS = "cg_import_tag_masks"
MATCHED = "cg_import_matched"
CHANGED = "cg_import_changed"
GROUPS = "cg_import_groups"
FOUND = "cg_import_found"
_TEMP_TABLES = (ROWS, f"{ROWS}_new", PROBLEMS, HEADS, HOUSEHOLDS, DUPLICATES, TAG_BITS_TABLE,
                TAG_MASKS, MATCHED, CHANGED, GROUPS, FOUND)  # fmt: skip

P = Person._meta.db_table
H = Household._meta.db_table
T = PersonTagging._meta.db_table
C = PersonChange._meta.db_table
D = Division._meta.db_table


@dataclass
class Counts:
    rows: int = 0
    error_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    households_created: int = 0
    households_updated: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class WriteOutcome:
    written: bool
    failed_rows: int = 0
    timings: dict[str, float] = field(default_factory=dict)


class Staging:
    """The temporary tables of one import on the default connection; `drop()` when done."""

    def __init__(self) -> None:
        self.pg = connection.vendor == "postgresql"
        self.cursor = connection.cursor()
        self.created = False
        self.cache_size: int | None = None
        self.work_mem_set = False
        self.matched = 0

    # --- helpers -------------------------------------------------------------------------------

    def sql(self, statement: str, params: list[Any] | tuple[Any, ...] = ()) -> int:
        self.cursor.execute(statement, params)
        return self.cursor.rowcount

    def one(self, statement: str, params: list[Any] | tuple[Any, ...] = ()) -> Any:
        self.cursor.execute(statement, params)
        return self.cursor.fetchone()

    def _distinct(self, a: str, b: str) -> str:
        return f"{a} IS DISTINCT FROM {b}" if self.pg else f"{a} IS NOT {b}"

    @property
    def _int(self) -> str:
        return "bigint" if self.pg else "integer"

    # --- 1. staging --------------------------------------------------------------------------

    def create(self) -> None:
        self.drop()
        if not self.pg:
            # A larger page cache for this connection while it loads: SQLite maintains the
            # register's dozen indexes several times faster when their pages stay in memory.
            self.cache_size = self.one("PRAGMA cache_size")[0]
            self.sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        else:
            self.sql(f"SET work_mem = '{PG_WORK_MEM}'")
            self.work_mem_set = True
        date_type = "date" if self.pg else "text"
        columns = {name: "text" for name in STAGING_COLUMNS}
        columns.update(row_no="integer PRIMARY KEY", bad="smallint NOT NULL", tags="integer",
                       birth_date=date_type, grid_id=self._int, is_head="smallint",
                       hh=self._int)  # fmt: skip
        extra = f"person_id {self._int}, cur_hh {self._int}, changed smallint NOT NULL DEFAULT 0"
        body = ", ".join(f"{name} {kind}" for name, kind in columns.items())
        self.created = True
        self.sql(f"CREATE TEMP TABLE {ROWS} ({body}, {extra})")
        self.sql(
            f"CREATE TEMP TABLE {PROBLEMS} (row_no integer NOT NULL, col text NOT NULL, "
            f"code text NOT NULL, arg integer)"
        )

    def load(self, payload: Any) -> None:
        """One chunk of records from `rows.validate_chunk`."""
        columns = ", ".join(STAGING_COLUMNS)
        if self.pg:
            with self.cursor.cursor.copy(f"COPY {ROWS} ({columns}) FROM STDIN") as copy:
                copy.write(payload)
            return
        placeholders = ", ".join(["%s"] * len(STAGING_COLUMNS))
        statement = f"INSERT INTO {ROWS} ({columns}) VALUES ({placeholders})"
        if connection.get_autocommit():
            # One transaction per chunk on the temporary database only: the register's write
            # lock is not taken, and progress updates in between stay visible to others.
            self.sql("BEGIN")
            try:
                self.cursor.executemany(statement, payload)
            except BaseException:
                self.sql("ROLLBACK")
                raise
            self.sql("COMMIT")
        else:
            self.cursor.executemany(statement, payload)

    def drop(self) -> None:
        for table in _TEMP_TABLES:
            self.sql(f"DROP TABLE IF EXISTS {table}")
        if self.cache_size is not None:
            self.sql(f"PRAGMA cache_size = {int(self.cache_size)}")
            self.cache_size = None
        if self.work_mem_set:
            self.sql("RESET work_mem")
            self.work_mem_set = False

    # --- 2. analysis -------------------------------------------------------------------------

    def analyse(self, scope_sql: tuple[str, list[str]]) -> Counts:
        """Decide what every row would do, without touching the register. `scope_sql` is the
        importer's jurisdiction as a condition on `p.division_code` (`ImportScope.sql`).

        Derived tables are made with CREATE TABLE AS rather than by updating the staging table
        row by row: on PostgreSQL rewriting a million rows costs far more than writing them."""
        if not self.pg:  # SQLite joins by nested loops: it needs the indexes
            self.sql(f"CREATE INDEX {ROWS}_hash ON {ROWS} (id_hash)")
            self.sql(f"CREATE INDEX {ROWS}_hh ON {ROWS} (hh)")
        self._analyse_rows()
        self._tag_bits()
        self._duplicates()
        self._existing_persons(scope_sql)
        self._households()
        self._changes()
        self._materialise()
        return self.counts()

    def _analyse_rows(self) -> None:
        """Statistics for the staging table (temporary tables are never analysed on their
        own), on the columns that joins and filters use: the wide text columns would make a
        full ANALYZE cost as much as a join."""
        columns = "" if not self.pg else " (row_no, bad, id_hash, hh, is_head, tags, person_id)"
        self.sql(f"ANALYZE {ROWS}{columns}")

    def _index(self, table: str, column: str) -> None:
        """A unique index on a table made by CREATE TABLE AS (which cannot declare one), and
        fresh statistics: neither database plans joins on temporary tables well without."""
        self.sql(f"CREATE UNIQUE INDEX {table}_{column} ON {table} ({column})")
        self.sql(f"ANALYZE {table}")

    def _mark_bad(self, code: str) -> None:
        self.sql(
            f"UPDATE {ROWS} SET bad = 1 FROM (SELECT DISTINCT row_no FROM {PROBLEMS} "
            f"WHERE code = %s) x WHERE {ROWS}.row_no = x.row_no AND {ROWS}.bad = 0",
            [code],
        )

    def _tag_bits(self) -> None:
        self.sql(f"CREATE TEMP TABLE {TAG_BITS_TABLE} (tag text PRIMARY KEY, bit integer NOT NULL)")
        self.cursor.executemany(
            f"INSERT INTO {TAG_BITS_TABLE} (tag, bit) VALUES (%s, %s)", list(TAG_BITS.items())
        )

    def _duplicates(self) -> None:
        self.sql(
            f"CREATE TEMP TABLE {DUPLICATES} AS SELECT id_hash, min(row_no) AS first_row "
            f"FROM {ROWS} WHERE id_hash <> '' GROUP BY id_hash HAVING count(*) > 1"
        )
        self._index(DUPLICATES, "id_hash")
        if self.sql(
            f"INSERT INTO {PROBLEMS} (row_no, col, code, arg) "
            f"SELECT r.row_no, 'id_number', 'duplicate', d.first_row FROM {ROWS} r "
            f"JOIN {DUPLICATES} d ON d.id_hash = r.id_hash WHERE r.row_no > d.first_row"
        ):
            self._mark_bad("duplicate")

    def _existing_persons(self, scope_sql: tuple[str, list[str]]) -> None:
        self.sql(
            f"CREATE TEMP TABLE {MATCHED} AS SELECT r.row_no, p.id AS person_id, "
            f"p.household_id AS cur_hh, p.division_code FROM {ROWS} r "
            f"JOIN {P} p ON p.id_number_hash = r.id_hash WHERE r.bad = 0 AND r.id_hash <> ''"
        )
        self._index(MATCHED, "row_no")
        (self.matched,) = self.one(f"SELECT count(*) FROM {MATCHED}")
        condition, params = scope_sql
        if (
            self.matched
            and condition != "1=1"
            and self.sql(
                f"INSERT INTO {PROBLEMS} (row_no, col, code, arg) "
                f"SELECT p.row_no, 'id_number', 'elsewhere', NULL FROM {MATCHED} p "
                f"WHERE NOT {condition}",
                params,
            )
        ):
            self._mark_bad("elsewhere")

    def _households(self) -> None:
        # One head per household: the first row marked as head; later ones are refused.
        self.sql(
            f"CREATE TEMP TABLE {HEADS} AS SELECT hh, min(row_no) AS head_row FROM {ROWS} "
            f"WHERE bad = 0 AND is_head = 1 GROUP BY hh"
        )
        self._index(HEADS, "hh")
        if self.sql(
            f"INSERT INTO {PROBLEMS} (row_no, col, code, arg) "
            f"SELECT r.row_no, 'relationship', 'second_head', hd.head_row FROM {ROWS} r "
            f"JOIN {HEADS} hd ON hd.hh = r.hh "
            f"WHERE r.bad = 0 AND r.is_head = 1 AND r.row_no > hd.head_row"
        ):
            self._mark_bad("second_head")
        # Where a household lives comes from its head's row, else from its first row.
        self.sql(
            f"CREATE TEMP TABLE {GROUPS} AS "
            f"SELECT g.hh, g.rank, g.first_row, hd.head_row, r.community_code, r.building, "
            f"r.unit, r.room, coalesce(r.grid_id, g.grid_id) AS grid_id, r.head_hash, "
            f"CASE WHEN hd.head_row IS NOT NULL THEN m.person_id END AS head_person, "
            f"CASE WHEN hd.head_row IS NOT NULL THEN r.mobile_enc ELSE '' END AS head_mobile_enc, "
            f"CASE WHEN hd.head_row IS NOT NULL THEN r.mobile_hash ELSE '' END AS head_mobile_hash "
            f"FROM (SELECT hh, row_number() OVER (ORDER BY min(row_no)) AS rank, "
            f"min(row_no) AS first_row, max(grid_id) AS grid_id FROM {ROWS} WHERE bad = 0 "
            f"GROUP BY hh) g "
            f"LEFT JOIN {HEADS} hd ON hd.hh = g.hh "
            f"JOIN {ROWS} r ON r.row_no = coalesce(hd.head_row, g.first_row) "
            f"LEFT JOIN {MATCHED} m ON m.row_no = hd.head_row"
        )
        self._index(GROUPS, "hh")
        # Existing households: the household of a head already in the register (in the same
        # community), else the household at the same address.
        self.sql(
            f"CREATE TEMP TABLE {FOUND} AS SELECT g.hh, min(p.household_id) AS household_id "
            f"FROM {GROUPS} g JOIN {P} p ON p.id_number_hash = g.head_hash "
            f"JOIN {H} x ON x.id = p.household_id "
            f"WHERE g.head_hash <> '' AND x.division_code = g.community_code GROUP BY g.hh"
        )
        self.sql(
            f"INSERT INTO {FOUND} (hh, household_id) SELECT g.hh, x.id FROM {GROUPS} g "
            f"JOIN (SELECT division_code, building, unit, room, min(id) AS id FROM {H} "
            f"WHERE division_code IN (SELECT DISTINCT community_code FROM {GROUPS}) "
            f"GROUP BY division_code, building, unit, room) x "
            f"ON x.division_code = g.community_code AND x.building = g.building "
            f"AND x.unit = g.unit AND x.room = g.room "
            f"WHERE (g.building <> '' OR g.unit <> '' OR g.room <> '') "
            f"AND g.hh NOT IN (SELECT hh FROM {FOUND})"
        )
        self._index(FOUND, "hh")
        # A blank grid cell keeps the household's grid; a household found by its head's ID
        # number and given without an address stays where it is.
        blank = "g.building = '' AND g.unit = '' AND g.room = ''"
        self.sql(
            f"CREATE TEMP TABLE {HOUSEHOLDS} AS SELECT g.hh, g.rank, g.first_row, g.head_row, "
            f"g.community_code, "
            f"CASE WHEN x.id IS NOT NULL AND {blank} THEN x.building ELSE g.building END AS building, "
            f"CASE WHEN x.id IS NOT NULL AND {blank} THEN x.unit ELSE g.unit END AS unit, "
            f"CASE WHEN x.id IS NOT NULL AND {blank} THEN x.room ELSE g.room END AS room, "
            f"coalesce(g.grid_id, x.grid_id) AS grid_id, g.head_hash, g.head_person, "
            f"g.head_mobile_enc, g.head_mobile_hash, x.id AS household_id, "
            f"CASE WHEN x.id IS NULL THEN 0 ELSE 1 END AS existing, "
            f"CASE WHEN x.id IS NOT NULL AND ("
            f"{self._distinct('coalesce(g.grid_id, x.grid_id)', 'x.grid_id')} "
            f"OR (g.head_row IS NOT NULL AND (g.head_person IS NULL OR "
            f"{self._distinct('x.head_id', 'g.head_person')})) "
            f"OR (x.contact_mobile_hash IS NULL AND g.head_mobile_hash <> '') "
            f"OR NOT ({blank} OR (g.building = x.building AND g.unit = x.unit "
            f"AND g.room = x.room))) THEN 1 ELSE 0 END AS changed "
            f"FROM {GROUPS} g LEFT JOIN {FOUND} f ON f.hh = g.hh "
            f"LEFT JOIN {H} x ON x.id = f.household_id"
        )
        self._index(HOUSEHOLDS, "hh")

    def _changes(self) -> None:
        self.sql(
            f"CREATE TEMP TABLE {TAG_MASKS} AS SELECT t.person_id, sum(b.bit) AS mask "
            f"FROM {T} t JOIN {TAG_BITS_TABLE} b ON b.tag = t.tag "
            f"WHERE t.person_id IN (SELECT person_id FROM {MATCHED}) GROUP BY t.person_id"
        )
        self._index(TAG_MASKS, "person_id")
        self.sql(
            f"CREATE TEMP TABLE {CHANGED} AS SELECT r.row_no FROM {MATCHED} mt "
            f"JOIN {ROWS} r ON r.row_no = mt.row_no JOIN {P} p ON p.id = mt.person_id "
            f"JOIN {HOUSEHOLDS} h ON h.hh = r.hh "
            f"LEFT JOIN {TAG_MASKS} m ON m.person_id = mt.person_id WHERE r.bad = 0 AND ("
            f"p.name <> r.name "
            f"OR (r.mobile_hash <> '' AND coalesce(p.mobile_hash, '') <> r.mobile_hash) "
            f"OR (r.relationship <> '' AND p.relationship <> r.relationship) "
            f"OR (r.residence_type <> '' AND p.residence_type <> r.residence_type) "
            f"OR h.household_id IS NULL OR {self._distinct('p.household_id', 'h.household_id')} "
            f"OR (r.tags >= 0 AND r.tags <> coalesce(m.mask, 0)))"
        )
        self._index(CHANGED, "row_no")

    def _materialise(self) -> None:
        """Copy person ids and the changed flag onto the staging rows: nothing to do for a new
        register, a few updates for a few matches, a fresh copy of the table for many."""
        if not self.matched:
            return
        if self.matched * 10 < self.rows():
            self.sql(
                f"UPDATE {ROWS} SET person_id = m.person_id, cur_hh = m.cur_hh FROM {MATCHED} m "
                f"WHERE m.row_no = {ROWS}.row_no"
            )
            self.sql(
                f"UPDATE {ROWS} SET changed = 1 WHERE row_no IN (SELECT row_no FROM {CHANGED})"
            )
            return
        kept = ", ".join(f"r.{name}" for name in STAGING_COLUMNS)
        self.sql(
            f"CREATE TEMP TABLE {ROWS}_new AS SELECT {kept}, m.person_id, m.cur_hh, "
            f"CASE WHEN c.row_no IS NULL THEN 0 ELSE 1 END AS changed FROM {ROWS} r "
            f"LEFT JOIN {MATCHED} m ON m.row_no = r.row_no "
            f"LEFT JOIN {CHANGED} c ON c.row_no = r.row_no"
        )
        self.sql(f"DROP TABLE {ROWS}")
        self.sql(f"ALTER TABLE {ROWS}_new RENAME TO {ROWS}")
        self.sql(f"CREATE UNIQUE INDEX {ROWS}_row_no ON {ROWS} (row_no)")
        self._analyse_rows()
        if not self.pg:
            self.sql(f"CREATE INDEX {ROWS}_hash ON {ROWS} (id_hash)")
            self.sql(f"CREATE INDEX {ROWS}_hh ON {ROWS} (hh)")

    def rows(self) -> int:
        (count,) = self.one(f"SELECT count(*) FROM {ROWS}")
        return int(count)

    def counts(self) -> Counts:
        rows, bad, created, updated = self.one(
            f"SELECT count(*), coalesce(sum(bad), 0), "
            f"coalesce(sum(CASE WHEN bad = 0 AND person_id IS NULL THEN 1 ELSE 0 END), 0), "
            f"coalesce(sum(CASE WHEN bad = 0 AND changed = 1 THEN 1 ELSE 0 END), 0) FROM {ROWS}"
        )
        households_created, households_updated = self.one(
            f"SELECT coalesce(sum(CASE WHEN household_id IS NULL THEN 1 ELSE 0 END), 0), "
            f"coalesce(sum(changed), 0) FROM {HOUSEHOLDS}"
        )
        return Counts(
            rows=rows,
            error_rows=bad,
            created=created,
            updated=updated,
            unchanged=rows - bad - created - updated,
            households_created=households_created,
            households_updated=households_updated,
        )

    def problems(self) -> Iterator[tuple[int, str, str, int | None, str, str]]:
        """Problems found here: (row, column key, code, row argument, name, masked ID)."""
        self.cursor.execute(
            f"SELECT p.row_no, p.col, p.code, p.arg, r.name, r.id_masked FROM {PROBLEMS} p "
            f"JOIN {ROWS} r ON r.row_no = p.row_no ORDER BY p.row_no, p.col"
        )
        while batch := self.cursor.fetchmany(2000):
            yield from batch

    def communities(self) -> list[str]:
        self.cursor.execute(f"SELECT DISTINCT community_code FROM {HOUSEHOLDS}")
        return [row[0] for row in self.cursor.fetchall()]

    # --- 3. writing --------------------------------------------------------------------------

    def write(
        self,
        *,
        actor_id: int | None,
        reason: str,
        all_or_nothing: bool,
        on_slice: Callable[[int], None] | None = None,
    ) -> WriteOutcome:
        """Write the analysed rows; see the module docstring. `on_slice(rows)` after each
        committed slice. In "skip" mode on SQLite, households are written a slice at a time;
        a slice that fails (another writer took one of its ID numbers meanwhile) is reported
        row by row and the rest continues. Everything else is one transaction."""
        (last_rank,) = self.one(f"SELECT coalesce(max(rank), 0) FROM {HOUSEHOLDS}")
        new_persons, changed_persons, last_row, tags = self.one(
            f"SELECT coalesce(sum(CASE WHEN person_id IS NULL THEN 1 ELSE 0 END), 0), "
            f"coalesce(sum(changed), 0), coalesce(max(row_no), 0), "
            f"coalesce(sum(CASE WHEN tags > 0 THEN 1 ELSE 0 END), 0) FROM {ROWS} WHERE bad = 0"
        )
        new_households, changed_households = self.one(
            f"SELECT coalesce(sum(1 - existing), 0), coalesce(sum(changed), 0) FROM {HOUSEHOLDS}"
        )
        if not (new_persons or changed_persons or new_households or changed_households):
            return WriteOutcome(written=False)
        sliced = not self.pg and not all_or_nothing and last_rank > SQLITE_SLICE
        step = SQLITE_SLICE if sliced else last_rank
        slices = [(low, min(low + step - 1, last_rank)) for low in range(1, last_rank + 1, step)]
        outcome = WriteOutcome(written=False)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        writer = _Write(self, actor_id=actor_id, reason=reason[:200], now=now, sliced=sliced,
                        changes=bool(changed_persons),
                        household_changes=bool(changed_households))  # fmt: skip
        if not sliced:
            with transaction.atomic():
                growth = {P: new_persons, H: new_households}
                if not changed_persons:  # changed persons' tags need the unique constraint
                    growth[T] = tags * 2
                with self._rebuilding(growth):
                    writer.reserve(last_row, last_rank)
                    for low, high in slices:
                        writer.slice(low, high)
            if on_slice:
                on_slice(new_persons + changed_persons)
            outcome.written = True
            return outcome
        for low, high in slices:
            try:
                with transaction.atomic():
                    writer.reserve(last_row, last_rank)
                    writer.slice(low, high)
            except Exception:  # an IntegrityError, or "database is locked" after the timeout
                logger.exception("population import: slice %s-%s failed", low, high)
                outcome.failed_rows += self._fail_slice(low, high)
            else:
                outcome.written = True
            if on_slice:
                on_slice(self._rows_in(low, high))
        return outcome

    def _rows_in(self, low: int, high: int) -> int:
        (count,) = self.one(
            f"SELECT count(*) FROM {ROWS} r JOIN {HOUSEHOLDS} h ON h.hh = r.hh "
            f"WHERE r.bad = 0 AND h.rank BETWEEN %s AND %s",
            [low, high],
        )
        return count

    def _fail_slice(self, low: int, high: int) -> int:
        failed = self.sql(
            f"INSERT INTO {PROBLEMS} (row_no, col, code, arg) SELECT r.row_no, 'id_number', "
            f"'write_failed', NULL FROM {ROWS} r JOIN {HOUSEHOLDS} h ON h.hh = r.hh "
            f"WHERE r.bad = 0 AND h.rank BETWEEN %s AND %s",
            [low, high],
        )
        self._mark_bad("write_failed")
        return failed

    @contextmanager
    def _rebuilding(self, growth: dict[str, int]) -> Iterator[None]:
        """On PostgreSQL, for tables about to (at least) double by a large load: drop their
        secondary indexes and constraints now, re-create (and so validate) them before the
        transaction commits."""
        tables = []
        if self.pg:
            for table, incoming in growth.items():
                if incoming < REBUILD_MIN_ROWS:
                    continue
                (existing,) = self.one(
                    "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = %s::regclass",
                    [table],
                )
                if incoming >= existing:
                    tables.append(table)
        if not tables:
            yield
            return
        # Dropping an index waits for every open reader of the table; give up with an error
        # rather than queue the whole site behind a forgotten transaction.
        self.sql("SET LOCAL lock_timeout = '60s'")
        saved: list[str] = []
        for table in tables:
            saved += self._drop_secondary(table)
        self.sql("SET LOCAL maintenance_work_mem = '256MB'")
        yield
        for statement in saved:
            self.sql(statement)

    def _drop_secondary(self, table: str) -> list[str]:
        """Drop `table`'s unique and foreign-key constraints and other non-primary indexes;
        returns the statements that re-create them."""
        self.cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC",
            [table],
        )
        constraints = self.cursor.fetchall()
        # All of them, even those led by a column that only grows (division_code in a file
        # sorted by community): measured, maintaining those row by row costs more than building
        # them once afterwards.
        self.cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND i.indexrelid NOT IN "
            "(SELECT conindid FROM pg_constraint WHERE conrelid = %s::regclass)",
            [table, table],
        )
        indexes = self.cursor.fetchall()
        quoted = connection.ops.quote_name(table)
        for name, _definition, _kind in constraints:
            self.sql(f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}")
        for name, _definition in indexes:
            self.sql(f"DROP INDEX {name}")
        # Unique constraints (and so their indexes) first, then the other indexes, then the
        # foreign keys, which are checked against everything loaded.
        return (
            [f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(n)} {d}"
             for n, d, kind in constraints if kind == "u"]
            + [definition for _name, definition in indexes]
            + [f"ALTER TABLE {quoted} ADD CONSTRAINT {connection.ops.quote_name(n)} {d}"
               for n, d, kind in constraints if kind == "f"]
        )  # fmt: skip


# Ids are reserved this far beyond the sequence's value, so that another session taking a
# value between our nextval() and setval() can never take one of ours.
SEQUENCE_GAP = 1000


@dataclass
class _Write:
    """The statements that write one slice of households (by rank) and their members.

    New households get the id `hbase + rank` and new persons `pbase + row_no`: bases reserved
    from the tables' sequences (PostgreSQL) or above their largest id while SQLite's write lock
    is held, so that no statement has to number rows one by one."""

    staging: Staging
    actor_id: int | None
    reason: str
    now: Any
    sliced: bool
    changes: bool  # whether any person already in the register changes
    household_changes: bool  # whether any household already in the register changes
    hbase: int = 0
    pbase: int = 0

    def reserve(self, last_row: int, last_rank: int) -> None:
        s = self.staging
        if s.pg:
            reserve = (
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                "nextval(pg_get_serial_sequence(%s, 'id')) + %s + %s) - %s"
            )
            self.hbase = int(s.one(reserve, [H, H, SEQUENCE_GAP, last_rank, last_rank])[0])
            self.pbase = int(s.one(reserve, [P, P, SEQUENCE_GAP, last_row, last_row])[0])
            return
        largest = (
            "SELECT max(coalesce((SELECT max(id) FROM {table}), 0), "
            "coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))"
        )
        self.hbase = int(s.one(largest.format(table=H), [H])[0])
        self.pbase = int(s.one(largest.format(table=P), [P])[0])

    def slice(self, low: int, high: int) -> None:
        s, now = self.staging, self.now
        hid = f"coalesce(h.household_id, {self.hbase} + h.rank)"
        head = f"coalesce(hr.person_id, {self.pbase} + hr.row_no)"
        if self.sliced:
            in_slice, bounds = "h.rank BETWEEN %s AND %s", [low, high]
            join_h = f"JOIN {HOUSEHOLDS} h ON h.hh = r.hh"
        else:
            in_slice, bounds, join_h = "1 = 1", [], ""
        address = (
            "substr(d.name || CASE WHEN h.building <> '' THEN ' ' || h.building ELSE '' END "
            "|| CASE WHEN h.unit <> '' THEN ' ' || h.unit ELSE '' END "
            "|| CASE WHEN h.room <> '' THEN ' ' || h.room ELSE '' END, 1, 200)"
        )
        if self.household_changes:
            # Existing households: grid, address and contact number (blank cells keep values).
            s.sql(
                f"UPDATE {H} SET grid_id = h.grid_id, building = h.building, unit = h.unit, "
                f"room = h.room, address = {address}, "
                f"contact_mobile = CASE WHEN {H}.contact_mobile_hash IS NULL "
                f"AND h.head_mobile_hash <> '' THEN h.head_mobile_enc ELSE {H}.contact_mobile END, "
                f"contact_mobile_hash = CASE WHEN {H}.contact_mobile_hash IS NULL "
                f"AND h.head_mobile_hash <> '' THEN h.head_mobile_hash "
                f"ELSE {H}.contact_mobile_hash END, updated_at = %s "
                f"FROM {HOUSEHOLDS} h JOIN {D} d ON d.code = h.community_code "
                f"WHERE {H}.id = h.household_id AND h.existing = 1 AND h.changed = 1 AND {in_slice}",
                [now, *bounds],
            )
        # New households, with their head (new or existing person) and contact number.
        s.sql(
            f"INSERT INTO {H} (id, division_code, grid_id, building, unit, room, address, "
            f"head_id, contact_mobile, contact_mobile_hash, created_at, updated_at) "
            f"SELECT {hid}, h.community_code, h.grid_id, h.building, h.unit, h.room, "
            f"{address}, CASE WHEN hr.row_no IS NOT NULL THEN {head} END, "
            f"CASE WHEN h.head_mobile_hash <> '' THEN h.head_mobile_enc END, "
            f"CASE WHEN h.head_mobile_hash <> '' THEN h.head_mobile_hash END, %s, %s "
            f"FROM {HOUSEHOLDS} h JOIN {D} d ON d.code = h.community_code "
            f"LEFT JOIN {ROWS} hr ON hr.row_no = h.head_row "
            f"WHERE h.existing = 0 AND {in_slice}",
            [now, now, *bounds],
        )
        # New persons.
        s.sql(
            f"INSERT INTO {P} (id, id_number, id_number_hash, name, name_initials, sex, "
            f"birth_date, mobile, mobile_hash, mobile_last4, household_id, relationship, "
            f"residence_type, status, division_code, grid_id, created_at, updated_at) "
            f"SELECT {self.pbase} + r.row_no, r.id_enc, r.id_hash, r.name, r.initials, r.sex, "
            f"r.birth_date, CASE WHEN r.mobile_hash <> '' THEN r.mobile_enc END, "
            f"CASE WHEN r.mobile_hash <> '' THEN r.mobile_hash END, r.mobile_last4, "
            f"{hid}, CASE WHEN r.relationship <> '' THEN r.relationship ELSE %s END, "
            f"CASE WHEN r.residence_type <> '' THEN r.residence_type ELSE %s END, %s, "
            f"h.community_code, h.grid_id, %s, %s "
            f"FROM {ROWS} r JOIN {HOUSEHOLDS} h ON h.hh = r.hh "
            f"WHERE r.bad = 0 AND r.person_id IS NULL AND {in_slice}",
            [Relationship.OTHER.value, ResidenceType.REGISTERED.value,
             PersonStatus.LIVING_HERE.value, now, now, *bounds],
        )  # fmt: skip
        if self.changes:
            moved = f"r.changed = 1 AND {s._distinct('r.cur_hh', hid)}"
            # Moves keep history, as do_move_person does.
            s.sql(
                f"INSERT INTO {C} (person_id, field, old_value, new_value, reason, changed_by_id, "
                f"changed_at) SELECT r.person_id, 'household', coalesce(oh.address, ''), "
                f"nh.address, %s, %s, %s FROM {ROWS} r JOIN {HOUSEHOLDS} h ON h.hh = r.hh "
                f"JOIN {H} nh ON nh.id = {hid} LEFT JOIN {H} oh ON oh.id = r.cur_hh "
                f"WHERE {moved} AND {in_slice}",
                [self.reason, self.actor_id, now, *bounds],
            )
            # Changed persons; a head who moves out of their household is no longer its head.
            s.sql(
                f"UPDATE {P} SET name = r.name, name_initials = r.initials, "
                f"mobile = CASE WHEN r.mobile_hash <> '' AND "
                f"{s._distinct(f'{P}.mobile_hash', 'r.mobile_hash')} THEN r.mobile_enc "
                f"ELSE {P}.mobile END, "
                f"mobile_hash = CASE WHEN r.mobile_hash <> '' THEN r.mobile_hash "
                f"ELSE {P}.mobile_hash END, "
                f"mobile_last4 = CASE WHEN r.mobile_hash <> '' THEN r.mobile_last4 "
                f"ELSE {P}.mobile_last4 END, "
                f"relationship = CASE WHEN r.relationship <> '' THEN r.relationship "
                f"WHEN {s._distinct(f'{P}.household_id', hid)} AND EXISTS "
                f"(SELECT 1 FROM {H} oh WHERE oh.id = {P}.household_id AND oh.head_id = {P}.id) "
                f"THEN %s ELSE {P}.relationship END, "
                f"residence_type = CASE WHEN r.residence_type <> '' THEN r.residence_type "
                f"ELSE {P}.residence_type END, household_id = {hid}, "
                f"division_code = h.community_code, grid_id = h.grid_id, updated_at = %s "
                f"FROM {ROWS} r JOIN {HOUSEHOLDS} h ON h.hh = r.hh "
                f"WHERE {P}.id = r.person_id AND r.changed = 1 AND {in_slice}",
                [Relationship.OTHER.value, now, *bounds],
            )
            moved_rows = (
                f"FROM {ROWS} r JOIN {HOUSEHOLDS} h ON h.hh = r.hh WHERE {moved} AND {in_slice}"
            )
            s.sql(
                f"UPDATE {H} SET head_id = NULL, updated_at = %s WHERE id IN "
                f"(SELECT r.cur_hh {moved_rows}) AND head_id IN (SELECT r.person_id {moved_rows})",
                [now, *bounds, *bounds],
            )
        if self.household_changes:
            # Heads of existing households named by the file.
            s.sql(
                f"UPDATE {H} SET head_id = x.head_id, updated_at = %s FROM "
                f"(SELECT h.household_id, {head} AS head_id FROM {HOUSEHOLDS} h "
                f"JOIN {ROWS} hr ON hr.row_no = h.head_row WHERE h.existing = 1 AND {in_slice}) x "
                f"WHERE {H}.id = x.household_id AND {s._distinct(f'{H}.head_id', 'x.head_id')}",
                [now, *bounds],
            )
            # Members the file does not name follow their household's grid.
            s.sql(
                f"UPDATE {P} SET grid_id = hh.grid_id, division_code = hh.division_code, "
                f"updated_at = %s FROM {H} hh WHERE {P}.household_id = hh.id AND hh.id IN "
                f"(SELECT h.household_id FROM {HOUSEHOLDS} h WHERE h.existing = 1 "
                f"AND h.changed = 1 AND {in_slice}) AND ("
                f"{s._distinct(f'{P}.grid_id', 'hh.grid_id')} OR {P}.division_code <> hh.division_code)",
                [now, *bounds],
            )
        # Tags: add what the file gives; where it gives tags, remove the others.
        s.sql(
            f"INSERT INTO {T} (person_id, tag) "
            f"SELECT {self.pbase} + r.row_no, b.tag FROM {ROWS} r {join_h} "
            f"JOIN {TAG_BITS_TABLE} b ON (r.tags & b.bit) <> 0 "
            f"WHERE r.bad = 0 AND r.tags > 0 AND r.person_id IS NULL AND {in_slice}",
            bounds,
        )
        if not self.changes:
            return
        s.sql(
            f"INSERT INTO {T} (person_id, tag) SELECT r.person_id, b.tag FROM {ROWS} r {join_h} "
            f"JOIN {TAG_BITS_TABLE} b ON (r.tags & b.bit) <> 0 "
            f"WHERE r.bad = 0 AND r.tags > 0 AND r.changed = 1 AND {in_slice} "
            f"ON CONFLICT (person_id, tag) DO NOTHING",
            bounds,
        )
        s.sql(
            f"DELETE FROM {T} WHERE id IN (SELECT t.id FROM {T} t "
            f"JOIN {ROWS} r ON r.person_id = t.person_id {join_h} "
            f"JOIN {TAG_BITS_TABLE} b ON b.tag = t.tag "
            f"WHERE r.changed = 1 AND r.tags >= 0 AND (r.tags & b.bit) = 0 AND {in_slice})",
            bounds,
        )
