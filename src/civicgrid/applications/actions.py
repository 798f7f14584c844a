"""Every change to an application: one action each, one transaction, one audit row.

Checks come first and a rejected call raises before writing: `ValidationError` naming the field
(a required answer, a bad file, a wrong state) or `PermissionDenied` (a step acted on by
someone who does not hold its role in its department). State changes are conditional UPDATEs
on the case's `version` (`... WHERE version = <seen> AND status IN (...)`), so of two clerks
acting on one case at the same moment exactly one wins, on SQLite and PostgreSQL alike.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.access import agent_organisation_ids
from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import Organisation
from civicgrid.applications import clock, uploads
from civicgrid.applications.choices import (
    BAD_RATING_MAX,
    FINISHED_STATUSES,
    FOLLOW_UP_WORKING_DAYS,
    OPEN_STATUSES,
    ApplicantKind,
    AttachmentPurpose,
    CaseStatus,
    DeliveryMethod,
    EventKind,
    FollowUpStatus,
    MaterialSource,
    RequestStatus,
    StepKind,
)
from civicgrid.applications.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    Delivery,
    Draft,
    Evaluation,
    FollowUp,
    FormDefinition,
    MaterialRequest,
    WorkflowStep,
)
from civicgrid.applications.numbering import next_case_number
from civicgrid.catalog.models import ServiceItem
from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.credit_code import normalize_credit_code
from civicgrid.core.notifications.actions import notify

Files = Mapping[str, Sequence[UploadedFile]]
S = CaseStatus
REASON_MIN_LENGTH = 5
# Statuses in which a clerk may still request material or refuse.
ACTIVE_STATUSES = (S.SUBMITTED, S.IN_PROGRESS)


# --- configuration -----------------------------------------------------------------------------


def do_publish_form_definition(
    actor: Any, *, item: ServiceItem, definition: dict
) -> FormDefinition:
    """A new version of `item`'s form (parsed first: a broken definition is refused)."""
    from civicgrid.applications.formspec import FormDefinitionError, parse_definition

    try:
        parse_definition(definition)
    except FormDefinitionError as exc:
        raise ValidationError({"definition": [str(exc)]}) from None
    with transaction.atomic():
        latest = (
            FormDefinition.objects.select_for_update()
            .filter(item=item)
            .order_by("-version")
            .first()
        )
        if latest is not None and latest.definition == definition:
            return latest
        created = FormDefinition.objects.create(
            item=item,
            version=(latest.version + 1) if latest else 1,
            definition=definition,
            created_by=actor if _is_user(actor) else None,
        )
        record_audit(
            actor=actor,
            action=AuditAction.CREATE,
            target=created,
            division_code=item.division_code,
            details={"event": "form_published", "item": item.code, "version": created.version},
        )
    return created


def current_form(item: ServiceItem) -> FormDefinition:
    found = FormDefinition.objects.filter(item=item).order_by("-version").first()
    if found is None:
        raise ValidationError({"item": _("该事项尚未配置网上申请表单")})
    return found


def do_configure_workflow(
    actor: Any, *, item: ServiceItem, steps: Sequence[Mapping[str, Any]]
) -> list[WorkflowStep]:
    """Replace `item`'s workflow by `steps` (dicts of key, name, kind, role, department,
    certificate_type, certificate_valid_days). It must start by receiving and end by completing;
    a workflow some open case stands on cannot be replaced."""
    kinds = [s.get("kind") for s in steps]
    if len(steps) < 2 or kinds[0] != StepKind.RECEIVE or kinds[-1] != StepKind.COMPLETE:
        raise ValidationError({"steps": _("办理流程须以“受理”开始、以“办结”结束")})
    if StepKind.DECIDE not in kinds:
        raise ValidationError({"steps": _("办理流程须包含“决定”步骤")})
    if any(k not in StepKind.values for k in kinds):
        raise ValidationError({"steps": _("步骤类型无效")})
    if any(s.get("role", Role.DEPARTMENT_CLERK) not in Role.values for s in steps):
        raise ValidationError({"steps": _("办理角色无效")})
    with transaction.atomic():
        existing = list(WorkflowStep.objects.filter(item=item).order_by("position"))

        def shape(key: str, name: str, kind: str, role: str, *rest: Any) -> tuple[Any, ...]:
            return (key, name, kind, role, *rest)

        wanted = [
            shape(
                s["key"],
                s["name"],
                s["kind"],
                s.get("role", Role.DEPARTMENT_CLERK),
                getattr(s.get("department"), "pk", None),
                s.get("certificate_type", ""),
                s.get("certificate_valid_days"),
                dict(s.get("certificate_field_map") or {}),
            )
            for s in steps
        ]
        have = [
            shape(
                w.key,
                w.name,
                w.kind,
                w.role,
                w.department_id,
                w.certificate_type,
                w.certificate_valid_days,
                w.certificate_field_map,
            )
            for w in existing
        ]
        if have == wanted:
            return existing
        if Case.objects.filter(item=item, current_step__in=existing).exists():
            raise ValidationError({"steps": _("仍有办件处于现有流程中，暂不能修改流程")})
        WorkflowStep.objects.filter(item=item).delete()
        created = [
            WorkflowStep.objects.create(
                item=item,
                position=position,
                key=s["key"],
                name=s["name"],
                kind=s["kind"],
                role=s.get("role", Role.DEPARTMENT_CLERK),
                department=s.get("department"),
                certificate_type=s.get("certificate_type", ""),
                certificate_valid_days=s.get("certificate_valid_days"),
                certificate_field_map=dict(s.get("certificate_field_map") or {}),
            )
            for position, s in enumerate(steps, start=1)
        ]
        record_audit(
            actor=actor,
            action=AuditAction.UPDATE,
            target=item,
            division_code=item.division_code,
            details={"event": "workflow_configured", "steps": [s["key"] for s in steps]},
        )
    return created


