"""What a pass at the gate needs to know before it is written, asked in one statement.

A scan is the busiest write of the platform (a gate at rush hour), and on a small server the
ORM's cost of building a query is most of its CPU; so the look-ups a pass depends on are one
hand-written SELECT of scalar subqueries, on SQLite and PostgreSQL alike: the pass a double tap
repeats, the person's exits so far today, their household's health report today, whether
they are under medical observation (the epidemic module's line list), and which of the
community's exit rules have already raised today's alert about them (every exit over the limit
trips the rule again).

A resident's own scan (`resident_scan`) asks, in the same statement, for the gate the signed
token names (so a revoked or deactivated gate is refused at once, in every process) and for the
resident's person in the register (as `population.declarations.person_of` finds it): the scan
reads the database once before it writes the pass. The pass itself is written by
`insert_pass`: one INSERT that yields to the pass a racing double tap wrote first (the unique
tap window) instead of failing, so the write needs no savepoint of its own.
"""

import datetime
import functools
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from civicgrid.community.choices import Direction, RuleKind
from civicgrid.community.models import Alert, AlertRule, Checkpoint, HealthReport, PassRecord
from civicgrid.core.sql_rows import insert_row, prepared_cursor
from civicgrid.epidemic.observation import under_observation_sql
from civicgrid.population.choices import PersonStatus
from civicgrid.population.models import Person

# Two taps of the same button within this many seconds are one pass.
DOUBLE_TAP_SECONDS = 10


@dataclass(frozen=True)
class TapFacts:
    recent_tap_id: int | None  # a pass of the same subject and direction this tap repeats
    exits_before: int  # the person's exits of the day so far, not voided
    has_fever: bool | None  # the household's report of the day: None when there is none
    observed: bool  # the person is under medical observation (at home or at a site)
    exits_alerted: bool = False  # today's alert of the community's exits-per-day rule exists
    observed_alerted: bool = False  # today's alert of its observed-person-out rule exists


def _day_bounds(moment: datetime.datetime) -> tuple[datetime.date, datetime.datetime]:
    day = timezone.localdate(moment)
    return day, _day_start(day, timezone.get_current_timezone())


@functools.lru_cache(maxsize=8)
def _day_start(day: datetime.date, zone: datetime.tzinfo) -> datetime.datetime:
    """Midnight of `day` in `zone`, aware: the same for every scan of the day."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), zone)


# The observation condition's parameters, the same whoever the person is.
_OBSERVATION_PARAMS = under_observation_sql("p.id")[1]

# The facts' subqueries, about the person `{pid}` and household `{hid}` (SQL expressions):
# the pass a double tap repeats, exits today, today's report, observation.
_FACTS = """
  (SELECT last.id FROM (SELECT r.id, r.scanned_at FROM {passes} r
     WHERE r.subject_key = {subject} AND {tap_person} r.direction = %s AND r.tap_window >= %s
       AND r.scanned_at <= %s
     ORDER BY r.scanned_at DESC LIMIT 1) last WHERE last.scanned_at >= %s),
  (SELECT COUNT(*) FROM {passes} e WHERE e.person_id = {pid} AND e.direction = %s
     AND e.scanned_at >= %s AND e.scanned_at < %s AND e.voided_at IS NULL),
  (SELECT h.has_fever FROM {reports} h WHERE h.household_id = {hid} AND h.report_date = %s),
  {observed},
  {alerted},
  {alerted}
"""
# Today's alert about the subject exists, of the rule of a kind in the community `{division}`.
_ALERTED = """EXISTS (SELECT 1 FROM {rules} ar JOIN {alerts} a ON a.rule_id = ar.id
     WHERE ar.division_code = {division} AND ar.kind = %s AND a.subject_key = {subject}
       AND a.day = %s)"""


def _facts_sql(*, subject: str, pid: str, hid: str, division: str, tap_person: str = "") -> str:
    """`tap_person`: a condition on the person of the repeated tap ("r.person_id = p.id AND"),
    for when the subject is an expression. The repeated tap is the subject's latest pass in
    that direction up to the moment, kept if it falls in the double-tap window: so it is
    found through the subject's tap-window index, never by scanning the window's passes of
    every gate (at rush hour, thousands) nor all of the subject's own (a month of them). The
    window's first `tap_window` bounds it: a pass's window is its time // DOUBLE_TAP_SECONDS."""
    alerted = _ALERTED.format(
        rules=AlertRule._meta.db_table, alerts=Alert._meta.db_table,
        division=division, subject=subject,
    )  # fmt: skip
    return _FACTS.format(
        passes=PassRecord._meta.db_table, reports=HealthReport._meta.db_table,
        observed=under_observation_sql(pid)[0], alerted=alerted,
        subject=subject, pid=pid, hid=hid, tap_person=tap_person,
    )  # fmt: skip


def _facts_params(direction: str, moment: datetime.datetime) -> list[object]:
    ops = connection.ops
    day, start = _day_bounds(moment)
    window = moment - datetime.timedelta(seconds=DOUBLE_TAP_SECONDS)
    return [
        direction, int(window.timestamp()) // DOUBLE_TAP_SECONDS,
        ops.adapt_datetimefield_value(moment), ops.adapt_datetimefield_value(window),
        Direction.OUT.value, ops.adapt_datetimefield_value(start),
        ops.adapt_datetimefield_value(start + datetime.timedelta(days=1)),
        ops.adapt_datefield_value(day),
        *_OBSERVATION_PARAMS,
        RuleKind.EXITS_PER_DAY.value, ops.adapt_datefield_value(day),
        RuleKind.OBSERVED_OUT.value, ops.adapt_datefield_value(day),
    ]  # fmt: skip


