"""A form's active elements and rules, kept in memory per process until the form changes.

Every write of a report needs the form's elements (to read the figures) and rules (to check
them); form definitions change a few times a year, reports arrive hundreds a second. A process
keeps each definition under the form's `definition_key`, which every save or delete of one of
its elements or rules replaces (the signal handlers below, in the same transaction as the
change). The report write reads the key inside its own transaction, so it never checks figures
against a definition older than the one committed when it started: a new rule applies from the
next submission on, in every process, with no time-to-live to wait out.

The cached elements and rules are shared by every request of the process: read them, never
change them.
"""

import threading
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from civicgrid.epidemic.choices import RuleKind
from civicgrid.epidemic.models import DataElement, ReportForm, ValidationRule

MAX_FORMS = 256  # definitions kept per process; more forms than that is not a daily-report set


@dataclass(frozen=True)
class FormDefinition:
    elements: tuple[DataElement, ...]  # active, in form order
    rules: tuple[ValidationRule, ...]  # active, their elements attached
    checks_previous: bool  # a "not below the previous report" rule needs that report's figures


_cache: dict[tuple[int, str], FormDefinition] = {}
_lock = threading.Lock()


def read_definition(form_id: int) -> FormDefinition:
    """The form's active elements and active rules from the database (two queries, no join:
    a rule's elements come from the elements read; a rule naming an inactive element still
    gets it, and `rules.check_rules` skips that rule)."""
    every = {e.pk: e for e in DataElement.objects.filter(form_id=form_id)}
    rules = list(ValidationRule.objects.filter(form_id=form_id, is_active=True))
    for rule in rules:
        for side in ("left", "right"):
            element_id = getattr(rule, f"{side}_id")
            if element_id in every:
                setattr(rule, side, every[element_id])
    return FormDefinition(
        elements=tuple(e for e in every.values() if e.is_active),
        rules=tuple(rules),
        checks_previous=any(r.kind == RuleKind.NOT_BELOW_PREVIOUS for r in rules),
    )


def form_definition(form_id: int, definition_key: Any) -> FormDefinition:
    """The definition of the form whose current key is `definition_key` (read by the caller
    in its transaction), from memory when this process has read it since the last change."""
    key = (form_id, str(definition_key))
    found = _cache.get(key)
    if found is None:
        found = read_definition(form_id)
        with _lock:
            if len(_cache) >= MAX_FORMS:
                _cache.clear()
            _cache[key] = found
    return found


def mark_changed(form_id: int) -> None:
    """A new key for the form: every process reads its definition again on its next use."""
    ReportForm.objects.filter(pk=form_id).update(definition_key=uuid.uuid4())


@receiver(post_save, sender=DataElement, dispatch_uid="epidemic_element_saved")
@receiver(post_delete, sender=DataElement, dispatch_uid="epidemic_element_deleted")
@receiver(post_save, sender=ValidationRule, dispatch_uid="epidemic_rule_saved")
@receiver(post_delete, sender=ValidationRule, dispatch_uid="epidemic_rule_deleted")
def _definition_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    mark_changed(instance.form_id)