# --- drafts ------------------------------------------------------------------------------------


def _is_user(actor: Any) -> bool:
    return getattr(getattr(actor, "_meta", None), "label", "") == "accounts.User"


def applicant_enterprise(
    actor: Any, organisation: Organisation | None = None
) -> Organisation | None:
    """The enterprise `actor` applies for: the one named (they must be its agent), or their
    only enterprise; None for a resident. The credit code is validated here."""
    enterprises = agent_organisation_ids(actor)
    if organisation is None:
        if not enterprises:
            return None
        organisation = Organisation.objects.get(pk=enterprises[0])
    elif organisation.pk not in enterprises and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(_("您不是该企业的经办人"))
    try:
        normalize_credit_code(organisation.credit_code)
    except ValidationError as exc:
        raise ValidationError(
            {"credit_code": [_("企业统一社会信用代码无效：") + "；".join(exc.messages)]}
        ) from None
    return organisation


def _check_may_apply(actor: Any, item: ServiceItem) -> None:
    if not _is_user(actor) or not actor.is_authenticated:
        raise PermissionDenied(_("请先登录"))
    if not item.online or item.status != "published":
        raise ValidationError({"item": _("该事项暂不支持网上办理")})


def do_start_draft(
    actor: Any, *, item: ServiceItem, organisation: Organisation | None = None
) -> Draft:
    """The applicant's unsubmitted draft of `item`, or a new one on the current form."""
    _check_may_apply(actor, item)
    enterprise = applicant_enterprise(actor, organisation)
    existing = (
        Draft.objects.filter(owner=actor, item=item, organisation=enterprise, submitted_at=None)
        .order_by("-updated_at")
        .first()
    )
    if existing is not None:
        return existing
    form = current_form(item)
    with transaction.atomic():
        draft = Draft.objects.create(
            owner=actor,
            organisation=enterprise,
            item=item,
            form_definition=form,
            current_step=form.spec.steps[0].key,
        )
        record_audit(
            actor=actor,
            action=AuditAction.CREATE,
            target=draft,
            division_code=item.division_code,
            details={"event": "draft_started", "item": item.code},
        )
    return draft


def _file_field_of_step(spec: Any, step_key: str, path: str) -> bool:
    """Whether `path` (row indices allowed) is a file field of the step `step_key`."""
    try:
        spec.file_rules(path)
        return spec.step_of(path.split(".", 1)[0]).key == step_key
    except (KeyError, LookupError, ValueError, TypeError):
        return False


def _as_lists(data: Mapping[str, Any]) -> dict[str, Any]:
    lists = getattr(data, "lists", None)
    return {k: list(v) for k, v in lists()} if lists is not None else dict(data)


