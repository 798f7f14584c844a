"""Each field type: what it stores, and a Chinese message naming the field for bad input."""

import datetime

import pytest
import time_machine

from civicgrid.applications.formspec import (
    FormDefinitionError,
    clean_all,
    clean_step,
    parse_definition,
)
from civicgrid.applications.formspec.tests.forms import field, one_step, step, steps
from civicgrid.core.credit_code import make_credit_code
from civicgrid.core.idcard import make_id_number

ID_NUMBER = make_id_number("131128", datetime.date(1990, 1, 1), 123)
CREDIT_CODE = make_credit_code("9", "1", "131128", "MA0C1234")


def clean(definition, raw):
    spec = one_step(definition)
    answers, errors = clean_step(spec, "main", {definition["key"]: raw}, {})
    return answers.get(definition["key"]), errors.get(definition["key"])


def error_of(definition, raw):
    value, error = clean(definition, raw)
    assert value is None
    assert error is not None
    return error


def value_of(definition, raw):
    value, error = clean(definition, raw)
    assert error is None, error
    return value


# --- text ------------------------------------------------------------------------------------


def test_text_is_trimmed_and_its_inner_whitespace_and_control_characters_cleaned():
    assert (
        value_of(field("name", label="项目名称"), "  阜城县\x00 光伏\t\n项目 ")
        == "阜城县 光伏 项目"
    )


def test_textarea_keeps_its_lines():
    assert value_of(field("note", "textarea"), "第一行\r\n第二行\x07") == "第一行\n第二行"


def test_text_length_limits_name_the_field():
    definition = field("name", label="项目名称", min_length=4, max_length=6)

    assert error_of(definition, "光伏") == "「项目名称」至少需要 4 个字（现有 2 个）。"
    assert error_of(definition, "阜城县光伏发电项目") == "「项目名称」最多 6 个字（现有 9 个）。"


def test_text_given_as_a_number_by_an_api_client_is_refused():
    assert error_of(field("name", label="项目名称"), 12) == "「项目名称」应为文字。"


def test_two_values_for_a_single_field_are_refused():
    assert error_of(field("name", label="项目名称"), ["甲", "乙"]) == "「项目名称」只能填写一个值。"


def test_address_has_a_minimum_length():
    assert error_of(field("addr", "address", "项目地址"), "阜城") == (
        "「项目地址」至少需要 4 个字（现有 2 个）。"
    )


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("42", 42), ("４２", 42), ("1,200", 1200), (" -3 ", -3), (7, 7), (8.0, 8), ("9.00", 9)],
)
def test_integer_accepts_what_people_type(raw, stored):
    assert value_of(field("n", "integer", "职工人数"), raw) == stored


@pytest.mark.parametrize("raw", ["四十", "4.5", 4.5, "1e3", True, "12-3", "9" * 20])
def test_integer_refuses_what_is_not_a_whole_number(raw):
    assert error_of(field("n", "integer", "职工人数"), raw) == "「职工人数」应为整数。"


def test_integer_bounds_name_the_field_and_the_unit():
    definition = field("n", "integer", "职工人数", min=1, max=500, unit="人")

    assert error_of(definition, "0") == "「职工人数」不能小于 1人。"
    assert error_of(definition, "501") == "「职工人数」不能大于 500人。"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("1250.5", "1250.50"), ("1,250", "1250.00"), ("０.５", "0.50"), (3, "3.00"), (2.25, "2.25")],
)
def test_decimal_is_stored_as_text_with_its_places(raw, stored):
    assert value_of(field("total", "decimal", "总投资", unit="万元"), raw) == stored


def test_decimal_refuses_words_too_many_places_and_out_of_range_values():
    definition = field("total", "decimal", "总投资", unit="万元", min=0, max=100000)

    assert error_of(definition, "一千万") == "「总投资」应为数字。"
    assert error_of(definition, "NaN") == "「总投资」应为数字。"
    assert error_of(definition, "1.234") == "「总投资」最多保留 2 位小数。"
    assert error_of(definition, "-1") == "「总投资」不能小于 0万元。"
    assert error_of(definition, "100000.01") == "「总投资」不能大于 100000万元。"


def test_a_decimal_with_no_places_is_whole():
    definition = field("area", "decimal", "用地面积", decimal_places=0)

    assert value_of(definition, "12") == "12"
    assert error_of(definition, "12.5") == "「用地面积」应为整数。"


