"""The parsed form: `FormSpec`, its steps, fields and repeatable groups, and `parse_definition`.

A definition is JSON from the database, written by an administrator; it is checked completely
once, when parsed, so that everything downstream (cleaning, visibility, rendering) can trust it.
Every problem is a `FormDefinitionError` whose `path` points into the JSON
(`steps[1].items[2].show_if.all[0].field`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from civicgrid.applications.formspec.conditions import Condition, parse_condition

FIELD_TYPES = frozenset(
    {
        "text",
        "textarea",
        "integer",
        "decimal",
        "date",
        "choice",
        "multichoice",
        "yesno",
        "id_number",
        "credit_code",
        "mobile",
        "email",
        "address",
        "file",
    }
)
NUMERIC_TYPES = frozenset({"integer", "decimal"})
ORDERED_TYPES = NUMERIC_TYPES | {"date"}
TEXT_TYPES = frozenset({"text", "textarea", "address"})
PERSONAL_TYPES = frozenset({"id_number", "mobile"})  # stored encrypted, shown masked
# What a file field may accept; "image" is PNG or JPEG (see attachments.py).
FILE_KINDS = frozenset({"pdf", "image", "png", "jpeg", "xlsx", "docx", "zip"})

DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 2000, "address": 200}
DEFAULT_MIN_LENGTH = {"address": 4}
MAX_TEXT_LENGTH = 20_000
DEFAULT_FILE_MAX_BYTES = 10 * 1024 * 1024
MAX_FILE_BYTES = 50 * 1024 * 1024  # no rule may allow more: uploads are held in the request
MAX_FILES_PER_FIELD = 20
MAX_ROWS = 100  # a group's max_rows is capped: each row is parsed from the request
DEFAULT_MAX_ROWS = 20

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

_COMMON = {"key", "label", "type", "required", "help", "show_if"}
_ALLOWED = {
    "text": _COMMON | {"min_length", "max_length"},
    "textarea": _COMMON | {"min_length", "max_length"},
    "address": _COMMON | {"min_length", "max_length"},
    "integer": _COMMON | {"min", "max", "unit"},
    "decimal": _COMMON | {"min", "max", "unit", "decimal_places"},
    "date": _COMMON | {"min", "max"},
    "choice": _COMMON | {"choices", "widget"},
    "multichoice": _COMMON | {"choices", "min_choices", "max_choices"},
    "yesno": _COMMON,
    "id_number": _COMMON,
    "credit_code": _COMMON,
    "mobile": _COMMON,
    "email": _COMMON,
    "file": _COMMON | {"kinds", "max_mb", "max_files"},
    "group": {"key", "label", "type", "help", "show_if", "min_rows", "max_rows", "fields", "sum"},
}
_STEP_KEYS = {"key", "title", "help", "show_if", "items"}
_FORM_KEYS = {"version", "title", "steps"}


class FormDefinitionError(ValueError):
    """A definition that cannot be used; `path` says where in the JSON, `message` what is wrong."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class FileRule:
    """What a file field accepts: `kinds` as named in the definition ("pdf", "image", ...),
    the size limit of each file, and how many files."""

    kinds: frozenset[str]
    max_bytes: int
    max_files: int


@dataclass(frozen=True, eq=False)
class Field:
    """One question. `key` is unique among the form's top-level keys, or among its group's."""

    key: str
    label: str
    type: str
    required: bool = True
    help: str = ""
    show_if: Condition | None = None
    choices: tuple[Choice, ...] = ()
    widget: str = ""
    min_length: int | None = None
    max_length: int | None = None
    min: Any = None  # int, Decimal or date-or-"today", by type
    max: Any = None
    # Bounds set by another field's answer ({"field": "total"}): its key, then the field.
    min_ref: str = ""
    max_ref: str = ""
    min_field: Field | None = field(default=None, repr=False)
    max_field: Field | None = field(default=None, repr=False)
    unit: str = ""
    decimal_places: int = 2
    min_choices: int | None = None
    max_choices: int | None = None
    file_rule: FileRule | None = None
    group: Group | None = field(default=None, repr=False)

    is_group = False

    @property
    def personal(self) -> bool:
        """An ID or mobile number: the case stores it protected and shows it masked."""
        return self.type in PERSONAL_TYPES

    @property
    def node(self) -> str:
        """The field's name in the dependency graph: `key`, or `group.key` inside a group."""
        return f"{self.group.key}.{self.key}" if self.group else self.key

    def choice_label(self, value: object) -> str:
        for choice in self.choices:
            if choice.value == value:
                return choice.label
        return str(value)


