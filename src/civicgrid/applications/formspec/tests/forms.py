"""Definitions the form-engine tests share (builders, not fixtures: each test says what it uses)."""

import json
from typing import Any

from civicgrid.applications import formspec
from civicgrid.applications.formspec import FormSpec, parse_definition


def documented_example() -> dict[str, Any]:
    """The example definition in the package docstring, decoded from there, so the documented
    format is the tested one."""
    doc = formspec.__doc__ or ""
    start = doc.index('    {\n      "version"')
    end = doc.index("\nSteps:")
    return json.loads(doc[start:end])


def one_step(*items: dict[str, Any]) -> FormSpec:
    return parse_definition({"steps": [{"key": "main", "title": "基本信息", "items": list(items)}]})


def steps(*step_list: dict[str, Any]) -> dict[str, Any]:
    return {"version": 1, "steps": list(step_list)}


def step(key: str, *items: dict[str, Any], show_if: Any = None, title: str = "") -> dict[str, Any]:
    raw: dict[str, Any] = {"key": key, "title": title or key, "items": list(items)}
    if show_if is not None:
        raw["show_if"] = show_if
    return raw


def field(key: str, type_: str = "text", label: str = "", **options: Any) -> dict[str, Any]:
    return {"key": key, "label": label or key, "type": type_, **options}


def options(**labels: str) -> list[dict[str, str]]:
    """Choices from value=label pairs (a trailing underscore escapes a keyword: import_)."""
    return [{"value": value.rstrip("_"), "label": label} for value, label in labels.items()]


def branching_form() -> FormSpec:
    """A project form whose branches nest four levels deep, with four branches on one question:

    kind (新建 / 扩建 / 技改 / 迁建) →
      新建: land (yesno) → land yes: land_area (decimal) → land_area > 100: eia_level (choice)
            → eia_level "report": eia_report (file)
      扩建: expansion_reason
      技改: equipment (multichoice) → contains "import": import_licence
      迁建: step "relocation" shown
    and an "any"/"not" composed step "special".
    """
    return parse_definition(
        steps(
            step(
                "basics",
                field(
                    "kind",
                    "choice",
                    "建设性质",
                    choices=options(new="新建", expand="扩建", upgrade="技改", move="迁建"),
                ),
                field("total", "decimal", "总投资", unit="万元", min=0),
            ),
            step(
                "detail",
                field("land", "yesno", "是否新增用地", show_if={"field": "kind", "equals": "new"}),
                field(
                    "land_area",
                    "decimal",
                    "新增用地面积",
                    unit="亩",
                    show_if={"field": "land", "equals": True},
                ),
                field(
                    "eia_level",
                    "choice",
                    "环评类别",
                    choices=options(report="报告书", table="报告表", form="登记表"),
                    show_if={"field": "land_area", "gt": 100},
                ),
                field(
                    "eia_report",
                    "file",
                    "环评报告书",
                    kinds=["pdf"],
                    show_if={"field": "eia_level", "equals": "report"},
                ),
                field(
                    "expansion_reason",
                    "textarea",
                    "扩建理由",
                    show_if={"field": "kind", "equals": "expand"},
                ),
                field(
                    "equipment",
                    "multichoice",
                    "设备来源",
                    choices=options(domestic="国产", import_="进口"),
                    show_if={"field": "kind", "equals": "upgrade"},
                ),
                field(
                    "import_licence",
                    "text",
                    "进口许可证号",
                    show_if={"field": "equipment", "contains": "import"},
                ),
            ),
            step(
                "relocation",
                field("old_address", "address", "原址"),
                show_if={"field": "kind", "equals": "move"},
            ),
            step(
                "special",
                field("special_note", "textarea", "特别说明"),
                show_if={
                    "any": [
                        {"field": "total", "gte": 10000},
                        {
                            "all": [
                                {"field": "kind", "in": ["new", "expand"]},
                                {"not": {"field": "land", "equals": False}},
                                {"field": "land_area", "filled": True},
                            ]
                        },
                    ]
                },
            ),
            step("confirm", field("agree", "yesno", "承诺所填内容真实")),
        )
    )
