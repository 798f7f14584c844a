"""The epidemic app's models, one module per part of issue 5.

`forms` and `reports` are part 1 (daily aggregate reporting), `statistics` part 3 (live
figures). Line lists (cases, contacts, key persons, observation) arrive as `line_lists.py`.
"""

from civicgrid.epidemic.models.forms import DataElement, ReportForm, ValidationRule
from civicgrid.epidemic.models.reports import DayLock, Report, ReportReminder, ReportRevision
from civicgrid.epidemic.models.statistics import ElementTotal, ReportTally

__all__ = [
    "DataElement",
    "DayLock",
    "ElementTotal",
    "Report",
    "ReportForm",
    "ReportReminder",
    "ReportRevision",
    "ReportTally",
    "ValidationRule",
]
