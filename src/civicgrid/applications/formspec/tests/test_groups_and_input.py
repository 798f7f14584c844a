"""Repeatable groups, the two shapes of input (a page's flat post, an API's nested JSON), the
row buttons that work without JavaScript, and what a step's cleaning returns."""

import pytest
from django.http import QueryDict

from civicgrid.applications.formspec import (
    ACTION_FIELD,
    NON_FIELD,
    FormDefinitionError,
    clean_all,
    clean_step,
    parse_definition,
    step_action,
)
from civicgrid.applications.formspec.tests.forms import field, step, steps


def contacts_form(**group_options):
    return parse_definition(
        steps(
            step(
                "company",
                field("company", label="建设单位"),
                {
                    "key": "contacts",
                    "label": "项目联系人",
                    "type": "group",
                    "min_rows": 1,
                    "max_rows": 3,
                    "fields": [
                        field("name", label="姓名"),
                        field("mobile", "mobile", "手机号码"),
                        field(
                            "duties",
                            "multichoice",
                            "负责事项",
                            choices=["申报", "现场"],
                            required=False,
                        ),
                    ],
                    **group_options,
                },
            ),
            step(
                "money",
                {
                    "key": "breakdown",
                    "label": "投资构成",
                    "type": "group",
                    "fields": [
                        field("item", label="构成项"),
                        field("amount", "decimal", "金额", unit="万元", min=0),
                    ],
                },
            ),
        )
    )


def post(pairs):
    data = QueryDict(mutable=True)
    for key, value in pairs:
        data.appendlist(key, value)
    return data


def test_a_page_post_with_rows_is_cleaned_into_a_list_of_rows():
    spec = contacts_form()
    data = post(
        [
            ("csrfmiddlewaretoken", "x"),
            ("company", "阜城县某某新能源有限公司"),
            ("contacts.__rows", "2"),
            ("contacts.0.name", "李明"),
            ("contacts.0.mobile", "138 1234 5678"),
            ("contacts.0.duties", "申报"),
            ("contacts.0.duties", "现场"),
            ("contacts.1.name", "王芳"),
            ("contacts.1.mobile", "+8613912345678"),
        ]
    )

    answers, errors = clean_step(spec, "company", data, {})

    assert errors == {}
    assert answers == {
        "company": "阜城县某某新能源有限公司",
        "contacts": [
            {"name": "李明", "mobile": "13812345678", "duties": ["申报", "现场"]},
            {"name": "王芳", "mobile": "13912345678"},
        ],
    }


def test_an_api_client_sends_the_same_rows_nested():
    spec = contacts_form()

    answers, errors = clean_step(
        spec,
        "company",
        {"company": "某公司", "contacts": [{"name": "李明", "mobile": "13812345678"}]},
        {},
    )

    assert errors == {}
    assert answers["contacts"] == [{"name": "李明", "mobile": "13812345678"}]


def test_errors_in_rows_are_keyed_by_path_and_name_the_row():
    spec = contacts_form()
    data = post(
        [
            ("company", "某公司"),
            ("contacts.__rows", "3"),
            ("contacts.0.name", "李明"),
            ("contacts.0.mobile", "13812345678"),
            ("contacts.1.name", ""),
            ("contacts.1.mobile", "1381234567"),
            ("contacts.2.name", "赵强"),
            ("contacts.2.mobile", "13812345678"),
        ]
    )

    answers, errors = clean_step(spec, "company", data, {})

    assert errors == {
        "contacts.1.name": "请填写「项目联系人」第 2 行的「姓名」。",
        "contacts.1.mobile": "「项目联系人」第 2 行的「手机号码」应为 11 位，当前为 10 位。",
    }
    # Good values are kept (a draft saved anyway keeps them); the bad one is not.
    assert answers["contacts"][1] == {}
    assert answers["contacts"][2] == {"name": "赵强", "mobile": "13812345678"}


def test_a_group_asks_for_its_minimum_number_of_rows():
    spec = contacts_form()

    _answers, errors = clean_step(spec, "company", {"company": "某公司", "contacts": []}, {})

    assert errors == {"contacts": "「项目联系人」至少需要填写 1 行。"}


def test_a_group_refuses_more_rows_than_its_maximum_in_either_shape():
    spec = contacts_form()
    row = {"name": "李明", "mobile": "13812345678"}

    _a, errors = clean_step(spec, "company", {"company": "某公司", "contacts": [row] * 4}, {})
    assert errors == {"contacts": "「项目联系人」最多填写 3 行。"}

    pairs = [("company", "某公司"), ("contacts.__rows", "500")]
    for index in range(5):
        pairs += [(f"contacts.{index}.name", "李明"), (f"contacts.{index}.mobile", "13812345678")]
    _a, errors = clean_step(spec, "company", post(pairs), {})
    assert errors["contacts"] == "「项目联系人」最多填写 3 行。"


