"""Updating a person's contact number and tags.

Kept apart from `actions.py` only while that module is being edited by the import work;
it belongs there (same shape as the other actions: one transaction, one audit row).
"""

from collections.abc import Iterable

from django.db import transaction

from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.mobile import normalize_mobile
from civicgrid.population.actions import _user_or_none, subject_key_of
from civicgrid.population.choices import PersonTag
from civicgrid.population.models import Person, PersonChange, PersonTagging


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
            PersonChange.objects.create(
                person=person,
                field="mobile",
                old_value=old_masked,
                new_value=str(person.mobile or ""),
                reason=reason[:200],
                changed_by=_user_or_none(actor),
            )
            changed.append("mobile")
        if new_tags is not None:
            old_tags = set(person.taggings.values_list("tag", flat=True))
            if old_tags != new_tags:
                person.taggings.exclude(tag__in=new_tags).delete()
                PersonTagging.objects.bulk_create(
                    [PersonTagging(person=person, tag=tag) for tag in new_tags - old_tags]
                )
                PersonChange.objects.create(
                    person=person,
                    field="tags",
                    old_value=",".join(sorted(old_tags)),
                    new_value=",".join(sorted(new_tags)),
                    reason=reason[:200],
                    changed_by=_user_or_none(actor),
                )
                changed.append("tags")
            # Drop a stale prefetch so the caller reads the new tags.
            getattr(person, "_prefetched_objects_cache", {}).pop("taggings", None)
        if changed:
            record_audit(
                actor=actor,
                actor_label="" if actor else "system",
                action=AuditAction.UPDATE,
                target=person,
                division_code=person.division_code,
                subject_key=subject_key_of(person),
                reason=reason,
                details={"fields": changed},
            )
    return person
