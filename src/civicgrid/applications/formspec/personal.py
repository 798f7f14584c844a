"""The personal numbers an application's answers hold (ID and mobile numbers), for the case
code: to show a clerk or an API client the answers masked, and to name the people whose data
an unmasked read touched (`record_audit(subject_key=...)`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from civicgrid.applications.formspec.cleaning import visible_fields
from civicgrid.applications.formspec.definition import FormSpec
from civicgrid.applications.formspec.visibility import prune
from civicgrid.core.masking import mask_id_number, mask_mobile

_MASKS = {"id_number": mask_id_number, "mobile": mask_mobile}


class PersonalValue(NamedTuple):
    path: str
    kind: str  # "id_number" or "mobile"
    value: str


def personal_values(spec: FormSpec, answers: Mapping[str, Any]) -> list[PersonalValue]:
    """Every shown ID or mobile number in the answers, with its path, in form order."""
    found = []
    for ref in visible_fields(spec, answers):
        if not ref.field.personal:
            continue
        holder = answers if ref.row is None else answers[ref.path.split(".", 1)[0]][ref.row]
        value = holder.get(ref.field.key) if isinstance(holder, Mapping) else None
        if isinstance(value, str) and value:
            found.append(PersonalValue(ref.path, ref.field.type, value))
    return found


def masked_answers(spec: FormSpec, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The shown answers (hidden ones dropped, as `clean_step` stores them) with every ID and
    mobile number masked (130102********1234); `answers` is not changed."""
    shown = prune(spec, answers)  # new dicts and row lists throughout
    masked: dict[str, Any] = dict(shown)
    for path, kind, value in personal_values(spec, shown):
        parts = path.split(".")
        if len(parts) == 1:
            masked[path] = _MASKS[kind](value)
        else:
            masked[parts[0]][int(parts[1])][parts[2]] = _MASKS[kind](value)
    return masked
