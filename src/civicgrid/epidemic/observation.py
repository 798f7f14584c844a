"""Medical observation: sites, placing people under observation, twice-daily health checks,
release, and the daily follow-up worklist.

The worklist is built for a county with 100,000 people under observation: it reads only the
`Observation` rows of the jurisdiction that are active (index `epidemic_obs_worklist`: status,
then the division code range), because `do_record_check` keeps each observation's newest check
on the row itself (`last_slot`, `last_temperature`, `fever`). The flags are then plain
comparisons on those columns:

- fever: the newest check had a temperature ≥ 37.3 °C or a symptom;
- missed: the newest check is older than the last slot that has already closed (the morning
  slot closes at noon, the evening one at midnight), and that slot lay inside the observation;
- end due: the planned end is today or already past (release is due);
- morning / evening check due: today's slot is not yet recorded.

Counting every flag is one aggregate over that index range; a page of rows is the same range
sorted by urgency. Nothing reads the monitoring entries.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import OrganisationType
from civicgrid.accounts.models import Organisation, User
from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.notifications.actions import notify
from civicgrid.core.scoping import covers, jurisdiction_q
from civicgrid.epidemic.choices import (
    CheckSlot,
    Measure,
    ObservationPlace,
    ObservationStatus,
    WorklistFlag,
)
from civicgrid.epidemic.line_lists import _require, _user, acts_with, day_label
from civicgrid.epidemic.live_totals import add_line_list_events
from civicgrid.epidemic.models import (
    Contact,
    KeyPerson,
    MonitoringEntry,
    Observation,
    QuarantineSite,
)
from civicgrid.epidemic.models.line_lists import slot_key
from civicgrid.epidemic.querysets import OBSERVATION_ROLES, WORKLIST_ROLES
from civicgrid.epidemic.remit import local_today
from civicgrid.population.actions import subject_key_of
from civicgrid.population.models import Person

FEVER_AT = Decimal("37.3")
OBSERVATION_DAYS = 14
MORNING_CLOSES = datetime.time(12, 0)
TEAM_TYPES = (OrganisationType.COMMUNITY_COMMITTEE, OrganisationType.MEDICAL)
SYMPTOMS = ("发热", "咳嗽", "乏力", "咽痛", "腹泻", "呼吸困难", "嗅觉或味觉减退", "肌肉酸痛")


def current_slot(now: datetime.datetime | None = None) -> str:
    """The check slot of the moment: the morning's until it closes at noon, then the evening's."""
    moment = timezone.localtime(now)
    return CheckSlot.MORNING if moment.time() < MORNING_CLOSES else CheckSlot.EVENING


def slot_label(day: datetime.date, slot: str) -> str:
    return f"{day.month}月{day.day}日{CheckSlot(slot).label}"


def under_observation_sql(person_id: str) -> tuple[str, list[object]]:
    """An SQL condition, true while the person whose id is the SQL expression `person_id` is
    under observation (at home or at a site), with its parameters: for a statement that asks
    it beside other facts, as the community gate's scan does (index `epidemic_obs_person`)."""
    table = Observation._meta.db_table
    # The table's name from the model, the person an expression of the caller's SQL; the
    # status is bound.
    sql = f"EXISTS (SELECT 1 FROM {table} o WHERE o.person_id = {person_id} AND o.status = %s)"  # noqa: S608
    return sql, [ObservationStatus.ACTIVE.value]


# --- sites -----------------------------------------------------------------------------------


def do_create_site(
    actor: Any, *, name: str, division_code: str, capacity: int, address: str = ""
) -> QuarantineSite:
    """A named site for centralised observation in the actor's jurisdiction."""
    _require(actor, OBSERVATION_ROLES, _("您的角色不能设立集中隔离点"))
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": _("隔离点名称不能为空，且不超过 100 个字")})
    if not covers(actor, division_code):
        raise ValidationError({"division_code": _("隔离点所在区划不在您的管辖范围内")})
    if not isinstance(capacity, int) or capacity < 1 or capacity > 100000:
        raise ValidationError({"capacity": _("房间数应为 1 至 100000 的整数")})
    with transaction.atomic():
        if QuarantineSite.objects.filter(division_code=division_code, name=name).exists():
            raise ValidationError({"name": _("该区划已有同名隔离点")})
        site = QuarantineSite.objects.create(
            name=name, division_code=division_code, capacity=capacity, address=address.strip()[:200]
        )
        record_audit(
            actor=actor, action=AuditAction.CREATE, target=site, division_code=division_code
        )
    return site


