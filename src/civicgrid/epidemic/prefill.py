"""Pre-filling a unit's daily report from its own line lists (issue 5: "pre-filled from its
line lists where the numbers can be derived").

An element that declares a `line_list_source` is filled, on a report not yet written, from the
cases the unit reported, the observations it is responsible for, or the line-list totals of its
area. The reporter can still change every figure; nothing here writes anything.
"""

import datetime

from django.db.models import Sum

from civicgrid.accounts.models import Organisation
from civicgrid.epidemic.choices import CaseStatus, LineListSource, Measure, Outcome
from civicgrid.epidemic.models import (
    Case,
    CaseClassification,
    DataElement,
    LineListTotal,
    Observation,
)

S = LineListSource


def _figure(source: str, unit: Organisation, date: datetime.date) -> int:
    cases = Case.objects.filter(reporting_unit=unit)
    entered = CaseClassification.objects.filter(
        case__reporting_unit=unit, from_status="", on_date=date
    )
    if source == S.NEW_CONFIRMED:
        return cases.filter(confirmed_on=date).count()
    if source == S.CUM_CONFIRMED:
        return cases.filter(confirmed_on__lte=date).count()
    if source == S.NEW_SUSPECTED:
        return entered.filter(to_status=CaseStatus.SUSPECTED).count()
    if source == S.NEW_ASYMPTOMATIC:
        return entered.filter(to_status=CaseStatus.ASYMPTOMATIC).count()
    if source == S.NEW_RECOVERED:
        return cases.filter(outcome=Outcome.RECOVERED, outcome_date=date).count()
    if source == S.NEW_DIED:
        return cases.filter(outcome=Outcome.DIED, outcome_date=date).count()
    if source == S.NEW_CONTACTS:
        found = LineListTotal.objects.filter(
            division_code=unit.division_code, date=date, measure=Measure.CONTACTS
        ).aggregate(n=Sum("count"))
        return found["n"] or 0
    if source == S.UNDER_OBSERVATION:
        return Observation.objects.active().filter(team=unit, start_date__lte=date).count()
    return 0


def line_list_values(
    unit: Organisation, date: datetime.date, elements: list[DataElement]
) -> dict[str, str]:
    """Element code → figure (a decimal string) for the elements that declare a source."""
    return {
        e.code: str(_figure(e.line_list_source, unit, date)) for e in elements if e.line_list_source
    }
