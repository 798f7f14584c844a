"""Conditions as JSON for the page's small script, which hides a same-step branch as the
applicant answers (`templates/applications/formspec/_reveal.html`). Without the script the
field stays visible with its "仅当……时填写" hint, and the server decides either way: this is
comfort, never the rule.

A leaf naming a field that is not on the page (an earlier step's) is replaced by its truth
value now, `{"op": "const", "v": true}`, so the script reads only inputs it can see.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from civicgrid.applications.formspec.conditions import Composite, Condition, Leaf
from civicgrid.applications.formspec.definition import Field


def client_condition(
    condition: Condition,
    name_of: Callable[[Field], str | None],
    lookup: Callable[[Field], Any],
) -> str:
    return json.dumps(_node(condition, name_of, lookup), ensure_ascii=False, separators=(",", ":"))


def _node(
    condition: Condition, name_of: Callable[[Field], str | None], lookup: Callable[[Field], Any]
) -> dict[str, Any]:
    if isinstance(condition, Composite):
        return {"op": condition.op, "parts": [_node(p, name_of, lookup) for p in condition.parts]}
    if not isinstance(condition, Leaf) or condition.target is None:  # pragma: no cover
        raise TypeError("conditions are resolved by parse_definition")
    name = name_of(condition.target)
    if name is None:
        return {"op": "const", "v": condition.holds(lookup)}
    kind = condition.target.type
    operand = condition.operand
    return {
        "op": condition.op,
        "f": name,
        "t": kind,
        "v": operand if condition.op == "filled" else _plain(operand, kind),
    }


def _plain(value: Any, kind: str) -> Any:
    if isinstance(value, list | tuple | frozenset | set):
        items = [_plain(item, kind) for item in value]
        return sorted(items) if isinstance(value, frozenset | set) else items
    if isinstance(value, bool) and kind == "yesno":
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value
