"""The personal numbers an application's answers hold (ID and mobile numbers), for the case
code: to show a clerk or an API client the answers masked, and to name the people whose data
an unmasked read touched (`record_audit(subject_key=...)`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from civicgrid.applications.formspec.cleaning import visible_fields
from civicgrid.applications.formspec.definition import FormSpec, Group
from civicgrid.applications.formspec.visibility import prune
from civicgrid.core.masking import mask_id_number, mask_mobile
from civicgrid.core.sealed_json import sealed

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


def seal_personal(spec: FormSpec, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers with every ID and mobile number (shown or not) marked for encrypted storage,
    as cleaning marks them; for answers stored before the column encrypted them."""
    result = dict(answers)
    for step in spec.steps:
        for item in step.items:
            if isinstance(item, Group):
                kinds = {f.key: f.type for f in item.fields if f.personal}
                rows = result.get(item.key)
                if kinds and isinstance(rows, list):
                    result[item.key] = [_sealed_in(row, kinds) for row in rows]
            elif item.personal:
                result = _sealed_in(result, {item.key: item.type})
    return result


def _sealed_in(holder: Any, kinds: dict[str, str]) -> Any:
    if not isinstance(holder, Mapping):
        return holder
    result = dict(holder)
    for key, kind in kinds.items():
        value = result.get(key)
        if isinstance(value, str) and value:
            result[key] = sealed(kind, value)
    return result
