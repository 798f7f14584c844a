"""`show_if` conditions: parsed once, checked against the fields they name, evaluated per answer.

    {"field": "kind", "equals": "new"}            the answer is exactly this
    {"field": "kind", "not_equals": "new"}        answered, and not this
    {"field": "kind", "in": ["new", "expand"]}     one of these (a multichoice: any of them ticked)
    {"field": "scopes", "contains": "export"}     a multichoice with this one ticked
    {"field": "amount", "gt": 5000}               also "gte", "lt", "lte": integer, decimal, date
    {"field": "licence_no", "filled": true}       answered at all (false: left empty)
    {"all": [...]}, {"any": [...]}, {"not": {...}}

A field that is unanswered — or hidden, since a hidden field's answer is dropped — satisfies no
comparison, only `{"filled": false}` and whatever `not` turns round. Conditions nest to any depth
and a question may drive any number of branches.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from civicgrid.applications.formspec.definition import Field

COMPARISONS = ("equals", "not_equals", "in", "contains", "gt", "gte", "lt", "lte", "filled")
ORDERING = ("gt", "gte", "lt", "lte")
MAX_DEPTH = 32  # deeper is a generated mistake, not a form anyone can read

ErrorClass = Callable[[str, str], Exception]


class Condition:
    def leaves(self, path: str) -> Iterator[tuple[Leaf, str]]:
        raise NotImplementedError

    def holds(self, lookup: Callable[[Field], Any]) -> bool:
        raise NotImplementedError

    def describe(self) -> str:
        """Chinese text for a reader: 「项目类型」为“新建”."""
        raise NotImplementedError


class Leaf(Condition):
    def __init__(self, field: str, op: str, operand: Any) -> None:
        self.field = field
        self.op = op
        self.operand = operand
        self.target: Field | None = None

    def leaves(self, path: str) -> Iterator[tuple[Leaf, str]]:
        yield self, f"{path}.field" if path else "field"

    def check_operand(self, target: Field, path: str, error: ErrorClass) -> None:
        """Check (and convert) the operand against the field's type: a misspelt choice or a
        comparison on text is caught when the definition is saved, not never."""
        where = path.removesuffix(".field") + f".{self.op}"
        kind = target.type
        if self.op == "filled":
            if not isinstance(self.operand, bool):
                raise error(where, _("filled 的取值应为 true 或 false"))
            return
        if self.op in ORDERING and kind not in ("integer", "decimal", "date"):
            raise error(
                where,
                _("“%(op)s”只能用于整数、小数或日期字段（“%(key)s”是 %(kind)s）")
                % {"op": self.op, "key": target.key, "kind": kind},
            )
        if self.op == "contains" and kind != "multichoice":
            raise error(where, _("contains 只能用于多选字段"))
        values = self.operand if self.op == "in" else [self.operand]
        if self.op == "in" and (not isinstance(self.operand, list) or not self.operand):
            raise error(where, _("in 的取值应为非空列表"))
        if self.op in ("equals", "not_equals") and kind == "multichoice":
            if not isinstance(self.operand, list):
                raise error(where, _("多选字段的 equals 应给出列表；判断是否勾选某项请用 contains"))
            values = self.operand
        converted = [_operand(target, value, f"{where}", error) for value in values]
        if self.op == "in":
            self.operand = converted
        elif self.op in ("equals", "not_equals") and kind == "multichoice":
            self.operand = frozenset(converted)
        else:
            self.operand = converted[0]

    def holds(self, lookup: Callable[[Field], Any]) -> bool:
        if self.target is None:
            raise RuntimeError("an unresolved condition: build specs with parse_definition")
        value = lookup(self.target)
        filled = value not in (None, "", [])
        if self.op == "filled":
            return filled is self.operand
        if not filled:
            return False
        kind = self.target.type
        if kind == "multichoice":
            chosen = frozenset(value)
            if self.op == "contains":
                return self.operand in chosen
            if self.op == "in":
                return bool(chosen & set(self.operand))
            same = chosen == self.operand
            return same if self.op == "equals" else not same
        value = comparable(self.target, value)
        if value is None:
            return False
        op = self.op
        if op == "equals":
            return bool(value == self.operand)
        if op == "not_equals":
            return bool(value != self.operand)
        if op == "in":
            return value in self.operand
        if op == "gt":
            return bool(value > self.operand)
        if op == "gte":
            return bool(value >= self.operand)
        if op == "lt":
            return bool(value < self.operand)
        return bool(value <= self.operand)

    def describe(self) -> str:
        target = self.target
        label = f"「{target.label}」" if target else self.field

        def show(value: Any) -> str:
            if target is not None and target.type == "yesno":
                return _("是") if value else _("否")
            if target is not None and target.choices:
                return f"“{target.choice_label(value)}”"
            return f"“{value}”"

        if self.op == "filled":
            template = _("%(label)s已填写") if self.operand else _("%(label)s未填写")
            return template % {"label": label}
        if self.op in ("equals", "not_equals") and isinstance(self.operand, frozenset):
            chosen = _("、").join(show(value) for value in sorted(self.operand))
            if self.op == "equals":
                return _("%(label)s恰好选择%(value)s") % {"label": label, "value": chosen}
            return _("%(label)s不是恰好选择%(value)s") % {"label": label, "value": chosen}
        if self.op == "in":
            value = _("或").join(show(value) for value in self.operand)
        else:
            value = show(self.operand)
        templates = {
            "equals": _("%(label)s为%(value)s"),
            "in": _("%(label)s为%(value)s"),
            "not_equals": _("%(label)s不为%(value)s"),
            "contains": _("%(label)s勾选了%(value)s"),
            "gt": _("%(label)s大于%(value)s"),
            "gte": _("%(label)s不小于%(value)s"),
            "lt": _("%(label)s小于%(value)s"),
            "lte": _("%(label)s不大于%(value)s"),
        }
        return templates[self.op] % {"label": label, "value": value}


class Composite(Condition):
    def __init__(self, op: str, parts: Sequence[Condition]) -> None:
        self.op = op
        self.parts = list(parts)

    def leaves(self, path: str) -> Iterator[tuple[Leaf, str]]:
        for index, part in enumerate(self.parts):
            where = f"{path}.{self.op}" if self.op == "not" else f"{path}.{self.op}[{index}]"
            yield from part.leaves(where)

    def holds(self, lookup: Callable[[Field], Any]) -> bool:
        if self.op == "all":
            return all(part.holds(lookup) for part in self.parts)
        if self.op == "any":
            return any(part.holds(lookup) for part in self.parts)
        return not self.parts[0].holds(lookup)

    def describe(self) -> str:
        if self.op == "not":
            return _("并非（%(condition)s）") % {"condition": self.parts[0].describe()}
        joiner = _("，且") if self.op == "all" else _("，或")
        texts = [part.describe() for part in self.parts]
        return joiner.join(
            f"（{text}）" if isinstance(part, Composite) else text
            for part, text in zip(self.parts, texts, strict=True)
        )


def parse_condition(raw: Any, path: str, error: ErrorClass, depth: int = 0) -> Condition:
    if depth > MAX_DEPTH:
        raise error(path, _("条件嵌套超过 %(n)d 层") % {"n": MAX_DEPTH})
    if not isinstance(raw, dict) or not raw:
        raise error(path, _("条件应为 JSON 对象"))
    for op in ("all", "any"):
        if op in raw:
            if len(raw) != 1:
                raise error(path, _("“%(op)s”条件不能与其他键并列") % {"op": op})
            parts = raw[op]
            if not isinstance(parts, list) or not parts:
                raise error(f"{path}.{op}", _("“%(op)s”应为非空的条件列表") % {"op": op})
            return Composite(
                op,
                [
                    parse_condition(part, f"{path}.{op}[{index}]", error, depth + 1)
                    for index, part in enumerate(parts)
                ],
            )
    if "not" in raw:
        if len(raw) != 1:
            raise error(path, _("“not”条件不能与其他键并列"))
        return Composite("not", [parse_condition(raw["not"], f"{path}.not", error, depth + 1)])
    if "field" not in raw:
        raise error(path, _("条件缺少 field（或 all / any / not）"))
    name = raw["field"]
    if not isinstance(name, str) or not name:
        raise error(f"{path}.field", _("field 应为字段标识"))
    ops = [key for key in raw if key != "field"]
    if len(ops) != 1:
        raise error(path, _("条件应恰好有一个比较：%(ops)s") % {"ops": "、".join(COMPARISONS)})
    op = ops[0]
    if op not in COMPARISONS:
        raise error(f"{path}.{op}", _("未知的条件比较“%(op)s”") % {"op": op})
    return Leaf(name, op, raw[op])


def comparable(target: Field, value: Any) -> Any:
    """A stored answer in a form that compares: int, Decimal, date, bool or str; None when the
    stored value does not fit the type (a draft saved before the definition changed)."""
    kind = target.type
    try:
        if kind == "integer":
            return int(value) if not isinstance(value, bool) else None
        if kind == "decimal":
            number = Decimal(str(value))
            return number if number.is_finite() else None
        if kind == "date":
            return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)
    except (TypeError, ValueError, InvalidOperation):
        return None
    return value


def _operand(target: Field, value: Any, path: str, error: ErrorClass) -> Any:
    kind = target.type
    if kind in ("choice", "multichoice"):
        if not any(choice.value == value for choice in target.choices):
            raise error(
                path, _("“%(value)s”不是字段“%(key)s”的选项") % {"value": value, "key": target.key}
            )
        return value
    if kind == "yesno":
        if not isinstance(value, bool):
            raise error(path, _("是否题的取值应为 true 或 false"))
        return value
    if kind in ("integer", "decimal", "date"):
        if isinstance(value, bool):
            raise error(path, _("取值类型与字段不符"))
        converted = comparable(
            target, value if kind != "integer" or isinstance(value, int) else None
        )
        if converted is None:
            raise error(
                path,
                _("取值“%(value)s”不是字段“%(key)s”的类型（%(kind)s）")
                % {"value": value, "key": target.key, "kind": kind},
            )
        return converted
    if not isinstance(value, str):
        raise error(path, _("取值应为文字"))
    return value
