"""A broken definition is refused when it is parsed, with the path to the mistake."""

from typing import Any

import pytest

from civicgrid.applications.formspec import (
    FileRule,
    FormDefinitionError,
    Group,
    parse_definition,
)
from civicgrid.applications.formspec.tests.forms import documented_example, field, step, steps


def refused(definition: Any) -> FormDefinitionError:
    with pytest.raises(FormDefinitionError) as caught:
        parse_definition(definition)
    return caught.value


def test_the_documented_example_parses_into_steps_fields_and_groups():
    spec = parse_definition(documented_example())

    assert [s.key for s in spec.steps] == ["applicant", "project", "foreign_investor", "materials"]
    applicant = spec.step("applicant")
    assert applicant.title == "申请单位"
    contacts = spec.item("contacts")
    assert isinstance(contacts, Group)
    assert (contacts.min_rows, contacts.max_rows) == (1, 5)
    assert [f.key for f in contacts.fields] == ["name", "mobile", "role", "id_number"]
    assert contacts.field("mobile").personal
    assert spec.field_at("contacts.3.role").choice_label("legal") == "法定代表人"
    assert spec.field_at("total").unit == "万元"


def test_file_rules_give_kinds_bytes_and_count_also_for_a_path_with_a_row_index():
    spec = parse_definition(
        steps(
            step(
                "m",
                field("plan", "file", "项目建议书", kinds=["pdf", "docx"], max_mb=5, max_files=3),
                {
                    "key": "rows",
                    "label": "附表",
                    "type": "group",
                    "fields": [field("scan", "file", "扫描件", kinds=["image"])],
                },
            )
        )
    )

    assert spec.file_rules("plan") == FileRule(frozenset({"pdf", "docx"}), 5 * 1024 * 1024, 3)
    assert spec.file_rules("rows.4.scan") == FileRule(frozenset({"image"}), 10 * 1024 * 1024, 1)
    with pytest.raises(KeyError):
        spec.file_rules("rows")
    with pytest.raises(KeyError):
        spec.file_rules("missing")


def test_fields_are_required_unless_they_say_otherwise():
    spec = parse_definition(steps(step("s", field("a"), field("b", required=False))))

    assert spec.field_at("a").required is True
    assert spec.field_at("b").required is False


@pytest.mark.parametrize(
    ("definition", "path", "words"),
    [
        ([], "", "JSON 对象"),
        ({"steps": []}, "steps", "至少需要一个步骤"),
        ({"version": 2, "steps": [step("s", field("a"))]}, "version", "第 1 版"),
        ({"steps": [step("s", field("a"))], "colour": "red"}, "colour", "未知的属性"),
        (steps({"key": "s", "title": "S", "items": []}), "steps[0].items", "至少需要一个字段"),
        (steps({"key": "s", "items": [field("a")]}), "steps[0].title", "缺少 title"),
        (steps(step("Bad-Key", field("a"))), "steps[0].key", "标识应以小写字母开头"),
        (steps(step("s", field("a")), step("s", field("b"))), "steps[1].key", "步骤标识“s”重复"),
        (
            steps(step("s", field("a", "colour"))),
            "steps[0].items[0].type",
            "未知的字段类型“colour”",
        ),
        (steps(step("s", {"key": "a", "type": "text"})), "steps[0].items[0].label", "缺少 label"),
        (
            steps(step("s", field("a")), step("t", field("a"))),
            "steps[1].items[0].key",
            "字段标识“a”重复",
        ),
        (
            steps(step("s", field("a", requried=True))),
            "steps[0].items[0].requried",
            "未知的属性“requried”",
        ),
        (
            steps(step("s", field("a", required="yes"))),
            "steps[0].items[0].required",
            "true 或 false",
        ),
        (
            steps(step("s", field("a", min_length=10, max_length=5))),
            "steps[0].items[0].min_length",
            "最短长度不能大于最长长度",
        ),
        (steps(step("s", field("n", "integer", min=1.5))), "steps[0].items[0].min", "应为整数"),
        (
            steps(step("s", field("n", "decimal", min=10, max=1))),
            "steps[0].items[0].min",
            "最小值不能大于最大值",
        ),
        (steps(step("s", field("n", "decimal", max="abc"))), "steps[0].items[0].max", "应为数字"),
        (steps(step("s", field("d", "date", min="yesterday"))), "steps[0].items[0].min", "today"),
        (steps(step("s", field("c", "choice"))), "steps[0].items[0].choices", "至少需要一个选项"),
        (
            steps(step("s", field("c", "choice", choices=["甲", "甲"]))),
            "steps[0].items[0].choices[1]",
            "选项值“甲”重复",
        ),
        (
            steps(step("s", field("c", "choice", choices=["甲"], widget="slider"))),
            "steps[0].items[0].widget",
            "radio 或 select",
        ),
        (
            steps(
                step(
                    "s",
                    field("c", "multichoice", choices=["甲", "乙"], min_choices=2, max_choices=1),
                )
            ),
            "steps[0].items[0].min_choices",
            "最少选择数不能大于最多选择数",
        ),
        (
            steps(step("s", field("f", "file", kinds=["exe"]))),
            "steps[0].items[0].kinds",
            "未知的附件类型“exe”",
        ),
        (steps(step("s", field("f", "file", max_mb=0))), "steps[0].items[0].max_mb", "正数"),
        (steps(step("s", field("f", "file", max_mb=500))), "steps[0].items[0].max_mb", "50 MB"),
        (steps(step("s", field("f", "file", max_files=0))), "steps[0].items[0].max_files", "1–20"),
    ],
)
def test_a_broken_definition_names_where_and_what(definition, path, words):
    error = refused(definition)

    assert error.path == path
    assert words in error.message