@dataclass(eq=False)
class SumRule:
    """The rows' total of a numeric field, compared with a number or another answer:
    {"field": "amount", "equals": {"field": "total"}} — 投资构成 adding up to 总投资."""

    field: Field
    op: str  # "equals", "min" or "max"
    value: Decimal | None = None
    other_key: str = ""
    other: Field | None = None

    def describe(self) -> str:
        """For the page: 各行「金额」合计应等于「总投资」."""
        limit = (
            f"「{self.other.label}」" if self.other else f" {self.value} {self.field.unit}".rstrip()
        )
        templates = {
            "equals": _("各行「%(field)s」合计应等于%(limit)s。"),
            "min": _("各行「%(field)s」合计不能少于%(limit)s。"),
            "max": _("各行「%(field)s」合计不能超过%(limit)s。"),
        }
        return templates[self.op] % {"field": self.field.label, "limit": limit}


@dataclass(frozen=True, eq=False)
class Group:
    """A repeatable group: rows of the same fields (contacts, investment items)."""

    key: str
    label: str
    fields: tuple[Field, ...]
    min_rows: int = 0
    max_rows: int = DEFAULT_MAX_ROWS
    help: str = ""
    show_if: Condition | None = None
    sum_rule: SumRule | None = None

    is_group = True
    type = "group"

    @property
    def node(self) -> str:
        return self.key

    def field(self, key: str) -> Field:
        for child in self.fields:
            if child.key == key:
                return child
        raise KeyError(key)


Item = Field | Group


@dataclass(frozen=True, eq=False)
class Step:
    key: str
    title: str
    items: tuple[Item, ...]
    help: str = ""
    show_if: Condition | None = None
    index: int = 0

    def fields(self) -> Iterator[Field]:
        """Every field of the step, group children included (in definition order)."""
        for item in self.items:
            if isinstance(item, Group):
                yield from item.fields
            else:
                yield item


@dataclass(eq=False)
class FormSpec:
    """A parsed, checked form definition. Build it with `parse_definition`."""

    steps: list[Step]
    title: str = ""
    version: int = 1
    # key -> (step index, item) for top-level fields and groups
    _items: dict[str, tuple[int, Item]] = field(default_factory=dict, repr=False)
    # per step: the step's nodes in an order where every condition's fields come first
    _order: list[list[Field | Group]] = field(default_factory=list, repr=False)

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def item(self, key: str) -> Item:
        return self._items[key][1]

    def step_of(self, key: str) -> Step:
        return self.steps[self._items[key][0]]

    def field_at(self, path: str) -> Field:
        """The field for a path: `key`, `group.row.key` or `group.key` (row optional)."""
        parts = [part for part in path.split(".") if not part.isdigit()]
        item = self._items[parts[0]][1]
        if isinstance(item, Group):
            if len(parts) != 2:
                raise KeyError(path)
            return item.field(parts[1])
        if len(parts) != 1:
            raise KeyError(path)
        return item

    def file_rules(self, path: str) -> FileRule:
        """The rule of the file field at `path` (row indices allowed); KeyError otherwise."""
        found = self.field_at(path)
        if found.file_rule is None:
            raise KeyError(path)
        return found.file_rule

    def visible_steps(self, answers: Mapping[str, Any]) -> list[Step]:
        from civicgrid.applications.formspec.visibility import evaluate

        shown = evaluate(self, answers).steps
        return [step for step in self.steps if step.key in shown]

    def next_step(self, key: str, answers: Mapping[str, Any]) -> Step | None:
        """The first step after `key` that the answers show; None after the last."""
        index = self.step(key).index
        for step in self.visible_steps(answers):
            if step.index > index:
                return step
        return None

    def previous_step(self, key: str, answers: Mapping[str, Any]) -> Step | None:
        index = self.step(key).index
        before = [step for step in self.visible_steps(answers) if step.index < index]
        return before[-1] if before else None

    def first_step(self) -> Step:
        return self.steps[0]  # never conditional: its condition would have nothing to read

    def nodes(self, step: Step) -> list[Field | Group]:
        return self._order[step.index]


