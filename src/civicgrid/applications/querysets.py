"""Who sees which cases.

- the applicant: their own cases; an enterprise agent: every case of their enterprise;
- department clerks: the cases of their department (as implementing or as currently handling
  department) — a clerk of another county's bureau sees none of them;
- province, city and county officers and administrators: every case in their jurisdiction
  (supervision and the department report);
- API tokens: every case in their organisation's jurisdiction.

Drafts are private to whoever fills them (and their enterprise's agents); rows hanging off a
case (history, requests, evaluations, attachments) are visible with their case.
"""

from typing import Any, Self

from django.db.models import Q

from civicgrid.accounts.access import agent_organisation_ids
from civicgrid.accounts.choices import Role
from civicgrid.core.scoping import Principal, ScopedQuerySet, jurisdiction_q

CLERK_ROLES = frozenset({Role.DEPARTMENT_CLERK})
SUPERVISOR_ROLES = frozenset(
    {Role.PROVINCE_OFFICER, Role.CITY_OFFICER, Role.COUNTY_OFFICER, Role.ADMINISTRATOR}
)


def _memberships(principal: Any) -> list[Any]:
    return list(getattr(principal, "active_memberships", None) or [])


def clerk_department_ids(principal: Any) -> list[int]:
    """Organisations in which the principal works cases as a department clerk."""
    return [m.organisation_id for m in _memberships(principal) if m.role in CLERK_ROLES]


def supervisor_codes(principal: Any) -> list[str]:
    return [m.division_code for m in _memberships(principal) if m.role in SUPERVISOR_ROLES]


def _is_user(principal: Any) -> bool:
    return hasattr(principal, "active_memberships")


def staff_q(principal: Any, *department_fields: str) -> Q:
    """Rows of the principal's departments (as clerk, by any of `department_fields`) and of
    their jurisdiction (as supervisor)."""
    condition = Q(pk__in=[])
    departments = clerk_department_ids(principal)
    for field in department_fields if departments else ():
        condition |= Q(**{f"{field}__in": departments})
    codes = supervisor_codes(principal)
    if codes:
        condition |= jurisdiction_q(codes)
    return condition


class StaffScopedQuerySet(ScopedQuerySet):
    """`visible_to` for rows that staff see by department and jurisdiction: subclasses say
    which department fields count (`department_fields`) and who else sees a row (`also_q`)."""

    department_fields: tuple[str, ...] = ("department_id",)

    def also_q(self, principal: Any) -> Q:
        return Q(pk__in=[])

    def visible_to(self, principal: Principal) -> Self:
        if not principal.is_authenticated:
            return self.none()
        if principal.is_superuser:
            return self.all()
        if not _is_user(principal):
            return super().visible_to(principal)  # an API token: its jurisdiction
        return self.filter(self.also_q(principal) | staff_q(principal, *self.department_fields))


class CaseQuerySet(StaffScopedQuerySet):
    department_fields = ("handling_department_id", "department_id")

    def also_q(self, principal: Any) -> Q:
        """The applicant, and every agent of the applying enterprise."""
        condition = Q(applicant_user=principal)
        enterprises = agent_organisation_ids(principal)
        if enterprises:
            condition |= Q(applicant_organisation_id__in=enterprises)
        return condition

    def worked_by(self, principal: Principal) -> Self:
        """The clerk side only: cases the principal handles or supervises (not their own)."""
        if not principal.is_authenticated or principal.is_superuser or not _is_user(principal):
            return StaffScopedQuerySet.visible_to(self, principal)
        return self.filter(staff_q(principal, "handling_department_id"))


class CasePartQuerySet(ScopedQuerySet):
    """Rows hanging off a case: visible with their case."""

    case_field = "case"

    def visible_to(self, principal: Principal) -> Self:
        from civicgrid.applications.models import Case

        visible = Case.objects.visible_to(principal).values("pk")
        return self.filter(**{f"{self.case_field}__in": visible})


class DraftQuerySet(ScopedQuerySet):
    def visible_to(self, principal: Principal) -> Self:
        if not principal.is_authenticated or not _is_user(principal):
            return self.none()
        condition = Q(owner=principal)
        enterprises = agent_organisation_ids(principal)
        if enterprises:
            condition |= Q(organisation_id__in=enterprises)
        return self.filter(condition)


class AttachmentQuerySet(ScopedQuerySet):
    def visible_to(self, principal: Principal) -> Self:
        from civicgrid.applications.models import Case, Draft

        if not principal.is_authenticated:
            return self.none()
        if principal.is_superuser:
            return self.all()
        condition = Q(case__in=Case.objects.visible_to(principal).values("pk"))
        if _is_user(principal):
            drafts = Draft.objects.visible_to(principal).values("pk")
            condition |= Q(case__isnull=True, draft__in=drafts)
            condition |= Q(case__isnull=True, draft__isnull=True, uploaded_by=principal)
        return self.filter(condition)


class FollowUpQuerySet(StaffScopedQuerySet):
    department_fields = ("department_id",)