# --- placing and releasing -------------------------------------------------------------------


@dataclass
class ObservationInput:
    person: Person
    place: str
    team: Organisation
    start_date: datetime.date
    site: QuarantineSite | None = None
    planned_end_date: datetime.date | None = None
    last_exposure_date: datetime.date | None = None
    contact: Contact | None = None
    key_person: KeyPerson | None = None


def do_start_observation(actor: Any, given: ObservationInput) -> Observation:
    """Place a person under observation at home or at a site, with a responsible team, until
    `planned_end_date` (default: 14 days after the last exposure, or after the start)."""
    _require(actor, OBSERVATION_ROLES, _("您的角色不能安排医学观察"))
    if given.place not in ObservationPlace.values:
        raise ValidationError({"place": _("观察方式只能是居家或集中隔离")})
    if given.place == ObservationPlace.SITE and given.site is None:
        raise ValidationError({"site": _("集中隔离须选择隔离点")})
    if given.place == ObservationPlace.HOME and given.site is not None:
        raise ValidationError({"site": _("居家医学观察不能选择隔离点")})
    today = local_today()
    if given.start_date > today:
        raise ValidationError({"start_date": _("开始日期不能晚于今天")})
    if given.start_date < today - datetime.timedelta(days=30):
        raise ValidationError({"start_date": _("开始日期不能早于 30 天前")})
    base = given.last_exposure_date or given.start_date
    end = given.planned_end_date or base + datetime.timedelta(days=OBSERVATION_DAYS)
    if end < given.start_date:
        raise ValidationError({"planned_end_date": _("计划解除日期不能早于开始日期")})
    if end > given.start_date + datetime.timedelta(days=60):
        raise ValidationError({"planned_end_date": _("观察期不能超过 60 天")})
    if given.team.type not in TEAM_TYPES or not given.team.is_active:
        raise ValidationError({"team": _("负责单位须是社区（村）委员会或医疗机构")})
    if not covers(actor, given.team.division_code):
        raise ValidationError({"team": _("负责单位不在您的管辖范围内")})
    code = given.site.division_code if given.site else given.person.division_code
    if not covers(actor, code):
        raise ValidationError(
            {"place": _("观察地点不在您的管辖范围内（区划 %(c)s）") % {"c": code}}
        )
    with transaction.atomic():
        current = Observation.objects.active().filter(person=given.person).first()
        if current is not None:
            raise ValidationError(
                {
                    "id_number": _("该人员自%(d)s起正在医学观察中，不能重复登记")
                    % {"d": day_label(current.start_date)}
                }
            )
        if given.site is not None:
            taken = QuarantineSite.objects.filter(
                pk=given.site.pk, is_active=True, occupied__lt=F("capacity")
            ).update(occupied=F("occupied") + 1)
            if taken != 1:
                raise ValidationError(
                    {
                        "site": _("隔离点“%(n)s”已满或已停用（%(c)s 间）")
                        % {"n": given.site.name, "c": given.site.capacity}
                    }
                )
        observation = Observation(
            person=given.person, division_code=code, place=given.place, site=given.site,
            team=given.team, contact=given.contact, key_person=given.key_person,
            start_date=given.start_date, planned_end_date=end, created_by=_user(actor),
        )  # fmt: skip
        try:
            with transaction.atomic():
                observation.save()
        except IntegrityError:
            raise ValidationError({"id_number": _("该人员正在医学观察中，不能重复登记")}) from None
        add_line_list_events(
            division_code=code, date=given.start_date, counts={Measure.OBSERVATION_STARTED: 1}
        )
        record_audit(
            actor=actor, action=AuditAction.CREATE, target=observation, division_code=code,
            subject_key=subject_key_of(given.person),
            details={"event": "observation_started", "place": given.place, "team": given.team.pk},
        )  # fmt: skip
    return observation


