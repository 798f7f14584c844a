"""Model rows read and written in plain SQL, for the few statements the hottest writes run
(every daily report an API client posts, every gate scan).

The ORM builds and compiles a query each time it runs one, which costs more CPU than the
statement itself on those paths (hundreds of reports or scans a second). These helpers run fixed SQL and still hand back model instances converted exactly
as the ORM would (the backend's and the fields' converters: dates, JSON, booleans on SQLite),
and adapt values the way `Model.save()` does (`get_db_prep_save`). Use them only where a
profile shows the query building; elsewhere the ORM is clearer.
"""

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper

M = TypeVar("M", bound=models.Model)
N = TypeVar("N", bound=models.Model)


def database() -> BaseDatabaseWrapper:
    """This thread's default connection itself: every attribute read through the
    `django.db.connection` proxy looks the connection up again."""
    return connections[DEFAULT_DB_ALIAS]


# Runs of one statement on a connection after which prepared_statements() prepares it (the
# next run prepares it).
PREPARE_AFTER = 5


@contextmanager
def prepared_statements() -> Iterator[None]:
    """In the block, PostgreSQL prepares each statement once this thread's connection has run
    it PREPARE_AFTER times: parsed and planned once, not per request.

    Only for fixed statements that find rows by key on the hottest paths (a gate scan, a daily
    report): PostgreSQL soon gives a prepared statement one plan for any values, which suits a
    look-up by key and can ruin a search or a list, whose best plan depends on the values (a
    generic plan cannot tell a county's division code from a community's). Every statement
    outside such a block is planned with its values, as ever. Without server-side binding
    (SQLite, or CIVICGRID_DB_PREPARED=0) nothing changes."""
    db = database()
    if (
        db.vendor != "postgresql"
        or db.settings_dict["OPTIONS"].get("server_side_binding") is not True
    ):
        yield
        return
    db.ensure_connection()
    raw = db.connection
    saved = raw.prepare_threshold
    raw.prepare_threshold = PREPARE_AFTER
    try:
        yield
    finally:
        # On the connection the block changed, even if an error replaced it meanwhile.
        raw.prepare_threshold = saved


@contextmanager
def prepared_cursor() -> Iterator[CursorWrapper]:
    """A cursor for `prepared_statements()`: its fixed statements are prepared.

    On PostgreSQL it is one cursor per connection, kept for the next fixed statement: Django
    makes a cursor (and psycopg its adapters) for every statement, a twentieth of a gate scan's
    CPU over its five statements. psycopg reads a result whole, so a kept cursor holds nothing
    on the server. SQLite gets a new cursor each time: one left holding a statement would keep
    its connection reading an old snapshot. So do tests and DEBUG, whose cursors record each
    statement."""
    db = database()
    if db.vendor != "postgresql" or db.queries_logged:
        with prepared_statements(), db.cursor() as cursor:
            yield cursor
        return
    db.close_if_health_check_failed()  # as Django does before a request's first statement
    with prepared_statements():
        yield _kept_cursor(db)


def _kept_cursor(db: BaseDatabaseWrapper) -> CursorWrapper:
    """The connection's kept cursor, made anew when the connection was."""
    db.ensure_connection()
    kept: CursorWrapper | None = getattr(db, "_kept_cursor", None)
    if kept is None or kept.cursor.connection is not db.connection:
        kept = db._kept_cursor = db.cursor()  # type: ignore[attr-defined]
    return kept


def columns_of(model: type[models.Model], alias: str = "") -> str:
    """The model's concrete columns as a SELECT list (`alias.` before each when given)."""
    return _columns_sql(model, alias, database().vendor)


@functools.cache
def _columns_sql(model: type[models.Model], alias: str, vendor: str) -> str:
    quote = database().ops.quote_name
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + quote(f.column) for f in model._meta.concrete_fields)


def instance_from_row(model: type[M], row: Sequence[Any]) -> M:
    """A model instance from the values of `columns_of(model)`, converted as the ORM does
    (the compiler's `get_converters`: the backend's, then the field's)."""
    db = database()
    names, columns = _columns(model)
    values = list(row[: len(names)])
    for position, (column, own) in enumerate(columns):
        for convert in db.ops.get_db_converters(column) + own:
            values[position] = convert(values[position], column, db)
    return model.from_db(db.alias, names, values)


