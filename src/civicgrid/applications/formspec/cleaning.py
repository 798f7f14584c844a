"""Cleaning a step (pages) or a whole form (API, and the check before submission).

Input comes in two shapes, both accepted everywhere:

- flat, as a page posts it (a QueryDict or a dict of lists): `name`, `contacts.0.mobile`,
  `contacts.__rows` (how many rows the page showed), `scopes` repeated for a multichoice;
- nested, as an API client sends it: `{"name": "...", "contacts": [{"mobile": "..."}]}`.

Errors are keyed by path (`contacts.1.mobile`, row indices from 0; `contacts` for the group's
row count; `__all__` for the form) in document order, each a Chinese sentence naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.applications.formspec.conditions import comparable
from civicgrid.applications.formspec.definition import Field, FormSpec, Group, Step
from civicgrid.applications.formspec.summary import display_value
from civicgrid.applications.formspec.values import FieldInvalid, clean_value
from civicgrid.applications.formspec.visibility import Evaluation, evaluate, is_empty

NON_FIELD = "__all__"
ROWS_SUFFIX = "__rows"
# The name of the submit buttons that add or remove a group row, or drop an uploaded file,
# without JavaScript: "add:contacts", "remove:contacts.1", "unfile:licence:<reference>".
ACTION_FIELD = "formspec_action"


@dataclass(frozen=True)
class FieldRef:
    """A shown field: where it is (`path`), what it is, and in which step and group row."""

    path: str
    field: Field
    step: Step
    row: int | None = None


def label_of(field: Field, row: int | None = None) -> str:
    """How messages name a field: 「手机号码」, or 「联系人」第 2 行的「手机号码」."""
    if field.group is not None and row is not None:
        return _("「%(group)s」第 %(row)d 行的「%(label)s」") % {
            "group": field.group.label,
            "row": row + 1,
            "label": field.label,
        }
    return f"「{field.label}」"


class _Label:
    """`label_of`, worked out only when a message needs it (most answers are fine)."""

    __slots__ = ("field", "row")

    def __init__(self, field: Field, row: int | None) -> None:
        self.field = field
        self.row = row

    def __str__(self) -> str:
        return label_of(self.field, self.row)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


class Source:
    """Uniform reading of flat (page) and nested (API) input."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.flat_lists = hasattr(data, "getlist")

    def raw(self, path: str, multiple: bool) -> Any:
        if self.flat_lists:
            values = self.data.getlist(path)  # type: ignore[attr-defined]
            return values if multiple else (values[-1] if values else None)
        value = self.data.get(path)
        if not multiple and isinstance(value, list) and len(value) == 1:
            return value[0]  # a dict of lists made from a QueryDict
        return value

    def nested_rows(self, group: Group) -> Any:
        if self.flat_lists:
            return None
        rows = self.data.get(group.key)
        if rows is None and any(str(key).startswith(f"{group.key}.") for key in self.data):
            return None  # flat keys in a plain dict
        return rows if rows is not None else []

    def row_count(self, group: Group) -> int:
        """Rows posted in the flat shape: the page's row counter, else the highest index seen."""
        declared = self.raw(f"{group.key}.{ROWS_SUFFIX}", multiple=False)
        if isinstance(declared, str) and declared.strip().isdigit():
            return min(int(declared), group.max_rows + 1)
        highest = -1
        prefix = f"{group.key}."
        for key in self.data:
            if isinstance(key, str) and key.startswith(prefix):
                index = key[len(prefix) :].split(".", 1)[0]
                if index.isdigit() and int(index) <= group.max_rows:
                    highest = max(highest, int(index))
        return highest + 1


def _read_rows(source: Source, group: Group) -> tuple[list[dict[str, Any]], str | None]:
    """The raw rows of a group, or an error about their shape."""
    nested = source.nested_rows(group)
    if nested is not None:
        if not isinstance(nested, list) or not all(isinstance(row, Mapping) for row in nested):
            return [], _("「%(label)s」应为由行组成的列表。") % {"label": group.label}
        if len(nested) > group.max_rows:
            return [], _max_rows_error(group)
        rows = [dict(row) for row in nested]
        _overlay_flat(source, group, rows)
        return rows, None
    rows = []
    for index in range(source.row_count(group)):
        rows.append(
            {
                child.key: source.raw(f"{group.key}.{index}.{child.key}", _multiple(child))
                for child in group.fields
            }
        )
    return rows, None


