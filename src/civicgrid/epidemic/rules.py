"""Reading a report's figures and checking them against the form's rules.

Messages are Chinese and name the element (「新增确诊」), so a person on a phone, an API client
and the sheet importer all learn exactly which figure is wrong.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from civicgrid.epidemic.choices import ElementType, RuleKind, RuleSeverity
from civicgrid.epidemic.models import DataElement, ValidationRule

TWO_PLACES = Decimal("0.01")
# Larger than any count a unit reports; keeps hundredths inside a 64-bit integer everywhere.
MAX_VALUE = Decimal("1000000000")


def _quoted(element: DataElement | None) -> str:
    return f"「{element.name}」" if element is not None else "各项指标"


def format_value(value: Decimal) -> str:
    """The canonical text of a figure: '12', '3.50'."""
    return str(value.quantize(TWO_PLACES)) if value != value.to_integral() else str(int(value))


def describe_rule(rule: ValidationRule) -> str:
    """The rule as a sentence, e.g. 「新增治愈」不能大于「累计确诊」（阻止提交）."""
    if rule.kind == RuleKind.LESS_OR_EQUAL:
        text = f"{_quoted(rule.left)}不能大于{_quoted(rule.right)}"
    elif rule.kind == RuleKind.NON_NEGATIVE:
        text = f"{_quoted(rule.left)}不能为负数"
    else:
        text = f"{_quoted(rule.left)}不能小于上一次报告的数"
    return f"{text}（{RuleSeverity(rule.severity).label}）"


def parse_values(
    elements: Sequence[DataElement], raw: Mapping[str, object]
) -> tuple[dict[str, Decimal], dict[str, list[str]]]:
    """The figures of `raw` (element code → text or number) as Decimals, and errors by code.

    Blank entries are left out. A code that is not an active element of the form is an error,
    under the key "values".
    """
    by_code = {e.code: e for e in elements}
    parsed: dict[str, Decimal] = {}
    errors: dict[str, list[str]] = {}
    for code, value in raw.items():
        element = by_code.get(code)
        if element is None:
            errors.setdefault("values", []).append(f"表单中没有指标“{code}”")
            continue
        text = "" if value is None else str(value).strip()
        if text == "":
            continue
        if isinstance(value, bool):
            text = "?"
        try:
            number = Decimal(text.replace(",", "").replace("，", ""))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            errors[code] = [f"{_quoted(element)}应为数字，收到“{text[:20]}”"]
        elif element.type == ElementType.INTEGER and number != number.to_integral():
            errors[code] = [f"{_quoted(element)}应为整数，收到“{text[:20]}”"]
        elif number != number.quantize(TWO_PLACES):
            errors[code] = [f"{_quoted(element)}最多保留两位小数，收到“{text[:20]}”"]
        elif abs(number) >= MAX_VALUE:
            errors[code] = [f"{_quoted(element)}的数值过大：{text[:20]}"]
        else:
            parsed[code] = number
    return parsed, errors


@dataclass
class RuleResult:
    """Blocking errors by element code, and warnings as sentences."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def add(self, rule: ValidationRule, element: DataElement | None, message: str) -> None:
        text = rule.message or message
        if rule.severity == RuleSeverity.WARN:
            self.warnings.append(text)
        else:
            self.errors.setdefault(element.code if element else "values", []).append(text)


def missing_required(elements: Sequence[DataElement], values: Mapping[str, Decimal]) -> dict:
    return {
        e.code: [f"请填写{_quoted(e)}"] for e in elements if e.required and e.code not in values
    }


def check_rules(
    rules: Sequence[ValidationRule],
    elements: Sequence[DataElement],
    values: Mapping[str, Decimal],
    previous: Mapping[str, Decimal] | None,
    previous_label: str = "",
) -> RuleResult:
    """Apply every active rule to `values`; `previous` is the unit's last counted report's
    figures (None if it has none), named by `previous_label` (e.g. "2月10日")."""
    result = RuleResult()
    active = {e.pk for e in elements}
    for rule in rules:
        if not rule.is_active:
            continue
        left, right = rule.left, rule.right
        if (left and left.pk not in active) or (right and right.pk not in active):
            continue
        if rule.kind == RuleKind.NON_NEGATIVE:
            targets = [left] if left is not None else list(elements)
            for element in targets:
                value = values.get(element.code)
                if value is not None and value < 0:
                    result.add(rule, element, f"{_quoted(element)}不能为负数，收到 {value}")
        elif rule.kind == RuleKind.LESS_OR_EQUAL and left is not None and right is not None:
            a, b = values.get(left.code), values.get(right.code)
            if a is not None and b is not None and a > b:
                result.add(
                    rule,
                    left,
                    f"{_quoted(left)}（{format_value(a)}）不能大于"
                    f"{_quoted(right)}（{format_value(b)}）",
                )
        elif rule.kind == RuleKind.NOT_BELOW_PREVIOUS and left is not None and previous:
            value, before = values.get(left.code), previous.get(left.code)
            if value is not None and before is not None and value < before:
                result.add(
                    rule,
                    left,
                    f"{_quoted(left)}（{format_value(value)}）不能小于上一次报告"
                    f"（{previous_label}）的 {format_value(before)}",
                )
    return result
