"""Citizen ID numbers (GB 11643-1999): normalising, every rejection, and what a number tells.

Every number here is generated with make_id_number; none belongs to a real person.
"""

import datetime

import pytest
import time_machine
from django import forms
from django.core.exceptions import ValidationError

from civicgrid.core.idcard import (
    IdNumberKind,
    birth_date_of,
    check_char,
    id_number_kind,
    make_id_number,
    normalize_id_number,
    read_id_number,
    sex_of,
    validate_id_number,
)
from civicgrid.core.protected_fields import protect

FUCHENG = "131128"  # 阜城县, Hengshui
BORN = datetime.date(1990, 1, 1)
MAN = make_id_number(FUCHENG, BORN, 123)  # odd sequence
WOMAN = make_id_number(FUCHENG, BORN, 124)


def _with_check(body: str) -> str:
    return body + check_char(body)


def _number_ending_in_x() -> str:
    for sequence in range(1, 1000):
        number = make_id_number(FUCHENG, BORN, sequence)
        if number.endswith("X"):
            return number
    raise AssertionError("no sequence gives X")


def _rejection(raw: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        normalize_id_number(raw)
    return caught.value


def _message(error: ValidationError) -> str:
    return error.messages[0]


def test_the_check_character_follows_iso_7064_mod_11_2():
    # The weights and the worked example of GB 11643-1999 (11010519491231002X).
    assert check_char("11010519491231002") == "X"
    assert check_char("44052418800101001") == "4"


def test_it_accepts_a_valid_number_unchanged():
    assert normalize_id_number(MAN) == MAN


@pytest.mark.parametrize(
    "decorate",
    [
        lambda n: f"  {n}  ",
        lambda n: f"{n[:6]} {n[6:14]} {n[14:]}",
        lambda n: n.lower(),
        lambda n: n.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")),
        lambda n: "\ufeff" + n,  # a CSV file's byte-order mark
        lambda n: "'" + n,  # a spreadsheet's text marker
        lambda n: n[:9] + "\u200b" + n[9:],
    ],
    ids=["padded", "grouped", "lower-x", "full-width", "bom", "apostrophe", "zero-width"],
)
def test_it_normalises_what_people_and_spreadsheets_add(decorate):
    number = _number_ending_in_x()
    assert normalize_id_number(decorate(number)) == number


def test_it_accepts_an_integer_number():
    assert normalize_id_number(int(MAN)) == MAN


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_it_asks_for_a_missing_number(raw):
    error = _rejection(raw)
    assert error.code == "required"
    assert _message(error) == "请填写公民身份号码。"


@pytest.mark.parametrize(
    "raw",
    [
        "1.31128E+17",
        "1.31128199001011E+17",
        "1.31128199001011e17",
        f"{MAN[:15]}000.0",
        "131,128,199,001,011,000",
        float(MAN),
    ],
)
def test_it_recognises_a_number_mangled_by_a_spreadsheet(raw):
    error = _rejection(raw)
    assert error.code == "spreadsheet"
    assert "疑似被表格软件转换为科学计数法" in _message(error)


def test_it_recognises_last_three_digits_zeroed_by_a_float_conversion():
    damaged = MAN[:15] + "000"
    assert check_char(damaged[:17]) != "0"  # so the check digit gives it away
    error = _rejection(damaged)
    assert error.code == "spreadsheet"
    assert "疑似被表格软件转换为科学计数法" in _message(error)


def test_it_still_accepts_a_genuine_number_that_ends_in_000():
    genuine = next(
        number
        for day in range(1, 29)
        for hundred in range(100, 1000, 100)
        if (number := make_id_number(FUCHENG, datetime.date(1990, 2, day), hundred)).endswith("000")
    )
    assert normalize_id_number(genuine) == genuine


def test_it_explains_that_a_fifteen_digit_number_is_the_old_first_generation_card():
    error = _rejection("131128900101123")
    assert error.code == "first_generation"
    assert "15 位的第一代身份证号码" in _message(error)


@pytest.mark.parametrize(("raw", "length"), [(MAN[:17], 17), (MAN + "1", 19), ("1311", 4)])
def test_it_rejects_a_number_of_the_wrong_length(raw, length):
    error = _rejection(raw)
    assert error.code == "length"
    assert _message(error) == f"公民身份号码应为 18 位，当前为 {length} 位。"


def test_it_names_the_position_of_a_letter_among_the_first_seventeen_digits():
    error = _rejection(MAN[:14] + "A" + MAN[15:])
    assert error.code == "non_digit"
    assert _message(error) == "公民身份号码第 15 位应为数字。"


def test_it_rejects_an_x_anywhere_but_the_last_position():
    error = _rejection("X" + MAN[1:])
    assert error.code == "non_digit"
    assert _message(error) == "公民身份号码第 1 位应为数字。"


def test_it_rejects_a_check_character_that_is_neither_a_digit_nor_x():
    error = _rejection(MAN[:17] + "Y")
    assert error.code == "bad_check_char"
    assert "只能是数字或 X" in _message(error)


@pytest.mark.parametrize(
    "region",
    ["001128", "161128", "241128", "391128", "721128", "811128", "831100", "901128", "971128"],
)
def test_it_rejects_a_region_that_is_no_province(region):
    error = _rejection(_with_check(region + "19900101123"))
    assert error.code == "region"
    assert "地址码" in _message(error)


@pytest.mark.parametrize(
    ("region", "kind"),
    [
        ("131128", IdNumberKind.RESIDENT),
        ("650102", IdNumberKind.RESIDENT),
        ("710000", IdNumberKind.RESIDENT),
        ("810000", IdNumberKind.HK_MACAO_PERMIT),
        ("820000", IdNumberKind.HK_MACAO_PERMIT),
        ("830000", IdNumberKind.TAIWAN_PERMIT),
        ("913156", IdNumberKind.FOREIGN_PERMANENT),  # issued in Hebei (13), nationality 156
        ("944840", IdNumberKind.FOREIGN_PERMANENT),  # issued in Guangdong (44)
    ],
)
def test_it_accepts_residence_permits_and_foreigners_cards_and_tells_them_apart(region, kind):
    number = make_id_number(region, BORN, 5)
    assert normalize_id_number(number) == number
    assert id_number_kind(number) == kind


@pytest.mark.parametrize("birth", ["19900230", "19901301", "19900001", "20230229"])
def test_it_rejects_a_birth_date_that_does_not_exist(birth):
    error = _rejection(_with_check(FUCHENG + birth + "123"))
    assert error.code == "bad_date"
    assert "不是真实存在的日期" in _message(error)


def test_it_accepts_a_leap_day():
    number = make_id_number(FUCHENG, datetime.date(2000, 2, 29), 1)
    assert birth_date_of(number) == datetime.date(2000, 2, 29)


def test_it_rejects_a_birth_date_before_1900():
    error = _rejection(_with_check(FUCHENG + "18991231" + "123"))
    assert error.code == "too_early"
    assert _message(error) == "公民身份号码中的出生日期早于 1900 年。"
    assert normalize_id_number(_with_check(FUCHENG + "19000101" + "123"))


@time_machine.travel(datetime.datetime(2024, 3, 1, 0, 30, tzinfo=datetime.UTC), tick=False)
def test_it_rejects_a_birth_date_after_today_in_china():
    # 00:30 UTC is already 08:30 on 1 March in Shanghai: born "today" is fine, tomorrow is not.
    assert normalize_id_number(_with_check(FUCHENG + "20240301" + "123"))
    error = _rejection(_with_check(FUCHENG + "20240302" + "123"))
    assert error.code == "future_date"
    assert _message(error) == "公民身份号码中的出生日期晚于今天。"


def test_it_rejects_a_bad_check_digit_and_says_which_was_expected():
    wrong = "1" if MAN[17] != "1" else "2"
    error = _rejection(MAN[:17] + wrong)
    assert error.code == "bad_check_digit"
    assert error.params == {"expected": MAN[17]}
    assert f"第 18 位应为 {MAN[17]}" in _message(error)


def test_a_single_mistyped_digit_is_caught_by_the_check_digit():
    typo = MAN[:16] + str((int(MAN[16]) + 2) % 10) + MAN[17]
    assert _rejection(typo).code == "bad_check_digit"


def test_it_reads_the_birth_date_and_the_sex():
    assert birth_date_of(MAN) == BORN
    assert sex_of(MAN) == "M"
    assert sex_of(WOMAN) == "F"


def test_read_id_number_gives_the_number_sex_and_birth_date_it_checked():
    assert read_id_number(f" {MAN[:6]} {MAN[6:]} ") == (MAN, "M", BORN)
    assert read_id_number(WOMAN) == (WOMAN, "F", BORN)
    with pytest.raises(ValidationError) as caught:
        read_id_number(MAN[:17] + ("1" if MAN[17] != "1" else "2"))
    assert caught.value.code == "bad_check_digit"


def test_a_caller_may_state_today_once_for_many_numbers():
    born_2024 = _with_check(FUCHENG + "20240302" + "123")
    assert normalize_id_number(born_2024, today=datetime.date(2024, 3, 2)) == born_2024
    with pytest.raises(ValidationError) as caught:
        normalize_id_number(born_2024, today=datetime.date(2024, 3, 1))
    assert caught.value.code == "future_date"


def test_a_number_that_only_looks_clean_still_goes_through_cleaning():
    # The shortcut for already clean input must not let anything else through unexamined.
    assert normalize_id_number(MAN + "\n") == MAN
    assert normalize_id_number(MAN.replace("1", "１", 1)) == MAN
    with_x = _number_ending_in_x()
    assert normalize_id_number(with_x[:17] + "x") == with_x


def test_it_reads_birth_date_and_sex_from_a_protected_value_without_revealing_it():
    protected = protect("id_number", WOMAN)
    assert birth_date_of(protected) == BORN
    assert sex_of(protected) == "F"
    assert id_number_kind(protected) == IdNumberKind.RESIDENT


def test_it_refuses_to_normalise_a_protected_value_again():
    with pytest.raises(TypeError, match="reveal"):
        normalize_id_number(protect("id_number", MAN))


def test_it_refuses_a_protected_mobile_number_as_an_id_number():
    with pytest.raises(TypeError):
        birth_date_of(protect("mobile", "13812345678"))


def test_birth_date_of_and_sex_of_validate_raw_input_first():
    with pytest.raises(ValidationError):
        birth_date_of(MAN[:17])
    with pytest.raises(ValidationError):
        sex_of("1.31128E+17")


def test_make_id_number_takes_a_twelve_digit_division_code_and_the_sex_from_the_sequence():
    number = make_id_number("131128100001", datetime.date(1985, 6, 15), 7)
    assert number.startswith("13112819850615007")
    assert sex_of(number) == "M"


@pytest.mark.parametrize(
    ("region", "sequence"), [("1311", 1), ("13112A", 1), (FUCHENG, 0), (FUCHENG, 1000)]
)
def test_make_id_number_refuses_impossible_parts(region, sequence):
    with pytest.raises(ValueError):
        make_id_number(region, BORN, sequence)


def test_make_id_number_refuses_a_region_that_is_no_province():
    with pytest.raises(ValidationError):
        make_id_number("991128", BORN, 1)


def test_the_validator_reports_errors_on_a_form_field():
    class PersonForm(forms.Form):
        id_number = forms.CharField(validators=[validate_id_number])

    form = PersonForm(data={"id_number": MAN[:17] + "?"})
    assert not form.is_valid()
    assert form.errors["id_number"] == ["公民身份号码第 18 位（校验码）只能是数字或 X。"]
    assert PersonForm(data={"id_number": MAN}).is_valid()


@pytest.mark.parametrize("raw", [True, ["131128"], b"131128199001011231"])
def test_it_refuses_values_that_are_not_text_or_numbers(raw):
    with pytest.raises(TypeError):
        normalize_id_number(raw)
