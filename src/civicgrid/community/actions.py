"""Actions of the community app. Pages, the API, the worker and the demo all go through these.

Passes: a resident's own scan and a visitor's form are not written to the audit trail — the
pass record itself names the account, the gate and the time, and the trail's single chain head
would otherwise serialise every gate of the province at rush hour (the benchmark's 600 scans/s).
A guard registering someone else, and every staff action, is audited as usual.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import Role
from civicgrid.community import rules
from civicgrid.community.choices import (
    AlertStatus,
    CorrectionStatus,
    Direction,
    DisinfectionArea,
    DisinfectionMethod,
    PassKind,
    Proof,
    RuleKind,
    Symptom,
)
from civicgrid.community.masking import masked_name
from civicgrid.community.models import (
    Alert,
    AlertRule,
    Checkpoint,
    CheckpointDailyCount,
    DisinfectionLog,
    HealthEntry,
    HealthReport,
    HouseholdReminder,
    PassCorrection,
    PassRecord,
)
from civicgrid.community.residents import (
    health_word,
    users_of_household,
    with_living_members,
)
from civicgrid.community.retention import delete_passes_before
from civicgrid.community.tap_facts import (
    DOUBLE_TAP_SECONDS,
    TapFacts,
    insert_pass,
    resident_scan,
    tap_facts,
)
from civicgrid.community.tokens import check_token, judge, verify_signature
from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.crypto import lookup_hash
from civicgrid.core.mobile import normalize_mobile
from civicgrid.core.notifications.actions import notify
from civicgrid.core.scoping import covers
from civicgrid.population.choices import PersonStatus
from civicgrid.population.declarations import person_of
from civicgrid.population.models import Household, Person
from civicgrid.regions.models import Division

FEVER_AT = Decimal("37.3")
MIN_TEMPERATURE, MAX_TEMPERATURE = Decimal("35.0"), Decimal("42.0")
DISINFECTION_MAX_AGE_DAYS = 7
MANAGE_ROLES = (Role.COMMUNITY_STAFF,)
GUARD_ROLES = (Role.COMMUNITY_STAFF, Role.GRID_WORKER)


# --- who may --------------------------------------------------------------------------------


def may_manage(actor: Any, division_code: str) -> bool:
    """Define gates and rules, settle corrections: the community's own staff."""
    if getattr(actor, "is_superuser", False):
        return True
    return bool(
        getattr(actor, "is_authenticated", False)
        and hasattr(actor, "has_role")
        and actor.has_role(*MANAGE_ROLES)
        and covers(actor, division_code)
    )


def may_guard(actor: Any, division_code: str) -> bool:
    """Register a person without a phone at a gate: community staff and grid workers."""
    if getattr(actor, "is_superuser", False):
        return True
    return bool(
        getattr(actor, "is_authenticated", False)
        and hasattr(actor, "roles")
        and actor.roles() & set(GUARD_ROLES)
        and covers(actor, division_code)
    )


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("您没有办理此事项的权限"))


# --- checkpoints ----------------------------------------------------------------------------


def do_create_checkpoint(
    actor: Any, *, division_code: str, name: str, note: str = ""
) -> Checkpoint:
    """A gate of a community, created by that community's staff."""
    community = Division.objects.filter(code=division_code).first()
    if community is None or community.level != 5:
        raise ValidationError({"division_code": _("卡口必须属于一个社区或村")})
    _require(may_manage(actor, division_code))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写卡口名称，如“东门”")})
    if len(name) > 50:
        raise ValidationError({"name": _("卡口名称最多 50 个字")})
    if Checkpoint.objects.filter(division_code=division_code, name=name).exists():
        raise ValidationError({"name": _("本社区已有名为“%(n)s”的卡口") % {"n": name}})
    with transaction.atomic():
        checkpoint = Checkpoint.objects.create(
            division_code=division_code,
            name=name,
            note=(note or "").strip()[:100],
            created_by=actor,
        )
        record_audit(
            actor=actor, action=AuditAction.CREATE, target=checkpoint, division_code=division_code
        )
    return checkpoint