def do_save_draft_step(
    actor: Any,
    *,
    draft: Draft,
    step_key: str,
    data: Mapping[str, Any],
    files: Files | None = None,
) -> tuple[Draft, str | None]:
    """Save one step of a draft: its files checked, its answers cleaned by the form engine.
    Returns the draft and the next step's key (None after the last step: check your answers).
    Raises ValidationError by field path, with nothing saved, when anything is wrong."""
    from civicgrid.applications.formspec import clean_step

    if draft.owner_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("只能填写自己的申请"))
    if draft.submitted_at is not None:
        raise ValidationError({"draft": _("该申请已提交，不能再修改")})
    spec = draft.form_definition.spec
    try:
        spec.step(step_key)
    except (KeyError, LookupError, ValueError):
        raise ValidationError({"step": _("表单步骤不存在")}) from None
    pending, errors = uploads.check_form_uploads(
        spec, files or {}, accepts=lambda path: _file_field_of_step(spec, step_key, path)
    )
    values = _as_lists(data)
    for path, refs in uploads.references_by_path(pending).items():
        # Files already on the draft are posted back as their references; new ones join them.
        kept = values.get(path) or []
        values[path] = [*(kept if isinstance(kept, list) else [kept]), *refs]
    answers, step_errors = clean_step(spec, step_key, values, draft.answers)
    for path, texts in (step_errors or {}).items():
        errors.setdefault(path, []).extend(texts if isinstance(texts, list) else [str(texts)])
    known = [str(r) for r in draft.attachments.values_list("reference", flat=True)]
    known += [str(p.reference) for p in pending]
    for path, problems in uploads.unknown_references(spec, answers, known).items():
        errors.setdefault(path, []).extend(problems)
    if errors:
        raise ValidationError(errors)
    following = spec.next_step(step_key, answers)
    next_key = following.key if following is not None else None
    with uploads.atomic_with_files(pending):
        updated = Draft.objects.filter(pk=draft.pk, submitted_at=None).update(
            answers=answers, current_step=next_key or step_key, updated_at=timezone.now()
        )
        if not updated:
            raise ValidationError({"draft": _("该申请已提交，不能再修改")})
        uploads.store_uploads(pending, uploaded_by=actor, draft=draft)
        draft.answers, draft.current_step = answers, next_key or step_key
        record_audit(
            actor=actor,
            action=AuditAction.UPDATE,
            target=draft,
            division_code=draft.item.division_code,
            details={"event": "draft_saved", "step": step_key, "files": len(pending)},
        )
    return draft, next_key


# --- submission --------------------------------------------------------------------------------


def _completeness_errors(spec: Any, answers: Mapping[str, Any]) -> dict[str, list[str]]:
    from civicgrid.applications.formspec import validate_complete

    errors = validate_complete(spec, answers) or {}
    if isinstance(errors, dict):
        return {k: v if isinstance(v, list) else [str(v)] for k, v in errors.items()}
    return {"": [str(e) for e in errors]}


def do_submit_draft(actor: Any, *, draft: Draft) -> Case:
    """Submit a draft as a case. Submitting the same draft again (a double click, a retried
    request) answers the case the first submission made; it never makes a second one."""
    if draft.owner_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("只能提交自己的申请"))
    if draft.submitted_at is not None:
        existing = Case.objects.filter(draft=draft).first()
        if existing is not None:
            return existing
    _check_may_apply(actor, draft.item)
    spec = draft.form_definition.spec
    errors = _completeness_errors(spec, draft.answers)
    if errors:
        raise ValidationError(errors)
    plan = _plan_case(actor, draft.item, draft.organisation)
    with transaction.atomic():
        if not Draft.objects.filter(pk=draft.pk, submitted_at=None).update(
            submitted_at=timezone.now()
        ):
            existing = Case.objects.filter(draft_id=draft.pk).first()
            if existing is None:  # pragma: no cover - submitted without a case cannot happen
                raise ValidationError({"draft": _("该申请已提交")})
            return existing
        case = _create_case(
            actor,
            item=draft.item,
            form=draft.form_definition,
            answers=draft.answers,
            enterprise=draft.organisation,
            plan=plan,
            draft=draft,
        )
        draft.attachments.filter(case__isnull=True).update(case=case)
    return case


def do_submit_case(
    actor: Any,
    *,
    item: ServiceItem,
    answers: Mapping[str, Any],
    files: Files | None = None,
    organisation: Organisation | None = None,
) -> Case:
    """Submit every answer at once (the API): files arrive with the answers and are checked
    like the page's; answers may also name attachments uploaded earlier by this applicant."""
    _check_may_apply(actor, item)
    enterprise = applicant_enterprise(actor, organisation)
    form = current_form(item)
    spec = form.spec
    pending, errors = uploads.check_form_uploads(spec, files or {})
    from civicgrid.applications.formspec import clean_all

    merged = dict(answers)
    for path, refs in uploads.references_by_path(pending).items():
        if "." in path:  # a group row's file: "partners.0.licence"
            group, index, key = path.split(".", 2)
            rows = merged.get(group)
            row = (
                rows[int(index)]
                if isinstance(rows, list) and index.isdigit() and int(index) < len(rows)
                else None
            )
            if isinstance(row, dict):
                rows[int(index)] = {**row, key: refs}  # type: ignore[index]
                continue
            errors.setdefault(path, []).append(_("该行不存在，不能上传文件"))
        else:
            merged[path] = refs
    cleaned, form_errors = clean_all(spec, merged)
    for path, text in form_errors.items():
        errors.setdefault(path, []).append(str(text))
    known = [str(p.reference) for p in pending]
    for path, texts in uploads.unknown_references(spec, cleaned, known).items():
        errors.setdefault(path, []).extend(texts)
    if errors:
        raise ValidationError(errors)
    plan = _plan_case(actor, item, enterprise)
    with uploads.atomic_with_files(pending):
        case = _create_case(
            actor, item=item, form=form, answers=cleaned, enterprise=enterprise, plan=plan
        )
        uploads.store_uploads(pending, uploaded_by=actor, case=case)
    return case