def _facts_of(row: tuple | list) -> TapFacts:  # type: ignore[type-arg]
    recent, exits, fever, observed, exits_alerted, observed_alerted = row
    return TapFacts(
        recent, int(exits or 0), None if fever is None else bool(fever), bool(observed),
        bool(exits_alerted), bool(observed_alerted),
    )  # fmt: skip


def tap_facts(
    *, subject_key: str, direction: str, moment: datetime.datetime, division_code: str,
    person_id: int | None = None, household_id: int | None = None,
) -> TapFacts:  # fmt: skip
    """The facts of a tap by `subject_key` in `direction` at `moment` at a gate of the
    community `division_code` (a visitor has no person or household: their counts are 0,
    None and False)."""
    sql = "SELECT " + _facts_sql(subject="%s", pid="%s", hid="%s", division="%s")
    p = _facts_params(direction, moment)
    # The placeholders in the order they appear in _FACTS and _ALERTED.
    params = [
        subject_key, *p[0:4], person_id, *p[4:7], household_id, p[7], person_id, p[8],
        division_code, p[9], subject_key, p[10], division_code, p[11], subject_key, p[12],
    ]  # fmt: skip
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return _facts_of(row)


@dataclass(frozen=True)
class ResidentScan:
    checkpoint: Checkpoint | None  # the gate the token names; None when there is none
    person: Person | None  # the resident in the register, or None
    facts: TapFacts | None  # None without a person


_CHECKPOINT_FIELDS = ("id", "division_code", "name", "is_active", "token_version")
_PERSON_FIELDS = ("id", "name", "status", "division_code", "grid_id", "household_id")


def _partial(model: type, names: tuple[str, ...], values: tuple | list):  # type: ignore[no-untyped-def,type-arg]
    """A model instance with only `names` loaded (the rest deferred, read on first use), as
    `.only(*names)` would give."""
    by_name = dict(zip(names, values, strict=True))
    fields = [f.attname for f in model._meta.concrete_fields if f.attname in by_name]
    return model.from_db(connection.alias, fields, [by_name[f] for f in fields])


def resident_scan(
    *, checkpoint_id: int, id_number_hash: str | None, mobile_hash: str | None,
    direction: str, moment: datetime.datetime,
) -> ResidentScan:  # fmt: skip
    """The gate, the resident's person (by their verified ID number, else by their mobile
    when exactly one living person has it: `person_of`'s rule) and the person's tap facts,
    in one statement."""
    params = [
        *_facts_params(direction, moment), checkpoint_id, id_number_hash, mobile_hash,
        PersonStatus.LIVING_HERE.value,
    ]  # fmt: skip
    with prepared_cursor() as cursor:
        cursor.execute(_resident_scan_sql(), params)
        row = cursor.fetchone()
    n_cp, n_p = len(_CHECKPOINT_FIELDS), len(_PERSON_FIELDS)
    cp_row, p_row, facts_row = row[:n_cp], row[n_cp : n_cp + n_p], row[n_cp + n_p :]
    checkpoint = None
    if cp_row[0] is not None:
        # The one column whose raw value differs by backend: SQLite answers 0/1 for a boolean.
        checkpoint = _partial(
            Checkpoint, _CHECKPOINT_FIELDS, (*cp_row[:3], bool(cp_row[3]), cp_row[4])
        )
    if p_row[0] is None:
        return ResidentScan(checkpoint, None, None)
    return ResidentScan(checkpoint, _partial(Person, _PERSON_FIELDS, p_row), _facts_of(facts_row))


@functools.cache
def _resident_scan_sql() -> str:
    people = Person._meta.db_table
    facts = _facts_sql(
        subject="'p:' || CAST(p.id AS TEXT)", pid="p.id", hid="p.household_id",
        division="cp.division_code", tap_person="r.person_id = p.id AND",
    )  # fmt: skip
    return f"""
        SELECT {", ".join(f"cp.{c}" for c in _CHECKPOINT_FIELDS)},
          {", ".join(f"p.{c}" for c in _PERSON_FIELDS)}, {facts}
        FROM (SELECT 1 AS one) base
        LEFT JOIN {Checkpoint._meta.db_table} cp ON cp.id = %s
        LEFT JOIN {people} p ON p.id = COALESCE(
          (SELECT i.id FROM {people} i WHERE i.id_number_hash = %s),
          (SELECT CASE WHEN COUNT(*) = 1 THEN MIN(m.id) END FROM (SELECT id FROM {people}
             WHERE mobile_hash = %s AND status = %s LIMIT 2) m))
    """  # noqa: S608 - table and column names from the models, every value bound


def insert_pass(record: PassRecord) -> bool:
    """Write `record` (unsaved) and set its id; False, writing nothing, when a pass of the same
    subject, direction and tap window exists (a racing double tap: on PostgreSQL the INSERT
    waits for the other transaction and yields only if it commits). Each value goes through its
    field as `save()` would send it (`pre_save`, then `get_db_prep_save`); PassRecord has no
    save signals beyond the protected field's `update_fields` check, which an insert skips."""
    return insert_row(record, unless_conflict_on=("subject_key", "direction", "tap_window"))