def do_revoke_checkpoint_codes(actor: Any, *, checkpoint: Checkpoint) -> Checkpoint:
    """Void every poster and tablet code of the gate printed so far (print the new poster)."""
    _require(may_manage(actor, checkpoint.division_code))
    with transaction.atomic():
        Checkpoint.objects.filter(pk=checkpoint.pk).update(token_version=F("token_version") + 1)
        checkpoint.refresh_from_db()
        record_audit(
            actor=actor,
            action=AuditAction.UPDATE,
            target=checkpoint,
            division_code=checkpoint.division_code,
            details={"token_version": checkpoint.token_version},
        )
    return checkpoint


def do_set_checkpoint_active(actor: Any, *, checkpoint: Checkpoint, active: bool) -> Checkpoint:
    _require(may_manage(actor, checkpoint.division_code))
    with transaction.atomic():
        checkpoint.is_active = active
        checkpoint.save(update_fields=["is_active"])
        record_audit(
            actor=actor,
            action=AuditAction.UPDATE,
            target=checkpoint,
            division_code=checkpoint.division_code,
            details={"is_active": active},
        )
    return checkpoint


# --- passes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PassResult:
    record: PassRecord
    created: bool  # False: a double tap or a retry, answered with the first record
    health: str  # the household's report today: "ok", "fever" or "missing"
    # The person is under medical observation (the epidemic line list's): the confirmation
    # tells them, and the guard, to stay at home.
    under_observation: bool = False

    @property
    def masked_name(self) -> str:
        return masked_name(self.record.display_name)


_DIRECTIONS = frozenset(Direction.values)  # `values` builds a new list at every call


def parse_direction(direction: str) -> str:
    if direction not in _DIRECTIONS:
        raise ValidationError({"direction": _("请选择“出”或“进”")})
    return direction


def parse_temperature(
    raw: object, *, field: str = "temperature", required: bool = False
) -> Decimal | None:
    """35.0–42.0 ℃ with one decimal, or None when optional and empty."""
    text = str(raw if raw is not None else "").strip()
    if not text:
        if required:
            raise ValidationError({field: _("请填写体温")})
        return None
    try:
        value = Decimal(text).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("体温应为数字，如 36.5")}) from None
    if not MIN_TEMPERATURE <= value <= MAX_TEMPERATURE:
        raise ValidationError(
            {field: _("体温 %(t)s ℃ 不在 35.0–42.0 ℃ 之间，请重新测量") % {"t": text}}
        )
    return value


def do_scan_as_resident(
    user: Any, *, token: str, direction: str, now: datetime.datetime | None = None
) -> PassResult:
    """A signed-in resident's scan at a gate of their own community.

    ValidationError with code "not_resident" when the register has them in another community
    (or not at all): they register as a visitor instead. A TokenError for a bad code.
    """
    moment = now or timezone.now()
    signed = verify_signature(token)
    # The gate, the resident (as `person_of` finds them) and the tap's facts, in one read.
    signed_in = getattr(user, "is_authenticated", False)
    found = resident_scan(
        checkpoint_id=signed.checkpoint_id,
        id_number_hash=(getattr(user, "id_number_hash", None) or None) if signed_in else None,
        mobile_hash=(getattr(user, "mobile_hash", None) or None) if signed_in else None,
        direction=direction,
        moment=moment,
    )
    checked = judge(signed, found.checkpoint, now=moment.timestamp())
    direction = parse_direction(direction)
    person = found.person
    if person is None or person.division_code != checked.checkpoint.division_code:
        raise ValidationError(_("您不是本社区登记的居民，请按访客登记"), code="not_resident")
    return _record_pass(
        checked.checkpoint,
        proof=checked.proof,
        direction=direction,
        kind=PassKind.RESIDENT,
        subject_key=f"p:{person.pk}",
        person=person,
        user=user,
        now=moment,
        facts=found.facts,
    )