def do_release_observation(
    actor: Any,
    *,
    observation: Observation,
    on_date: datetime.date | None = None,
    note: str = "",
    check_role: bool = True,
) -> Observation:
    """End an observation (on schedule, early with a note, or because the person became a
    case); frees the site's room."""
    if check_role:
        _require(actor, OBSERVATION_ROLES, _("您的角色不能解除医学观察"))
        if not covers(actor, observation.division_code):
            raise ValidationError({"observation": _("该医学观察不在您的管辖范围内")})
    on_date = on_date or local_today()
    with transaction.atomic():
        current = Observation.objects.select_for_update().get(pk=observation.pk)
        if current.status != ObservationStatus.ACTIVE:
            raise ValidationError(
                {
                    "observation": _("该医学观察已于%(d)s解除")
                    % {"d": day_label(current.released_on)}
                }
            )
        if on_date > local_today() or on_date < current.start_date:
            raise ValidationError({"released_on": _("解除日期应在开始日期与今天之间")})
        if on_date < current.planned_end_date and len(note.strip()) < 2:
            raise ValidationError({"note": _("提前解除须填写说明")})
        Observation.objects.filter(pk=current.pk).update(
            status=ObservationStatus.RELEASED, released_on=on_date, release_note=note.strip()[:200]
        )
        if current.site_id:
            QuarantineSite.objects.filter(pk=current.site_id).update(occupied=F("occupied") - 1)
        add_line_list_events(
            division_code=current.division_code,
            date=on_date,
            counts={Measure.OBSERVATION_RELEASED: 1},
        )
        record_audit(
            actor=actor, action=AuditAction.UPDATE, target=current, division_code=current.division_code,
            subject_key=f"id:{current.person.id_number_hash}", reason=note[:200],
            details={"event": "observation_released"},
        )  # fmt: skip
    current.refresh_from_db()
    return current


# --- health checks ---------------------------------------------------------------------------


def may_monitor(principal: Any, observation: Observation) -> bool:
    """The team's own staff, staff of the jurisdiction who work worklists, and the person."""
    if not getattr(principal, "is_authenticated", False):
        return False
    if getattr(principal, "is_superuser", False):
        return True
    from civicgrid.accounts.models import ApiToken

    if isinstance(principal, ApiToken):
        return principal.organisation_id == observation.team_id
    if not isinstance(principal, User):
        return False
    if any(m.organisation_id == observation.team_id for m in principal.active_memberships):
        return True
    if acts_with(principal, WORKLIST_ROLES) and covers(principal, observation.division_code):
        return True
    return is_own(principal, observation)


def is_own(principal: Any, observation: Observation) -> bool:
    """The observation is the principal's own: their verified ID number is the person's."""
    number_hash = getattr(principal, "id_number_hash", None)
    return bool(number_hash) and observation.person.id_number_hash == number_hash


def under_observation(person: str = "pk") -> Exists:
    """An annotation: whether the person the outer query's field `person` names is under
    observation now (for lists of people kept by other modules)."""
    return Exists(Observation.objects.active().filter(person=OuterRef(person)))


def active_observation_of(person: Person) -> Observation | None:
    """The person's observation now (at most one: a database constraint), with its team."""
    return Observation.objects.active().filter(person=person).select_related("team").first()


def _temperature(raw: object) -> Decimal:
    try:
        value = Decimal(str(raw).strip()).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"temperature": _("体温须为数字，如 36.5")}) from None
    if not Decimal(34) <= value <= Decimal(43):
        raise ValidationError({"temperature": _("体温应在 34.0 至 43.0 ℃ 之间")})
    return value


def _symptoms(raw: object) -> list[str]:
    items = (
        [s.strip() for s in (raw or []) if str(s).strip()]
        if isinstance(raw, list | tuple)
        else None
    )
    if items is None:
        raise ValidationError({"symptoms": _("症状须为列表")})
    unknown = [s for s in items if s not in SYMPTOMS]
    if unknown:
        raise ValidationError({"symptoms": _("未知的症状：%(s)s") % {"s": "、".join(unknown)}})
    return sorted(set(items), key=SYMPTOMS.index)


