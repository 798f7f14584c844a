"""Read-side queries shared by the pages and the API: the clerk queue, an applicant's cases and
drafts, a case's timeline and the per-department evaluation report."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from civicgrid.accounts.access import agent_organisation_ids
from civicgrid.accounts.models import Organisation
from civicgrid.applications import clock
from civicgrid.applications.choices import (
    FINISHED_STATUSES,
    CaseStatus,
    FollowUpStatus,
    TimeLeft,
)
from civicgrid.applications.models import Case, Draft, Evaluation, FollowUp
from civicgrid.applications.querysets import clerk_department_ids, supervisor_codes
from civicgrid.core.scoping import jurisdiction_q

# What a queue page (and the API's queue) shows: only these columns are read, so neither the
# answers nor the form definition's JSON is decoded for a row of the list.
QUEUE_FIELDS = (
    "id",
    "number",
    "applicant_kind",
    "applicant_name",
    "credit_code",
    "status",
    "submitted_at",
    "due_date",
    "due_warning",
    "item__code",
    "item__name",
    "current_step__name",
    "form_definition__version",
    "handling_department__name",
)


def is_clerk_side(user: Any) -> bool:
    return bool(
        getattr(user, "is_superuser", False) or clerk_department_ids(user) or supervisor_codes(user)
    )


def queue_departments(user: Any) -> QuerySet[Organisation]:
    """Departments the user may filter the queue by."""
    if getattr(user, "is_superuser", False):
        return Organisation.objects.filter(type__in=("department", "tax_office"))
    condition = Q(pk__in=clerk_department_ids(user))
    codes = supervisor_codes(user)
    if codes:
        condition |= jurisdiction_q(codes) & Q(type__in=("department", "tax_office"))
    return Organisation.objects.filter(condition).order_by("division_code", "name")


def clerk_queue(
    user: Any,
    *,
    department_id: int | None = None,
    item_id: int | None = None,
    status: str | None = None,
    time_left: str | None = None,
) -> QuerySet[Case]:
    """The cases a clerk works, soonest due first. Without a status, the open ones; the
    time-left filter compares due dates with today's working-day limits (indexed columns)."""
    rows = Case.objects.worked_by(user)
    if department_id:
        rows = rows.filter(handling_department_id=department_id)
    if item_id:
        rows = rows.filter(item_id=item_id)
    rows = rows.filter(status=status) if status else rows.filter(in_queue=True)
    today = clock.today()
    running = ~Q(status=CaseStatus.AWAITING_MATERIAL)
    if time_left == TimeLeft.OVERDUE:
        rows = rows.filter(running, due_date__lt=today)
    elif time_left == TimeLeft.DUE_SOON:
        rows = rows.filter(running, due_date__gte=today, due_date__lte=clock.due_soon_limit(today))
    elif time_left == TimeLeft.ON_TIME:
        rows = rows.filter(running, due_date__gt=clock.due_soon_limit(today))
    elif time_left == TimeLeft.PAUSED:
        rows = rows.filter(status=CaseStatus.AWAITING_MATERIAL)
    return rows.order_by("due_date", "id")


@dataclass(frozen=True)
class QueueRow:
    case: Any
    remaining: clock.Remaining
    status_label: str = ""


def queue_rows(rows: QuerySet[Case]) -> QuerySet[Case]:
    """`rows` joined to what a queue line shows, and nothing else."""
    return rows.select_related(
        "item", "current_step", "form_definition", "handling_department"
    ).only(*QUEUE_FIELDS)


def with_remaining(cases: list[Any]) -> list[QueueRow]:
    """Each case with its time left, from one calendar snapshot for the whole page; the case
    also gets it as `case.remaining` (the API's resolvers read it)."""
    found = clock.remaining_many(cases)
    labels = {value: str(label) for value, label in CaseStatus.choices}  # translated once
    for case, remaining in zip(cases, found, strict=True):
        case.remaining = remaining
    return [
        QueueRow(c, r, labels.get(c.status, c.status)) for c, r in zip(cases, found, strict=True)
    ]


def my_cases(user: Any) -> QuerySet[Case]:
    """Cases the user applied for (and those of the enterprises they are agent of)."""
    condition = Q(applicant_user=user)
    enterprises = agent_organisation_ids(user)
    if enterprises:
        condition |= Q(applicant_organisation_id__in=enterprises)
    return (
        Case.objects.filter(condition)
        .select_related("item", "current_step")
        .order_by("-submitted_at", "-id")
    )


def my_drafts(user: Any) -> QuerySet[Draft]:
    return (
        Draft.objects.visible_to(user)
        .filter(submitted_at__isnull=True)
        .select_related("item")
        .order_by("-updated_at")
    )


def applicant_may_rate(case: Case) -> bool:
    return case.status in FINISHED_STATUSES and not Evaluation.objects.filter(case=case).exists()


@dataclass
class DepartmentLine:
    department: Organisation
    finished: int
    rated: int
    average: float | None
    satisfied: int  # 4 or 5 stars
    bad: int
    follow_ups_open: int
    follow_ups_overdue: int
    follow_ups_done: int

    @property
    def response_rate(self) -> float | None:
        return self.rated / self.finished if self.finished else None

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None


def department_report(user: Any) -> list[DepartmentLine]:
    """Per department the user may see: finished cases, how many were rated (response rate),
    satisfaction (share of 4–5 stars), bad ratings and where their follow-ups stand."""
    departments = {d.pk: d for d in queue_departments(user)}
    if not departments:
        return []
    ids = list(departments)
    finished = dict(
        Case.objects.filter(department_id__in=ids, status__in=FINISHED_STATUSES)
        .values_list("department_id")
        .annotate(n=Count("id"))
    )
    ratings = {
        row["case__department_id"]: row
        for row in Evaluation.objects.filter(case__department_id__in=ids)
        .values("case__department_id")
        .annotate(
            n=Count("id"),
            avg=Avg("rating"),
            good=Count("id", filter=Q(rating__gte=4)),
            bad=Count("id", filter=Q(rating__lte=2)),
        )
    }
    today = clock.today()
    follow = {
        row["department_id"]: row
        for row in FollowUp.objects.filter(department_id__in=ids)
        .values("department_id")
        .annotate(
            open=Count("id", filter=Q(status=FollowUpStatus.OPEN)),
            overdue=Count("id", filter=Q(status=FollowUpStatus.OPEN, due_date__lt=today)),
            done=Count("id", filter=Q(status=FollowUpStatus.DONE)),
        )
    }
    lines = []
    for pk, department in departments.items():
        r = ratings.get(pk, {})
        f = follow.get(pk, {})
        if not finished.get(pk) and not r and not f:
            continue
        lines.append(
            DepartmentLine(
                department=department,
                finished=finished.get(pk, 0),
                rated=r.get("n", 0),
                average=round(r["avg"], 2) if r.get("avg") is not None else None,
                satisfied=r.get("good", 0),
                bad=r.get("bad", 0),
                follow_ups_open=f.get("open", 0),
                follow_ups_overdue=f.get("overdue", 0),
                follow_ups_done=f.get("done", 0),
            )
        )
    return lines


def open_follow_ups(user: Any) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.visible_to(user)
        .select_related("evaluation__case__item", "department")
        .order_by("status", "due_date")
    )
