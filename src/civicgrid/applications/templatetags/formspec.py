"""`{% load formspec %}`: a step of a configured application form, and its answers to check.

    <form method="post" enctype="multipart/form-data" class="stack narrow" novalidate>
      {% csrf_token %}
      {% formspec_progress spec step.key answers %}
      {% formspec_step spec step.key answers=draft.answers data=posted errors=errors attachments=names %}
      <button class="btn big" type="submit">继续</button>
    </form>

    {% formspec_summary spec answers change_url=change_url file_names=names %}

`formspec_step` renders the step's fields (labels, help, errors beside each field and a summary
at the top linking to them, repeatable groups with "添加一行" / "删除" buttons and files already
uploaded with "删除"). Those buttons are plain submit buttons named `formspec_action`, so they
work without JavaScript: the view hands the post to `formspec.step_action` and shows the step
again. A hidden first submit button makes Enter in a text box mean "continue", not "delete row".
Those buttons post to the page's own URL with a fragment (`formaction="#g-contacts-2"`), so the
phone shows the step again scrolled to the new row, not to the top: the surrounding <form> must
post to the page it is on (no `action` elsewhere).

`formspec_summary` renders `answer_summary` by step, each row with a "修改" link: `change_url`
is either a string containing `__step__` (replaced by the step's key) or a mapping of step key
to URL; the link goes to the field's anchor on that step.
"""

from collections.abc import Mapping
from typing import Any

from django import template

from civicgrid.applications.formspec import FormSpec, answer_summary
from civicgrid.applications.formspec.cleaning import spec_path_step
from civicgrid.applications.formspec.rendering import bind_step, field_id

register = template.Library()


@register.inclusion_tag("applications/formspec/step.html")
def formspec_step(
    spec: FormSpec,
    step_key: str,
    answers: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    errors: Mapping[str, Any] | None = None,
    attachments: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "bound": bind_step(
            spec, step_key, answers=answers, data=data, errors=errors, attachments=attachments
        )
    }


def _change_url(change_url: Any, step_key: str) -> str:
    if change_url is None:
        return ""
    if isinstance(change_url, Mapping):
        return str(change_url.get(step_key, ""))
    if callable(change_url):
        return str(change_url(step_key))
    return str(change_url).replace("__step__", step_key)


@register.inclusion_tag("applications/formspec/summary.html")
def formspec_summary(
    spec: FormSpec,
    answers: Mapping[str, Any],
    change_url: Any = None,
    file_names: Mapping[str, str] | None = None,
    mask: bool = False,
    errors: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """`errors` (from validate_complete) are shown on the row of their field, or, for a group's
    row count, on the group's first row, or else under the step's heading."""
    sections: list[dict[str, Any]] = []
    rows = answer_summary(spec, answers or {}, file_names=file_names, mask=mask)
    placed = _place_errors(spec, rows, errors or {})
    for row in rows:
        if not sections or sections[-1]["key"] != row.step_key:
            sections.append(
                {
                    "key": row.step_key,
                    "title": row.step_title,
                    "url": _change_url(change_url, row.step_key),
                    "rows": [],
                }
            )
        url = sections[-1]["url"]
        sections[-1]["rows"].append(
            {
                "row": row,
                "url": f"{url}#{field_id(row.path)}" if url else "",
                "error": placed.by_row.get(row.path, ""),
            }
        )
    for section in sections:
        section["errors"] = placed.by_step.get(section["key"], [])
    return {"sections": sections, "errors": placed.by_step.get("", [])}


class _Placed:
    def __init__(self) -> None:
        self.by_row: dict[str, str] = {}
        self.by_step: dict[str, list[str]] = {}


def _place_errors(spec: FormSpec, rows: list[Any], errors: Mapping[str, Any]) -> _Placed:
    placed = _Placed()
    paths = [row.path for row in rows]
    for path, value in errors.items():
        message = "；".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
        target = next((p for p in paths if p == path or p.startswith(f"{path}.")), None)
        if target is not None:
            joined = filter(None, [placed.by_row.get(target), message])
            placed.by_row[target] = "；".join(joined)
            continue
        step = spec_path_step(spec, path)
        placed.by_step.setdefault(step.key if step else "", []).append(message)
    return placed


@register.inclusion_tag("applications/formspec/progress.html")
def formspec_progress(
    spec: FormSpec, step_key: str, answers: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """ "第 2 步，共 4 步" — counting only the steps the answers so far show."""
    steps = spec.visible_steps(answers or {})
    current = spec.step(step_key)
    number = next((n for n, step in enumerate(steps, 1) if step.key == step_key), 0)
    return {"number": number, "total": len(steps), "step": current}
