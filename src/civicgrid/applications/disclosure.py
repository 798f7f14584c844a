"""The ID and mobile numbers in a case's answers: masked for everyone by default, shown in full
to the handling department's clerks who ask with a reason, each such read audited with the
person it concerns as subject (`id:<hash>` for an ID number, see core.disclosure)."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from civicgrid.applications.formspec import masked_answers, personal_values
from civicgrid.applications.models import Case
from civicgrid.applications.querysets import clerk_department_ids
from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.crypto import lookup_hash
from civicgrid.core.disclosure import MIN_REASON_LENGTH


def may_reveal_answers(user: Any, case: Case) -> bool:
    """Clerks of the department handling or implementing the case need the numbers (to call
    the applicant, to check an ID against shared data); supervisors and API callers do not."""
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "active_memberships"):
        return False
    departments = clerk_department_ids(user)
    return bool(user.is_superuser) or any(
        d in departments for d in (case.handling_department_id, case.department_id)
    )


def shown_answers(case: Case) -> dict[str, Any]:
    """The answers as a clerk or API client sees them without asking: numbers masked."""
    return masked_answers(case.form_definition.spec, case.answers)


def _scope(path: str) -> str:
    return path.rsplit(".", 1)[0] if "." in path else ""


def _subjects(case: Case, answers: Mapping[str, Any]) -> dict[str, list[str]]:
    """Audit subject -> paths of the numbers read. An ID number names its holder; a mobile
    belongs to the ID holder of the same group row (or of the top level) when there is exactly
    one, else to the applicant's account."""
    found = personal_values(case.form_definition.spec, answers)
    applicant = f"user:{case.applicant_user_id}"
    keys: dict[str, str] = {}
    ids_in: dict[str, set[str]] = {}
    for value in found:
        if value.kind == "id_number":
            try:
                keys[value.path] = f"id:{lookup_hash('id_number', value.value)}"
            except ValidationError:  # not a valid number after all: the applicant's data
                keys[value.path] = applicant
            ids_in.setdefault(_scope(value.path), set()).add(keys[value.path])
    subjects: dict[str, list[str]] = {}
    for value in found:
        if value.kind == "id_number":
            key = keys[value.path]
        else:
            holders = ids_in.get(_scope(value.path), set())
            key = next(iter(holders)) if len(holders) == 1 else applicant
        subjects.setdefault(key, []).append(value.path)
    return subjects


def do_reveal_case_answers(
    actor: Any, *, case: Case, reason: str, request: HttpRequest | None = None
) -> dict[str, Any]:
    """The case's shown answers with the numbers in full, for a clerk who may see them; one
    `view_unmasked` audit record per person concerned, all in one transaction. The case must
    already have passed the caller's access check."""
    if not may_reveal_answers(actor, case):
        raise PermissionDenied
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError({"reason": [_("请填写查看完整信息的理由")]}, code="reason_required")
    answers = case.answers
    with transaction.atomic():
        for subject, paths in _subjects(case, answers).items():
            record_audit(
                actor=actor,
                action=AuditAction.VIEW_UNMASKED,
                target=case,
                division_code=case.division_code,
                subject_key=subject,
                reason=reason[:500],
                request=request,
                details={"number": case.number, "fields": paths},
            )
    return dict(answers)