@functools.cache
def _columns(model: type[models.Model]) -> tuple[list[str], list[tuple[Any, list[Any]]]]:
    """The attribute names of the model's columns, and each column with its field's own
    converters (`from_db_value`, whatever the connection)."""
    table = model._meta.db_table
    fields = model._meta.concrete_fields
    cols = [f.get_col(table) for f in fields]
    columns = [(col, col.get_db_converters(database())) for col in cols]
    return [f.attname for f in fields], columns


def fetch_by_pk(model: type[M], pk: Any) -> M | None:
    """The row of `model` with primary key `pk`, or None (one plain SELECT)."""
    db = database()
    with prepared_cursor() as cursor:
        cursor.execute(_by_pk_sql(model, db.vendor), [pk])
        row = cursor.fetchone()
    return None if row is None else instance_from_row(model, row)


@functools.cache
def _by_pk_sql(model: type[models.Model], vendor: str) -> str:
    quote = database().ops.quote_name
    return (
        f"SELECT {columns_of(model)} FROM {quote(model._meta.db_table)} "  # noqa: S608
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )


def fetch_pair(model: type[M], pk: int, other: type[N], other_pk: int) -> tuple[M | None, N | None]:
    """The row of `model` with primary key `pk` and the row of `other` with `other_pk`, each
    or None, in one SELECT (two independent look-ups, one round trip)."""
    db = database()
    with prepared_cursor() as cursor:
        cursor.execute(_pair_sql(model, other, db.vendor), [other_pk, pk])
        row = cursor.fetchone()
    return _row_and_other(model, other, row)


def _row_and_other(
    model: type[M], other: type[N], row: Sequence[Any] | None
) -> tuple[M | None, N | None]:
    """The two instances of a row of `columns_of(model)` then `columns_of(other)`; `other`'s
    is None when its columns are NULL (no row joined)."""
    if row is None:
        return None, None
    rest = row[len(model._meta.concrete_fields) :]
    found = rest[other._meta.concrete_fields.index(other._meta.pk)] is not None
    return instance_from_row(model, row), instance_from_row(other, rest) if found else None


@functools.cache
def _pair_sql(model: type[models.Model], other: type[models.Model], vendor: str) -> str:
    quote = database().ops.quote_name
    return (
        f"SELECT {columns_of(model, 'a')}, {columns_of(other, 'b')} "  # noqa: S608
        f"FROM {quote(model._meta.db_table)} a LEFT JOIN {quote(other._meta.db_table)} b "
        f"ON b.{quote(other._meta.pk.column)} = %s WHERE a.{quote(model._meta.pk.column)} = %s"
    )


def fetch_with_related(model: type[M], pk: Any, link: str) -> tuple[M | None, Any]:
    """The row of `model` with primary key `pk` and the row its foreign key `link` points at,
    each or None, in one SELECT (a session and its user)."""
    db = database()
    with prepared_cursor() as cursor:
        cursor.execute(_with_related_sql(model, link, db.vendor), [pk])
        row = cursor.fetchone()
    return _row_and_other(model, _related_model(model, link), row)


def _foreign_key(model: type[models.Model], link: str) -> models.ForeignKey:  # type: ignore[type-arg]
    return cast(models.ForeignKey, model._meta.get_field(link))  # type: ignore[type-arg]


def _related_model(model: type[models.Model], link: str) -> type[models.Model]:
    return cast(type[models.Model], _foreign_key(model, link).related_model)


@functools.cache
def _with_related_sql(model: type[models.Model], link: str, vendor: str) -> str:
    quote = database().ops.quote_name
    field = _foreign_key(model, link)
    other = _related_model(model, link)
    return (
        f"SELECT {columns_of(model, 'a')}, {columns_of(other, 'b')} "  # noqa: S608
        f"FROM {quote(model._meta.db_table)} a LEFT JOIN {quote(other._meta.db_table)} b "
        f"ON b.{quote(field.target_field.column)} = a.{quote(field.column)} "
        f"WHERE a.{quote(model._meta.pk.column)} = %s"
    )