@dataclass(frozen=True)
class VisitorInput:
    name: str
    mobile: str
    reason: str
    host: str
    temperature: object = None


def clean_visitor(visitor: VisitorInput) -> dict[str, Any]:
    """The visitor's fields, checked all at once: every problem named by its field."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for field, value, label, limit in (
        ("name", visitor.name, _("姓名"), 50),
        ("reason", visitor.reason, _("来访事由"), 100),
        ("host", visitor.host, _("拜访对象"), 100),
    ):
        text = (value or "").strip()
        if not text:
            errors[field] = [_("请填写%(label)s") % {"label": label}]
        elif len(text) > limit:
            errors[field] = [_("%(label)s最多 %(n)d 个字") % {"label": label, "n": limit}]
        clean[field] = text
    try:
        clean["mobile"] = normalize_mobile(visitor.mobile)
    except ValidationError as exc:
        errors["mobile"] = exc.messages
    try:
        clean["temperature"] = parse_temperature(visitor.temperature)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return clean


def do_register_visitor(
    user: Any,
    *,
    token: str,
    direction: str,
    visitor: VisitorInput,
    now: datetime.datetime | None = None,
) -> PassResult:
    """A visitor's own form at the gate (signed in or not); the same confirmation follows."""
    checked = check_token(token, now=(now or timezone.now()).timestamp())
    direction = parse_direction(direction)
    clean = clean_visitor(visitor)
    return _record_pass(
        checked.checkpoint,
        proof=checked.proof,
        direction=direction,
        kind=PassKind.VISITOR,
        subject_key="v:" + lookup_hash("mobile", clean["mobile"]),
        user=user if getattr(user, "is_authenticated", False) else None,
        visitor=clean,
        now=now,
    )


def do_register_pass_by_guard(
    guard: Any,
    *,
    checkpoint: Checkpoint,
    direction: str,
    person: Person,
    temperature: object = None,
    now: datetime.datetime | None = None,
) -> PassResult:
    """A guard records a resident without a phone, found by ID number or look-up (audited)."""
    _require(may_guard(guard, checkpoint.division_code))
    direction = parse_direction(direction)
    if (
        person.division_code != checkpoint.division_code
        or person.status != PersonStatus.LIVING_HERE
    ):
        raise ValidationError({"person": _("此人不是本社区在住居民，请按访客登记")})
    result = _record_pass(
        checkpoint,
        proof=Proof.GUARD,
        direction=direction,
        kind=PassKind.RESIDENT,
        subject_key=f"p:{person.pk}",
        person=person,
        recorded_by=guard,
        temperature=parse_temperature(temperature),
        now=now,
        audit_actor=guard,
    )
    return result


def do_register_pass_by_lookup(
    guard: Any,
    *,
    checkpoint: Checkpoint,
    direction: str,
    person_id: object = None,
    id_number: str = "",
    temperature: object = None,
) -> PassResult:
    """The guard's form: a person picked from the search, or typed by citizen ID number."""
    _require(may_guard(guard, checkpoint.division_code))
    person = None
    if person_id:
        person = (
            Person.objects.visible_to(guard)
            .filter(pk=int(str(person_id)) if str(person_id).isdigit() else 0)
            .select_related("household")
            .first()
        )
        if person is None:
            raise ValidationError({"person": _("请从查找结果中选择居民")})
    elif (id_number or "").strip():
        try:
            person = (
                Person.objects.filter(id_number=id_number.strip())
                .select_related("household")
                .first()
            )
        except ValidationError as exc:
            raise ValidationError({"id_number": exc.messages}) from None
        if person is None or person.division_code != checkpoint.division_code:
            raise ValidationError(
                {"id_number": _("本社区人口台账中没有这个身份号码，请按访客登记")}
            )
    else:
        raise ValidationError({"id_number": _("请填写身份号码，或先查找并选择居民")})
    return do_register_pass_by_guard(
        guard, checkpoint=checkpoint, direction=direction, person=person, temperature=temperature
    )


