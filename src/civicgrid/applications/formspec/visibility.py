"""Which steps, fields and group rows the answers show, and the answers without the hidden ones.

Steps are walked in order and, inside a step, in the order `parse_definition` worked out (a field
after the fields its condition reads). A field counts as answered only when it is shown, so a
condition on a hidden field sees nothing — hiding cascades down a chain of branches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from civicgrid.applications.formspec.definition import Field, Group

if TYPE_CHECKING:
    from civicgrid.applications.formspec.definition import FormSpec


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


@dataclass
class Evaluation:
    answers: dict[str, Any] = field(default_factory=dict)  # only what is shown
    steps: set[str] = field(default_factory=set)  # keys of shown steps
    shown: set[str] = field(default_factory=set)  # paths: "key", "group", "group.0.key"


def evaluate(spec: FormSpec, answers: Mapping[str, Any]) -> Evaluation:
    result = Evaluation()
    shown_answers = result.answers

    for step in spec.steps:
        if step.show_if is not None and not step.show_if.holds(_top_lookup(shown_answers)):
            continue
        result.steps.add(step.key)
        for node in spec.nodes(step):
            if isinstance(node, Group):
                _group(node, answers, result)
            elif node.group is None:
                if node.show_if is None or node.show_if.holds(_top_lookup(shown_answers)):
                    result.shown.add(node.key)
                    value = answers.get(node.key)
                    if not is_empty(value):
                        shown_answers[node.key] = value
            else:
                _child(node, node.group, answers, result)
    return result


def _top_lookup(shown: Mapping[str, Any]) -> Any:
    def lookup(target: Field) -> Any:
        return shown.get(target.key)

    return lookup


def _group(group: Group, answers: Mapping[str, Any], result: Evaluation) -> None:
    if group.show_if is not None and not group.show_if.holds(_top_lookup(result.answers)):
        return
    result.shown.add(group.key)
    rows = answers.get(group.key)
    if isinstance(rows, list) and rows:
        result.answers[group.key] = [{} for _ in rows]


def _child(child: Field, group: Group, answers: Mapping[str, Any], result: Evaluation) -> None:
    if group.key not in result.shown:
        return
    rows = answers.get(group.key)
    shown_rows = result.answers.get(group.key)
    if not isinstance(rows, list) or shown_rows is None:
        return
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            continue
        shown_row = shown_rows[index]

        def lookup(target: Field, shown_row: dict[str, Any] = shown_row) -> Any:
            if target.group is group:
                return shown_row.get(target.key)
            return result.answers.get(target.key)

        if child.show_if is None or child.show_if.holds(lookup):
            result.shown.add(f"{group.key}.{index}.{child.key}")
            value = row.get(child.key)
            if not is_empty(value):
                shown_row[child.key] = value


def prune(spec: FormSpec, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers of shown fields only."""
    return evaluate(spec, answers).answers
