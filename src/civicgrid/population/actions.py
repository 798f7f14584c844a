"""Actions on the register. The importer, the pages, the API and the demo all go through these."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.idcard import birth_date_of, normalize_id_number, sex_of
from civicgrid.core.mobile import normalize_mobile
from civicgrid.population.choices import PersonStatus, PersonTag, Relationship, ResidenceType
from civicgrid.population.models import (
    GridAssignment,
    Household,
    Person,
    PersonChange,
    PersonTagging,
    ScreeningVisit,
    SurveyResponse,
)
from civicgrid.population.selectors import household_at
from civicgrid.population.signals import household_grid_changed, person_grid_changed
from civicgrid.regions.models import Division, Grid


def name_initials(name: str) -> str:
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()[:20]


def subject_key_of(person: Person) -> str:
    """How audit records name this person (see `accounts.User.audit_subject_keys`)."""
    return f"id:{person.id_number_hash}"


def _record_person_audit(
    actor: object,
    person: Person,
    *,
    action: str = AuditAction.UPDATE,
    reason: str = "",
    details: dict | None = None,
) -> None:
    """The audit row every change to a person writes, naming them as its subject."""
    record_audit(
        actor=actor,
        action=action,
        target=person,
        division_code=person.division_code,
        subject_key=subject_key_of(person),
        reason=reason,
        details=details,
    )


def do_assign_grid(actor: object, *, grid: Grid, user: object) -> GridAssignment:
    """Make `user` (a grid worker) responsible for `grid`."""
    with transaction.atomic():
        assignment, _created = GridAssignment.objects.get_or_create(grid=grid, user=user)
        record_audit(
            actor=actor,
            action=AuditAction.PERMISSION_CHANGE,
            target=assignment,
            division_code=grid.division_code,
            subject_key=f"user:{user.pk}",  # type: ignore[attr-defined]
        )
    return assignment


def do_create_household(
    actor: object,
    *,
    community: Division,
    grid: Grid | None,
    building: str = "",
    unit: str = "",
    room: str = "",
    contact_mobile: str = "",
) -> Household:
    """A household in a community (level 5), optionally in one of its grids."""
    if community.level != 5:
        raise ValidationError(_("住户必须属于一个社区或村"), code="not_a_community")
    if grid is not None and grid.division_id != community.code:
        raise ValidationError(
            _("网格“%(g)s”不属于“%(c)s”") % {"g": grid.name, "c": community.name}, code="grid"
        )
    parts = [community.name, building, unit, room]
    household = Household(
        division_code=community.code,
        grid=grid,
        building=building.strip(),
        unit=unit.strip(),
        room=room.strip(),
        address=" ".join(p.strip() for p in parts if p and p.strip())[:200],
    )
    if contact_mobile:
        household.contact_mobile = normalize_mobile(contact_mobile)
    with transaction.atomic():
        household.save()
        record_audit(
            actor=actor,
            action=AuditAction.CREATE,
            target=household,
            division_code=household.division_code,
        )
    return household


def do_register_person(
    actor: object,
    *,
    id_number: str,
    name: str,
    household: Household,
    relationship: str = Relationship.OTHER,
    residence_type: str = ResidenceType.REGISTERED,
    mobile: str = "",
    tags: Iterable[str] = (),
) -> Person:
    """Add a person to a household. A citizen ID already in the register is refused by name,
    so the same person is never entered twice."""
    number = normalize_id_number(id_number)
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise ValidationError(_("姓名不能为空，且不超过 50 个字"), code="name")
    person = Person(
        name=name,
        name_initials=name_initials(name),
        sex=sex_of(number),
        birth_date=birth_date_of(number),
        household=household,
        relationship=relationship,
        residence_type=residence_type,
        division_code=household.division_code,
        grid=household.grid,
    )
    person.id_number = number
    if mobile:
        person.mobile = normalize_mobile(mobile)
        person.mobile_last4 = person.mobile.reveal()[-4:]
    try:
        with transaction.atomic():
            person.save()
            PersonTagging.objects.bulk_create(
                [PersonTagging(person=person, tag=PersonTag(tag)) for tag in set(tags)]
            )
            if relationship == Relationship.HEAD:
                Household.objects.filter(pk=household.pk).update(head=person)
                household.head = person
            record_audit(
                actor=actor,
                action=AuditAction.CREATE,
                target=person,
                division_code=person.division_code,
                subject_key=subject_key_of(person),
            )
    except IntegrityError as exc:
        if Person.objects.filter(id_number=number).exists():
            raise ValidationError(
                _("该公民身份号码已在台账中登记，不能重复录入"), code="duplicate"
            ) from exc
        raise
    return person


def do_move_person(
    actor: object,
    *,
    person: Person,
    household: Household,
    reason: str = "",
    relationship: str | None = None,
) -> Person:
    """Move a person to another household (and so maybe another grid or community).

    The new grid worker sees them at once and the old one no longer does; history is kept.
    `relationship` is theirs to the new household's head; HEAD makes them its head, which a
    household that has one already refuses. Without it a head leaving becomes OTHER.
    """
    if household.pk == person.household_id:
        return person
    if relationship is not None:
        relationship = Relationship(relationship)
        if relationship == Relationship.HEAD and household.head_id is not None:
            raise ValidationError(
                _("“%(a)s”已有户主，请选择与户主的关系") % {"a": household.address},
                code="head_taken",
            )
    old = person.household
    old_grid = person.grid
    with transaction.atomic():
        person.household = household
        person.division_code = household.division_code
        person.grid = household.grid
        if old is not None and old.head_id == person.pk:
            Household.objects.filter(pk=old.pk).update(head=None)
            old.head = None
            person.relationship = Relationship.OTHER
        if relationship is not None:
            person.relationship = relationship
            if relationship == Relationship.HEAD:
                Household.objects.filter(pk=household.pk).update(head=person)
                household.head = person
        person.save(
            update_fields=["household", "division_code", "grid", "relationship", "updated_at"]
        )
        _history(actor, person, "household", old.address if old else "", household.address, reason)
        record_audit(
            actor=actor,
            action=AuditAction.UPDATE,
            target=person,
            division_code=household.division_code,
            subject_key=subject_key_of(person),
            reason=reason,
            details={"moved_from": old.division_code if old else ""},
        )
        if person.grid_id != (old_grid.pk if old_grid else None):
            person_grid_changed.send(
                sender=Person, person=person, old_grid=old_grid, new_grid=person.grid
            )
    return person


def do_split_household(
    actor: object,
    *,
    household: Household,
    members: Iterable[Person],
    head: Person,
    building: str = "",
    unit: str = "",
    room: str = "",
    grid: Grid | None = None,
    remaining_head: Person | None = None,
    reason: str = "",
) -> Household:
    """分户: some living members of `household` form a new household in the same community
    (in `grid`, else the old household's), `head` heading it. Each member's move is in their
    history. When the old head leaves, `remaining_head` (one who stays) heads the old one."""
    members = list(members)
    living = set(Person.objects.filter(household=household).living().values_list("pk", flat=True))
    leaving = {m.pk for m in members}
    if not leaving:
        raise ValidationError(_("请选择分出去的成员"), code="members")
    if not leaving <= living:
        raise ValidationError(_("分出去的必须是本户在住成员"), code="members")
    if leaving == living:
        raise ValidationError(_("原户至少要留一人；全家搬走请把各人迁往新住址"), code="members")
    if head.pk not in leaving:
        raise ValidationError(_("新户户主必须是分出去的成员之一"), code="head")
    old_head_leaves = household.head_id in leaving
    if old_head_leaves and (remaining_head is None or remaining_head.pk not in living - leaving):
        raise ValidationError(
            _("原户主分出后，请从留下的成员中指定原户的新户主"), code="remaining_head"
        )
    if not (room or "").strip():
        raise ValidationError(_("请填写新户的门牌/房号"), code="room")
    taken = household_at(household.division_code, building, unit, room)
    if taken is not None:
        # Joining a household that exists is a move, not a split.
        raise ValidationError(
            _("%(a)s 已有住户，请逐人“迁往另一户”") % {"a": taken.address}, code="room"
        )
    why = _("分户") + (f"：{reason.strip()}" if reason.strip() else "")
    community = Division.objects.get(code=household.division_code)
    with transaction.atomic():
        new = do_create_household(
            actor,
            community=community,
            grid=grid if grid is not None else household.grid,
            building=building,
            unit=unit,
            room=room,
        )
        for member in sorted(members, key=lambda m: m.pk != head.pk):  # the head first
            do_move_person(
                actor,
                person=member,
                household=new,
                reason=why,
                relationship=Relationship.HEAD if member.pk == head.pk else None,
            )
        if old_head_leaves and remaining_head is not None:
            household.refresh_from_db(fields=["head"])  # the moves left it without one
            do_make_head(actor, person=remaining_head, household=household, reason=why)
    return new


def do_change_household_grid(
    actor: object, *, household: Household, grid: Grid, reason: str = ""
) -> Household:
    """Put a household in another grid of its community (grids redrawn, or a household filed
    in the wrong one). Its members go with it and each one's history says so; the new grid's
    worker sees them at once and the old one no longer does; modules with records scoped by
    grid follow through `signals` (each member's move, then the household's). The same grid
    again changes nothing."""
    if grid.division_code != household.division_code:
        raise ValidationError(_("只能调整到本社区/村的网格"), code="grid")
    if grid.pk == household.grid_id:
        return household
    old = household.grid
    with transaction.atomic():
        household.grid = grid
        household.save(update_fields=["grid", "updated_at"])
        members = list(Person.objects.filter(household=household))
        Person.objects.filter(household=household).update(grid=grid, updated_at=timezone.now())
        for member in members:
            _history(actor, member, "grid", old.name if old else "", grid.name, reason)
            person_grid_changed.send(sender=Person, person=member, old_grid=old, new_grid=grid)
        record_audit(
            actor=actor,
            action=AuditAction.UPDATE,
            target=household,
            division_code=household.division_code,
            reason=reason,
            details={"grid": [old.pk if old else None, grid.pk], "members": len(members)},
        )
        household_grid_changed.send(
            sender=Household, household=household, old_grid=old, new_grid=grid
        )
    return household


def do_make_head(actor: object, *, person: Person, household: Household, reason: str) -> None:
    """`person`, already a member, becomes the household's head; a head they replace becomes
    OTHER. Both histories say so."""
    if household.head_id == person.pk:
        return
    previous = Person.objects.filter(pk=household.head_id).first() if household.head_id else None
    with transaction.atomic():
        for member, relationship in ((previous, Relationship.OTHER), (person, Relationship.HEAD)):
            if member is None:
                continue
            _history(actor, member, "relationship", member.relationship, relationship, reason)
            member.relationship = relationship
            member.save(update_fields=["relationship", "updated_at"])
        Household.objects.filter(pk=household.pk).update(head=person)
        household.head = person


def do_change_person_status(
    actor: object, *, person: Person, status: str, reason: str = ""
) -> Person:
    """Living here / moved out / deceased, with history."""
    new_status = PersonStatus(status)
    if person.status == new_status:
        return person
    with transaction.atomic():
        _history(actor, person, "status", person.status, new_status, reason)
        person.status = new_status
        person.save(update_fields=["status", "updated_at"])
        _record_person_audit(actor, person, reason=reason, details={"status": new_status})
    return person


def do_record_visit(
    actor: object,
    *,
    household: Household,
    visited_on: datetime.date,
    method: str,
    reached: Iterable[Person] = (),
    travel_history: str = "",
    has_symptoms: bool = False,
    symptoms: str = "",
    notes: str = "",
) -> ScreeningVisit:
    """Record a screening visit; the date may not lie in the future."""
    if visited_on > timezone.localdate():
        raise ValidationError(_("走访日期不能晚于今天"), code="future_date")
    reached = list(reached)
    if any(p.household_id != household.pk for p in reached):
        raise ValidationError(_("联系到的人员必须是该户成员"), code="not_member")
    with transaction.atomic():
        visit = ScreeningVisit.objects.create(
            household=household,
            division_code=household.division_code,
            grid=household.grid,
            visited_on=visited_on,
            method=method,
            travel_history=travel_history[:500],
            has_symptoms=has_symptoms,
            symptoms=symptoms[:200],
            notes=notes,
            recorded_by=_user_or_none(actor),
        )
        visit.reached.set(reached)
        _close_survey_follow_ups(visit, reached)
        record_audit(
            actor=actor,
            action=AuditAction.CREATE,
            target=visit,
            division_code=household.division_code,
        )
    return visit


def _close_survey_follow_ups(visit: ScreeningVisit, reached: list[Person]) -> int:
    """A visit that reaches a person is the follow-up their flagged survey answers asked for:
    the ones they had submitted by the visit's day leave the worklist, and the visit is the
    record of what was found. Someone merely living in the household is not followed up."""
    if not reached:
        return 0
    return SurveyResponse.objects.filter(
        person__in=reached,
        flagged=True,
        followed_up_at__isnull=True,
        created_at__date__lte=visit.visited_on,
    ).update(followed_up_at=timezone.now(), followed_up_by=visit)


def _history(actor: object, person: Person, field: str, old: str, new: str, reason: str) -> None:
    """One line of a person's history (PersonChange), by whoever acted."""
    PersonChange.objects.create(
        person=person,
        field=field,
        old_value=old,
        new_value=new,
        reason=reason[:200],
        changed_by=_user_or_none(actor),
    )


def _user_or_none(actor: object) -> object | None:
    from civicgrid.accounts.models import User

    return actor if isinstance(actor, User) else None


def do_add_person_tag(actor: object, *, person: Person, tag: str, reason: str = "") -> bool:
    """Give a person one more tag, kept in their history with `reason` (another module's
    finding: the epidemic line list's key person lands on the grid worker's worklist); False,
    writing nothing, when they have it already."""
    current = set(person.taggings.values_list("tag", flat=True))
    if PersonTag(tag) in current:
        return False
    do_update_person_contact(actor, person=person, tags=[*current, tag], reason=reason)
    return True


def do_update_person_contact(
    actor: object,
    *,
    person: Person,
    mobile: str | None = None,
    tags: Iterable[str] | None = None,
    reason: str = "",
) -> Person:
    """Replace a person's mobile (an empty string clears it) and/or their tags.

    `None` leaves a value as it is. A malformed mobile or unknown tag raises before anything
    is written; the old and new numbers go into the history masked, never in full.
    """
    new_mobile = normalize_mobile(mobile) if mobile else ("" if mobile == "" else None)
    new_tags = None if tags is None else {PersonTag(tag) for tag in tags}
    changed: list[str] = []
    with transaction.atomic():
        if new_mobile is not None and (person.mobile or "") != new_mobile:
            old_masked = str(person.mobile or "")
            person.mobile = new_mobile or None
            person.mobile_last4 = new_mobile[-4:] if new_mobile else ""
            person.save(update_fields=["mobile", "mobile_hash", "mobile_last4", "updated_at"])
            _history(actor, person, "mobile", old_masked, str(person.mobile or ""), reason)
            changed.append("mobile")
        if new_tags is not None:
            old_tags = set(person.taggings.values_list("tag", flat=True))
            if old_tags != new_tags:
                person.taggings.exclude(tag__in=new_tags).delete()
                PersonTagging.objects.bulk_create(
                    [PersonTagging(person=person, tag=tag) for tag in new_tags - old_tags]
                )
                _history(
                    actor,
                    person,
                    "tags",
                    ",".join(sorted(old_tags)),
                    ",".join(sorted(new_tags)),
                    reason,
                )
                changed.append("tags")
            # Drop a stale prefetch so the caller reads the new tags.
            getattr(person, "_prefetched_objects_cache", {}).pop("taggings", None)
        if changed:
            _record_person_audit(actor, person, reason=reason, details={"fields": changed})
    return person
