"""Residents register their own household (居民登记) and answer the community survey (防疫调查).

A declaration is checked by the community's grid worker, who verifies it into the register
(through the ordinary actions, so the same rules hold) or returns it with a note. Survey
answers land on the respondent's person record; an answer marked as a risk puts them on the
grid worker's worklist.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.idcard import normalize_id_number
from civicgrid.core.mobile import normalize_mobile
from civicgrid.population.actions import (
    do_create_household,
    do_make_head,
    do_move_person,
    do_register_person,
)
from civicgrid.population.choices import (
    DeclarationStatus,
    PersonStatus,
    QuestionKind,
    Relationship,
)
from civicgrid.population.models import (
    DeclaredMember,
    HouseholdDeclaration,
    Person,
    Survey,
    SurveyResponse,
)
from civicgrid.population.selectors import household_at, survey_answers
from civicgrid.regions.models import Division, Grid

MAX_MEMBERS = 20


@dataclass(frozen=True)
class MemberInput:
    name: str
    id_number: str
    relationship: str
    is_declarant: bool = False


def do_declare_household(
    resident: object,
    *,
    community: Division,
    building: str,
    unit: str,
    room: str,
    contact_mobile: str,
    members: list[MemberInput],
) -> HouseholdDeclaration:
    """Record a resident's declaration; every member's ID number is checked before anything is saved."""
    if community.level != 5:
        raise ValidationError({"community": _("请选择具体的社区或村")})
    if not room.strip():
        raise ValidationError({"room": _("请填写门牌或房号")})
    if not members:
        raise ValidationError({"members": _("请至少登记一名家庭成员")})
    if len(members) > MAX_MEMBERS:
        raise ValidationError({"members": _("一户最多登记 %(n)d 人") % {"n": MAX_MEMBERS}})
    errors: dict[str, list[str]] = {}
    numbers: dict[str, int] = {}
    clean = []
    for index, member in enumerate(members, start=1):
        try:
            number = normalize_id_number(member.id_number)
        except ValidationError as exc:
            errors.setdefault(f"members.{index}.id_number", []).extend(exc.messages)
            continue
        if number in numbers:
            errors.setdefault(f"members.{index}.id_number", []).append(
                _("与第 %(n)d 位成员的身份号码重复") % {"n": numbers[number]}
            )
        numbers[number] = index
        if not member.name.strip():
            errors.setdefault(f"members.{index}.name", []).append(_("请填写姓名"))
        clean.append((member, number))
    if sum(1 for m in members if m.relationship == Relationship.HEAD) != 1:
        errors.setdefault("members", []).append(_("请指定且只指定一位户主"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        declaration = HouseholdDeclaration(
            declared_by=resident,
            division_code=community.code,
            building=building.strip()[:30],
            unit=unit.strip()[:20],
            room=room.strip()[:30],
        )
        if contact_mobile.strip():
            declaration.contact_mobile = normalize_mobile(contact_mobile)
        declaration.save()
        for member, number in clean:
            row = DeclaredMember(
                declaration=declaration,
                name=member.name.strip()[:50],
                relationship=member.relationship,
                is_declarant=member.is_declarant,
            )
            row.id_number = number
            row.save()
        record_audit(
            actor=resident,
            action=AuditAction.CREATE,
            target=declaration,
            division_code=community.code,
            subject_key=f"user:{resident.pk}",
        )  # type: ignore[attr-defined]
    return declaration


@dataclass(frozen=True)
class AddressFix:
    """The reviewer's correction of a declared address (a typo in a room number, say)."""

    building: str
    unit: str
    room: str


def do_verify_declaration(
    actor: object,
    *,
    declaration: HouseholdDeclaration,
    grid: Grid,
    address: AddressFix | None = None,
) -> HouseholdDeclaration:
    """Put a declared household into the register, at `address` if the reviewer corrected it.

    Where the register has a household at that address already, the declaration joins it (its
    grid stays); otherwise a household is created in `grid`. People already in the register
    (same ID) move into it; others are added; a declared head becomes its head. The declaring
    resident's account gets their ID number, so reads of their record show up on their "who
    viewed my data" page.
    """
    if declaration.status != DeclarationStatus.PENDING:
        raise ValidationError(_("该登记已处理"), code="not_pending")
    if grid.division_id != declaration.division_code:
        raise ValidationError(_("所选网格不属于该社区"), code="grid")
    declared = AddressFix(declaration.building, declaration.unit, declaration.room)
    address = _clean_address(address or declared)
    reason = _("居民自主登记")
    with transaction.atomic():
        locked = HouseholdDeclaration.objects.select_for_update().get(pk=declaration.pk)
        if locked.status != DeclarationStatus.PENDING:
            raise ValidationError(_("该登记已处理"), code="not_pending")
        household = household_at(
            declaration.division_code, address.building, address.unit, address.room
        ) or do_create_household(
            actor,
            community=Division.objects.get(code=declaration.division_code),
            grid=grid,
            building=address.building,
            unit=address.unit,
            room=address.room,
            contact_mobile=declaration.contact_mobile.reveal()
            if declaration.contact_mobile
            else "",
        )
        for member in declaration.members.all():
            number = member.id_number.reveal()
            existing = Person.objects.filter(id_number=number).first()
            if existing is not None:
                do_move_person(actor, person=existing, household=household, reason=reason)
                if member.relationship == Relationship.HEAD:
                    do_make_head(actor, person=existing, household=household, reason=reason)
                elif existing.pk != household.head_id:
                    Person.objects.filter(pk=existing.pk).update(relationship=member.relationship)
            elif member.relationship == Relationship.HEAD and household.head_id is not None:
                person = do_register_person(
                    actor, id_number=number, name=member.name, household=household
                )
                do_make_head(actor, person=person, household=household, reason=reason)
            else:
                do_register_person(
                    actor,
                    id_number=number,
                    name=member.name,
                    household=household,
                    relationship=member.relationship,
                )
            if member.is_declarant:
                user = declaration.declared_by
                if not user.id_number:
                    user.id_number = number
                    user.save(update_fields=["id_number", "id_number_hash"])
        corrected = address != _clean_address(declared)
        locked.status = DeclarationStatus.VERIFIED
        locked.household = household
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        fields = ["status", "household", "reviewed_by", "reviewed_at"]
        if corrected:  # the resident sees what was corrected, beside what they declared
            locked.review_note = (
                _("核实时住址更正为 %(a)s") % {"a": " ".join(filter(None, vars(address).values()))}
            )[:200]
            fields.append("review_note")
        locked.save(update_fields=fields)
        record_audit(
            actor=actor,
            action=AuditAction.UPDATE,
            target=locked,
            division_code=locked.division_code,
            details={"verified": True, "address_corrected": corrected},
        )
    return locked