def _overlay_flat(source: Source, group: Group, rows: list[dict[str, Any]]) -> None:
    """Flat paths beside nested rows ("contacts.0.licence" next to "contacts": [...]) — how a
    caller adds the references of files uploaded with an API call — go into their rows."""
    prefix = f"{group.key}."
    for key in source.data:
        if not isinstance(key, str) or not key.startswith(prefix):
            continue
        index_text, _dot, child = key[len(prefix) :].partition(".")
        if not index_text.isdigit() or int(index_text) >= group.max_rows:
            continue
        try:
            target = group.field(child)
        except KeyError:
            continue
        while len(rows) <= int(index_text):
            rows.append({})
        rows[int(index_text)][child] = source.raw(key, _multiple(target))


def _multiple(field: Field) -> bool:
    return field.type in ("multichoice", "file")


def _max_rows_error(group: Group) -> str:
    return _("「%(label)s」最多填写 %(n)d 行。") % {"label": group.label, "n": group.max_rows}


def clean_step(
    spec: FormSpec, step_key: str, data: Mapping[str, Any], answers: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The step's cleaned answers merged into a copy of `answers`, and the step's errors.

    The step's input replaces whatever `answers` held for its fields. A field with an error is
    left out of the answers (a draft saved regardless keeps only good values). Fields hidden by
    their conditions — in this step or, after a changed answer, anywhere — are dropped from the
    answers and never reported, not even as required.
    """
    evaluation, errors = _clean_step(spec, spec.step(step_key), Source(data), answers)
    return evaluation.answers, errors


def _clean_step(
    spec: FormSpec, step: Step, source: Source, answers: Mapping[str, Any]
) -> tuple[Evaluation, dict[str, str]]:
    # A shallow copy is enough: the step's values are new objects, and evaluate() builds the
    # answers it returns afresh, so the caller's dict and lists are never changed.
    merged = dict(answers)
    problems: dict[str, str] = {}
    for item in step.items:
        if isinstance(item, Group):
            rows, shape_error = _read_rows(source, item)
            if shape_error:
                problems[item.key] = shape_error
            cleaned_rows = []
            for index, raw_row in enumerate(rows):
                cleaned_row: dict[str, Any] = {}
                for child in item.fields:
                    _clean_into(child, raw_row.get(child.key), index, cleaned_row, problems)
                cleaned_rows.append(cleaned_row)
            merged[item.key] = cleaned_rows
        else:
            _clean_into(item, source.raw(item.key, _multiple(item)), None, merged, problems)
    evaluation = evaluate(spec, merged)
    if step.key not in evaluation.steps:
        return evaluation, {}
    return evaluation, _step_errors(step, evaluation, problems)


def _clean_into(
    field: Field, raw: Any, row: int | None, target: dict[str, Any], problems: dict[str, str]
) -> None:
    path = field.key if row is None else f"{field.group.key}.{row}.{field.key}"  # type: ignore[union-attr]
    try:
        value = clean_value(field, raw, _Label(field, row))  # type: ignore[arg-type]
    except FieldInvalid as invalid:
        problems[path] = invalid.message
        target.pop(field.key, None)
        return
    if value is None:
        target.pop(field.key, None)
    else:
        target[field.key] = value


def _step_errors(step: Step, evaluation: Evaluation, problems: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for item in step.items:
        if isinstance(item, Group):
            if item.key not in evaluation.shown:
                continue
            rows = evaluation.answers.get(item.key, [])
            if item.key in problems:
                errors[item.key] = problems[item.key]
            elif len(rows) > item.max_rows:
                errors[item.key] = _max_rows_error(item)
            elif len(rows) < item.min_rows:
                errors[item.key] = _("「%(label)s」至少需要填写 %(n)d 行。") % {
                    "label": item.label,
                    "n": item.min_rows,
                }
            before = len(errors)
            for index, row in enumerate(rows[: item.max_rows]):
                for child in item.fields:
                    path = f"{item.key}.{index}.{child.key}"
                    _field_error(child, path, row, index, evaluation, problems, errors)
            # The total means something only when every row's figure is there and right.
            if item.sum_rule is not None and item.key not in errors and len(errors) == before:
                message = _sum_error(item, rows, evaluation)
                if message:
                    errors[item.key] = message
        else:
            _field_error(item, item.key, evaluation.answers, None, evaluation, problems, errors)
    return errors


def _field_error(
    field: Field,
    path: str,
    holder: Mapping[str, Any],
    row: int | None,
    evaluation: Evaluation,
    problems: Mapping[str, str],
    errors: dict[str, str],
) -> None:
    if path not in evaluation.shown:
        return
    if path in problems:
        errors[path] = problems[path]
    elif field.required and is_empty(holder.get(field.key)):
        errors[path] = _required_message(field, row)
    elif field.min_field is not None or field.max_field is not None:
        message = _bound_error(field, holder, row, evaluation)
        if message:
            errors[path] = message


_SUM_MESSAGES = {
    "equals": gettext_lazy("「%(group)s」各行「%(field)s」合计 %(total)s，应等于%(limit)s。"),
    "min": gettext_lazy("「%(group)s」各行「%(field)s」合计 %(total)s，不能少于%(limit)s。"),
    "max": gettext_lazy("「%(group)s」各行「%(field)s」合计 %(total)s，不能超过%(limit)s。"),
}


def _sum_error(group: Group, rows: list[dict[str, Any]], evaluation: Evaluation) -> str:
    rule = group.sum_rule
    if rule is None:  # pragma: no cover - called for groups with a rule
        return ""
    total = sum((Decimal(str(row.get(rule.field.key) or 0)) for row in rows), Decimal(0))
    if rule.other is not None:
        answer = evaluation.answers.get(rule.other.key)
        limit = comparable(rule.other, answer)
        if limit is None:
            return ""  # nothing to compare with yet
        limit_text = f"「{rule.other.label}」（{display_value(rule.other, answer)}）"
    else:
        limit = rule.value
        limit_text = " " + display_value(rule.field, str(limit))
    passes = {"equals": total == limit, "min": total >= limit, "max": total <= limit}
    if passes[rule.op]:
        return ""
    return str(_SUM_MESSAGES[rule.op]) % {
        "group": group.label,
        "field": rule.field.label,
        "total": display_value(rule.field, str(total)),
        "limit": limit_text,
    }


_BOUND_MESSAGES = {
    ("min", False): gettext_lazy("%(label)s不能小于「%(other)s」（%(value)s）。"),
    ("max", False): gettext_lazy("%(label)s不能大于「%(other)s」（%(value)s）。"),
    ("min", True): gettext_lazy("%(label)s不能早于「%(other)s」（%(value)s）。"),
    ("max", True): gettext_lazy("%(label)s不能晚于「%(other)s」（%(value)s）。"),
}


def _bound_error(
    field: Field, holder: Mapping[str, Any], row: int | None, evaluation: Evaluation
) -> str:
    """The message when the answer passes a bound set by another answer ("首批返岗人数" at
    most "职工总数"); nothing when either is unanswered or hidden."""
    value = comparable(field, holder.get(field.key))
    if value is None:
        return ""
    for name in ("min", "max"):
        other: Field | None = getattr(field, f"{name}_field")
        if other is None:
            continue
        source = holder if other.group is not None else evaluation.answers
        limit = comparable(other, source.get(other.key))
        if limit is None or (value >= limit if name == "min" else value <= limit):
            continue
        template = _BOUND_MESSAGES[(name, field.type == "date")]
        return str(template) % {
            "label": label_of(field, row),
            "other": other.label,
            "value": display_value(other, source.get(other.key)),
        }
    return ""


def _required_message(field: Field, row: int | None) -> str:
    label = label_of(field, row)
    if field.type == "file":
        return _("请上传%(label)s。") % {"label": label}
    if field.type in ("choice", "multichoice", "yesno"):
        return _("请选择%(label)s。") % {"label": label}
    return _("请填写%(label)s。") % {"label": label}


def clean_all(spec: FormSpec, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Every shown step cleaned in order (as the API submits a whole form at once): the
    answers and all errors. Keys that are no field of the form are errors too (a misspelt key
    must not pass silently as "left empty")."""
    errors: dict[str, str] = {}
    if not isinstance(data, Mapping):
        return {}, {NON_FIELD: _("表单数据应为 JSON 对象。")}
    source = Source(data)
    evaluation = evaluate(spec, {})
    for step in spec.steps:
        # Whether a step is shown depends only on earlier steps, all cleaned by now.
        if step.key in evaluation.steps:
            evaluation, step_errors = _clean_step(spec, step, source, evaluation.answers)
            errors.update(step_errors)
    answers = evaluation.answers
    if not hasattr(data, "getlist"):
        for key in _keys_sent(spec, data):
            if not _known_key(spec, key):
                errors[key] = _("表单中没有“%(key)s”这一项。") % {"key": key}
    return answers, errors


def _keys_sent(spec: FormSpec, data: Mapping[str, Any]) -> list[str]:
    """The keys of nested input as paths, a group's row fields included ("contacts.0.mobile")."""
    keys = []
    for key, value in data.items():
        keys.append(str(key))
        if key in spec._items and isinstance(spec.item(key), Group) and isinstance(value, list):
            for index, row in enumerate(value):
                if isinstance(row, Mapping):
                    keys.extend(f"{key}.{index}.{child}" for child in row)
    return keys


def _known_key(spec: FormSpec, key: str) -> bool:
    """A top-level key, or a group row's field as a flat path ("contacts.0.licence")."""
    name, *rest = key.split(".")
    if name not in spec._items:
        return False
    if not rest:
        return True
    item = spec.item(name)
    if not isinstance(item, Group) or len(rest) != 2 or not rest[0].isdigit():
        return False
    return any(child.key == rest[1] for child in item.fields)


def validate_complete(spec: FormSpec, answers: Mapping[str, Any]) -> dict[str, str]:
    """Errors of the whole form: {} when it may be submitted."""
    return clean_all(spec, answers)[1]


def resume_step(spec: FormSpec, answers: Mapping[str, Any]) -> Step | None:
    """Where a returning applicant continues: the first shown step with an error (a required
    answer missing, or one that no longer passes); None when everything is complete."""
    errors = validate_complete(spec, answers)
    for step in spec.visible_steps(answers):
        if any(spec_path_step(spec, path) is step for path in errors):
            return step
    return None


def spec_path_step(spec: FormSpec, path: str) -> Step | None:
    name = path.split(".", 1)[0]
    return spec.step_of(name) if name in spec._items else None


def visible_fields(spec: FormSpec, answers: Mapping[str, Any]) -> list[FieldRef]:
    """Every shown field (group children once per row the answers have), in document order."""
    evaluation = evaluate(spec, answers)
    refs: list[FieldRef] = []
    for step in spec.steps:
        if step.key not in evaluation.steps:
            continue
        for item in step.items:
            if isinstance(item, Group):
                for index, _row in enumerate(evaluation.answers.get(item.key, [])):
                    for child in item.fields:
                        path = f"{item.key}.{index}.{child.key}"
                        if path in evaluation.shown:
                            refs.append(FieldRef(path, child, step, index))
            elif item.key in evaluation.shown:
                refs.append(FieldRef(item.key, item, step))
    return refs


def step_action(
    spec: FormSpec, step_key: str, data: Mapping[str, Any]
) -> dict[str, list[str]] | None:
    """The posted step changed by the button the applicant pressed — a group row added or
    removed, an uploaded file dropped — as flat data (path → list of strings) to render the
    step again, without errors; None when the post carries no such action.

    A page view: `if (changed := step_action(spec, step, request.POST)) is not None:` save
    the draft from `clean_step(spec, step, changed, answers)[0]` and render with `data=changed`.
    """
    source = Source(data)
    action = source.raw(ACTION_FIELD, multiple=False)
    if not isinstance(action, str) or ":" not in action:
        return None
    verb, _colon, argument = action.partition(":")
    flat: dict[str, list[str]] = {}
    for key in data:
        if key != ACTION_FIELD and key != "csrfmiddlewaretoken":
            values = source.raw(key, multiple=True)
            flat[key] = (
                [str(value) for value in values] if isinstance(values, list) else [str(values)]
            )
    step = spec.step(step_key)
    groups = {item.key: item for item in step.items if isinstance(item, Group)}
    if verb == "add" and argument in groups:
        group = groups[argument]
        count = Source(flat).row_count(group)
        flat[f"{group.key}.{ROWS_SUFFIX}"] = [str(min(count + 1, group.max_rows))]
        return flat
    if verb == "remove":
        name, _dot, index_text = argument.partition(".")
        if name in groups and index_text.isdigit():
            return _remove_row(groups[name], int(index_text), flat)
    if verb == "unfile":
        path, _colon, reference = argument.partition(":")
        if path in flat:
            flat[path] = [value for value in flat[path] if value != reference]
        return flat
    return None


def _remove_row(group: Group, removed: int, flat: dict[str, list[str]]) -> dict[str, list[str]]:
    count = Source(flat).row_count(group)
    prefix = f"{group.key}."
    result: dict[str, list[str]] = {}
    for key, values in flat.items():
        index_text, _dot, rest = key[len(prefix) :].partition(".")
        if not key.startswith(prefix) or not index_text.isdigit():
            result[key] = values
            continue
        index = int(index_text)
        if index < removed:
            result[key] = values
        elif index > removed:
            result[f"{prefix}{index - 1}.{rest}"] = values
    result[f"{prefix}{ROWS_SUFFIX}"] = [str(max(count - 1, 0))]
    return result