def test_cleaning_a_stored_value_again_gives_the_same_value():
    for definition, raw in [
        (field("n", "integer"), "1,200"),
        (field("d", "decimal"), "1,250.5"),
        (field("day", "date"), "2026年3月1日"),
        (field("ok", "yesno"), "是"),
        (field("m", "mobile"), "+86 138-1234-5678"),
        (field("i", "id_number"), ID_NUMBER.lower()),
        (field("c", "multichoice", choices=["a", "b", "c"]), ["c", "a"]),
    ]:
        stored = value_of(definition, raw)
        assert value_of(definition, stored) == stored


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["2026-03-01", "2026/3/1", "2026年3月1日", "2026.03.01"])
def test_date_accepts_the_usual_ways_of_writing_it(raw):
    assert value_of(field("start", "date", "开工日期"), raw) == "2026-03-01"


@pytest.mark.parametrize("raw", ["2026-02-30", "下个月", "03/01/2026", 20260301])
def test_date_refuses_what_is_not_a_real_date(raw):
    assert error_of(field("start", "date", "开工日期"), raw) == (
        "「开工日期」应为有效日期，格式如 2026-03-01。"
    )


@time_machine.travel(datetime.datetime(2026, 11, 27, 10, tzinfo=datetime.UTC))
def test_date_bounds_may_be_today():
    definition = field("start", "date", "开工日期", min="today", max="2027-12-31")

    assert error_of(definition, "2026-11-26") == "「开工日期」不能早于今天。"
    assert value_of(definition, "2026-11-27") == "2026-11-27"
    assert error_of(definition, "2028-01-01") == "「开工日期」不能晚于2027-12-31。"


# --- choices ---------------------------------------------------------------------------------


def test_choice_must_be_one_of_its_values():
    definition = field("kind", "choice", "建设性质", choices=[{"value": "new", "label": "新建"}])

    assert value_of(definition, "new") == "new"
    assert error_of(definition, "新建") == "「建设性质」请从给出的选项中选择。"


def test_multichoice_keeps_the_choice_order_drops_duplicates_and_counts():
    definition = field(
        "scopes",
        "multichoice",
        "经营范围",
        choices=["甲", "乙", "丙", "丁"],
        min_choices=2,
        max_choices=3,
    )

    assert value_of(definition, ["丙", "甲", "丙"]) == ["甲", "丙"]
    assert error_of(definition, ["甲"]) == "「经营范围」至少选择 2 项。"
    assert error_of(definition, ["甲", "乙", "丙", "丁"]) == "「经营范围」最多选择 3 项。"
    assert error_of(definition, ["甲", "戊"]) == "「经营范围」请从给出的选项中选择。"


@pytest.mark.parametrize(
    ("raw", "stored"), [("yes", True), ("否", False), (True, True), ("0", False)]
)
def test_yesno_reads_the_usual_spellings(raw, stored):
    assert value_of(field("ok", "yesno", "是否涉及外资"), raw) is stored


def test_yesno_refuses_anything_else():
    assert (
        error_of(field("ok", "yesno", "是否涉及外资"), "也许")
        == "「是否涉及外资」请选择“是”或“否”。"
    )


# --- identity numbers, codes, contact --------------------------------------------------------


def test_an_id_number_is_normalised():
    spaced = f" {ID_NUMBER[:6]} {ID_NUMBER[6:14]} {ID_NUMBER[14:]} "
    with_x = make_id_number("131128", datetime.date(1990, 1, 1), 1)  # check character X

    assert value_of(field("id", "id_number", "身份证号"), spaced) == ID_NUMBER
    assert value_of(field("id", "id_number"), with_x.lower()) == with_x == "13112819900101001X"


def test_an_id_number_with_a_bad_check_digit_names_the_field_and_the_expected_digit():
    wrong = ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1")

    message = error_of(field("id", "id_number", "法定代表人身份证号"), wrong)

    assert message.startswith("「法定代表人身份证号」校验码不符：按前 17 位计算")
    assert f"第 18 位应为 {ID_NUMBER[-1]}" in message


def test_a_fifteen_digit_first_generation_id_number_is_refused_as_core_idcard_does():
    message = error_of(field("id", "id_number", "身份证号"), "131128900101123")

    assert message.startswith("「身份证号」：")
    assert "15 位的第一代身份证号码" in message


def test_a_credit_code_is_checked_and_upper_cased():
    definition = field("code", "credit_code", "统一社会信用代码")

    assert value_of(definition, CREDIT_CODE.lower()) == CREDIT_CODE
    bad = CREDIT_CODE[:-1] + ("0" if CREDIT_CODE[-1] != "0" else "1")
    message = error_of(definition, bad)
    assert message.startswith("「统一社会信用代码」校验码不符")


@pytest.mark.parametrize("raw", ["+86 138 1234 5678", "0086-13812345678", "８６13812345678"])
def test_a_mobile_with_a_country_prefix_is_stored_as_eleven_digits(raw):
    assert value_of(field("m", "mobile", "联系电话"), raw) == "13812345678"