# --- parsing -------------------------------------------------------------------------------


def parse_definition(data: Any) -> FormSpec:
    """A `FormSpec` for a definition (a dict decoded from JSON), or a `FormDefinitionError`."""
    if not isinstance(data, Mapping):
        raise FormDefinitionError("", _("表单定义应为 JSON 对象"))
    _no_unknown(data, _FORM_KEYS, "")
    version = data.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version != 1:
        raise FormDefinitionError("version", _("只支持第 1 版表单定义"))
    title = _text(data, "title", "", required=False)
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise FormDefinitionError("steps", _("表单至少需要一个步骤"))
    builder = _Builder()
    steps = [builder.step(raw, index) for index, raw in enumerate(raw_steps)]
    spec = FormSpec(steps=steps, title=title, version=version, _items=builder.items)
    builder.resolve_conditions(spec)
    spec._order = [_step_order(spec, step) for step in steps]
    return spec


class _Builder:
    def __init__(self) -> None:
        self.items: dict[str, tuple[int, Item]] = {}
        self.step_keys: set[str] = set()
        # (condition, its JSON path, owner: Step | Field | Group)
        self.conditions: list[tuple[Condition, str, Step | Field | Group]] = []
        # (field, "min" or "max", JSON path) of bounds set by another field
        self.bounds: list[tuple[Field, str, str]] = []
        self.sums: list[tuple[Group, str]] = []  # groups whose sum is set by another field

    def step(self, raw: Any, index: int) -> Step:
        path = f"steps[{index}]"
        if not isinstance(raw, Mapping):
            raise FormDefinitionError(path, _("步骤应为 JSON 对象"))
        _no_unknown(raw, _STEP_KEYS, path)
        key = _key(raw, path)
        if key in self.step_keys:
            raise FormDefinitionError(f"{path}.key", _("步骤标识“%(key)s”重复") % {"key": key})
        self.step_keys.add(key)
        title = _text(raw, "title", path)
        items: list[Item] = []
        for item_path, raw_item in _entries(raw, "items", path, _("步骤至少需要一个字段")):
            item = self.item(raw_item, item_path, inside=None)
            if item.key in self.items:
                raise FormDefinitionError(
                    f"{item_path}.key", _("字段标识“%(key)s”重复") % {"key": item.key}
                )
            self.items[item.key] = (index, item)
            items.append(item)
        condition = self.condition(raw, path)
        step = Step(key, title, tuple(items), _text(raw, "help", path, False), condition, index)
        if condition is not None:
            self.conditions.append((condition, f"{path}.show_if", step))
        return step

    def condition(self, raw: Mapping[str, Any], path: str) -> Condition | None:
        if "show_if" not in raw:
            return None
        return parse_condition(raw["show_if"], f"{path}.show_if", FormDefinitionError)

    def item(self, raw: Any, path: str, inside: str | None) -> Item:
        if not isinstance(raw, Mapping):
            raise FormDefinitionError(path, _("字段应为 JSON 对象"))
        kind = raw.get("type")
        if kind == "group":
            if inside is not None:
                raise FormDefinitionError(f"{path}.type", _("重复组内不能再嵌套重复组"))
            return self.group(raw, path)
        if kind not in FIELD_TYPES:
            raise FormDefinitionError(
                f"{path}.type", _("未知的字段类型“%(kind)s”") % {"kind": kind}
            )
        _no_unknown(raw, _ALLOWED[kind], path)
        key = _key(raw, path)
        label = _text(raw, "label", path)
        required = raw.get("required", True)
        if not isinstance(required, bool):
            raise FormDefinitionError(f"{path}.required", _("required 应为 true 或 false"))
        options: dict[str, Any] = {}
        if kind in TEXT_TYPES:
            options = _lengths(raw, path, kind)
        elif kind in NUMERIC_TYPES:
            options = _numeric(raw, path, kind)
        elif kind == "date":
            options = _dates(raw, path)
        elif kind in ("choice", "multichoice"):
            options = _choices(raw, path, kind)
        elif kind == "file":
            options = {"file_rule": _file_rule(raw, path)}
        condition = self.condition(raw, path)
        result = Field(
            key=key,
            label=label,
            type=kind,
            required=required,
            help=_text(raw, "help", path, False),
            show_if=condition,
            **options,
        )
        if condition is not None:
            self.conditions.append((condition, f"{path}.show_if", result))
        for name in ("min", "max"):
            if options.get(f"{name}_ref"):
                self.bounds.append((result, name, f"{path}.{name}.field"))
        return result

    def group(self, raw: Mapping[str, Any], path: str) -> Group:
        _no_unknown(raw, _ALLOWED["group"], path)
        key = _key(raw, path)
        label = _text(raw, "label", path)
        min_rows = _int(raw, "min_rows", path, 0, 0, MAX_ROWS)
        max_rows = _int(raw, "max_rows", path, DEFAULT_MAX_ROWS, 1, MAX_ROWS)
        if min_rows > max_rows:
            raise FormDefinitionError(f"{path}.min_rows", _("最少行数不能大于最多行数"))
        children: list[Field] = []
        for child_path, raw_child in _entries(raw, "fields", path, _("重复组至少需要一个字段")):
            child = self.item(raw_child, child_path, inside=key)
            if not isinstance(child, Field):  # pragma: no cover - item() refuses nested groups
                raise FormDefinitionError(child_path, _("重复组内不能再嵌套重复组"))
            if any(other.key == child.key for other in children):
                raise FormDefinitionError(
                    f"{child_path}.key", _("组内字段标识“%(key)s”重复") % {"key": child.key}
                )
            children.append(child)
        condition = self.condition(raw, path)
        sum_rule = _sum_rule(raw, path, children)
        group = Group(
            key,
            label,
            tuple(children),
            min_rows,
            max_rows,
            _text(raw, "help", path, False),
            condition,
            sum_rule,
        )
        if sum_rule is not None and sum_rule.other_key:
            self.sums.append((group, f"{path}.sum.{sum_rule.op}.field"))
        for child in children:
            object.__setattr__(child, "group", group)
        # The children's conditions were recorded before their group existed; they hold the
        # same Field objects, linked to it now.
        if condition is not None:
            self.conditions.append((condition, f"{path}.show_if", group))
        return group

    def resolve_conditions(self, spec: FormSpec) -> None:
        for condition, path, owner in self.conditions:
            for leaf, leaf_path in condition.leaves(path):
                leaf.target = _resolve(spec, leaf.field, leaf_path, owner)
                leaf.check_operand(leaf.target, leaf_path, FormDefinitionError)
        for owner, name, path in self.bounds:
            target = _resolve(spec, getattr(owner, f"{name}_ref"), path, owner)
            numeric = {owner.type, target.type} <= NUMERIC_TYPES
            if not numeric and owner.type != target.type:
                raise FormDefinitionError(
                    path,
                    _("“%(key)s”是%(kind)s字段，不能作为%(own)s字段的界限")
                    % {"key": target.key, "kind": target.type, "own": owner.type},
                )
            object.__setattr__(owner, f"{name}_field", target)
        for group, path in self.sums:
            rule = group.sum_rule
            if rule is None:  # pragma: no cover - only groups with a rule are recorded
                continue
            target = _resolve(spec, rule.other_key, path, group)
            if target.type not in NUMERIC_TYPES:
                raise FormDefinitionError(
                    path, _("合计只能与整数或小数字段比较（“%(key)s”不是）") % {"key": target.key}
                )
            rule.other = target


