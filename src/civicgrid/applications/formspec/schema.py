"""A JSON Schema (draft 2020-12) of a form's answers, for systems that submit through the API.

It says what `clean_all` takes in its canonical shape — types, choices, limits, group rows —
and which answers are always required. What a schema cannot say well is described instead:
a field behind a condition is not in `required`, and its `description` says when it is asked
("仅当……时填写"); `x-step`, `x-unit`, `x-kinds` and `x-max-bytes` carry the rest. The engine
stays the judge: it also accepts looser spellings (a number as text, "+86" before a mobile).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from civicgrid.applications.formspec.definition import Field, FormSpec, Group, Step

ID_NUMBER_PATTERN = "^[0-9]{17}[0-9Xx]$"
CREDIT_CODE_PATTERN = "^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}$"
MOBILE_PATTERN = "^1[3-9][0-9]{9}$"
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"


def answers_schema(spec: FormSpec) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for step in spec.steps:
        for item in step.items:
            properties[item.key] = _item_schema(item, step)
            if step.show_if is None and item.show_if is None and _always_required(item):
                required.append(item.key)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **_object(properties, required),
    }
    if spec.title:
        schema["title"] = spec.title
    return schema


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _describe(schema: dict[str, Any], help_text: str, *conditions: Any) -> dict[str, Any]:
    notes = [help_text] if help_text else []
    notes += [
        _("仅当%(condition)s时填写。") % {"condition": condition.describe()}
        for condition in conditions
        if condition is not None
    ]
    if notes:
        schema["description"] = " ".join(notes)
    return schema


def _always_required(item: Field | Group) -> bool:
    return item.min_rows > 0 if isinstance(item, Group) else item.required


def _item_schema(item: Field | Group, step: Step) -> dict[str, Any]:
    schema = _group_schema(item) if isinstance(item, Group) else _field_schema(item)
    schema["x-step"] = step.key
    return _describe(schema, item.help, step.show_if, item.show_if)


def _group_schema(group: Group) -> dict[str, Any]:
    properties = {}
    required = []
    for child in group.fields:
        properties[child.key] = _describe(_field_schema(child), child.help, child.show_if)
        if child.required and child.show_if is None:
            required.append(child.key)
    schema: dict[str, Any] = {
        "title": group.label,
        "type": "array",
        "maxItems": group.max_rows,
        "items": _object(properties, required),
    }
    if group.min_rows:
        schema["minItems"] = group.min_rows
    if group.sum_rule is not None:
        schema["x-sum"] = group.sum_rule.describe()
    return schema


def _field_schema(field: Field) -> dict[str, Any]:
    kind = field.type
    schema: dict[str, Any] = {"title": field.label}
    for name in ("min", "max"):
        other = getattr(field, f"{name}_field")
        if other is not None:
            schema[f"x-{name}imum-field"] = other.key
    if kind in ("text", "textarea", "address"):
        schema["type"] = "string"
        if field.min_length:
            schema["minLength"] = field.min_length
        if field.max_length:
            schema["maxLength"] = field.max_length
    elif kind == "integer":
        schema["type"] = "integer"
        _bounds(schema, field, float_bounds=False)
    elif kind == "decimal":
        schema["type"] = ["number", "string"]
        schema["pattern"] = DECIMAL_PATTERN  # applies to the string form only
        _bounds(schema, field, float_bounds=True)
    elif kind == "date":
        schema.update(type="string", format="date")
        for name, keyword in (("min", "formatMinimum"), ("max", "formatMaximum")):
            bound = getattr(field, name)
            if bound is not None:
                schema[keyword] = bound if bound == "today" else bound.isoformat()
    elif kind == "choice":
        schema.update(type="string", enum=[choice.value for choice in field.choices])
    elif kind == "multichoice":
        schema.update(
            type="array",
            items={"enum": [choice.value for choice in field.choices]},
            uniqueItems=True,
        )
        if field.min_choices:
            schema["minItems"] = field.min_choices
        if field.max_choices:
            schema["maxItems"] = field.max_choices
    elif kind == "yesno":
        schema["type"] = "boolean"
    elif kind == "id_number":
        schema.update(type="string", pattern=ID_NUMBER_PATTERN)
    elif kind == "credit_code":
        schema.update(type="string", pattern=CREDIT_CODE_PATTERN)
    elif kind == "mobile":
        schema.update(type="string", pattern=MOBILE_PATTERN)
    elif kind == "email":
        schema.update(type="string", format="email")
    elif kind == "file" and field.file_rule is not None:
        rule = field.file_rule
        schema.update(
            type="array",
            items={"type": "string", "description": _("附件引用")},
            maxItems=rule.max_files,
            **{"x-kinds": sorted(rule.kinds), "x-max-bytes": rule.max_bytes},
        )
    if field.choices:
        schema["x-choice-labels"] = {choice.value: choice.label for choice in field.choices}
    return schema


def _bounds(schema: dict[str, Any], field: Field, *, float_bounds: bool) -> None:
    if field.unit:
        schema["x-unit"] = field.unit
    for name, keyword in (("min", "minimum"), ("max", "maximum")):
        bound = getattr(field, name)
        if bound is not None:
            schema[keyword] = float(bound) if float_bounds else int(bound)