def _certificate_materials(
    actor: Any, materials: list[Any], enterprise: Organisation | None
) -> tuple[list[tuple[Any, Any]], dict[str, list[str]]]:
    """The applicant's e-certificates for the materials the platform fetches itself.

    A material whose certificate type this platform issues to such an applicant must be held
    (a required one missing is an error naming it); one of a type issued elsewhere or to
    someone else (the legal representative's ID card of an enterprise) is checked by the
    department against shared data and never asked for: (material, None)."""
    wanted = [m for m in materials if m.certificate_type]
    if not wanted:
        return [], {}
    from civicgrid.certificates.models import CertificateType
    from civicgrid.certificates.selectors import certificates_held_by

    kind = ApplicantKind.ENTERPRISE if enterprise else ApplicantKind.RESIDENT
    held_kinds = dict(
        CertificateType.objects.filter(
            code__in=[m.certificate_type for m in wanted], is_active=True
        ).values_list("code", "holder_kind")
    )
    found: list[tuple[Any, Any]] = []
    errors: dict[str, list[str]] = {}
    for material in wanted:
        if held_kinds.get(material.certificate_type) != kind:
            found.append((material, None))
            continue
        held = certificates_held_by(
            user=None if enterprise else actor,
            organisation=enterprise,
            type_code=material.certificate_type,
        )
        certificate = next(iter(held), None)
        if certificate is None:
            if material.required:
                errors.setdefault("materials", []).append(
                    _("未能从电子证照库获取“%(name)s”，请先办理该证照后再申请")
                    % {"name": material.name}
                )
            continue
        found.append((material, certificate))
    return found, errors


@dataclass(frozen=True)
class _CasePlan:
    """What a new case needs, read and checked before its transaction opens: a failure here
    writes nothing, and the transaction (which on SQLite holds the one write lock) only writes."""

    first_step: WorkflowStep
    clerks: list[Any]  # of the department that receives the case, to be told of it
    materials: list[Any]
    from_certificates: list[tuple[Any, Any]]
    day: datetime.date
    base_due: datetime.date
    warning: str


def _plan_case(actor: Any, item: ServiceItem, enterprise: Organisation | None) -> _CasePlan:
    first = WorkflowStep.objects.filter(item=item).order_by("position").first()
    if first is None:
        raise ValidationError({"item": _("该事项尚未配置办理流程，暂不能网上申请")})
    materials = list(item.materials.all())
    from_certificates, errors = _certificate_materials(actor, materials, enterprise)
    if errors:
        raise ValidationError(errors)
    day = clock.today()
    base_due, warning = clock.due_after(day, item.promised_limit_days)
    clerks = clerks_of(first.department_id or item.department_id)
    return _CasePlan(first, clerks, materials, from_certificates, day, base_due, warning)


def _create_case(
    actor: Any,
    *,
    item: ServiceItem,
    form: FormDefinition,
    answers: Mapping[str, Any],
    enterprise: Organisation | None,
    plan: _CasePlan,
    draft: Draft | None = None,
) -> Case:
    now = timezone.now()
    day, base_due, warning, first = plan.day, plan.base_due, plan.warning, plan.first_step
    case = Case.objects.create(
        number=next_case_number(day),
        item=item,
        form_definition=form,
        draft=draft,
        applicant_kind=ApplicantKind.ENTERPRISE if enterprise else ApplicantKind.RESIDENT,
        applicant_user=actor,
        applicant_organisation=enterprise,
        applicant_name=(enterprise.name if enterprise else str(actor))[:100],
        credit_code=normalize_credit_code(enterprise.credit_code) if enterprise else "",
        answers=dict(answers),
        department_id=item.department_id,
        handling_department_id=first.department_id or item.department_id,
        division_code=item.division_code,
        status=S.SUBMITTED,
        current_step=first,
        submitted_at=now,
        base_due_date=base_due,
        due_date=base_due,
        due_warning=warning[:200],
    )
    # Found now, so the applicant learns at once what is missing; the agency records its use
    # of each certificate when it receives the case (`_use_certificates`).
    for material, certificate in plan.from_certificates:
        CaseMaterial.objects.create(
            case=case,
            name=material.name,
            source=MaterialSource.CERTIFICATE,
            certificate_type=material.certificate_type,
            certificate_id=getattr(certificate, "pk", None),
            certificate_number=str(getattr(certificate, "number", ""))[:80],
        )
    for material in plan.materials:
        if not material.certificate_type:
            CaseMaterial.objects.create(case=case, name=material.name, source=MaterialSource.UPLOAD)
    _event(case, EventKind.SUBMITTED, actor)
    _tell_applicant(case, "application_submitted")
    _tell_clerks(case, "application_new", clerks=plan.clerks)
    _audit(case, actor, "submitted", action=AuditAction.CREATE)
    return case


# --- the clerk's steps -------------------------------------------------------------------------