def _record_pass(
    checkpoint: Checkpoint,
    *,
    proof: str,
    direction: str,
    kind: str,
    subject_key: str,
    person: Person | None = None,
    user: Any = None,
    visitor: dict[str, Any] | None = None,
    recorded_by: Any = None,
    temperature: Decimal | None = None,
    now: datetime.datetime | None = None,
    audit_actor: Any = None,
    facts: TapFacts | None = None,
) -> PassResult:
    """One pass, or the one a double tap already made: `(subject, direction)` within
    DOUBLE_TAP_SECONDS is the same pass. The unique tap window settles two taps racing.
    `facts` when the caller read them already (a resident's scan), at `now`."""
    moment = now or timezone.now()
    household_id = person.household_id if person is not None else None
    if facts is None:
        facts = tap_facts(
            subject_key=subject_key, direction=direction, moment=moment,
            division_code=checkpoint.division_code,
            person_id=person.pk if person is not None else None, household_id=household_id,
        )  # fmt: skip
    health = health_word(facts.has_fever)
    if facts.recent_tap_id is not None:
        recent = _pass_about(facts.recent_tap_id, person)
        if recent is not None:
            return PassResult(recent, False, health, facts.observed)
    visitor = visitor or {}
    record = PassRecord(
        checkpoint=checkpoint,
        division_code=checkpoint.division_code,
        grid_id=person.grid_id if person is not None else None,
        direction=direction,
        kind=kind,
        proof=proof,
        person=person,
        household_id=household_id,
        user=user,
        visitor_name=visitor.get("name", ""),
        visitor_reason=visitor.get("reason", ""),
        visitor_host=visitor.get("host", ""),
        temperature=visitor.get("temperature", temperature),
        recorded_by=recorded_by,
        scanned_at=moment,
        subject_key=subject_key,
        tap_window=int(moment.timestamp()) // DOUBLE_TAP_SECONDS,
    )
    if person is not None and Person.household.is_cached(person):
        record.household = person.household
    if visitor.get("mobile"):
        record.visitor_mobile = visitor["mobile"]
    # Inside the caller's transaction when there is one (the idempotency key's): nothing here
    # is caught and retried, so a failure fails the whole request and no savepoint is needed.
    with transaction.atomic(savepoint=False):
        if not insert_pass(record):
            first = PassRecord.objects.filter(
                subject_key=subject_key, direction=direction, tap_window=record.tap_window
            ).first()
            if first is None:  # the racing tap rolled back after all; cannot happen twice
                raise IntegrityError("community_passrecord_one_tap")
            return PassResult(first, False, health, facts.observed)
        rules.check_pass(record, facts)
        if audit_actor is not None:
            record_audit(
                actor=audit_actor,
                action=AuditAction.CREATE,
                target=record,
                division_code=record.division_code,
                subject_key=f"id:{person.id_number_hash}" if person is not None else "",
            )
    return PassResult(record, True, health, facts.observed)


def _pass_about(pass_id: int, person: Person | None) -> PassRecord | None:
    """The pass a double tap repeats, with the person already at hand attached."""
    recent = PassRecord.objects.filter(pk=pass_id).first()
    if recent is not None and person is not None and recent.person_id == person.pk:
        recent.person = person
    return recent


# --- household health and disinfection ------------------------------------------------------


@dataclass(frozen=True)
class EntryInput:
    person_id: int
    temperature: object
    symptoms: tuple[str, ...] = ()