def _clean_address(address: AddressFix) -> AddressFix:
    room = address.room.strip()
    if not room:
        raise ValidationError(_("请填写门牌/房号"), code="room")
    return AddressFix(address.building.strip()[:30], address.unit.strip()[:20], room[:30])


def do_return_declaration(
    actor: object, *, declaration: HouseholdDeclaration, note: str
) -> HouseholdDeclaration:
    """Send a declaration back to the resident with what to correct."""
    if declaration.status != DeclarationStatus.PENDING:
        raise ValidationError(_("该登记已处理"), code="not_pending")
    if not note.strip():
        raise ValidationError({"note": _("请写明退回原因")})
    with transaction.atomic():
        declaration.status = DeclarationStatus.REJECTED
        declaration.review_note = note.strip()[:200]
        declaration.reviewed_by = actor
        declaration.reviewed_at = timezone.now()
        declaration.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
        record_audit(
            actor=actor,
            action=AuditAction.UPDATE,
            target=declaration,
            division_code=declaration.division_code,
            details={"returned": True},
        )
    return declaration


def resident_community(resident: object) -> str | None:
    """The resident's community: from the register, else from their latest declaration."""
    person = person_of(resident)
    if person is not None:
        return person.division_code
    latest = (
        HouseholdDeclaration.objects.filter(declared_by=resident).order_by("-created_at").first()
    )
    return latest.division_code if latest else None


def surveys_for(code: str | None) -> list[Survey]:
    """Active surveys whose area contains the community (an ancestor code or the community)."""
    if not code:
        return []
    from civicgrid.core.division_codes import LEVEL_DIGITS

    ancestors = {code[:digits].ljust(12, "0") for digits in LEVEL_DIGITS.values()}
    return list(
        Survey.objects.filter(is_active=True, division_code__in=ancestors).prefetch_related(
            "questions"
        )
    )


def person_of(resident: object) -> Person | None:
    """The register's record of a signed-in resident: by their verified ID number, else by their
    mobile when exactly one living person in the register has that number (a family sharing one
    phone is ambiguous, and then the resident is asked to declare their household)."""
    if not getattr(resident, "is_authenticated", False):
        return None
    people = Person.objects.select_related("household")
    if number_hash := getattr(resident, "id_number_hash", None):
        found = people.filter(id_number_hash=number_hash).first()
        if found is not None:
            return found
    if mobile_hash := getattr(resident, "mobile_hash", None):
        matches = list(people.filter(mobile_hash=mobile_hash, status=PersonStatus.LIVING_HERE)[:2])
        if len(matches) == 1:
            return matches[0]
    return None


def latest_answers(resident: object) -> dict[int, SurveyResponse]:
    """The resident's latest answer to each survey they answered, by survey id: the one that
    counts, since answering again (plans change) adds a new answer and keeps the old."""
    latest: dict[int, SurveyResponse] = {}
    for answer in survey_answers(respondent=resident):
        latest.setdefault(answer.survey_id, answer)
    return latest


def do_answer_survey(
    resident: object, *, survey: Survey, answers: dict[str, str]
) -> SurveyResponse:
    """Store answers; each question must be answered in its own terms. Flags risk answers."""
    person = person_of(resident)
    community = resident_community(resident)
    if survey not in surveys_for(community):
        raise ValidationError(_("该调查不适用于您所在的社区"), code="not_applicable")
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    flagged = False
    for question in survey.questions.all():
        key = str(question.pk)
        value = (answers.get(key) or "").strip()
        if not value:
            errors[key] = [_("请回答：%(q)s") % {"q": question.text}]
            continue
        if question.kind == QuestionKind.YES_NO and value not in ("是", "否"):
            errors[key] = [_("请选择“是”或“否”")]
            continue
        if question.kind == QuestionKind.CHOICE and value not in question.options:
            errors[key] = [_("请从给出的选项中选择")]
            continue
        clean[key] = value[:500]
        flagged = flagged or (bool(question.risk_answer) and value == question.risk_answer)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        response = SurveyResponse.objects.create(
            survey=survey,
            respondent=resident,
            person=person,
            division_code=community,
            grid=person.grid if person else None,
            answers=clean,
            flagged=flagged,
        )
        record_audit(
            actor=resident,
            action=AuditAction.CREATE,
            target=response,
            division_code=response.division_code,
            subject_key=f"user:{resident.pk}",
        )  # type: ignore[attr-defined]
    return response