@dataclass
class CheckResult:
    entry: MonitoringEntry
    created: bool


def do_record_check(
    actor: Any,
    *,
    observation: Observation,
    date: datetime.date,
    slot: str,
    temperature: object,
    symptoms: object = (),
    note: str = "",
    key: str = "",
    now: datetime.datetime | None = None,
) -> CheckResult:
    """Record a morning or evening check. A retry with the same `key` returns the first entry
    (a phone that lost the answer); a second, different check of a slot is refused. Keeps the
    observation's newest check and fever flag, and tells the team when a check finds fever."""
    if not may_monitor(actor, observation):
        raise ValidationError({"observation": _("您不能为该人员记录健康监测")})
    key = (key or "").strip()[:64]
    if key:
        earlier = MonitoringEntry.objects.filter(key=key).first()
        if earlier is not None:
            if earlier.observation_id != observation.pk:
                raise ValidationError({"key": _("重试键已用于其他人员的监测记录")})
            return CheckResult(earlier, False)
    if slot not in CheckSlot.values:
        raise ValidationError({"slot": _("时段只能是上午或下午")})
    value = _temperature(temperature)
    found = _symptoms(list(symptoms) if isinstance(symptoms, tuple) else symptoms)
    moment = now or timezone.now()
    today = timezone.localdate(moment)
    if date > today:
        raise ValidationError({"date": _("不能记录未来日期的监测")})
    if date < observation.start_date:
        raise ValidationError(
            {
                "date": _("监测日期不能早于观察开始日期（%(d)s）")
                % {"d": day_label(observation.start_date)}
            }
        )
    by_self = isinstance(actor, User) and is_own(actor, observation)
    fever = value >= FEVER_AT or bool(found)
    key_of_slot = slot_key(date, slot)
    with transaction.atomic():
        current = (
            Observation.objects.select_for_update().select_related("person").get(pk=observation.pk)
        )
        if current.status != ObservationStatus.ACTIVE:
            raise ValidationError(
                {
                    "observation": _("该人员已于%(d)s解除医学观察，不能再记录健康监测")
                    % {"d": day_label(current.released_on)}
                }
            )
        if MonitoringEntry.objects.filter(observation=current, date=date, slot=slot).exists():
            raise ValidationError(
                {"slot": _("%(s)s的监测已记录，不能重复记录") % {"s": slot_label(date, slot)}}
            )
        try:
            with transaction.atomic():
                entry = MonitoringEntry.objects.create(
                    observation=current, division_code=current.division_code, date=date, slot=slot,
                    temperature=value, symptoms=found, note=note.strip()[:200], by_self=by_self,
                    recorded_by=_user(actor), recorded_at=moment, key=key or None,
                )  # fmt: skip
        except IntegrityError:
            raise ValidationError(
                {"slot": _("%(s)s的监测已记录，不能重复记录") % {"s": slot_label(date, slot)}}
            ) from None
        newest = current.last_slot is None or key_of_slot >= current.last_slot
        fields: dict[str, Any] = {"checks": F("checks") + 1}
        if newest:
            fields.update(
                last_slot=key_of_slot, last_check_at=moment, last_temperature=value, fever=fever
            )
        Observation.objects.filter(pk=current.pk).update(**fields)
        record_audit(
            actor=actor, action=AuditAction.CREATE, target=entry, division_code=current.division_code,
            subject_key=f"id:{current.person.id_number_hash}",
            details={"event": "health_check", "slot": slot, "fever": fever},
        )  # fmt: skip
        if fever and newest:
            staff = User.objects.filter(
                memberships__organisation_id=current.team_id,
                memberships__is_active=True,
                is_active=True,
            ).distinct()
            person_name, when = current.person.name, slot_label(date, slot)
            transaction.on_commit(
                lambda: notify(
                    staff, "epidemic_fever_check",
                    {"name": person_name, "slot": when, "temperature": str(value)},
                    url=reverse("epidemic:worklist") + "?flag=fever",
                )
            )  # fmt: skip
    return CheckResult(entry, True)