def _resolve(spec: FormSpec, name: str, path: str, owner: Step | Field | Group) -> Field:
    """The field a condition names, checked against where the condition sits."""
    if isinstance(owner, Field) and owner.group is not None:
        siblings = {child.key: child for child in owner.group.fields}
        if name in siblings:
            if siblings[name] is owner:
                raise FormDefinitionError(
                    path, _("字段“%(key)s”不能引用它自己") % {"key": owner.key}
                )
            return siblings[name]
    if name not in spec._items:
        raise FormDefinitionError(path, _("引用的字段“%(name)s”不存在") % {"name": name})
    step_index, target = spec._items[name]
    if isinstance(target, Group):
        raise FormDefinitionError(
            path,
            _("不能引用重复组“%(name)s”；组内字段只能被同一组的其他字段引用") % {"name": name},
        )
    if target is owner:
        raise FormDefinitionError(path, _("字段“%(key)s”不能引用它自己") % {"key": name})
    if isinstance(owner, Step):
        if step_index >= owner.index:
            raise FormDefinitionError(
                path, _("步骤的显示条件只能引用前面步骤的字段（“%(name)s”不是）") % {"name": name}
            )
    else:
        own_key = owner.group.key if isinstance(owner, Field) and owner.group else owner.key
        if step_index > spec._items[own_key][0]:
            raise FormDefinitionError(path, _("不能引用后面步骤的字段“%(name)s”") % {"name": name})
    return target