def test_a_landline_or_foreign_mobile_is_refused_with_the_field_named():
    definition = field("m", "mobile", "联系电话")

    assert error_of(definition, "0318-1234567").startswith("「联系电话」：这像是固定电话号码")
    assert error_of(definition, "+1 415 555 0100").startswith(
        "「联系电话」：只支持中国大陆手机号码"
    )


def test_email_domain_is_lower_cased_and_nonsense_refused():
    definition = field("mail", "email", "电子邮箱")

    assert value_of(definition, "Li.Ming@Example.COM") == "Li.Ming@example.com"
    assert (
        error_of(definition, "li.ming@")
        == "「电子邮箱」不是有效的电子邮箱地址，格式如 name@example.com。"
    )


# --- files -----------------------------------------------------------------------------------


def test_a_file_field_stores_its_references_and_counts_them():
    definition = field("plan", "file", "项目建议书", max_files=2)

    assert value_of(definition, "att-1") == ["att-1"]
    assert value_of(definition, ["att-1", "att-2", "att-1"]) == ["att-1", "att-2"]
    assert error_of(definition, ["a", "b", "c"]) == "「项目建议书」最多上传 2 个文件。"
    assert error_of(definition, [{"id": 1}]) == "「项目建议书」的附件无效，请重新上传。"


def test_a_required_file_field_without_a_file_asks_for_an_upload():
    spec = one_step(field("plan", "file", "项目建议书"))

    assert clean_step(spec, "main", {}, {})[1] == {"plan": "请上传「项目建议书」。"}


# --- required, by kind of question -----------------------------------------------------------


def test_a_missing_required_answer_is_asked_for_in_the_words_of_its_kind():
    spec = one_step(
        field("name", label="项目名称"),
        field("kind", "choice", "建设性质", choices=["新建"]),
        field("ok", "yesno", "是否涉及外资"),
        field("note", "textarea", "备注", required=False),
    )

    answers, errors = clean_all(spec, {"name": "   ", "note": ""})

    assert answers == {}
    assert errors == {
        "name": "请填写「项目名称」。",
        "kind": "请选择「建设性质」。",
        "ok": "请选择「是否涉及外资」。",
    }


# --- bounds set by another answer ------------------------------------------------------------


def test_a_bound_may_be_another_fields_answer_even_on_an_earlier_step():
    spec = parse_definition(
        steps(
            step("one", field("total", "integer", "职工总数"), field("start", "date", "开工日期")),
            step(
                "two",
                field("returning", "integer", "首批返岗人数", max={"field": "total"}),
                field("finish", "date", "竣工日期", min={"field": "start"}),
            ),
        )
    )
    earlier = {"total": 120, "start": "2026-03-01"}

    _a, errors = clean_step(spec, "two", {"returning": "150", "finish": "2026-02-01"}, earlier)
    assert errors == {
        "returning": "「首批返岗人数」不能大于「职工总数」（120）。",
        "finish": "「竣工日期」不能早于「开工日期」（2026年3月1日）。",
    }
    _a, errors = clean_step(spec, "two", {"returning": "120", "finish": "2026-03-01"}, earlier)
    assert errors == {}
    # Without the other answer there is nothing to compare with.
    assert clean_step(spec, "two", {"returning": "150", "finish": "2026-02-01"}, {})[1] == {}


def test_a_row_field_may_be_bounded_by_its_sibling():
    spec = one_step(
        {
            "key": "lots",
            "label": "地块",
            "type": "group",
            "fields": [
                field("area", "decimal", "总面积", unit="亩"),
                field("built", "decimal", "已建面积", unit="亩", max={"field": "area"}),
            ],
        }
    )

    _a, errors = clean_step(
        spec, "main", {"lots": [{"area": "10", "built": "12.5"}, {"area": "10", "built": "9"}]}, {}
    )

    assert errors == {
        "lots.0.built": "「地块」第 1 行的「已建面积」不能大于「总面积」（10.00 亩）。"
    }


def test_a_bound_field_of_another_kind_or_that_does_not_exist_is_a_definition_error():
    with pytest.raises(FormDefinitionError) as caught:
        parse_definition(
            steps(step("one", field("name"), field("n", "integer", max={"field": "name"})))
        )
    assert caught.value.path == "steps[0].items[1].max.field"
    assert "不能作为integer字段的界限" in caught.value.message

    with pytest.raises(FormDefinitionError) as caught:
        parse_definition(steps(step("one", field("n", "integer", max={"field": "ghost"}))))
    assert "“ghost”不存在" in caught.value.message

    with pytest.raises(FormDefinitionError) as caught:
        parse_definition(steps(step("one", field("n", "integer", max={"key": "x"}))))
    assert caught.value.path == "steps[0].items[0].max"