# --- the worklist ----------------------------------------------------------------------------


@dataclass
class Moment:
    """The slots the worklist compares with, for one moment."""

    today: datetime.date
    morning: int  # slot key of today's morning
    closed: int  # slot key of the newest slot that has closed

    @classmethod
    def at(cls, now: datetime.datetime | None = None) -> "Moment":
        local = timezone.localtime(now or timezone.now())
        today = local.date()
        morning = slot_key(today, CheckSlot.MORNING)
        closed = morning if local.time() >= MORNING_CLOSES else morning - 1
        return cls(today, morning, closed)


def flag_conditions(moment: Moment) -> dict[str, Q]:
    """Each worklist flag as a condition on the observation's own columns."""
    closed_day = (
        moment.today
        if moment.closed == moment.morning
        else moment.today - datetime.timedelta(days=1)
    )
    never = Q(last_slot__isnull=True)
    return {
        WorklistFlag.FEVER: Q(fever=True),
        WorklistFlag.MISSED: Q(start_date__lte=closed_day)
        & (never | Q(last_slot__lt=moment.closed)),
        WorklistFlag.END_DUE: Q(planned_end_date__lte=moment.today),
        WorklistFlag.MORNING_DUE: never | Q(last_slot__lt=moment.morning),
        WorklistFlag.EVENING_DUE: never | Q(last_slot__lt=moment.morning + 1),
    }


@dataclass
class Worklist:
    moment: Moment
    total: int
    counts: dict[str, int]
    rows: list[Observation]
    offset: int
    limit: int


def worklist_scope(
    principal: Any, *, within_code: str = "", team: Organisation | None = None
) -> QuerySet[Observation]:
    rows = Observation.objects.visible_to(principal).active()
    if within_code:
        rows = rows.filter(jurisdiction_q([within_code]))
    if team is not None:
        rows = rows.filter(team=team)
    return rows


def worklist(
    principal: Any,
    *,
    within_code: str = "",
    team: Organisation | None = None,
    flag: str = "",
    place: str = "",
    limit: int = 50,
    offset: int = 0,
    now: datetime.datetime | None = None,
) -> Worklist:
    """Who needs attention today: counts of every flag, and one page of rows, the most urgent
    first (fever, missed, release due, then the earliest planned end)."""
    moment = Moment.at(now)
    conditions = flag_conditions(moment)
    rows = worklist_scope(principal, within_code=within_code, team=team)
    if place in ObservationPlace.values:
        rows = rows.filter(place=place)
    counts = rows.aggregate(
        total=Count("pk"),
        **{str(name): Count("pk", filter=cond) for name, cond in conditions.items()},
    )
    total = counts.pop("total")
    if flag in conditions:
        rows = rows.filter(conditions[flag])
    missed = ExpressionWrapper(conditions[WorklistFlag.MISSED], output_field=BooleanField())
    due = Case(
        When(conditions[WorklistFlag.END_DUE], then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    page = list(
        rows.annotate(is_missed=missed, is_end_due=due)
        .select_related("person", "site", "team")
        .order_by("-fever", "-is_missed", "-is_end_due", "planned_end_date", "pk")[
            offset : offset + limit
        ]
    )
    for row in page:
        row.flags = _flags_of(row, moment)  # type: ignore[attr-defined]
    return Worklist(moment, total, counts, page, offset, limit)


def _flags_of(row: Observation, moment: Moment) -> list[str]:
    flags = []
    last = row.last_slot
    closed_day = (
        moment.today
        if moment.closed == moment.morning
        else moment.today - datetime.timedelta(days=1)
    )
    if row.fever:
        flags.append(WorklistFlag.FEVER)
    if row.start_date <= closed_day and (last is None or last < moment.closed):
        flags.append(WorklistFlag.MISSED)
    if row.planned_end_date <= moment.today:
        flags.append(WorklistFlag.END_DUE)
    if last is None or last < moment.morning:
        flags.append(WorklistFlag.MORNING_DUE)
    elif last < moment.morning + 1:
        flags.append(WorklistFlag.EVENING_DUE)
    return flags