def _step_order(spec: FormSpec, step: Step) -> list[Field | Group]:
    """The step's nodes (fields, groups, group children) ordered so that each comes after the
    fields its condition reads and after its group; a cycle is a definition error."""
    nodes: list[Field | Group] = []
    for item in step.items:
        nodes.append(item)
        if isinstance(item, Group):
            nodes.extend(item.fields)
    in_step = set(map(id, nodes))

    def depends_on(node: Field | Group) -> list[Field | Group]:
        needs: list[Field | Group] = []
        if isinstance(node, Field) and node.group is not None:
            needs.append(node.group)
        if node.show_if is not None:
            needs.extend(leaf.target for leaf, _path in node.show_if.leaves("") if leaf.target)
        return [need for need in needs if id(need) in in_step]

    order: list[Field | Group] = []
    state: dict[int, int] = {}  # 1 visiting, 2 done

    def visit(node: Field | Group, trail: list[str]) -> None:
        mark = state.get(id(node))
        if mark == 2:
            return
        if mark == 1:
            cycle = " → ".join([*trail[trail.index(node.node) :], node.node])
            raise FormDefinitionError(
                f"steps[{step.index}]", _("显示条件形成循环依赖：%(cycle)s") % {"cycle": cycle}
            )
        state[id(node)] = 1
        for need in depends_on(node):
            visit(need, [*trail, node.node])
        state[id(node)] = 2
        order.append(node)

    for node in nodes:
        visit(node, [])
    return order


# --- attribute readers -----------------------------------------------------------------------


def _no_unknown(raw: Mapping[str, Any], allowed: set[str], path: str) -> None:
    for name in raw:
        if name not in allowed:
            where = f"{path}.{name}" if path else str(name)
            raise FormDefinitionError(where, _("未知的属性“%(name)s”") % {"name": name})


def _entries(raw: Mapping[str, Any], name: str, path: str, message: str) -> list[tuple[str, Any]]:
    """A non-empty list attribute's entries, each with its path."""
    entries = raw.get(name)
    if not isinstance(entries, list) or not entries:
        raise FormDefinitionError(f"{path}.{name}", message)
    return [(f"{path}.{name}[{position}]", entry) for position, entry in enumerate(entries)]


def _key(raw: Mapping[str, Any], path: str) -> str:
    key = raw.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        raise FormDefinitionError(
            f"{path}.key", _("标识应以小写字母开头，只含小写字母、数字和下划线，最长 40 个字符")
        )
    return key


