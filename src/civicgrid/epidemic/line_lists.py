"""Line-list actions: cases, their reclassification and outcome, close contacts, key persons.

Every record refers to a person of the population register, entered by citizen ID number
(`PersonInput`): a person already in the register is found by the ID hash and reused, a new one
is registered through `population.actions` (in the same transaction, so a refused case leaves
no orphan person behind). A person is never entered twice as a case (database constraint,
checked first for a clear message). Each action is one transaction with one audit row naming
the person as its subject, and adds its events to the live line-list totals
(`live_totals.add_line_list_events`) in that same transaction: a new case is in the figures of
its community, township, county, city and province the moment it commits.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import OrganisationType
from civicgrid.accounts.models import ApiToken, Organisation, User
from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.crypto import lookup_hash
from civicgrid.core.idcard import normalize_id_number
from civicgrid.core.scoping import covers
from civicgrid.epidemic import chains
from civicgrid.epidemic.choices import (
    ENTRY_STATUSES,
    RECLASSIFICATIONS,
    CaseStatus,
    ContactType,
    KeyPersonCategory,
    Measure,
    Outcome,
    Severity,
)
from civicgrid.epidemic.live_totals import add_line_list_events
from civicgrid.epidemic.models import (
    Case,
    CaseClassification,
    Contact,
    ContactExposure,
    KeyPerson,
    Observation,
)
from civicgrid.epidemic.querysets import CASE_ENTRY_ROLES, CONTACT_ROLES, KEY_PERSON_ROLES
from civicgrid.epidemic.remit import local_today
from civicgrid.population.actions import (
    do_add_person_tag,
    do_create_household,
    do_register_person,
    subject_key_of,
)
from civicgrid.population.choices import PersonTag
from civicgrid.population.models import Person
from civicgrid.regions.models import Division

REPORTING_TYPES = (OrganisationType.CDC, OrganisationType.MEDICAL)


@dataclass
class PersonInput:
    """A person as the entry form names them: the ID number always; name, mobile and the
    community of residence (12-digit code) only matter for a person new to the register."""

    id_number: str
    name: str = ""
    mobile: str = ""
    community: str = ""
    address: str = ""


def day_label(date: datetime.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


def acts_with(principal: Any, roles: frozenset[str], token_types: Iterable[str] = ()) -> bool:
    """Whether the principal holds one of `roles` (a token: its organisation is of a type in
    `token_types`)."""
    if not getattr(principal, "is_authenticated", False):
        return False
    if isinstance(principal, ApiToken):
        return principal.organisation.type in tuple(token_types)
    return isinstance(principal, User) and principal.has_role(*roles)


def _require(principal: Any, roles: frozenset[str], message: str, token_types=()) -> None:  # type: ignore[no-untyped-def]
    if not acts_with(principal, roles, token_types):
        raise ValidationError({"": message})


def _require_area(principal: Any, division_code: str, field: str, what: str) -> None:
    if not covers(principal, division_code):
        raise ValidationError(
            {
                field: _("%(what)s不在您的管辖范围内（区划 %(code)s）")
                % {"what": what, "code": division_code}
            }
        )


def _user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) else None


def _check_day(value: datetime.date | None, field: str, label: str) -> None:
    if value is not None and value > local_today():
        raise ValidationError({field: _("%(label)s不能晚于今天") % {"label": label}})


# --- persons ---------------------------------------------------------------------------------


def find_person(id_number: str) -> Person | None:
    """The register's person with this ID number (by its look-up hash), or None. Raises a
    ValidationError on `id_number` (the kernel's message) for a malformed number."""
    try:
        number = normalize_id_number(id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    return Person.objects.filter(id_number_hash=lookup_hash("id_number", number)).first()


def resolve_person(actor: Any, given: PersonInput) -> Person:
    """The register's person with the given ID number, registering them when new."""
    person = find_person(given.id_number)
    if person is not None:
        name = given.name.strip()
        if name and name != person.name:
            raise ValidationError(
                {"name": _("姓名与人口台账中该身份证号登记的姓名不一致，请核对身份证号和姓名")}
            )
        return person
    if not given.name.strip():
        raise ValidationError({"name": _("该身份证号不在人口台账中，请填写姓名以新登记")})
    code = (given.community or "").strip().ljust(12, "0")
    community = Division.objects.filter(code=code, level=5).first()
    if community is None:
        raise ValidationError({"community": _("请选择现住址所在的村（社区）")})
    _require_area(actor, community.code, "community", _("现住址所在村（社区）"))
    try:
        with transaction.atomic():
            household = do_create_household(
                actor, community=community, grid=None, room=given.address[:30]
            )
            return do_register_person(
                actor,
                id_number=given.id_number,
                name=given.name,
                household=household,
                mobile=given.mobile,
            )
    except ValidationError as exc:
        if exc.code == "duplicate":  # registered by someone else a moment ago: use theirs
            registered = find_person(given.id_number)
            if registered is not None:
                return registered
        field = "mobile" if given.mobile and exc.code != "name" else "name"
        raise ValidationError({field: exc.messages}) from None


# --- cases -----------------------------------------------------------------------------------


def reporting_units_of(actor: Any) -> list[Organisation]:
    """The CDCs and medical institutions the actor reports cases for (their own)."""
    if isinstance(actor, ApiToken):
        return [actor.organisation] if actor.organisation.type in REPORTING_TYPES else []
    if isinstance(actor, User):
        return [
            m.organisation
            for m in actor.active_memberships
            if m.organisation.type in REPORTING_TYPES and m.role in CASE_ENTRY_ROLES
        ]
    return []


def _duplicate_case_error(existing: Case) -> ValidationError:
    return ValidationError(
        {
            "id_number": _(
                "该身份证号已有病例记录（%(number)s，%(status)s，报告日期 %(day)s），同一人不能重复录入为病例；如需变更分类请在原病例上订正"
            )
            % {
                "number": existing.person.id_number,
                "status": existing.get_status_display(),
                "day": day_label(existing.report_date),
            }
        }
    )


def _count(case: Case, measure: str, date: datetime.date) -> None:
    add_line_list_events(division_code=case.division_code, date=date, counts={measure: 1})


def do_enter_case(
    actor: Any,
    *,
    person: PersonInput,
    status: str,
    reporting_unit: Organisation | None = None,
    hospital: Organisation | None = None,
    severity: str = "",
    onset_date: datetime.date | None = None,
    diagnosis_date: datetime.date | None = None,
    report_date: datetime.date | None = None,
    note: str = "",
    source_cases: Iterable[Case] = (),
    contact_type: str = ContactType.OTHER,
    last_exposure_date: datetime.date | None = None,
) -> Case:
    """Enter a suspected or confirmed case or an asymptomatic infection.

    `source_cases`: the cases this person caught it from (an edge of the transmission chain
    each; the person is recorded as their contact, converted). A person who already is a
    contact joins their chain; an active observation of theirs ends ("转为病例")."""
    _require(actor, CASE_ENTRY_ROLES, _("只有疾控流调人员和临床医生可以录入病例"), REPORTING_TYPES)
    if status not in ENTRY_STATUSES:
        raise ValidationError({"status": _("病例分类只能是疑似病例、确诊病例或无症状感染者")})
    if severity not in Severity.values:
        raise ValidationError({"severity": _("临床严重程度无效")})
    today = local_today()
    report_date = report_date or today
    for value, field, label in (
        (onset_date, "onset_date", _("发病日期")),
        (diagnosis_date, "diagnosis_date", _("诊断日期")),
        (report_date, "report_date", _("报告日期")),
    ):
        _check_day(value, field, label)
    if onset_date and onset_date > report_date:
        raise ValidationError({"onset_date": _("发病日期不能晚于报告日期")})
    if diagnosis_date and diagnosis_date > report_date:
        raise ValidationError({"diagnosis_date": _("诊断日期不能晚于报告日期")})
    units = reporting_units_of(actor)
    if reporting_unit is None:
        if not units:
            raise ValidationError({"reporting_unit": _("请选择报告单位")})
        reporting_unit = units[0]
    elif not (getattr(actor, "is_superuser", False) or reporting_unit in units):
        raise ValidationError(
            {"reporting_unit": _("只能以本人所在的疾控中心或医疗机构作为报告单位")}
        )
    if hospital is not None and hospital.type != OrganisationType.MEDICAL:
        raise ValidationError({"hospital": _("收治医院必须是医疗机构")})
    sources = list(source_cases)
    for source in sources:
        _require_area(actor, source.division_code, "source_cases", _("传染源病例"))
    with transaction.atomic():
        found = resolve_person(actor, person)
        _require_area(actor, found.division_code, "id_number", _("该人员的现住址"))
        existing = Case.objects.select_related("person").filter(person=found).first()
        if existing is not None:
            raise _duplicate_case_error(existing)
        confirmed_on = (diagnosis_date or report_date) if status == CaseStatus.CONFIRMED else None
        case = Case(
            person=found,
            status=status,
            division_code=found.division_code,
            reporting_unit=reporting_unit,
            hospital=hospital,
            severity=severity,
            onset_date=onset_date,
            diagnosis_date=diagnosis_date,
            report_date=report_date,
            confirmed_on=confirmed_on,
            note=note[:300],
            created_by=_user(actor),
        )
        try:
            with transaction.atomic():
                case.save()
        except IntegrityError:
            raise _duplicate_case_error(
                Case.objects.select_related("person").get(person=found)
            ) from None
        CaseClassification.objects.create(
            case=case, from_status="", to_status=status, on_date=confirmed_on or report_date,
            changed_by=_user(actor), note=_("录入"),
        )  # fmt: skip
        contact = Contact.objects.filter(person=found).first()
        chains.place_case(case, contact)
        if contact is not None:
            Contact.objects.filter(pk=contact.pk).update(converted_case=case)
            _end_observation_of(actor, found, report_date)
        for source in sources:
            link_contact(
                actor, person=found, case=source, contact_type=contact_type,
                last_exposure_date=last_exposure_date or report_date, converted=case,
            )  # fmt: skip
        _count(case, status, confirmed_on or report_date)
        record_audit(
            actor=actor,
            action=AuditAction.CREATE,
            target=case,
            division_code=case.division_code,
            subject_key=subject_key_of(found),
            details={"event": "case_entered", "status": status, "unit": reporting_unit.pk},
        )
    return case


def _end_observation_of(actor: Any, person: Person, date: datetime.date) -> None:
    from civicgrid.epidemic.observation import do_release_observation

    active = Observation.objects.active().filter(person=person).first()
    if active is not None:
        do_release_observation(
            actor, observation=active, on_date=max(date, active.start_date),
            note=_("转为病例"), check_role=False,
        )  # fmt: skip


def do_reclassify_case(
    actor: Any,
    *,
    case: Case,
    to_status: str,
    on_date: datetime.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """Suspected → confirmed or excluded; asymptomatic → confirmed. Kept as history; the
    statistics move in the same transaction (one fewer suspected, one more confirmed)."""
    _require(
        actor, CASE_ENTRY_ROLES, _("只有疾控流调人员和临床医生可以订正病例分类"), REPORTING_TYPES
    )
    _require_area(actor, case.division_code, "case", _("该病例"))
    on_date = on_date or local_today()
    _check_day(on_date, "on_date", _("订正日期"))
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        if expected_version is not None and expected_version != current.version:
            raise ValidationError(
                {
                    "version": _("该病例已被他人修改（当前版本 %(v)s），请刷新后重试")
                    % {"v": current.version}
                }
            )
        if to_status not in RECLASSIFICATIONS.get(current.status, frozenset()):
            raise ValidationError(
                {
                    "status": _("%(old)s不能订正为%(new)s")
                    % {
                        "old": current.get_status_display(),
                        "new": CaseStatus(to_status).label
                        if to_status in CaseStatus.values
                        else to_status,
                    }
                }
            )
        if on_date < current.report_date:
            raise ValidationError({"on_date": _("订正日期不能早于报告日期")})
        old = current.status
        fields: dict[str, Any] = {"status": to_status, "version": F("version") + 1}
        if to_status == CaseStatus.CONFIRMED:
            fields["confirmed_on"] = on_date
        Case.objects.filter(pk=current.pk).update(updated_at=timezone.now(), **fields)
        CaseClassification.objects.create(
            case=current, from_status=old, to_status=to_status, on_date=on_date,
            changed_by=_user(actor), note=note[:200],
        )  # fmt: skip
        closed = (
            Measure.SUSPECTED_CLOSED if old == CaseStatus.SUSPECTED else Measure.ASYMPTOMATIC_CLOSED
        )
        add_line_list_events(
            division_code=current.division_code, date=on_date, counts={closed: 1, to_status: 1}
        )
        record_audit(
            actor=actor, action=AuditAction.UPDATE, target=current,
            division_code=current.division_code, subject_key=f"id:{current.person.id_number_hash}",
            reason=note[:200], details={"event": "reclassified", "from": old, "to": to_status},
        )  # fmt: skip
    current.refresh_from_db()
    return current


def do_record_outcome(
    actor: Any, *, case: Case, outcome: str, on_date: datetime.date | None = None, note: str = ""
) -> Case:
    """A confirmed case or asymptomatic infection recovered (discharged) or died; once."""
    _require(actor, CASE_ENTRY_ROLES, _("只有疾控流调人员和临床医生可以登记转归"), REPORTING_TYPES)
    _require_area(actor, case.division_code, "case", _("该病例"))
    if outcome not in (Outcome.RECOVERED, Outcome.DIED):
        raise ValidationError({"outcome": _("转归只能是治愈出院或死亡")})
    on_date = on_date or local_today()
    _check_day(on_date, "outcome_date", _("转归日期"))
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        if current.outcome:
            raise ValidationError(
                {"outcome": _("该病例已登记转归（%(o)s）") % {"o": current.get_outcome_display()}}
            )
        if current.status not in (CaseStatus.CONFIRMED, CaseStatus.ASYMPTOMATIC):
            raise ValidationError({"outcome": _("只有确诊病例和无症状感染者可以登记转归")})
        if on_date < current.report_date:
            raise ValidationError({"outcome_date": _("转归日期不能早于报告日期")})
        Case.objects.filter(pk=current.pk).update(
            outcome=outcome,
            outcome_date=on_date,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        add_line_list_events(division_code=current.division_code, date=on_date, counts={outcome: 1})
        record_audit(
            actor=actor, action=AuditAction.UPDATE, target=current,
            division_code=current.division_code, subject_key=f"id:{current.person.id_number_hash}",
            reason=note[:200], details={"event": "outcome", "outcome": outcome},
        )  # fmt: skip
    current.refresh_from_db()
    return current


# --- contacts --------------------------------------------------------------------------------


def link_contact(
    actor: Any,
    *,
    person: Person,
    case: Case,
    contact_type: str,
    last_exposure_date: datetime.date,
    converted: Case | None = None,
) -> tuple[Contact, bool]:
    """Inside a transaction: the person's contact record (made if new) exposed to `case`;
    merges the two chains. Returns (contact, created)."""
    if contact_type not in ContactType.values:
        raise ValidationError({"contact_type": _("接触方式无效")})
    if person.pk == case.person_id:
        raise ValidationError({"id_number": _("密切接触者不能是传染源病例本人")})
    contact = Contact.objects.filter(person=person).first()
    created = contact is None
    if contact is None:
        own_case = converted or Case.objects.filter(person=person).first()
        contact = Contact.objects.create(
            person=person, division_code=person.division_code, reported_on=local_today(),
            converted_case=own_case, created_by=_user(actor),
        )  # fmt: skip
        add_line_list_events(
            division_code=contact.division_code,
            date=contact.reported_on,
            counts={Measure.CONTACTS: 1},
        )
    if ContactExposure.objects.filter(contact=contact, case=case).exists():
        raise ValidationError({"case": _("该人员已登记为此病例的密切接触者")})
    if chains.would_close_a_loop(case, person):
        raise ValidationError(
            {"case": _("该人员是此病例的传染源（或其上游），不能再登记为其密切接触者")}
        )
    exposure = ContactExposure.objects.create(
        contact=contact, case=case, contact_type=contact_type, last_exposure_date=last_exposure_date
    )
    chains.join(case, contact, exposure)
    return contact, created


def do_register_contact(
    actor: Any,
    *,
    person: PersonInput,
    case: Case,
    contact_type: str,
    last_exposure_date: datetime.date,
    observe_at_home_with: Organisation | None = None,
) -> Contact:
    """Record a close contact of `case` (a case of the actor's jurisdiction); optionally place
    them under home observation with a team until 14 days after the last exposure."""
    _require(actor, CONTACT_ROLES, _("只有疾控流调人员可以登记密切接触者"), (OrganisationType.CDC,))
    if not covers(actor, case.division_code):
        raise ValidationError({"case": _("传染源病例不存在或不在您的管辖范围内")})
    _check_day(last_exposure_date, "last_exposure_date", _("末次接触日期"))
    if last_exposure_date < local_today() - datetime.timedelta(days=60):
        raise ValidationError({"last_exposure_date": _("末次接触日期过早（超过 60 天）")})
    with transaction.atomic():
        found = resolve_person(actor, person)
        contact, created = link_contact(
            actor, person=found, case=case, contact_type=contact_type,
            last_exposure_date=last_exposure_date,
        )  # fmt: skip
        if observe_at_home_with is not None and contact.converted_case_id is None:
            from civicgrid.epidemic.observation import ObservationInput, do_start_observation

            if not Observation.objects.active().filter(person=found).exists():
                do_start_observation(
                    actor,
                    ObservationInput(
                        person=found, place="home", team=observe_at_home_with,
                        start_date=local_today(), last_exposure_date=last_exposure_date,
                        contact=contact,
                    ),
                )  # fmt: skip
        record_audit(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            target=contact,
            division_code=contact.division_code,
            subject_key=subject_key_of(found),
            details={"event": "contact_linked", "case": case.pk, "type": contact_type},
        )
    return contact


# --- key persons -----------------------------------------------------------------------------


def do_register_key_person(
    actor: Any,
    *,
    person: PersonInput,
    category: str,
    arrival_date: datetime.date,
    origin: str = "",
    transport: str = "",
    note: str = "",
) -> KeyPerson:
    """A key person (e.g. an arrival from a high-risk area), followed by their grid."""
    _require(actor, KEY_PERSON_ROLES, _("您的角色不能登记重点人员"))
    if category not in KeyPersonCategory.values:
        raise ValidationError({"category": _("重点人员类别无效")})
    _check_day(arrival_date, "arrival_date", _("抵达日期"))
    with transaction.atomic():
        found = resolve_person(actor, person)
        _require_area(actor, found.division_code, "id_number", _("该人员的现住址"))
        if KeyPerson.objects.filter(
            person=found, category=category, arrival_date=arrival_date
        ).exists():
            raise ValidationError(
                {"id_number": _("该身份证号已登记为同日抵达的同类重点人员，不能重复录入")}
            )
        key_person = KeyPerson.objects.create(
            person=found, division_code=found.division_code, grid_id=found.grid_id,
            category=category, arrival_date=arrival_date, origin=origin.strip()[:100],
            transport=transport.strip()[:100], note=note.strip()[:300], created_by=_user(actor),
        )  # fmt: skip
        add_line_list_events(
            division_code=key_person.division_code,
            date=arrival_date,
            counts={Measure.KEY_PERSONS: 1},
        )
        # The register's key-person tag puts them on their grid worker's daily worklist.
        do_add_person_tag(
            actor, person=found, tag=PersonTag.KEY_PERSON,
            reason=_("登记为重点人员：%(c)s，%(d)s抵达")
            % {"c": KeyPersonCategory(category).label, "d": day_label(arrival_date)},
        )  # fmt: skip
        record_audit(
            actor=actor, action=AuditAction.CREATE, target=key_person,
            division_code=key_person.division_code, subject_key=subject_key_of(found),
            details={"event": "key_person", "category": category},
        )  # fmt: skip
    return key_person
