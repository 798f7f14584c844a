"""Branches without a limit: any number per question, nested as deep as the form needs; hidden
questions are neither asked, nor kept, nor required; navigation skips hidden steps."""

from django.http import QueryDict

from civicgrid.applications.formspec import (
    clean_all,
    clean_step,
    parse_definition,
    resume_step,
    validate_complete,
    visible_fields,
)
from civicgrid.applications.formspec.tests.forms import branching_form, field, step, steps


def keys(steps_list):
    return [s.key if s is not None else None for s in steps_list]


def paths(spec, answers):
    return [ref.path for ref in visible_fields(spec, answers)]


def test_each_of_four_answers_to_one_question_opens_its_own_branch():
    spec = branching_form()
    detail = {
        "new": ["land", "agree"],
        "expand": ["expansion_reason", "agree"],
        "upgrade": ["equipment", "agree"],
        "move": ["old_address", "agree"],  # a step of its own
    }
    for kind, shown in detail.items():
        answers = {"kind": kind, "total": "10.00"}

        assert [p for p in paths(spec, answers) if p not in ("kind", "total")] == shown, kind


def test_a_branch_nested_four_levels_deep_opens_level_by_level():
    spec = branching_form()
    answers = {"kind": "new", "total": "10.00"}

    answers, errors = clean_step(spec, "detail", {"land": "yes"}, answers)
    assert errors == {"land_area": "请填写「新增用地面积」。"}

    answers, errors = clean_step(spec, "detail", {"land": "yes", "land_area": "80"}, answers)
    assert errors == {}
    assert "eia_level" not in paths(spec, answers)  # 80 亩 is not more than 100

    answers, errors = clean_step(spec, "detail", {"land": "yes", "land_area": "150"}, answers)
    assert errors == {"eia_level": "请选择「环评类别」。"}

    data = {"land": "yes", "land_area": "150", "eia_level": "report"}
    answers, errors = clean_step(spec, "detail", data, answers)
    assert errors == {"eia_report": "请上传「环评报告书」。"}

    answers, errors = clean_step(spec, "detail", {**data, "eia_report": ["att-1"]}, answers)
    assert errors == {}
    assert answers["eia_report"] == ["att-1"]


def test_changing_an_upper_answer_drops_every_answer_below_it():
    spec = branching_form()
    answers = {
        "kind": "new",
        "total": "10.00",
        "land": True,
        "land_area": "150.00",
        "eia_level": "report",
        "eia_report": ["att-1"],
    }

    answers, errors = clean_step(spec, "detail", {"land": "no", "land_area": "150"}, answers)

    assert errors == {}
    assert answers == {"kind": "new", "total": "10.00", "land": False}


def test_changing_an_earlier_step_drops_answers_of_later_steps_it_now_hides():
    spec = branching_form()
    answers = {"kind": "move", "total": "10.00", "old_address": "河北省衡水市阜城县某路 1 号"}

    answers, errors = clean_step(spec, "basics", {"kind": "expand", "total": "10"}, answers)

    assert errors == {}
    assert "old_address" not in answers


def test_a_hidden_required_field_is_never_reported_and_its_posted_value_is_dropped():
    spec = branching_form()

    answers, errors = clean_step(
        spec,
        "detail",
        {"expansion_reason": "", "land": "yes", "import_licence": "XK-1"},
        {"kind": "new", "total": "1.00"},
    )

    assert errors == {"land_area": "请填写「新增用地面积」。"}
    assert "import_licence" not in answers
    assert "expansion_reason" not in answers


def test_a_hidden_field_with_bad_input_is_not_reported_either():
    spec = branching_form()

    _answers, errors = clean_step(
        spec, "detail", {"land": "no", "land_area": "很多"}, {"kind": "new", "total": "1.00"}
    )

    assert errors == {}


