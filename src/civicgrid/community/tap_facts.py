"""What a pass at the gate needs to know before it is written, asked in one statement.

A scan is the busiest write of the platform (a gate at rush hour), and on a small server the
ORM's cost of building a query is most of its CPU; so the four look-ups a pass depends on
are one hand-written SELECT of four scalar subqueries, on SQLite and PostgreSQL alike:
the pass a double tap repeats, the person's exits so far today, their household's health
report today, and whether they are under home observation.
"""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from civicgrid.community.choices import Direction
from civicgrid.community.models import HealthReport, PassRecord
from civicgrid.population.choices import PersonTag
from civicgrid.population.models import PersonTagging

# Two taps of the same button within this many seconds are one pass.
DOUBLE_TAP_SECONDS = 10
# The person tag that stands for home observation until the epidemic module brings its own
# quarantine records: key persons (重点人员) are the ones the grid worker watches daily.
OBSERVATION_TAG = PersonTag.KEY_PERSON


@dataclass(frozen=True)
class TapFacts:
    recent_tap_id: int | None  # a pass of the same subject and direction this tap repeats
    exits_before: int  # the person's exits of the day so far, not voided
    has_fever: bool | None  # the household's report of the day: None when there is none
    observed: bool  # the person is tagged for home observation


def tap_facts(
    *, subject_key: str, direction: str, moment: datetime.datetime,
    person_id: int | None = None, household_id: int | None = None,
) -> TapFacts:  # fmt: skip
    """The facts of a tap by `subject_key` in `direction` at `moment` (a visitor has no
    person or household: their counts are 0, None and False)."""
    ops = connection.ops
    day = timezone.localdate(moment)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    passes = PassRecord._meta.db_table
    sql = f"""
        SELECT
          (SELECT id FROM {passes} WHERE subject_key = %s AND direction = %s
             AND scanned_at >= %s AND scanned_at <= %s ORDER BY scanned_at DESC LIMIT 1),
          (SELECT COUNT(*) FROM {passes} WHERE person_id = %s AND direction = %s
             AND scanned_at >= %s AND scanned_at < %s AND voided_at IS NULL),
          (SELECT has_fever FROM {HealthReport._meta.db_table}
             WHERE household_id = %s AND report_date = %s),
          EXISTS (SELECT 1 FROM {PersonTagging._meta.db_table} WHERE person_id = %s AND tag = %s)
    """  # noqa: S608 - table names from the models, every value bound
    window = moment - datetime.timedelta(seconds=DOUBLE_TAP_SECONDS)
    params = [
        subject_key, direction, ops.adapt_datetimefield_value(window),
        ops.adapt_datetimefield_value(moment),
        person_id, Direction.OUT.value, ops.adapt_datetimefield_value(start),
        ops.adapt_datetimefield_value(start + datetime.timedelta(days=1)),
        household_id, ops.adapt_datefield_value(day),
        person_id, OBSERVATION_TAG.value,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        recent, exits, fever, observed = cursor.fetchone()
    return TapFacts(recent, int(exits), None if fever is None else bool(fever), bool(observed))