def insert_row(instance: models.Model, *, unless_conflict_on: tuple[str, ...] = ()) -> bool:
    """INSERT `instance` as `save()` would (every concrete field but an auto primary key,
    through the field's `pre_save`, so auto_now fields are set) and take its new primary key.
    No save signals are sent: use it for models that have none.

    With `unless_conflict_on` (the columns of a unique constraint) a row already holding
    those values makes it insert nothing and return False, without an error that would need
    a savepoint to recover from."""
    db = database()
    model = type(instance)
    fields = _inserted_fields(model)
    values = [f.get_db_prep_save(f.pre_save(instance, True), db) for f in fields]
    with prepared_cursor() as cursor:
        cursor.execute(_insert_sql(model, unless_conflict_on, db.vendor), values)
        row = cursor.fetchone()
    if row is None:
        return False
    _saved(instance, row[0])
    return True


def insert_row_and_child(
    parent: models.Model,
    child: models.Model,
    link: str,
    *,
    unless_conflict_on: tuple[str, ...] = (),
) -> bool:
    """`insert_row(parent)`, then `insert_row(child)` with its foreign key `link` pointing at
    the new parent (a report and its first revision). On PostgreSQL one statement: the parent's
    INSERT in a WITH that the child's INSERT reads, one round trip fewer.

    With `unless_conflict_on` a parent row already holding those values makes it insert
    neither and return False, as `insert_row` does."""
    db = database()
    if db.vendor != "postgresql":
        if not insert_row(parent, unless_conflict_on=unless_conflict_on):
            return False
        setattr(child, link, parent)
        insert_row(child)
        return True
    parent_fields = _inserted_fields(type(parent))
    child_fields = _child_fields(type(child), link)
    values = [f.get_db_prep_save(f.pre_save(parent, True), db) for f in parent_fields]
    values += [f.get_db_prep_save(f.pre_save(child, True), db) for f in child_fields]
    sql = _insert_pair_sql(type(parent), type(child), link, unless_conflict_on, db.vendor)
    with prepared_cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    _saved(parent, row[1])
    setattr(child, link, parent)
    _saved(child, row[0])
    return True


def _saved(instance: models.Model, pk: Any) -> None:
    """Mark `instance` as the stored row of primary key `pk`, as `save()` leaves it."""
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = database().alias


@functools.cache
def _inserted_fields(model: type[models.Model]) -> list[Any]:
    meta = model._meta
    return [f for f in meta.concrete_fields if f is not meta.auto_field]


@functools.cache
def _child_fields(model: type[models.Model], link: str) -> list[Any]:
    """The inserted fields of `model` but its foreign key `link`."""
    return [f for f in _inserted_fields(model) if f.name != link]


@functools.cache
def _insert_sql(model: type[models.Model], conflict_on: tuple[str, ...], vendor: str) -> str:
    quote = database().ops.quote_name
    fields = _inserted_fields(model)
    conflict = (
        f" ON CONFLICT ({', '.join(quote(c) for c in conflict_on)}) DO NOTHING"
        if conflict_on
        else ""
    )
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}){conflict} "
        f"RETURNING {quote(model._meta.pk.column)}"
    )


@functools.cache
def _insert_pair_sql(
    parent: type[models.Model],
    child: type[models.Model],
    link: str,
    conflict_on: tuple[str, ...],
    vendor: str,
) -> str:
    """`insert_row_and_child` on PostgreSQL: the child's values are cast to their columns'
    types, which a SELECT list (unlike VALUES) does not infer from the INSERT's columns;
    lengths are left to the INSERT, which checks them rather than cutting."""
    db = database()
    quote = db.ops.quote_name
    key = child._meta.get_field(link)
    if not isinstance(key, models.ForeignKey):
        raise TypeError(f"{child.__name__}.{link} is not a foreign key")
    fields = _child_fields(child, link)
    casts = ", ".join(f"%s::{cast_type(f, db)}" for f in fields)
    columns = ", ".join(quote(c) for c in [key.column, *(f.column for f in fields)])
    return (
        f"WITH parent AS ({_insert_sql(parent, conflict_on, vendor)}) "  # noqa: S608
        f"INSERT INTO {quote(child._meta.db_table)} ({columns}) "
        f"SELECT parent.{quote(parent._meta.pk.column)}, {casts} FROM parent "
        f"RETURNING {quote(child._meta.pk.column)}, {quote(key.column)}"
    )


def cast_type(field: Any, db: BaseDatabaseWrapper) -> str:
    """The type to cast a parameter to for `field`'s column in an INSERT … SELECT (PostgreSQL):
    a foreign key's column type is its target's; varchar without its length, which the INSERT
    checks rather than cuts."""
    column_type = str(field.db_type(db))
    return "varchar" if column_type.startswith("varchar(") else column_type