def test_an_optional_group_may_have_no_rows():
    spec = contacts_form()

    answers, errors = clean_step(spec, "money", post([("breakdown.__rows", "0")]), {"company": "x"})

    assert errors == {}
    assert answers == {"company": "x"}


def test_rows_posted_without_a_counter_are_found_by_their_indices():
    spec = contacts_form()

    answers, errors = clean_step(
        spec,
        "money",
        {"breakdown.0.item": ["设备"], "breakdown.0.amount": ["10"], "breakdown.1.item": ["土建"]},
        {},
    )

    assert errors == {"breakdown.1.amount": "请填写「投资构成」第 2 行的「金额」。"}
    assert answers["breakdown"][0] == {"item": "设备", "amount": "10.00"}


def test_a_group_that_is_not_a_list_of_rows_is_refused():
    spec = contacts_form()

    _a, errors = clean_step(
        spec, "company", {"company": "某公司", "contacts": {"name": "李明"}}, {}
    )

    assert errors == {"contacts": "「项目联系人」应为由行组成的列表。"}


def test_a_step_replaces_its_own_earlier_answers_and_keeps_the_others():
    spec = contacts_form()
    saved = {
        "company": "旧名称",
        "contacts": [{"name": "李明", "mobile": "13812345678"}],
        "breakdown": [{"item": "设备", "amount": "10.00"}],
    }

    answers, errors = clean_step(
        spec,
        "company",
        {"company": "新名称", "contacts": [{"name": "王芳", "mobile": "13912345678"}]},
        saved,
    )

    assert errors == {}
    assert answers == {
        "company": "新名称",
        "contacts": [{"name": "王芳", "mobile": "13912345678"}],
        "breakdown": [{"item": "设备", "amount": "10.00"}],
    }
    assert saved["company"] == "旧名称"  # the caller's dict is not changed


def test_a_field_left_out_of_a_step_post_is_cleared():
    spec = contacts_form()
    saved = {
        "company": "某公司",
        "contacts": [{"name": "李明", "mobile": "13812345678", "duties": ["申报"]}],
    }

    answers, _errors = clean_step(
        spec,
        "company",
        post(
            [
                ("company", "某公司"),
                ("contacts.0.name", "李明"),
                ("contacts.0.mobile", "13812345678"),
            ]
        ),
        saved,
    )

    # An unticked checkbox sends nothing: the answer is "none ticked".
    assert answers["contacts"] == [{"name": "李明", "mobile": "13812345678"}]


def test_clean_all_reports_keys_that_are_no_field_of_the_form():
    spec = contacts_form()

    _answers, errors = clean_all(
        spec,
        {
            "company": "某公司",
            "contacts": [{"name": "李明", "mobile": "13812345678"}],
            "compnay": "typo",
        },
    )

    assert errors == {"compnay": "表单中没有“compnay”这一项。"}

    _answers, errors = clean_all(
        spec,
        {
            "company": "某公司",
            "contacts": [{"name": "李明", "mobile": "13812345678", "age": 30}],
            "contacts.0.mobil": "13812345678",
            "company.0.name": "x",
        },
    )
    assert set(errors) == {"contacts.0.age", "contacts.0.mobil", "company.0.name"}


def test_clean_all_refuses_a_body_that_is_not_an_object():
    spec = contacts_form()

    assert clean_all(spec, ["company"]) == ({}, {NON_FIELD: "表单数据应为 JSON 对象。"})  # type: ignore[arg-type]


def test_flat_file_references_beside_nested_rows_join_their_row():
    spec = parse_definition(
        steps(
            step(
                "m",
                {
                    "key": "licences",
                    "label": "资质",
                    "type": "group",
                    "min_rows": 1,
                    "fields": [field("name", label="名称"), field("scan", "file", "扫描件")],
                },
            )
        )
    )

    answers, errors = clean_all(
        spec, {"licences": [{"name": "安全生产许可证"}], "licences.0.scan": ["att-9"]}
    )

    assert errors == {}
    assert answers == {"licences": [{"name": "安全生产许可证", "scan": ["att-9"]}]}


# --- the row and file buttons ----------------------------------------------------------------


def test_adding_a_row_keeps_what_was_typed_and_counts_one_more_row():
    spec = contacts_form()
    data = post(
        [
            ("csrfmiddlewaretoken", "t"),
            ("company", "某公司"),
            ("contacts.__rows", "1"),
            ("contacts.0.name", "李明"),
            ("contacts.0.mobile", "1381234"),  # wrong, but kept as typed
            (ACTION_FIELD, "add:contacts"),
        ]
    )

    changed = step_action(spec, "company", data)

    assert changed == {
        "company": ["某公司"],
        "contacts.__rows": ["2"],
        "contacts.0.name": ["李明"],
        "contacts.0.mobile": ["1381234"],
    }


