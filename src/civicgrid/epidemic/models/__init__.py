"""The epidemic app's models, one module per part of issue 5.

`forms` and `reports` are part 1 (daily aggregate reporting), `statistics` part 3 (live
figures). `line_lists` is part 2 (cases, contacts, key persons, observation, chains).
"""

from civicgrid.epidemic.models.forms import DataElement, ReportForm, ValidationRule
from civicgrid.epidemic.models.line_lists import (
    Case,
    CaseClassification,
    Contact,
    ContactExposure,
    KeyPerson,
    LineListTotal,
    MonitoringEntry,
    Observation,
    QuarantineSite,
    TransmissionCluster,
)
from civicgrid.epidemic.models.reports import DayLock, Report, ReportReminder, ReportRevision
from civicgrid.epidemic.models.statistics import ElementTotal, ReportTally

__all__ = [
    "Case",
    "CaseClassification",
    "Contact",
    "ContactExposure",
    "DataElement",
    "DayLock",
    "ElementTotal",
    "KeyPerson",
    "LineListTotal",
    "MonitoringEntry",
    "Observation",
    "QuarantineSite",
    "Report",
    "ReportForm",
    "ReportReminder",
    "ReportRevision",
    "ReportTally",
    "TransmissionCluster",
    "ValidationRule",
]