def may_act(actor: Any, case: Case) -> bool:
    """Whether `actor` holds the current step's role in the department handling the case."""
    step = case.current_step
    if step is None or not case.is_open:
        return False
    if getattr(actor, "is_superuser", False):
        return True
    return any(
        m.role == step.role and m.organisation_id == case.handling_department_id
        for m in getattr(actor, "active_memberships", None) or []
    )


def _require_actor(actor: Any, case: Case) -> WorkflowStep:
    step = case.current_step
    if step is None or not case.is_open:
        raise ValidationError(
            {"status": _("该办件已%(status)s，不能再办理") % {"status": case.get_status_display()}}
        )
    if not may_act(actor, case):
        raise PermissionDenied(
            _("您不是“%(step)s”步骤的办理人员（需%(department)s的%(role)s）")
            % {
                "step": step.name,
                "department": case.handling_department.name,
                "role": step.get_role_display(),
            }
        )
    return step


def _transition(case: Case, from_statuses: Iterable[str], **changes: Any) -> Case:
    """Apply `changes` if the case is still as the caller saw it; else a clear refusal."""
    if "status" in changes:
        changes["in_queue"] = changes["status"] in OPEN_STATUSES
    won = Case.objects.filter(
        pk=case.pk, version=case.version, status__in=list(from_statuses)
    ).update(version=F("version") + 1, **changes)
    if not won:
        raise ValidationError({"status": _("该办件已被他人处理或状态已变化，请刷新后重试")})
    case.refresh_from_db()
    return case


def _next_step(case: Case) -> WorkflowStep | None:
    position = case.current_step.position if case.current_step is not None else 0
    return (
        WorkflowStep.objects.filter(item_id=case.item_id, position__gt=position)
        .order_by("position")
        .first()
    )


def do_advance_case(actor: Any, *, case: Case, note: str = "") -> Case:
    """Finish the current step (受理, 审查 or 决定) and move to the next one. Deciding approves;
    refusing is `do_refuse_case`; the complete step is `do_complete_case`."""
    step = _require_actor(actor, case)
    if step.kind == StepKind.COMPLETE:
        raise ValidationError({"status": _("该办件待办结，请登记送达方式后办结")})
    expected = [S.SUBMITTED] if step.kind == StepKind.RECEIVE else [S.IN_PROGRESS]
    if case.status not in expected:
        raise ValidationError(
            {
                "status": _("该办件当前为“%(status)s”，不能办理此步骤")
                % {"status": case.get_status_display()}
            }
        )
    following = _next_step(case)
    if following is None:  # pragma: no cover - a workflow always ends by completing
        raise ValidationError({"steps": _("办理流程配置有误")})
    now = timezone.now()
    changes: dict[str, Any] = {
        "current_step": following,
        "handling_department_id": following.department_id or case.item.department_id,
    }
    if step.kind == StepKind.RECEIVE:
        changes.update(status=S.IN_PROGRESS, received_at=now)
        kind, template = EventKind.RECEIVED, "application_received"
    elif step.kind == StepKind.DECIDE:
        changes.update(status=S.APPROVED, decided_at=now)
        kind, template = EventKind.APPROVED, "application_approved"
    else:
        changes.update(status=S.IN_PROGRESS)
        kind, template = EventKind.ADVANCED, "application_step_done"
    with transaction.atomic():
        case = _transition(case, expected, **changes)
        if step.kind == StepKind.RECEIVE:
            from civicgrid.catalog.actions import do_count_case

            do_count_case(item=case.item, online=case.online)
            _use_certificates(actor, case)
        _event(case, kind, actor, step_name=step.name, note=note)
        _tell_applicant(case, template, step=step.name, next=following.name)
        _audit(case, actor, kind, reason=note)
    return case


def _use_certificates(actor: Any, case: Case) -> None:
    """The receiving agency takes the certificate-backed materials from shared data; a
    certificate revoked or expired since submission makes receiving fail (nothing changes)."""
    used = case.materials.filter(source=MaterialSource.CERTIFICATE, certificate_id__isnull=False)
    if not used:
        return
    from civicgrid.certificates.actions import do_record_certificate_use
    from civicgrid.certificates.models import Certificate

    for material in used:
        certificate = Certificate.objects.get(pk=material.certificate_id)
        do_record_certificate_use(
            actor,
            certificate=certificate,
            purpose=_("%(item)s：%(material)s（申请编号 %(number)s）")
            % {"item": case.item.name, "material": material.name, "number": case.number},
        )


