"""A step prepared for its template: each field's input attributes, current value and error.

The values shown come from the posted data when the step is shown again (so a mistyped
number stays as typed beside its error), else from the saved answers. Fields hidden by
conditions on earlier steps are left out. A field whose condition reads a field of the same
step is rendered with "仅当……时填写" under its label and its condition as JSON
(`client.py`): the page's small script hides it until the answer calls for it, and without
JavaScript it simply stays visible. The server drops its answer when the condition is false.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as default
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.applications.formspec.cleaning import ACTION_FIELD, ROWS_SUFFIX, Source
from civicgrid.applications.formspec.client import client_condition
from civicgrid.applications.formspec.conditions import Condition
from civicgrid.applications.formspec.definition import Field, FormSpec, Group, Step
from civicgrid.applications.formspec.visibility import Evaluation, evaluate

INPUTS: dict[str, dict[str, str]] = {
    "text": {"type": "text"},
    "integer": {"type": "text", "inputmode": "numeric", "pattern": "-?[0-9]*"},
    "decimal": {"type": "text", "inputmode": "decimal"},
    "date": {"type": "date"},
    "id_number": {
        "type": "text",
        "autocomplete": "off",
        "maxlength": "22",
        "autocapitalize": "characters",
        "spellcheck": "false",
    },
    "credit_code": {
        "type": "text",
        "autocomplete": "off",
        "maxlength": "22",
        "autocapitalize": "characters",
        "spellcheck": "false",
    },
    "mobile": {"type": "tel", "inputmode": "tel", "autocomplete": "tel", "maxlength": "20"},
    "email": {"type": "email", "inputmode": "email", "autocomplete": "email"},
}


@dataclass
class BoundField:
    field: Field
    path: str
    id: str
    label: str
    widget: str  # input, textarea, radio, select, checkbox, yesno, file
    value: str = ""
    values: list[str] = default(default_factory=list)
    error: str = ""
    attrs: dict[str, str] = default(default_factory=dict)
    choices: list[tuple[str, str, bool]] = default(default_factory=list)
    files: list[tuple[str, str]] = default(default_factory=list)  # (reference, name)
    condition: str = ""
    client: str = ""  # the condition as JSON for the reveal script, when it reads this step
    accept: str = ""
    kinds: str = ""
    max_mb: str = ""
    multiple: bool = False
    can_upload: bool = True

    @property
    def help_id(self) -> str:
        return f"{self.id}-help"

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def described_by(self) -> str:
        ids = []
        if self.field.help or self.condition or self.widget == "file":
            ids.append(self.help_id)
        if self.error:
            ids.append(self.error_id)
        return " ".join(ids)


@dataclass
class BoundRow:
    index: int
    number: int
    fields: list[BoundField]
    remove_action: str


@dataclass
class BoundGroup:
    group: Group
    id: str
    rows: list[BoundRow]
    error: str = ""
    condition: str = ""
    client: str = ""
    add_action: str = ""
    can_remove: bool = True
    rows_name: str = ""

    is_group = True


@dataclass
class ErrorLink:
    message: str
    anchor: str


@dataclass
class BoundStep:
    step: Step
    items: list[BoundField | BoundGroup]
    errors: list[ErrorLink]
    action_field: str = ACTION_FIELD
    multipart: bool = False

    @property
    def reveals(self) -> bool:
        """Whether any field follows another field of this step (the page adds its script)."""
        for item in self.items:
            if item.client:
                return True
            if isinstance(item, BoundGroup) and any(
                bound.client for row in item.rows for bound in row.fields
            ):
                return True
        return False


def field_id(path: str) -> str:
    return "f-" + path.replace(".", "-").replace("_", "-")


def bind_step(
    spec: FormSpec,
    step_key: str,
    *,
    answers: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    errors: Mapping[str, Any] | None = None,
    attachments: Mapping[str, str] | None = None,
) -> BoundStep:
    """`answers`: saved answers; `data`: the posted step when shown again; `errors`: from
    clean_step (a message or a list of messages per path); `attachments`: reference → file
    name of files already uploaded."""
    step = spec.step(step_key)
    answers = answers or {}
    evaluation = evaluate(spec, answers)
    binder = _Binder(step, evaluation, data, dict(errors or {}), attachments or {})
    items: list[BoundField | BoundGroup] = []
    for item in step.items:
        bound = binder.group(item) if isinstance(item, Group) else binder.top(item, answers)
        if bound is not None:
            items.append(bound)
    links = [ErrorLink(message, anchor) for message, anchor in binder.messages.values()]
    # Errors of no field on this page (the form's own, a row beyond the rows shown): listed
    # in the summary without a link, never dropped.
    links += [
        ErrorLink(_message(value), "")
        for path, value in binder.errors.items()
        if path not in binder.messages
    ]
    multipart = any(node.type == "file" for node in step.fields())
    return BoundStep(step, items, links, ACTION_FIELD, multipart)


def only_when(condition: Condition) -> str:
    return _("仅当%(condition)s时填写。") % {"condition": condition.describe()}


def _message(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "；".join(str(item) for item in value)
    return str(value)


class _Binder:
    def __init__(
        self,
        step: Step,
        evaluation: Evaluation,
        data: Mapping[str, Any] | None,
        errors: dict[str, Any],
        attachments: Mapping[str, str],
    ) -> None:
        self.step = step
        self.evaluation = evaluation
        self.source = Source(data) if data is not None else None
        self.errors = errors
        self.attachments = attachments
        self.messages: dict[str, tuple[str, str]] = {}  # path -> (message, anchor), page order
        self.in_step = {id(node) for node in step.fields()} | {id(item) for item in step.items}

    def earlier(self, target: Field) -> Any:
        return self.evaluation.answers.get(target.key)

    def error(self, path: str) -> str:
        if path not in self.errors:
            return ""
        message = _message(self.errors[path])
        self.messages[path] = (message, f"#{field_id(path)}")
        return message

    def reads_this_step(self, node: Field | Group) -> bool:
        condition = node.show_if
        if condition is None:
            return False
        return any(
            leaf.target is not None and id(leaf.target) in self.in_step
            for leaf, _path in condition.leaves("")
        )

    def shown(
        self, node: Field | Group, path: str, row: int | None = None
    ) -> tuple[bool, str, str]:
        """(render it, the "仅当" text under its label, the condition for the reveal script)."""
        if node.show_if is not None and self.reads_this_step(node):
            group = node.group if isinstance(node, Field) else None

            def name_of(target: Field) -> str | None:
                if id(target) not in self.in_step:
                    return None
                if target.group is None:
                    return target.key
                if target.group is group and row is not None:
                    return f"{group.key}.{row}.{target.key}"
                return None  # pragma: no cover - conditions cannot read another group

            client = client_condition(node.show_if, name_of, self.earlier)
            return True, only_when(node.show_if), client
        if isinstance(node, Field) and node.group is not None:
            # A group field's condition on earlier steps holds alike in every row.
            return node.show_if is None or node.show_if.holds(self.earlier), "", ""
        return path in self.evaluation.shown, "", ""

    def top(self, item: Field, answers: Mapping[str, Any]) -> BoundField | None:
        show, condition, client = self.shown(item, item.key)
        if not show:
            return None
        bound = self.bind(item, item.key, answers.get(item.key), condition, None)
        bound.client = client
        return bound

    def group(self, group: Group) -> BoundGroup | None:
        show, condition, client = self.shown(group, group.key)
        if not show:
            return None
        saved_rows = self.evaluation.answers.get(group.key) or []
        count = len(saved_rows) if self.source is None else self.source.row_count(group)
        count = min(max(count, group.min_rows), group.max_rows)
        bound = BoundGroup(
            group=group,
            id=f"g-{field_id(group.key)[2:]}",
            rows=[],
            error=self.error(group.key),
            condition=condition,
            client=client,
            add_action=f"add:{group.key}" if count < group.max_rows else "",
            can_remove=count > group.min_rows,
            rows_name=f"{group.key}.{ROWS_SUFFIX}",
        )
        if bound.error:
            # The summary links to the group, not to a field.
            self.messages[group.key] = (bound.error, f"#{bound.id}")
        for index in range(count):
            row = saved_rows[index] if index < len(saved_rows) else {}
            fields = []
            for child in group.fields:
                path = f"{group.key}.{index}.{child.key}"
                show, condition_text, client = self.shown(child, path, index)
                if not show:
                    continue
                bound_field = self.bind(child, path, row.get(child.key), condition_text, index)
                bound_field.client = client
                fields.append(bound_field)
            bound.rows.append(BoundRow(index, index + 1, fields, f"remove:{group.key}.{index}"))
        return bound

    def bind(
        self, field: Field, path: str, saved: Any, condition: str, row: int | None
    ) -> BoundField:
        multiple = field.type in ("multichoice", "file")
        raw = saved if self.source is None else self.source.raw(path, multiple)
        values = _as_strings(raw, field)
        label = field.label
        widget = _widget(field)
        bound = BoundField(
            field=field,
            path=path,
            id=field_id(path),
            label=label,
            widget=widget,
            value=values[0] if values and not multiple else "",
            values=values,
            error=self.error(path),
            attrs=dict(INPUTS.get(field.type, {})),
            condition=condition,
        )
        if field.type in ("text", "textarea", "address") and field.max_length:
            bound.attrs["maxlength"] = str(field.max_length)
        if field.type == "address":
            bound.attrs["autocomplete"] = "street-address"
        if field.type == "date":
            for name in ("min", "max"):
                bound_value = getattr(field, name)
                if bound_value == "today":
                    bound_value = timezone.localdate()
                if bound_value is not None:
                    bound.attrs[name] = bound_value.isoformat()
        if field.choices:
            chosen = set(values)
            bound.choices = [(c.value, c.label, c.value in chosen) for c in field.choices]
        if field.type == "yesno":
            bound.choices = [
                ("yes", _("是"), values[:1] == ["yes"]),
                ("no", _("否"), values[:1] == ["no"]),
            ]
        if field.file_rule is not None:
            from civicgrid.applications.attachments import accept_attribute, kinds_text

            rule = field.file_rule
            bound.accept = accept_attribute(rule.kinds)
            bound.kinds = kinds_text(rule.kinds)
            bound.max_mb = f"{rule.max_bytes / 1024 / 1024:g}"
            bound.multiple = rule.max_files > 1
            bound.files = [
                (reference, self.attachments.get(reference, _("已上传的文件")))
                for reference in values
            ]
            bound.can_upload = len(bound.files) < rule.max_files
        return bound


def _widget(field: Field) -> str:
    if field.type in ("textarea", "address"):
        return "textarea"
    if field.type == "choice":
        return field.widget or "radio"
    if field.type == "multichoice":
        return "checkbox"
    if field.type in ("yesno", "file"):
        return field.type
    return "input"


def _as_strings(raw: Any, field: Field) -> list[str]:
    if raw is None:
        return []
    items = raw if isinstance(raw, list | tuple) else [raw]
    strings = []
    for item in items:
        if item is None:
            continue
        if isinstance(item, bool):
            strings.append("yes" if item else "no")
        elif field.type == "yesno" and isinstance(item, str):
            text = item.strip().lower()
            strings.append(
                "yes" if text in ("yes", "true", "1", "on", "是") else "no" if text else ""
            )
        else:
            strings.append(str(item))
    return strings