def test_a_row_cannot_be_added_beyond_the_maximum():
    spec = contacts_form()

    changed = step_action(
        spec, "company", post([("contacts.__rows", "3"), (ACTION_FIELD, "add:contacts")])
    )

    assert changed["contacts.__rows"] == ["3"]


def test_removing_a_row_renumbers_the_rows_after_it():
    spec = contacts_form()
    data = post(
        [
            ("contacts.__rows", "3"),
            ("contacts.0.name", "李明"),
            ("contacts.1.name", "王芳"),
            ("contacts.2.name", "赵强"),
            ("contacts.2.duties", "申报"),
            ("contacts.2.duties", "现场"),
            (ACTION_FIELD, "remove:contacts.1"),
        ]
    )

    changed = step_action(spec, "company", data)

    assert changed == {
        "contacts.__rows": ["2"],
        "contacts.0.name": ["李明"],
        "contacts.1.name": ["赵强"],
        "contacts.1.duties": ["申报", "现场"],
    }
    answers, _errors = clean_step(spec, "company", changed, {})
    assert [row["name"] for row in answers["contacts"]] == ["李明", "赵强"]


def test_dropping_an_uploaded_file_removes_only_its_reference():
    spec = parse_definition(steps(step("m", field("plan", "file", "项目建议书", max_files=3))))

    changed = step_action(
        spec, "m", post([("plan", "att-1"), ("plan", "att-2"), (ACTION_FIELD, "unfile:plan:att-1")])
    )

    assert changed == {"plan": ["att-2"]}


def test_a_post_without_a_row_button_or_with_a_forged_one_is_no_action():
    spec = contacts_form()

    assert step_action(spec, "company", post([("company", "某公司")])) is None
    assert step_action(spec, "company", post([(ACTION_FIELD, "add:breakdown")])) is None
    assert step_action(spec, "company", post([(ACTION_FIELD, "remove:contacts.x")])) is None
    assert step_action(spec, "company", post([(ACTION_FIELD, "explode")])) is None


# --- a group's total -------------------------------------------------------------------------


def investment_form(rule):
    return parse_definition(
        steps(
            step("one", field("total", "decimal", "总投资", unit="万元")),
            step(
                "two",
                {
                    "key": "breakdown",
                    "label": "投资构成",
                    "type": "group",
                    "min_rows": 1,
                    "fields": [
                        field("item", label="构成项"),
                        field("amount", "decimal", "金额", unit="万元"),
                    ],
                    "sum": rule,
                },
            ),
        )
    )


def rows(*amounts):
    return {
        "breakdown": [{"item": f"第{n}项", "amount": amount} for n, amount in enumerate(amounts)]
    }


def test_the_rows_must_add_up_to_another_answer():
    spec = investment_form({"field": "amount", "equals": {"field": "total"}})
    earlier = {"total": "1500.00"}

    _a, errors = clean_step(spec, "two", rows("1000", "200"), earlier)
    assert errors == {
        "breakdown": "「投资构成」各行「金额」合计 1,200.00 万元，应等于「总投资」（1,500.00 万元）。"
    }
    assert clean_step(spec, "two", rows("1000", "500"), earlier)[1] == {}


def test_a_total_is_not_judged_while_a_row_is_wrong_or_the_other_answer_missing():
    spec = investment_form({"field": "amount", "equals": {"field": "total"}})

    _a, errors = clean_step(spec, "two", rows("1000", "很多"), {"total": "1500.00"})
    assert set(errors) == {"breakdown.1.amount"}
    assert clean_step(spec, "two", rows("1"), {})[1] == {}


def test_a_total_may_be_capped_by_a_number():
    spec = investment_form({"field": "amount", "max": 100})

    _a, errors = clean_step(spec, "two", rows("60", "50"), {})

    assert errors == {"breakdown": "「投资构成」各行「金额」合计 110.00 万元，不能超过 100 万元。"}


@pytest.mark.parametrize(
    ("rule", "path"),
    [
        ({"field": "item", "equals": 1}, "steps[1].items[0].sum.field"),
        ({"field": "amount"}, "steps[1].items[0].sum"),
        ({"field": "amount", "equals": 1, "max": 2}, "steps[1].items[0].sum"),
        ({"field": "amount", "equals": {"field": "nothing"}}, "steps[1].items[0].sum.equals.field"),
    ],
)
def test_a_broken_sum_rule_is_a_definition_error(rule, path):
    with pytest.raises(FormDefinitionError) as caught:
        investment_form(rule)

    assert caught.value.path == path
