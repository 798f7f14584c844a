"""Background jobs of the applications app.

`remind_due_cases` runs on the worker's timer (`core.periodic`): once a day per case, the
clerks of the handling department hear of open cases that are overdue or due within two working
days (cases waiting for material are paused and left out). Cases are claimed with a conditional
UPDATE on `reminded_on`, so two workers running the sweep at once remind each case once.
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from civicgrid.applications import clock
from civicgrid.applications.actions import clerks_of
from civicgrid.applications.choices import CaseStatus
from civicgrid.applications.models import Case
from civicgrid.core.notifications.actions import notify


def remind_due_cases() -> int:
    """Remind each department of its cases due soon or overdue; returns the cases reminded."""
    today = clock.today()
    due = Q(in_queue=True, due_date__lte=clock.due_soon_limit(today)) & ~Q(
        status=CaseStatus.AWAITING_MATERIAL
    )
    not_today = Q(reminded_on__isnull=True) | Q(reminded_on__lt=today)
    with transaction.atomic():
        ids = list(Case.objects.filter(due & not_today).values_list("pk", flat=True)[:5000])
        if not ids:
            return 0
        # One conditional UPDATE per case: only the sweep whose UPDATE changed the row tells.
        won = [pk for pk in ids if Case.objects.filter(not_today, pk=pk).update(reminded_on=today)]
        reminded = len(won)
        by_department: dict[int, list[Case]] = defaultdict(list)
        claimed = Case.objects.filter(pk__in=won).select_related("item", "handling_department")
        for case in claimed.order_by("due_date", "id"):
            by_department[case.handling_department_id].append(case)
        for department_id, cases in by_department.items():
            first = cases[0]
            clerks = clerks_of(department_id)
            if clerks:
                notify(
                    clerks,
                    "application_due_reminder",
                    {
                        "department": first.handling_department.name,
                        "count": str(len(cases)),
                        "number": first.number,
                        "item": first.item.name,
                    },
                    url=reverse("applications:clerk_queue") + "?time_left=overdue",
                )
    return reminded
