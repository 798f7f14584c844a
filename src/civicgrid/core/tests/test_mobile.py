"""Mainland mobile numbers: the forms people type are normalised, everything else says why not."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from civicgrid.core.mobile import normalize_mobile, validate_mobile
from civicgrid.core.protected_fields import protect

NUMBER = "13812345678"


def _rejection(raw: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        normalize_mobile(raw)
    return caught.value


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        " 138 1234 5678 ",
        "138-1234-5678",
        "+8613812345678",
        "+86 138 1234 5678",
        "(+86) 138-1234-5678",
        "0086 13812345678",
        "86 138 1234 5678",
        "１３８１２３４５６７８",
        "＋８６　１３８－１２３４－５６７８",
        "'13812345678",
        "\ufeff13812345678",
        "13812345678.0",
        13812345678,
        13812345678.0,
        Decimal("13812345678"),
    ],
)
def test_it_normalises_the_forms_people_and_spreadsheets_use(raw):
    assert normalize_mobile(raw) == NUMBER


@pytest.mark.parametrize("prefix", ["13", "14", "15", "16", "17", "18", "19"])
def test_it_accepts_every_mobile_network_prefix(prefix):
    assert normalize_mobile(prefix + "012345678") == prefix + "012345678"


@pytest.mark.parametrize("raw", ["", "  ", None])
def test_it_asks_for_a_missing_number(raw):
    error = _rejection(raw)
    assert error.code == "required"
    assert error.messages == ["请填写手机号码。"]


@pytest.mark.parametrize("raw", ["1.38123E+10", "1.3812345678e10", 1.3812345e10 + 0.5])
def test_it_recognises_a_number_mangled_by_a_spreadsheet(raw):
    error = _rejection(raw)
    assert error.code == "spreadsheet"
    assert "疑似被表格软件转换为科学计数法" in error.messages[0]


@pytest.mark.parametrize("raw", ["+852 9123 4567", "+1 415 555 0100", "001 415 555 0100"])
def test_it_rejects_numbers_of_other_countries(raw):
    error = _rejection(raw)
    assert error.code == "foreign"
    assert "只支持中国大陆手机号码" in error.messages[0]


@pytest.mark.parametrize("raw", ["0311-12345678", "010 8765 4321", "+86 0311 1234 5678"])
def test_it_recognises_a_landline(raw):
    error = _rejection(raw)
    assert error.code == "landline"
    assert error.messages == ["这像是固定电话号码，请填写 11 位手机号码。"]


@pytest.mark.parametrize("raw", ["138 1234 567a", "138.1234.5678", "138/1234/5678", "+86 ext"])
def test_it_rejects_letters_and_other_punctuation(raw):
    error = _rejection(raw)
    assert error.code == "non_digit"


@pytest.mark.parametrize(("raw", "length"), [("1381234567", 10), ("138123456789", 12), ("138", 3)])
def test_it_rejects_a_number_of_the_wrong_length(raw, length):
    error = _rejection(raw)
    assert error.code == "length"
    assert error.messages == [f"手机号码应为 11 位，当前为 {length} 位。"]


@pytest.mark.parametrize("raw", ["12812345678", "11012345678", "23812345678"])
def test_it_rejects_a_number_outside_the_mobile_networks(raw):
    error = _rejection(raw)
    assert error.code == "prefix"
    assert error.messages == ["手机号码应以 13–19 开头。"]


def test_a_bare_86_is_only_a_country_code_when_eleven_digits_follow():
    # 8613812345678 is +86 138...; 86123456789 is just too short a number, not "+86 123...".
    assert normalize_mobile("8613812345678") == NUMBER
    assert _rejection("86123456789").code == "prefix"


def test_the_validator_accepts_good_input_and_a_protected_value():
    validate_mobile("+86 138 1234 5678")
    validate_mobile(protect("mobile", NUMBER))
    with pytest.raises(ValidationError):
        validate_mobile("12345")


def test_it_refuses_to_normalise_a_protected_value_again():
    with pytest.raises(TypeError, match="reveal"):
        normalize_mobile(protect("mobile", NUMBER))


@pytest.mark.parametrize("raw", [True, [NUMBER], b"13812345678"])
def test_it_refuses_values_that_are_not_text_or_numbers(raw):
    with pytest.raises(TypeError):
        normalize_mobile(raw)