def do_request_material(
    actor: Any, *, case: Case, items: Sequence[str], note: str = ""
) -> MaterialRequest:
    """Ask the applicant for more material (补正): the clock stops until they supply it."""
    step = _require_actor(actor, case)
    names = [str(i).strip()[:100] for i in items if str(i).strip()]
    if not names:
        raise ValidationError({"items": _("请填写需要补正的材料")})
    if case.status not in ACTIVE_STATUSES:
        raise ValidationError(
            {
                "status": _("该办件当前为“%(status)s”，不能要求补正")
                % {"status": case.get_status_display()}
            }
        )
    with transaction.atomic():
        previous = case.status
        case = _transition(
            case,
            ACTIVE_STATUSES,
            status=S.AWAITING_MATERIAL,
            status_before_pause=previous,
            paused_since=clock.today(),
        )
        request = MaterialRequest.objects.create(
            case=case, requested_by=actor, items=names, note=note.strip()
        )
        text = "、".join(names) + (f"：{note.strip()}" if note.strip() else "")
        _event(case, EventKind.MATERIAL_REQUESTED, actor, step_name=step.name, note=text)
        _tell_applicant(case, "application_material_requested", materials="、".join(names))
        _audit(case, actor, "material_requested", reason=text)
    return request


def is_applicant(actor: Any, case: Case) -> bool:
    if getattr(actor, "pk", None) == case.applicant_user_id:
        return True
    return case.applicant_organisation_id is not None and (
        case.applicant_organisation_id in agent_organisation_ids(actor)
    )


def do_supply_material(
    actor: Any, *, case: Case, files: Sequence[UploadedFile], note: str = ""
) -> Case:
    """The applicant supplies what was asked for: files checked, the clock restarted with the
    working days it waited added to the due date."""
    if not is_applicant(actor, case):
        raise PermissionDenied(_("只有申请人可以补正材料"))
    if case.status != S.AWAITING_MATERIAL:
        raise ValidationError({"status": _("该办件当前无需补正材料")})
    files = [f for f in files if f is not None]
    if not files:
        raise ValidationError({"files": _("请上传补正材料")})
    if len(files) > uploads.SUPPLEMENT_MAX_FILES:
        raise ValidationError(
            {"files": _("最多上传 %(n)s 个文件") % {"n": uploads.SUPPLEMENT_MAX_FILES}}
        )
    pending = [
        uploads.check_one(
            f,
            path="files",
            label=_("补正材料"),
            kinds=uploads.SUPPLEMENT_KINDS,
            max_bytes=uploads.SUPPLEMENT_MAX_BYTES,
        )
        for f in files
    ]
    request = case.open_request
    day = clock.today()
    waited = clock.paused_days(case.paused_since or day, day)
    total = case.paused_working_days + waited
    due, warning = clock.due_after(case.base_due_date, total)
    with uploads.atomic_with_files(pending):
        case = _transition(
            case,
            [S.AWAITING_MATERIAL],
            status=case.status_before_pause or S.IN_PROGRESS,
            status_before_pause="",
            paused_since=None,
            paused_working_days=total,
            due_date=due,
            due_warning=(warning or case.due_warning)[:200],
        )
        if request is not None:
            MaterialRequest.objects.filter(pk=request.pk).update(
                status=RequestStatus.SUPPLIED,
                supplied_at=timezone.now(),
                supplied_note=note.strip(),
                paused_working_days=waited,
            )
        uploads.store_uploads(
            pending,
            uploaded_by=actor,
            case=case,
            material_request=request,
            purpose=AttachmentPurpose.SUPPLEMENT,
        )
        _event(case, EventKind.MATERIAL_SUPPLIED, actor, note=note.strip())
        _tell_clerks(case, "application_material_supplied")
        _audit(case, actor, "material_supplied", details={"paused_working_days": waited})
    return case


def do_refuse_case(actor: Any, *, case: Case, reason: str) -> Case:
    """Refuse (不予许可) with a reason the applicant reads."""
    step = _require_actor(actor, case)
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationError(
            {"reason": _("请填写不予许可的理由（至少 %(n)s 个字）") % {"n": REASON_MIN_LENGTH}}
        )
    allowed = [*ACTIVE_STATUSES, S.AWAITING_MATERIAL]
    if case.status not in allowed:
        raise ValidationError(
            {
                "status": _("该办件当前为“%(status)s”，不能作出不予许可决定")
                % {"status": case.get_status_display()}
            }
        )
    now = timezone.now()
    with transaction.atomic():
        case = _transition(
            case,
            allowed,
            status=S.REFUSED,
            refusal_reason=reason,
            decided_at=now,
            finished_at=now,
            paused_since=None,
        )
        MaterialRequest.objects.filter(case=case, status=RequestStatus.OPEN).update(
            status=RequestStatus.SUPPLIED, supplied_at=now, supplied_note=_("办件已不予许可")
        )
        _event(case, EventKind.REFUSED, actor, step_name=step.name, note=reason)
        _tell_applicant(case, "application_refused", reason=reason)
        _audit(case, actor, "refused", reason=reason)
    return case


