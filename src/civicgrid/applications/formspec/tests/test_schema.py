"""The answers' JSON Schema agrees with what the engine takes and stores."""

import datetime
import re
from typing import Any

from civicgrid.applications.formspec import answers_schema, clean_all, parse_definition
from civicgrid.applications.formspec.tests.forms import branching_form, documented_example
from civicgrid.core.credit_code import make_credit_code
from civicgrid.core.idcard import make_id_number

TYPES = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "array": list,
    "object": dict,
}


def conforms(value: Any, schema: dict[str, Any], path: str = "") -> list[str]:
    """The few JSON Schema keywords answers_schema uses, checked (no validator is installed)."""
    problems: list[str] = []
    kinds = schema.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        matches = [
            k
            for k in kinds
            if isinstance(value, TYPES[k]) and not (k != "boolean" and isinstance(value, bool))
        ]
        if not matches:
            return [f"{path}: {value!r} is not {kinds}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{path}: {value!r} not in enum")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append(f"{path}: {value!r} does not match {schema['pattern']}")
        if len(value) > schema.get("maxLength", 10**9) or len(value) < schema.get("minLength", 0):
            problems.append(f"{path}: length")
        if schema.get("format") == "date":
            datetime.date.fromisoformat(value)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and not schema.get("minimum", -(10**30)) <= value <= schema.get("maximum", 10**30):
        problems.append(f"{path}: out of range")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", 10**9):
            problems.append(f"{path}: item count")
        for index, item in enumerate(value):
            problems += conforms(item, schema.get("items", {}), f"{path}.{index}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                problems.append(f"{path}.{name}: required")
        for name, item in value.items():
            if name not in properties:
                if schema.get("additionalProperties") is False:
                    problems.append(f"{path}.{name}: not allowed")
                continue
            problems += conforms(item, properties[name], f"{path}.{name}")
    return problems


def test_the_documented_forms_cleaned_answers_conform_to_its_schema():
    spec = parse_definition(documented_example())
    answers, errors = clean_all(
        spec,
        {
            "company": "阜城县某某新能源有限公司",
            "credit_code": make_credit_code("9", "1", "131128", "MA0C1234").lower(),
            "contacts": [
                {
                    "name": "李明",
                    "mobile": "+86 138 1234 5678",
                    "role": "legal",
                    "id_number": make_id_number("131128", datetime.date(1990, 1, 1), 1),
                }
            ],
            "kind": "新建",
            "foreign": "是",
            "start": "2099-01-01",
            "total": "12,500.5",
            "breakdown": [{"name": "设备", "amount": 100}],
            "country": "新加坡",
            "plan": ["att-1"],
        },
    )
    schema = answers_schema(spec)

    assert errors == {}
    assert conforms(answers, schema) == []


def test_required_lists_only_answers_that_are_always_asked():
    schema = answers_schema(parse_definition(documented_example()))

    assert schema["required"] == [
        "company",
        "credit_code",
        "contacts",
        "kind",
        "foreign",
        "start",
        "total",
        "plan",
    ]
    assert "country" not in schema["required"]  # its step has a condition
    assert schema["properties"]["country"]["description"].startswith("仅当")
    contact = schema["properties"]["contacts"]["items"]
    assert contact["required"] == ["name", "mobile", "role"]
    assert contact["properties"]["id_number"]["description"] == "仅当「职责」为“法定代表人”时填写。"


def test_each_type_is_described_with_its_limits():
    schema = answers_schema(parse_definition(documented_example()))
    properties = schema["properties"]

    assert properties["company"] == {
        "title": "单位名称",
        "type": "string",
        "maxLength": 100,
        "x-step": "applicant",
    }
    assert properties["total"]["minimum"] == 0.0 and properties["total"]["x-unit"] == "万元"
    assert properties["start"]["formatMinimum"] == "today"
    assert properties["kind"]["enum"] == ["新建", "扩建", "改建", "迁建"]
    assert properties["foreign"]["type"] == "boolean"
    assert properties["plan"]["maxItems"] == 3
    assert properties["plan"]["x-kinds"] == ["docx", "pdf"]
    assert properties["plan"]["x-max-bytes"] == 10 * 1024 * 1024
    assert properties["contacts"]["minItems"] == 1 and properties["contacts"]["maxItems"] == 5
    assert schema["additionalProperties"] is False


def test_a_junk_answer_does_not_conform():
    schema = answers_schema(branching_form())

    assert conforms({"kind": "palace", "total": True, "agree": "yes", "extra": 1}, schema)