def do_report_household_health(
    actor: Any,
    *,
    household: Household,
    entries: list[EntryInput],
    day: datetime.date | None = None,
) -> HealthReport:
    """Today's temperatures and symptoms of every living member; a second report the same day
    replaces the first. A person who is not a member of the household is refused by name."""
    day = day or timezone.localdate()
    members = {
        p.pk: p for p in Person.objects.filter(household=household, status=PersonStatus.LIVING_HERE)
    }
    errors: dict[str, list[str]] = {}
    clean: list[tuple[Person, Decimal, list[str]]] = []
    seen: set[int] = set()
    for index, entry in enumerate(entries, start=1):
        key = f"entries.{index}"
        member = members.get(entry.person_id)
        if member is None:
            errors[f"{key}.person"] = [
                _("第 %(n)d 行的人员不是本户在住成员，不能代为报告") % {"n": index}
            ]
            continue
        if member.pk in seen:
            errors[f"{key}.person"] = [_("%(name)s 填写了两次") % {"name": member.name}]
            continue
        seen.add(member.pk)
        try:
            temperature = parse_temperature(
                entry.temperature, field=f"{key}.temperature", required=True
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors[field] = [f"{member.name}：{m}" for m in messages]
            continue
        unknown = [s for s in entry.symptoms if s not in Symptom.values]
        if unknown:
            errors[f"{key}.symptoms"] = [_("%(name)s：无法识别的症状") % {"name": member.name}]
            continue
        clean.append((member, temperature, sorted(set(entry.symptoms))))  # type: ignore[arg-type]
    missing = [p.name for pk, p in members.items() if pk not in seen]
    if missing and not errors:
        errors["entries"] = [
            _("请填写每位家庭成员的体温：还缺 %(names)s") % {"names": "、".join(missing)}
        ]
    if not entries:
        errors["entries"] = [_("请至少填写一位家庭成员")]
    if errors:
        raise ValidationError(errors)
    fevers = [p for p, t, s in clean if t >= FEVER_AT or Symptom.FEVER in s]
    with transaction.atomic():
        report, created = HealthReport.objects.select_for_update().get_or_create(
            household=household,
            report_date=day,
            defaults={"division_code": household.division_code, "grid_id": household.grid_id},
        )
        had_fever = report.has_fever
        report.entries.all().delete()
        HealthEntry.objects.bulk_create(
            HealthEntry(
                report=report,
                person=person,
                temperature=temperature,
                symptoms=symptoms,
                has_fever=person in fevers,
            )
            for person, temperature, symptoms in clean
        )
        report.has_fever = bool(fevers)
        report.reported_by = actor if getattr(actor, "is_authenticated", False) else None
        report.save()
        if fevers and not had_fever:
            rules.check_report(report, fevers)
        record_audit(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            target=report,
            division_code=household.division_code,
            details={"members": len(clean), "fever": len(fevers)},
        )
    return report


def do_log_disinfection(
    actor: Any,
    *,
    household: Household,
    done_at: datetime.datetime,
    area: str,
    method: str,
    note: str = "",
) -> DisinfectionLog:
    """A household's disinfection: when (not in the future, at most a week ago), where, how."""
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    if done_at is None:
        errors["done_at"] = [_("请填写消毒时间")]
    elif done_at > now + datetime.timedelta(minutes=5):
        errors["done_at"] = [_("消毒时间不能晚于现在")]
    elif done_at < now - datetime.timedelta(days=DISINFECTION_MAX_AGE_DAYS):
        errors["done_at"] = [_("只能补记 7 天内的消毒")]
    if area not in DisinfectionArea.values:
        errors["area"] = [_("请选择消毒区域")]
    if method not in DisinfectionMethod.values:
        errors["method"] = [_("请选择消毒方式")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        log = DisinfectionLog.objects.create(
            household=household,
            division_code=household.division_code,
            grid_id=household.grid_id,
            done_at=done_at,
            area=area,
            method=method,
            note=(note or "").strip()[:100],
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        record_audit(
            actor=actor, action=AuditAction.CREATE, target=log, division_code=log.division_code
        )
    return log


# --- alert rules and alerts -----------------------------------------------------------------


def do_save_alert_rule(
    actor: Any, *, division_code: str, kind: str, threshold: int | None, is_active: bool
) -> AlertRule:
    """Create or change the community's rule of `kind`."""
    _require(may_manage(actor, division_code))
    if kind not in RuleKind.values:
        raise ValidationError({"kind": _("请选择规则类型")})
    if kind in rules.DEFAULT_THRESHOLDS:
        if threshold is None or not 1 <= threshold <= 50:
            raise ValidationError({"threshold": _("阈值应为 1–50 之间的整数")})
    else:
        threshold = None
    with transaction.atomic():
        rule, created = AlertRule.objects.update_or_create(
            division_code=division_code,
            kind=kind,
            defaults={"threshold": threshold, "is_active": is_active, "created_by": actor},
        )
        record_audit(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            target=rule,
            division_code=division_code,
            details={"threshold": threshold, "is_active": is_active},
        )
        # At once for the rest of this transaction, and again after the commit in case another
        # thread of this process re-read the old rules in between.
        rules.forget_rules(division_code)
        transaction.on_commit(lambda: rules.forget_rules(division_code))
    return rule


def do_resolve_alert(actor: Any, *, alert: Alert, status: str, finding: str) -> Alert:
    """The grid worker's finding: confirmed or dismissed, with what they found."""
    if status not in (AlertStatus.CONFIRMED, AlertStatus.DISMISSED):
        raise ValidationError({"status": _("请选择核实结果：属实或不属实")})
    finding = (finding or "").strip()
    if not finding:
        raise ValidationError({"finding": _("请写明核实情况")})
    with transaction.atomic():
        updated = Alert.objects.filter(pk=alert.pk, status=AlertStatus.OPEN).update(
            status=status, finding=finding[:300], resolved_by=actor, resolved_at=timezone.now()
        )
        if not updated:
            raise ValidationError({"status": _("该预警已经核实过了")})
        alert.refresh_from_db()
        record_audit(
            actor=actor,
            action=AuditAction.UPDATE,
            target=alert,
            division_code=alert.division_code,
            details={"status": status},
        )
    return alert


# --- corrections ----------------------------------------------------------------------------


def do_request_pass_correction(user: Any, *, record: PassRecord, reason: str) -> PassCorrection:
    """A resident contests a pass recorded about them."""
    person = person_of(user)
    if record.user_id != user.pk and (person is None or record.person_id != person.pk):
        raise PermissionDenied(_("只能对自己的出入记录申请更正"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请说明哪里不对")})
    if record.corrections.filter(status=CorrectionStatus.OPEN).exists():
        raise ValidationError({"reason": _("这条记录已有待处理的更正申请")})
    with transaction.atomic():
        correction = PassCorrection.objects.create(
            pass_record=record,
            division_code=record.division_code,
            grid_id=record.grid_id,
            requested_by=user,
            reason=reason[:200],
        )
        record_audit(
            actor=user,
            action=AuditAction.CREATE,
            target=correction,
            division_code=record.division_code,
        )
    return correction


def do_resolve_pass_correction(
    actor: Any, *, correction: PassCorrection, accept: bool, resolution: str
) -> PassCorrection:
    """Staff accept (the pass is voided: it no longer counts anywhere) or reject a correction."""
    _require(may_manage(actor, correction.division_code))
    resolution = (resolution or "").strip()
    if not accept and not resolution:
        raise ValidationError({"resolution": _("维持原记录时请说明理由")})
    now = timezone.now()
    with transaction.atomic():
        updated = PassCorrection.objects.filter(
            pk=correction.pk, status=CorrectionStatus.OPEN
        ).update(
            status=CorrectionStatus.ACCEPTED if accept else CorrectionStatus.REJECTED,
            resolution=resolution[:200],
            resolved_by=actor,
            resolved_at=now,
        )
        if not updated:
            raise ValidationError({"resolution": _("该申请已经处理过了")})
        if accept:
            PassRecord.objects.filter(pk=correction.pass_record_id).update(voided_at=now)
        correction.refresh_from_db()
        record_audit(
            actor=actor,
            action=AuditAction.UPDATE,
            target=correction,
            division_code=correction.division_code,
            details={"accepted": accept},
        )
        when = timezone.localtime(correction.pass_record.scanned_at).strftime("%m-%d %H:%M")
        notify(
            correction.requested_by,
            "community_correction_resolved",
            {
                "when": when,
                "outcome": _("已更正，该记录不再计入统计") if accept else _("维持原记录"),
                "resolution": resolution,
            },
            url="/community/me/passes/",
        )
    return correction


# --- periodic jobs --------------------------------------------------------------------------

REMIND_FROM_HOUR = 18  # local time: households have had the day to report


def do_remind_unreported_households(now: datetime.datetime | None = None) -> int:
    """After 18:00, remind each household with residents' accounts that has not reported today,
    once a day (a unique row per household and day makes two workers remind once)."""
    moment = timezone.localtime(now or timezone.now())
    if moment.hour < REMIND_FROM_HOUR:
        return 0
    today = moment.date()
    reported = HealthReport.objects.filter(report_date=today).values("household_id")
    reminded = HouseholdReminder.objects.filter(day=today).values("household_id")
    # Only communities that use the brain (have a gate) are reminded.
    communities = Checkpoint.objects.filter(is_active=True).values("division_code")
    households = (
        with_living_members(Household.objects.filter(division_code__in=communities))
        .exclude(pk__in=reported)
        .exclude(pk__in=reminded)
    )
    sent = 0
    for household in households.iterator():
        with transaction.atomic():
            try:
                with transaction.atomic():
                    HouseholdReminder.objects.create(household=household, day=today)
            except IntegrityError:
                continue
            users = users_of_household(household)
            if users:
                notify(
                    users,
                    "community_report_reminder",
                    {"address": household.address},
                    url="/community/me/health/",
                )
                sent += 1
    return sent


def do_check_missing_reports(now: datetime.datetime | None = None) -> int:
    """The no-report rule, once the day is over enough to tell (a periodic job)."""
    return rules.check_missing_reports(timezone.localdate(now or timezone.now()))


def do_roll_up_pass_counts(day: datetime.date) -> int:
    """Write the day's passes per gate and direction into `CheckpointDailyCount` (idempotent)."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    rows = (
        PassRecord.objects.filter(scanned_at__gte=start, scanned_at__lt=end, voided_at__isnull=True)
        .values("checkpoint_id", "division_code", "direction")
        .annotate(
            residents=Count("pk", filter=Q(kind=PassKind.RESIDENT)),
            visitors=Count("pk", filter=Q(kind=PassKind.VISITOR)),
        )
    )
    with transaction.atomic():
        CheckpointDailyCount.objects.filter(day=day).delete()
        created = CheckpointDailyCount.objects.bulk_create(
            CheckpointDailyCount(day=day, **row) for row in rows
        )
    return len(created)


def do_purge_expired_passes(now: datetime.datetime | None = None) -> int:
    """Delete passes older than COMMUNITY_PASS_RETENTION_DAYS, after rolling each of their days
    up into the daily counts; returns how many passes were deleted (a periodic job). The delete
    is set-based in short batches (`retention.delete_passes_before`)."""
    from django.conf import settings

    moment = now or timezone.now()
    days = settings.COMMUNITY_PASS_RETENTION_DAYS
    cutoff = timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate(moment) - datetime.timedelta(days=days), datetime.time.min
        )
    )
    oldest = PassRecord.objects.filter(scanned_at__lt=cutoff).order_by("scanned_at").first()
    if oldest is None:
        return 0
    day = timezone.localdate(oldest.scanned_at)
    while day < timezone.localdate(cutoff):
        do_roll_up_pass_counts(day)
        day += datetime.timedelta(days=1)
    deleted = delete_passes_before(cutoff)
    with transaction.atomic():
        record_audit(
            actor=None,
            actor_label="task:community-retention",
            action=AuditAction.DELETE,
            target=("community.passrecord", "*"),
            details={"deleted": deleted, "before": cutoff.isoformat(), "days": days},
        )
    return deleted