def test_contains_on_a_multichoice_opens_its_branch():
    spec = branching_form()
    answers = {"kind": "upgrade", "total": "1.00"}

    _a, errors = clean_step(spec, "detail", {"equipment": ["domestic"]}, answers)
    assert errors == {}

    _a, errors = clean_step(spec, "detail", {"equipment": ["domestic", "import"]}, answers)
    assert errors == {"import_licence": "请填写「进口许可证号」。"}


def test_next_and_previous_skip_the_steps_the_answers_hide():
    spec = branching_form()
    moving = {"kind": "move", "total": "10.00"}
    small_new = {"kind": "new", "total": "10.00", "land": False}

    assert keys([spec.next_step("basics", moving), spec.next_step("detail", moving)]) == [
        "detail",
        "relocation",
    ]
    assert spec.next_step("relocation", moving).key == "confirm"
    assert spec.previous_step("confirm", moving).key == "relocation"
    assert spec.next_step("detail", small_new).key == "confirm"
    assert spec.previous_step("confirm", small_new).key == "detail"
    assert spec.previous_step("basics", small_new) is None
    assert spec.next_step("confirm", small_new) is None


def test_a_step_shown_by_any_all_not_composition():
    spec = branching_form()

    big = {"kind": "move", "total": "20000.00"}
    new_with_land = {"kind": "new", "total": "1.00", "land": True, "land_area": "3.00"}
    new_without_land = {"kind": "new", "total": "1.00", "land": False}
    expand = {"kind": "expand", "total": "1.00", "expansion_reason": "扩产"}

    assert "special" in keys(spec.visible_steps(big))
    assert "special" in keys(spec.visible_steps(new_with_land))
    assert "special" not in keys(spec.visible_steps(new_without_land))
    # "land" is hidden for 扩建, so `not (land == False)` holds but `land_area filled` does not.
    assert "special" not in keys(spec.visible_steps(expand))


def test_conditions_compare_numbers_as_numbers_not_text():
    spec = parse_definition(
        steps(
            step("one", field("n", "integer"), field("amount", "decimal")),
            step(
                "two",
                field("a", show_if={"field": "n", "gt": 9}),
                field("b", show_if={"field": "amount", "lte": "10.5"}),
                field("c", show_if={"field": "n", "in": [1, 2, 3]}),
            ),
        )
    )

    assert paths(spec, {"n": 10, "amount": "9.90"}) == ["n", "amount", "a", "b"]
    assert paths(spec, {"n": 2, "amount": "100.00"}) == ["n", "amount", "c"]


def test_not_equals_and_comparisons_need_an_answer_while_not_and_filled_false_do_not():
    spec = parse_definition(
        steps(
            step("one", field("kind", "choice", choices=["甲", "乙"], required=False)),
            step(
                "two",
                field("ne", show_if={"field": "kind", "not_equals": "甲"}),
                field("neg", show_if={"not": {"field": "kind", "equals": "甲"}}),
                field("empty", show_if={"field": "kind", "filled": False}),
            ),
        )
    )

    assert paths(spec, {}) == ["kind", "neg", "empty"]
    assert paths(spec, {"kind": "乙"}) == ["kind", "ne", "neg"]
    assert paths(spec, {"kind": "甲"}) == ["kind"]


def test_a_condition_on_a_field_of_the_same_step_is_applied_when_the_step_is_cleaned():
    spec = parse_definition(
        steps(
            step(
                "one",
                # The dependant comes first in the definition; the order of evaluation follows
                # the conditions, not the page.
                field("licence", show_if={"field": "has_licence", "equals": True}),
                field("has_licence", "yesno"),
            )
        )
    )

    _a, errors = clean_step(spec, "one", {"has_licence": "yes"}, {})
    assert errors == {"licence": "请填写「licence」。"}

    answers, errors = clean_step(spec, "one", {"has_licence": "no", "licence": "X"}, {})
    assert errors == {}
    assert answers == {"has_licence": False}


