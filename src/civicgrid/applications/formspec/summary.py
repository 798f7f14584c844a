"""The check-your-answers rows: every shown question with its answer as a reader sees it."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from civicgrid.applications.formspec.definition import Field, FormSpec, Group
from civicgrid.applications.formspec.visibility import evaluate, is_empty
from civicgrid.core.masking import mask_id_number, mask_mobile


class SummaryRow(NamedTuple):
    step_key: str
    step_title: str
    label: str
    display_value: str
    path: str


def answer_summary(
    spec: FormSpec,
    answers: Mapping[str, Any],
    *,
    file_names: Mapping[str, str] | None = None,
    mask: bool = False,
) -> list[SummaryRow]:
    """One row per shown question, in form order; an unanswered optional one says "未填写".

    `file_names` maps attachment references to the names to show; `mask` shows ID and mobile
    numbers masked (a clerk's list; the applicant checking their own answers sees them whole).
    A repeatable group gives one row per field per row ("联系人 第 2 行：手机号码"), or a single
    "未填写" row when it has none.
    """
    evaluation = evaluate(spec, answers)
    shown = evaluation.answers
    rows: list[SummaryRow] = []
    for step in spec.steps:
        if step.key not in evaluation.steps:
            continue
        for item in step.items:
            if item.key not in evaluation.shown:
                continue
            if isinstance(item, Group):
                group_rows = shown.get(item.key, [])
                if not group_rows:
                    rows.append(SummaryRow(step.key, step.title, item.label, _("未填写"), item.key))
                for index, row in enumerate(group_rows):
                    for child in item.fields:
                        path = f"{item.key}.{index}.{child.key}"
                        if path not in evaluation.shown:
                            continue
                        label = _("%(group)s 第 %(row)d 行：%(label)s") % {
                            "group": item.label,
                            "row": index + 1,
                            "label": child.label,
                        }
                        value = display_value(child, row.get(child.key), file_names, mask)
                        rows.append(SummaryRow(step.key, step.title, label, value, path))
            else:
                value = display_value(item, shown.get(item.key), file_names, mask)
                rows.append(SummaryRow(step.key, step.title, item.label, value, item.key))
    return rows


def display_value(
    field: Field,
    value: Any,
    file_names: Mapping[str, str] | None = None,
    mask: bool = False,
) -> str:
    """An answer as text for a reader. A value that does not fit its field (a draft written by
    hand, a definition changed under it) is shown as it is rather than breaking the page."""
    if is_empty(value):
        return _("未填写")
    try:
        return _display(field, value, file_names, mask)
    except (TypeError, ValueError, AttributeError):
        return str(value)


def _display(field: Field, value: Any, file_names: Mapping[str, str] | None, mask: bool) -> str:
    kind = field.type
    if kind == "yesno":
        return _("是") if value else _("否")
    if kind == "choice":
        return field.choice_label(value)
    if kind == "multichoice":
        chosen = set(value) if isinstance(value, list) else {value}
        return "、".join(choice.label for choice in field.choices if choice.value in chosen)
    if kind in ("integer", "decimal"):
        return _with_unit(_grouped(value), field.unit)
    if kind == "date":
        try:
            day = datetime.date.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return _("%(y)d年%(m)d月%(d)d日") % {"y": day.year, "m": day.month, "d": day.day}
    if kind == "file":
        names = file_names or {}
        references = value if isinstance(value, list) else [value]
        if all(reference in names for reference in references):
            return "、".join(names[reference] for reference in references)
        return _("已上传 %(n)d 个文件") % {"n": len(references)}
    if mask and kind == "id_number":
        return mask_id_number(value)
    if mask and kind == "mobile":
        return mask_mobile(value)
    return str(value)


def _grouped(value: Any) -> str:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    exponent = number.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return f"{number:,.{places}f}"


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text