def _text(raw: Mapping[str, Any], name: str, path: str, required: bool = True) -> str:
    value = raw.get(name, "")
    where = f"{path}.{name}" if path else name
    if not isinstance(value, str):
        raise FormDefinitionError(where, _("%(name)s 应为文字") % {"name": name})
    if required and not value.strip():
        raise FormDefinitionError(where, _("缺少 %(name)s") % {"name": name})
    return value.strip()


def _int(
    raw: Mapping[str, Any], name: str, path: str, default: int | None, low: int, high: int
) -> Any:
    value = raw.get(name, default)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise FormDefinitionError(
            f"{path}.{name}",
            _("%(name)s 应为 %(low)s–%(high)s 之间的整数")
            % {"name": name, "low": low, "high": high},
        )
    return value


def _lengths(raw: Mapping[str, Any], path: str, kind: str) -> dict[str, Any]:
    low = _int(raw, "min_length", path, DEFAULT_MIN_LENGTH.get(kind), 0, MAX_TEXT_LENGTH)
    high = _int(raw, "max_length", path, DEFAULT_MAX_LENGTH[kind], 1, MAX_TEXT_LENGTH)
    if low is not None and low > high:
        raise FormDefinitionError(f"{path}.min_length", _("最短长度不能大于最长长度"))
    return {"min_length": low, "max_length": high}


def _number(value: Any, path: str, kind: str) -> int | Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise FormDefinitionError(path, _("应为数字"))
    if kind == "integer":
        if not isinstance(value, int):
            raise FormDefinitionError(path, _("应为整数"))
        return value
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise FormDefinitionError(path, _("应为数字")) from None
    if not number.is_finite():
        raise FormDefinitionError(path, _("应为有限的数字"))
    return number


def _sum_rule(raw: Mapping[str, Any], path: str, children: list[Field]) -> SumRule | None:
    rule = raw.get("sum")
    if rule is None:
        return None
    where = f"{path}.sum"
    ops = [op for op in ("equals", "min", "max") if isinstance(rule, Mapping) and op in rule]
    if not isinstance(rule, Mapping) or set(rule) != {"field", *ops} or len(ops) != 1:
        raise FormDefinitionError(
            where,
            _(
                '合计规则应写作 {"field": "组内数值字段", "equals" | "min" | "max": 数值或 {"field": "字段"}}'
            ),
        )
    summed = next((child for child in children if child.key == rule["field"]), None)
    if summed is None or summed.type not in NUMERIC_TYPES:
        raise FormDefinitionError(f"{where}.field", _("合计的字段应为本组内的整数或小数字段"))
    op = ops[0]
    reference = _field_bound(rule, op, where)
    if reference is not None:
        return SumRule(summed, op, other_key=reference)
    value = _number(rule[op], f"{where}.{op}", "decimal")
    return SumRule(summed, op, value=Decimal(value))


def _field_bound(raw: Mapping[str, Any], name: str, path: str) -> str | None:
    """The key of {"field": key} as a bound, None for a fixed bound."""
    bound = raw.get(name)
    if not isinstance(bound, Mapping):
        return None
    if set(bound) != {"field"} or not isinstance(bound["field"], str) or not bound["field"]:
        raise FormDefinitionError(
            f"{path}.{name}", _('以其他字段为界限时应写作 {"field": "字段标识"}')
        )
    return str(bound["field"])


def _numeric(raw: Mapping[str, Any], path: str, kind: str) -> dict[str, Any]:
    options: dict[str, Any] = {"unit": _text(raw, "unit", path, False)}
    for name in ("min", "max"):
        if (reference := _field_bound(raw, name, path)) is not None:
            options[f"{name}_ref"] = reference
        elif raw.get(name) is not None:
            options[name] = _number(raw[name], f"{path}.{name}", kind)
    if kind == "decimal":
        options["decimal_places"] = _int(raw, "decimal_places", path, 2, 0, 6)
    if "min" in options and "max" in options and options["min"] > options["max"]:
        raise FormDefinitionError(f"{path}.min", _("最小值不能大于最大值"))
    return options