def test_group_rows_follow_their_own_siblings():
    spec = parse_definition(
        steps(
            step(
                "one",
                {
                    "key": "contacts",
                    "label": "联系人",
                    "type": "group",
                    "min_rows": 1,
                    "fields": [
                        field("role", "choice", "职责", choices=["法定代表人", "经办人"]),
                        field(
                            "id_number",
                            "id_number",
                            "身份证号",
                            show_if={"field": "role", "equals": "法定代表人"},
                        ),
                    ],
                },
            )
        )
    )
    post = QueryDict(mutable=True)
    post.update(
        {
            "contacts.__rows": "2",
            "contacts.0.role": "经办人",
            "contacts.1.role": "法定代表人",
        }
    )

    answers, errors = clean_step(spec, "one", post, {})

    assert errors == {"contacts.1.id_number": "请填写「联系人」第 2 行的「身份证号」。"}
    assert answers == {"contacts": [{"role": "经办人"}, {"role": "法定代表人"}]}


def test_a_group_field_can_follow_a_field_of_an_earlier_step():
    spec = parse_definition(
        steps(
            step("one", field("foreign", "yesno")),
            step(
                "two",
                {
                    "key": "investors",
                    "label": "投资方",
                    "type": "group",
                    "min_rows": 1,
                    "fields": [
                        field("name", label="名称"),
                        field(
                            "country", label="国别", show_if={"field": "foreign", "equals": True}
                        ),
                    ],
                },
            ),
        )
    )

    _a, errors = clean_step(spec, "two", {"investors": [{"name": "甲公司"}]}, {"foreign": True})
    assert errors == {"investors.0.country": "请填写「投资方」第 1 行的「国别」。"}

    answers, errors = clean_step(
        spec, "two", {"investors": [{"name": "甲公司", "country": "x"}]}, {"foreign": False}
    )
    assert errors == {}
    assert answers["investors"] == [{"name": "甲公司"}]


def test_a_whole_form_is_checked_by_its_branches_and_resumes_at_the_first_gap():
    spec = branching_form()
    answers = {"kind": "move", "total": "10.00", "agree": True}

    assert validate_complete(spec, answers) == {"old_address": "请填写「原址」。"}
    assert resume_step(spec, answers).key == "relocation"

    answers["old_address"] = "河北省衡水市阜城县某路 1 号"
    assert validate_complete(spec, answers) == {}
    assert resume_step(spec, answers) is None


def test_clean_all_ignores_answers_to_hidden_branches_an_api_client_sends():
    spec = branching_form()

    answers, errors = clean_all(
        spec,
        {
            "kind": "expand",
            "total": "12,000",
            "expansion_reason": "扩大产能",
            "land": True,
            "old_address": "某地",
            "special_note": "无",
            "agree": "是",
        },
    )

    assert errors == {}
    assert answers == {
        "kind": "expand",
        "total": "12000.00",
        "expansion_reason": "扩大产能",
        "special_note": "无",
        "agree": True,
    }


def test_visible_fields_name_the_step_and_the_row_of_each_shown_field():
    spec = parse_definition(
        steps(
            step("one", field("foreign", "yesno")),
            step(
                "two",
                {
                    "key": "investors",
                    "label": "投资方",
                    "type": "group",
                    "fields": [
                        field("name"),
                        field("country", show_if={"field": "foreign", "equals": True}),
                    ],
                },
            ),
        )
    )

    refs = visible_fields(spec, {"foreign": False, "investors": [{"name": "甲"}, {"name": "乙"}]})

    assert [(ref.path, ref.step.key, ref.row, ref.field.key) for ref in refs] == [
        ("foreign", "one", None, "foreign"),
        ("investors.0.name", "two", 0, "name"),
        ("investors.1.name", "two", 1, "name"),
    ]


def test_a_decimal_condition_compares_values_not_spellings():
    spec = parse_definition(
        steps(
            step("one", field("amount", "decimal")),
            step("two", field("note", show_if={"field": "amount", "equals": 10})),
        )
    )

    assert paths(spec, {"amount": "10.00"}) == ["amount", "note"]
    assert paths(spec, {"amount": "10.01"}) == ["amount"]