def group(key: str, *fields: dict[str, Any], **options: Any) -> dict[str, Any]:
    return {"key": key, "label": key, "type": "group", "fields": list(fields), **options}


@pytest.mark.parametrize(
    ("items", "path", "words"),
    [
        ([group("g")], "steps[0].items[0].fields", "至少需要一个字段"),
        (
            [group("g", field("a"), min_rows=3, max_rows=2)],
            "steps[0].items[0].min_rows",
            "最少行数",
        ),
        ([group("g", field("a"), max_rows=1000)], "steps[0].items[0].max_rows", "1–100"),
        (
            [group("g", field("a"), group("inner", field("b")))],
            "steps[0].items[0].fields[1].type",
            "不能再嵌套",
        ),
        (
            [group("g", field("a"), field("a"))],
            "steps[0].items[0].fields[1].key",
            "组内字段标识“a”重复",
        ),
        ([group("g", field("a"), required=True)], "steps[0].items[0].required", "未知的属性"),
        ([field("g"), group("g", field("a"))], "steps[0].items[1].key", "字段标识“g”重复"),
    ],
)
def test_a_broken_group_is_refused(items, path, words):
    error = refused(steps(step("s", *items)))

    assert error.path == path
    assert words in error.message


def test_a_group_field_may_share_its_key_with_a_top_level_field():
    spec = parse_definition(steps(step("s", field("name"), group("g", field("name")))))

    assert spec.field_at("g.0.name").group is spec.item("g")
    assert spec.field_at("name").group is None


# --- conditions ------------------------------------------------------------------------------


def with_condition(condition: Any, *, where: str = "field") -> dict[str, Any]:
    """Two steps: step one has kind (choice), amount (decimal), note (text), tags (multichoice),
    sure (yesno), start (date); the condition sits on step two's field or on step two."""
    first = step(
        "one",
        field("kind", "choice", choices=["甲", "乙", "丙"]),
        field("amount", "decimal"),
        field("note"),
        field("tags", "multichoice", choices=["x", "y"]),
        field("sure", "yesno"),
        field("start", "date"),
    )
    if where == "step":
        return steps(first, step("two", field("z"), show_if=condition))
    return steps(first, step("two", field("z", show_if=condition)))


@pytest.mark.parametrize(
    ("condition", "path", "words"),
    [
        (
            {"field": "nothing", "equals": "甲"},
            "steps[1].items[0].show_if.field",
            "“nothing”不存在",
        ),
        (
            {"field": "kind", "equals": "丁"},
            "steps[1].items[0].show_if.equals",
            "“丁”不是字段“kind”的选项",
        ),
        ({"field": "kind", "in": ["甲", "戊"]}, "steps[1].items[0].show_if.in", "“戊”不是"),
        ({"field": "kind", "in": []}, "steps[1].items[0].show_if.in", "非空列表"),
        (
            {"field": "kind", "resembles": "甲"},
            "steps[1].items[0].show_if.resembles",
            "未知的条件比较",
        ),
        ({"field": "kind"}, "steps[1].items[0].show_if", "恰好有一个比较"),
        (
            {"field": "kind", "equals": "甲", "in": ["乙"]},
            "steps[1].items[0].show_if",
            "恰好有一个比较",
        ),
        ({"field": "note", "gt": 3}, "steps[1].items[0].show_if.gt", "只能用于整数、小数或日期"),
        (
            {"field": "amount", "gt": "lots"},
            "steps[1].items[0].show_if.gt",
            "不是字段“amount”的类型",
        ),
        (
            {"field": "start", "lt": "2026-02-30"},
            "steps[1].items[0].show_if.lt",
            "不是字段“start”的类型",
        ),
        ({"field": "sure", "equals": "yes"}, "steps[1].items[0].show_if.equals", "true 或 false"),
        ({"field": "note", "contains": "x"}, "steps[1].items[0].show_if.contains", "只能用于多选"),
        ({"field": "tags", "equals": "x"}, "steps[1].items[0].show_if.equals", "contains"),
        ({"field": "note", "filled": "yes"}, "steps[1].items[0].show_if.filled", "true 或 false"),
        ({"all": []}, "steps[1].items[0].show_if.all", "非空的条件列表"),
        (
            {"any": [{"field": "kind", "equals": "甲"}], "not": {}},
            "steps[1].items[0].show_if",
            "不能与其他键并列",
        ),
        ("kind == 甲", "steps[1].items[0].show_if", "JSON 对象"),
        (
            {"all": [{"any": [{"not": {"field": "ghost", "filled": True}}]}]},
            "steps[1].items[0].show_if.all[0].any[0].not.field",
            "“ghost”不存在",
        ),
    ],
)
def test_a_broken_condition_is_refused_with_its_path(condition, path, words):
    error = refused(with_condition(condition))

    assert error.path == path
    assert words in error.message