def parse_date_bound(value: Any, path: str) -> datetime.date | str:
    if value == "today":
        return "today"
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise FormDefinitionError(path, _('日期界限应为 YYYY-MM-DD 或 "today"'))


def _dates(raw: Mapping[str, Any], path: str) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for name in ("min", "max"):
        if (reference := _field_bound(raw, name, path)) is not None:
            options[f"{name}_ref"] = reference
        elif raw.get(name) is not None:
            options[name] = parse_date_bound(raw[name], f"{path}.{name}")
    low, high = options.get("min"), options.get("max")
    if isinstance(low, datetime.date) and isinstance(high, datetime.date) and low > high:
        raise FormDefinitionError(f"{path}.min", _("最早日期不能晚于最晚日期"))
    return options


def _choices(raw: Mapping[str, Any], path: str, kind: str) -> dict[str, Any]:
    raw_choices = raw.get("choices")
    if not isinstance(raw_choices, list) or not raw_choices:
        raise FormDefinitionError(f"{path}.choices", _("选择题至少需要一个选项"))
    choices: list[Choice] = []
    for position, entry in enumerate(raw_choices):
        where = f"{path}.choices[{position}]"
        if isinstance(entry, str):
            entry = {"value": entry, "label": entry}
        if not isinstance(entry, Mapping) or set(entry) - {"value", "label"}:
            raise FormDefinitionError(where, _("选项应为文字，或含 value 与 label 的对象"))
        value, label = entry.get("value"), entry.get("label", entry.get("value"))
        if not isinstance(value, str) or not value.strip() or not isinstance(label, str):
            raise FormDefinitionError(where, _("选项的 value 与 label 应为非空文字"))
        if any(choice.value == value for choice in choices):
            raise FormDefinitionError(where, _("选项值“%(value)s”重复") % {"value": value})
        choices.append(Choice(value, label.strip() or value))
    options: dict[str, Any] = {"choices": tuple(choices)}
    if kind == "choice":
        widget = raw.get("widget", "")
        if widget not in ("", "radio", "select"):
            raise FormDefinitionError(f"{path}.widget", _("widget 只能是 radio 或 select"))
        options["widget"] = widget or ("radio" if len(choices) <= 6 else "select")
    else:
        low = _int(raw, "min_choices", path, None, 0, len(choices))
        high = _int(raw, "max_choices", path, None, 1, len(choices))
        if low is not None and high is not None and low > high:
            raise FormDefinitionError(f"{path}.min_choices", _("最少选择数不能大于最多选择数"))
        options.update(min_choices=low, max_choices=high)
    return options


def _file_rule(raw: Mapping[str, Any], path: str) -> FileRule:
    kinds = raw.get("kinds", ["pdf"])
    if not isinstance(kinds, list) or not kinds:
        raise FormDefinitionError(f"{path}.kinds", _('kinds 应为非空列表，如 ["pdf", "image"]'))
    for kind in kinds:
        if kind not in FILE_KINDS:
            allowed = "、".join(sorted(FILE_KINDS))
            raise FormDefinitionError(
                f"{path}.kinds",
                _("未知的附件类型“%(kind)s”（可用：%(allowed)s）")
                % {"kind": kind, "allowed": allowed},
            )
    max_mb = raw.get("max_mb", DEFAULT_FILE_MAX_BYTES / 1024 / 1024)
    if isinstance(max_mb, bool) or not isinstance(max_mb, int | float) or max_mb <= 0:
        raise FormDefinitionError(f"{path}.max_mb", _("max_mb 应为正数"))
    max_bytes = int(max_mb * 1024 * 1024)
    if max_bytes > MAX_FILE_BYTES:
        raise FormDefinitionError(
            f"{path}.max_mb",
            _("单个附件不能超过 %(mb)s MB") % {"mb": MAX_FILE_BYTES // 1024 // 1024},
        )
    max_files = _int(raw, "max_files", path, 1, 1, MAX_FILES_PER_FIELD)
    return FileRule(frozenset(kinds), max_bytes, max_files)