def do_complete_case(
    actor: Any,
    *,
    case: Case,
    method: str,
    recipient: str = "",
    recipient_mobile: str = "",
    address: str = "",
    carrier: str = "",
    tracking_number: str = "",
    pickup_place: str = "",
    certificate_fields: Mapping[str, Any] | None = None,
) -> Case:
    """Complete an approved case and record how the result reaches the applicant. An
    e-certificate is issued in the same transaction: if issuing fails, nothing is completed."""
    step = _require_actor(actor, case)
    if step.kind != StepKind.COMPLETE or case.status != S.APPROVED:
        raise ValidationError({"status": _("只有已作出准予决定的办件才能办结")})
    delivery = _delivery_fields(
        method,
        step=step,
        recipient=recipient,
        recipient_mobile=recipient_mobile,
        address=address,
        carrier=carrier,
        tracking_number=tracking_number,
        pickup_place=pickup_place,
    )
    with transaction.atomic():
        case = _transition(case, [S.APPROVED], status=S.COMPLETED, finished_at=timezone.now())
        if method == DeliveryMethod.E_CERTIFICATE:
            certificate = _issue_certificate(actor, case, step, certificate_fields or {})
            delivery.update(
                certificate_id=certificate.pk,
                certificate_number=str(getattr(certificate, "number", ""))[:80],
            )
        Delivery.objects.create(case=case, method=method, **delivery)
        note = {
            DeliveryMethod.E_CERTIFICATE: _("电子证照 %(n)s")
            % {"n": delivery.get("certificate_number", "")},
            DeliveryMethod.MAIL: _("%(carrier)s %(n)s")
            % {"carrier": carrier, "n": tracking_number},
            DeliveryMethod.PICKUP: _("请到%(place)s领取") % {"place": pickup_place},
        }[DeliveryMethod(method)]
        _event(case, EventKind.COMPLETED, actor, step_name=step.name, note=note)
        _tell_applicant(case, "application_completed", delivery=note)
        _audit(case, actor, "completed", details={"delivery": method})
    return case


def _delivery_fields(method: str, *, step: WorkflowStep, **given: str) -> dict[str, Any]:
    values = {k: (v or "").strip() for k, v in given.items()}
    if method not in DeliveryMethod.values:
        raise ValidationError({"method": _("请选择送达方式")})
    errors: dict[str, str] = {}
    if method == DeliveryMethod.MAIL:
        required = {
            "recipient": _("请填写收件人"),
            "address": _("请填写邮寄地址"),
            "carrier": _("请填写快递公司"),
            "tracking_number": _("请填写快递单号"),
        }
        errors = {k: msg for k, msg in required.items() if not values[k]}
        if values["recipient_mobile"]:
            from civicgrid.core.mobile import normalize_mobile

            try:
                values["recipient_mobile"] = normalize_mobile(values["recipient_mobile"])
            except ValidationError:
                errors["recipient_mobile"] = _("收件人电话不是有效的手机号码")
    elif method == DeliveryMethod.PICKUP and not values["pickup_place"]:
        errors["pickup_place"] = _("请填写领取地点")
    elif method == DeliveryMethod.E_CERTIFICATE and not step.certificate_type:
        errors["method"] = _("该事项未配置电子证照，请选择邮寄或自取")
    if errors:
        raise ValidationError(errors)
    keep = {
        DeliveryMethod.MAIL: (
            "recipient",
            "recipient_mobile",
            "address",
            "carrier",
            "tracking_number",
        ),
        DeliveryMethod.PICKUP: ("pickup_place",),
        DeliveryMethod.E_CERTIFICATE: (),
    }[DeliveryMethod(method)]
    return {k: values[k] for k in keep}


def certificate_field_values(case: Case, step: WorkflowStep) -> dict[str, str]:
    """The certificate's field texts from the step's map (answers and case facts)."""
    decided = timezone.localtime(case.decided_at or timezone.now()).date().isoformat()
    facts = {
        "@number": case.number,
        "@item": case.item.name,
        "@department": case.department.name,
        "@decided_on": decided,
    }
    values: dict[str, str] = {}
    for key, source in (step.certificate_field_map or {}).items():
        source = str(source)
        if source in facts:
            values[str(key)] = facts[source]
            continue
        value: Any = case.answers
        for part in source.split("."):
            if isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            elif isinstance(value, dict):
                value = value.get(part)
            else:
                value = None
        if isinstance(value, list):
            value = "、".join(str(v) for v in value)
        values[str(key)] = "" if value is None else str(value)
    return values


def _issue_certificate(actor: Any, case: Case, step: WorkflowStep, extra: Mapping[str, Any]) -> Any:
    from civicgrid.certificates.actions import do_issue_certificate

    fields = certificate_field_values(case, step)
    fields.update({str(k): str(v) for k, v in extra.items() if str(v).strip()})
    enterprise = case.applicant_organisation
    holder = case.applicant_user
    return do_issue_certificate(
        actor,
        type_code=step.certificate_type,
        holder_user=None if enterprise else holder,
        holder_organisation=enterprise,
        subject_name=case.applicant_name,
        subject_number=case.credit_code or str(getattr(holder, "id_number", "") or ""),
        fields=fields,
        valid_days=step.certificate_valid_days,
        source=f"application:{case.number}",
    )


