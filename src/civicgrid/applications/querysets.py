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


def agent_organisation_ids(principal: Any) -> list[int]:
    """Enterprises the principal applies for as their agent."""
    return [m.organisation_id for m in _memberships(principal) if m.role == Role.ENTERPRISE_AGENT]


def _is_user(principal: Any) -> bool:
    return hasattr(principal, "active_memberships")


class CaseQuerySet(ScopedQuerySet):
    def visible_to(self, principal: Principal) -> Self:
        if not principal.is_authenticated:
            return self.none()
        if principal.is_superuser:
            return self.all()
        if not _is_user(principal):
            return super().visible_to(principal)  # an API token: its jurisdiction
        condition = Q(applicant_user=principal)
        enterprises = agent_organisation_ids(principal)
        if enterprises:
            condition |= Q(applicant_organisation_id__in=enterprises)
        departments = clerk_department_ids(principal)
        if departments:
            condition |= Q(handling_department_id__in=departments) | Q(
                department_id__in=departments
            )
        codes = supervisor_codes(principal)
        if codes:
            condition |= jurisdiction_q(codes)
        return self.filter(condition)

    def worked_by(self, principal: Principal) -> Self:
        """The clerk side only: cases the principal handles or supervises (not their own)."""
        if not principal.is_authenticated:
            return self.none()
        if principal.is_superuser:
            return self.all()
        if not _is_user(principal):
            return super().visible_to(principal)
        condition = Q(pk__in=[])
        departments = clerk_department_ids(principal)
        if departments:
            condition |= Q(handling_department_id__in=departments)
        codes = supervisor_codes(principal)
        if codes:
            condition |= jurisdiction_q(codes)
        return self.filter(condition)


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


class FollowUpQuerySet(ScopedQuerySet):
    def visible_to(self, principal: Principal) -> Self:
        if not principal.is_authenticated:
            return self.none()
        if principal.is_superuser:
            return self.all()
        if not _is_user(principal):
            return super().visible_to(principal)
        condition = Q(pk__in=[])
        departments = clerk_department_ids(principal)
        if departments:
            condition |= Q(department_id__in=departments)
        codes = supervisor_codes(principal)
        if codes:
            condition |= jurisdiction_q(codes)
        return self.filter(condition)
