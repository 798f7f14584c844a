"""The form designer's actions: report forms, their data elements and validation rules.

An administrator defines forms for a division inside their jurisdiction. Element codes stay
fixed once created (reports store figures by code); an element or rule that is no longer
wanted is switched off, never deleted, so old reports still read.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from civicgrid.accounts.choices import OrganisationType
from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.scoping import covers
from civicgrid.epidemic.choices import RuleKind
from civicgrid.epidemic.models import DataElement, ReportForm, ValidationRule
from civicgrid.epidemic.querysets import DESIGNER_ROLES
from civicgrid.regions.models import Division


def may_design(actor: Any, division_code: str) -> bool:
    return bool(
        getattr(actor, "is_authenticated", False)
        and hasattr(actor, "has_role")
        and actor.has_role(*DESIGNER_ROLES)
        and covers(actor, division_code)
    )


def _require_designer(actor: Any, division_code: str) -> None:
    if not may_design(actor, division_code):
        raise ValidationError({"division": "只有该区划的系统管理员可以设计报表"})


def _audit(actor: Any, action: str, target: Any, form: ReportForm, event: str) -> None:
    record_audit(
        actor=actor,
        action=action,
        target=target,
        division_code=form.division_code,
        details={"event": event, "form": form.code},
    )


def _checked_types(types: list[str]) -> list[str]:
    unknown = [t for t in types if t not in OrganisationType.values]
    if unknown or not types:
        raise ValidationError({"organisation_types": "请选择至少一种填报机构类型"})
    return sorted(set(types))


def do_create_report_form(
    actor: Any,
    *,
    code: str,
    name: str,
    division: Division,
    organisation_types: list[str],
    deadline_hour: int,
    description: str = "",
) -> ReportForm:
    """A new (active) form without elements yet."""
    _require_designer(actor, division.code)
    with transaction.atomic():
        form = ReportForm(
            code=code,
            name=name,
            description=description,
            division=division,
            organisation_types=_checked_types(organisation_types),
            deadline_hour=deadline_hour,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        form.full_clean()
        form.save()
        _audit(actor, AuditAction.CREATE, form, form, "form_created")
    return form


def do_update_report_form(actor: Any, *, form: ReportForm, **changes: Any) -> ReportForm:
    """Change a form's name, description, reporting types, deadline or whether it is active."""
    _require_designer(actor, form.division_code)
    allowed = {"name", "description", "organisation_types", "deadline_hour", "is_active"}
    if set(changes) - allowed:
        raise ValueError(f"unknown form fields: {sorted(set(changes) - allowed)}")
    if "organisation_types" in changes:
        changes["organisation_types"] = _checked_types(changes["organisation_types"])
    with transaction.atomic():
        for field, value in changes.items():
            setattr(form, field, value)
        form.full_clean()
        form.save()
        _audit(actor, AuditAction.UPDATE, form, form, "form_updated")
    return form


def do_add_data_element(actor: Any, *, form: ReportForm, **fields: Any) -> DataElement:
    """Add an element (code, name, type, kind, unit, required, order) to a form."""
    _require_designer(actor, form.division_code)
    with transaction.atomic():
        element = DataElement(form=form, **fields)
        if form.elements.filter(code=element.code).exists():
            raise ValidationError({"code": f"指标代码“{element.code}”已在本表中使用"})
        element.full_clean()
        element.save()
        _audit(actor, AuditAction.CREATE, element, form, "element_added")
    return element


def do_set_element_active(actor: Any, *, element: DataElement, active: bool) -> DataElement:
    _require_designer(actor, element.form.division_code)
    with transaction.atomic():
        element.is_active = active
        element.save(update_fields=["is_active"])
        _audit(actor, AuditAction.UPDATE, element, element.form, "element_switched")
    return element


def do_add_validation_rule(
    actor: Any,
    *,
    form: ReportForm,
    kind: str,
    left: DataElement | None,
    right: DataElement | None,
    severity: str,
    message: str = "",
) -> ValidationRule:
    """Add a rule between elements of `form`."""
    _require_designer(actor, form.division_code)
    for element in (left, right):
        if element is not None and element.form_id != form.pk:
            raise ValidationError({"left": "规则只能引用本表的指标"})
    if kind == RuleKind.LESS_OR_EQUAL and (left is None or right is None or left == right):
        raise ValidationError({"right": "“左项 ≤ 右项”需要两个不同的指标"})
    if kind == RuleKind.NOT_BELOW_PREVIOUS and left is None:
        raise ValidationError({"left": "请选择不得减少的指标"})
    with transaction.atomic():
        rule = ValidationRule(
            form=form,
            kind=kind,
            left=left,
            right=right if kind == RuleKind.LESS_OR_EQUAL else None,
            severity=severity,
            message=message,
        )
        rule.full_clean()
        rule.save()
        _audit(actor, AuditAction.CREATE, rule, form, "rule_added")
    return rule


def do_set_rule_active(actor: Any, *, rule: ValidationRule, active: bool) -> ValidationRule:
    _require_designer(actor, rule.form.division_code)
    with transaction.atomic():
        rule.is_active = active
        rule.save(update_fields=["is_active"])
        _audit(actor, AuditAction.UPDATE, rule, rule.form, "rule_switched")
    return rule