def test_a_step_condition_may_not_read_its_own_or_a_later_step():
    own = steps(
        step("one", field("a")), step("two", field("b"), show_if={"field": "b", "filled": True})
    )
    later = steps(
        step("one", field("a")),
        step("two", field("b"), show_if={"field": "c", "filled": True}),
        step("three", field("c")),
    )

    assert "只能引用前面步骤的字段" in refused(own).message
    assert "只能引用前面步骤的字段" in refused(later).message
    assert refused(later).path == "steps[1].show_if.field"


def test_the_first_step_cannot_be_conditional():
    error = refused(steps(step("one", field("a"), show_if={"field": "a", "filled": True})))

    assert "只能引用前面步骤的字段" in error.message


def test_a_field_condition_may_not_read_a_later_step():
    error = refused(
        steps(
            step("one", field("a", show_if={"field": "b", "equals": "x"})),
            step("two", field("b")),
        )
    )

    assert error.path == "steps[0].items[0].show_if.field"
    assert "后面步骤的字段“b”" in error.message


def test_a_field_condition_may_not_read_itself():
    error = refused(steps(step("one", field("a", show_if={"field": "a", "filled": True}))))

    assert "不能引用它自己" in error.message


def test_a_cycle_of_conditions_within_a_step_is_refused_naming_the_cycle():
    error = refused(
        steps(
            step(
                "one",
                field("a", show_if={"field": "c", "filled": True}),
                field("b", show_if={"field": "a", "filled": True}),
                field("c", show_if={"any": [{"field": "b", "filled": True}]}),
            )
        )
    )

    assert error.path == "steps[0]"
    assert "循环依赖" in error.message
    assert "a → c → b → a" in error.message


def test_a_cycle_between_group_siblings_is_refused():
    error = refused(
        steps(
            step(
                "one",
                group(
                    "g",
                    field("a", show_if={"field": "b", "filled": True}),
                    field("b", show_if={"field": "a", "filled": True}),
                ),
            )
        )
    )

    assert "循环依赖" in error.message
    assert "g.a → g.b → g.a" in error.message


def test_conditions_outside_a_group_cannot_read_its_fields():
    error = refused(
        steps(
            step("one", group("g", field("role"))),
            step("two", field("x", show_if={"field": "role", "equals": "a"})),
        )
    )

    assert "“role”不存在" in error.message

    error = refused(
        steps(
            step("one", group("g", field("role"))),
            step("two", field("x", show_if={"field": "g", "filled": True})),
        )
    )
    assert "不能引用重复组“g”" in error.message


def test_a_group_field_reads_its_siblings_first_then_top_level_fields():
    spec = parse_definition(
        steps(
            step("one", field("role", "choice", choices=["top"])),
            step(
                "two",
                group(
                    "g",
                    field("role", "choice", choices=["legal", "agent"]),
                    field("id_number", "id_number", show_if={"field": "role", "equals": "legal"}),
                    field("x", show_if={"field": "role", "in": ["legal"]}),
                ),
            ),
        )
    )
    target = spec.field_at("g.id_number").show_if.leaves("")  # type: ignore[union-attr]

    assert next(target)[0].target is spec.field_at("g.role")


def test_conditions_nest_deeply_but_not_without_limit():
    condition: dict[str, Any] = {"field": "kind", "equals": "甲"}
    for _level in range(10):
        condition = {"not": {"all": [condition]}}

    assert parse_definition(with_condition(condition))  # 21 levels

    for _level in range(7):
        condition = {"not": {"all": [condition]}}
    assert "嵌套超过 32 层" in refused(with_condition(condition)).message


def test_a_form_title_is_kept():
    spec = parse_definition(
        with_condition({"field": "start", "gte": "2026-01-01"}) | {"title": "表"}
    )

    assert spec.title == "表"