# --- ratings and follow-up ---------------------------------------------------------------------


def do_rate_case(actor: Any, *, case: Case, rating: object, comment: str = "") -> Evaluation:
    """The applicant rates a finished case once; two stars or fewer open a follow-up that the
    department owes within 15 working days."""
    if not is_applicant(actor, case):
        raise PermissionDenied(_("只有申请人可以评价"))
    if case.status not in FINISHED_STATUSES:
        raise ValidationError({"status": _("办件办结后才能评价")})
    try:
        value = int(str(rating))
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ValidationError({"rating": _("请选择 1 到 5 星的评价")})
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationError({"comment": _("评价内容不能超过 500 字")})
    if value <= BAD_RATING_MAX and not comment:
        raise ValidationError({"comment": _("差评请写明不满意的原因，以便部门整改")})
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                case=case, rating=value, comment=comment, rated_by=actor
            )
            if value <= BAD_RATING_MAX:
                due, warning = clock.due_after(clock.today(), FOLLOW_UP_WORKING_DAYS)
                FollowUp.objects.create(
                    evaluation=evaluation,
                    department_id=case.department_id,
                    division_code=case.division_code,
                    due_date=due,
                    due_warning=warning[:200],
                )
                _tell_clerks(
                    case, "application_bad_rating", rating=str(value), department=case.department
                )
            _event(case, EventKind.RATED, actor, note=f"{value}★ {comment}".strip())
            _audit(case, actor, "rated", details={"rating": value})
    except IntegrityError:
        raise ValidationError({"rating": _("该办件已评价过")}) from None
    return evaluation


def do_close_follow_up(actor: Any, *, follow_up: FollowUp, action_taken: str) -> FollowUp:
    """Record what the department did about a bad rating, closing the follow-up."""
    from civicgrid.applications.querysets import clerk_department_ids

    if not (
        getattr(actor, "is_superuser", False)
        or follow_up.department_id in clerk_department_ids(actor)
    ):
        raise PermissionDenied(_("只有被评价部门的工作人员可以办理整改"))
    action_taken = (action_taken or "").strip()
    if len(action_taken) < REASON_MIN_LENGTH:
        raise ValidationError(
            {"action_taken": _("请填写整改情况（至少 %(n)s 个字）") % {"n": REASON_MIN_LENGTH}}
        )
    with transaction.atomic():
        if not FollowUp.objects.filter(pk=follow_up.pk, status=FollowUpStatus.OPEN).update(
            status=FollowUpStatus.DONE,
            action_taken=action_taken,
            closed_by=actor,
            closed_at=timezone.now(),
        ):
            raise ValidationError({"status": _("该整改任务已办结")})
        follow_up.refresh_from_db()
        case = follow_up.evaluation.case
        _tell_applicant(case, "application_follow_up_done")
        record_audit(
            actor=actor,
            action=AuditAction.UPDATE,
            target=follow_up,
            division_code=follow_up.division_code,
            reason=action_taken,
            details={"event": "follow_up_closed", "case": case.number},
        )
    return follow_up


# --- history, notifications, audit -------------------------------------------------------------


def _event(case: Case, kind: str, actor: Any, *, step_name: str = "", note: str = "") -> None:
    CaseEvent.objects.create(
        case=case,
        kind=kind,
        step_name=step_name,
        status=case.status,
        actor=actor if _is_user(actor) else None,
        note=note,
    )


def _audit(
    case: Case,
    actor: Any,
    event: str,
    *,
    action: str = AuditAction.UPDATE,
    reason: str = "",
    details: Mapping[str, Any] | None = None,
) -> None:
    record_audit(
        actor=actor,
        action=action,
        target=case,
        division_code=case.division_code,
        reason=reason,
        details={
            "event": str(event),
            "number": case.number,
            "status": case.status,
            **(details or {}),
        },
    )


def _context(case: Case, **extra: Any) -> dict[str, str]:
    return {
        "number": case.number,
        "item": case.item.name,
        **{k: str(v) for k, v in extra.items()},
    }


def _tell_applicant(case: Case, template: str, **extra: Any) -> None:
    notify(
        [case.applicant_user],
        template,
        _context(case, **extra),
        url=reverse("applications:case_track", args=[case.number]),
    )


def clerks_of(department_id: int) -> list[Any]:
    from civicgrid.accounts.models import User

    return list(
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__organisation_id=department_id,
            memberships__role=Role.DEPARTMENT_CLERK,
        ).distinct()
    )


def _tell_clerks(
    case: Case, template: str, *, clerks: list[Any] | None = None, **extra: Any
) -> None:
    if clerks is None:
        clerks = clerks_of(case.handling_department_id)
    if clerks:
        notify(
            clerks,
            template,
            _context(case, **extra),
            url=reverse("applications:clerk_case", args=[case.number]),
        )


def due_date_of(case: Case) -> datetime.date:
    return case.due_date
