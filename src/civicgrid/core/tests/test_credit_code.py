"""Unified social credit codes (GB 32100-2015): structure, both check characters, every message."""

import pytest
from django.core.exceptions import ValidationError

from civicgrid.core.credit_code import (
    ALPHABET,
    AUTHORITIES,
    CHECK_WEIGHTS,
    check_char,
    credit_code_parts,
    make_credit_code,
    normalize_credit_code,
    organisation_check_char,
    validate_credit_code,
)

# The worked example printed in GB 32100-2015 itself.
STANDARD_EXAMPLE = "91350100M000100Y43"
ENTERPRISE = make_credit_code("9", "1", "131128", "MA0C1234")  # an enterprise in 阜城县


def _rejection(raw: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        normalize_credit_code(raw)
    return caught.value


def _with_checks(first16: str) -> str:
    first17 = first16 + organisation_check_char(first16[8:16])
    return first17 + check_char(first17)


def test_the_alphabet_has_31_characters_without_i_o_z_s_v():
    assert len(ALPHABET) == 31
    assert not set("IOZSV") & set(ALPHABET)


def test_the_weights_are_powers_of_three_mod_31():
    assert CHECK_WEIGHTS[:6] == (1, 3, 9, 27, 19, 26)
    assert CHECK_WEIGHTS[-1] == 28


def test_it_accepts_the_example_of_the_standard():
    assert normalize_credit_code(STANDARD_EXAMPLE) == STANDARD_EXAMPLE


def test_the_organisation_code_check_follows_gb_11714():
    # Position 17 of the standard's example is the check of M000100Y under GB 11714,
    # which values letters A=10 ... Z=35 (M=22), unlike the 31-character alphabet.
    assert organisation_check_char("M000100Y") == "4"
    assert organisation_check_char("60003734") == "1"


def test_it_normalises_case_spaces_and_full_width_characters():
    spaced = f" {ENTERPRISE[:2]} {ENTERPRISE[2:8]} {ENTERPRISE[8:].lower()} "
    assert normalize_credit_code(spaced) == ENTERPRISE
    full_width = ENTERPRISE.translate(
        {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHJKLMNPQRTUWXY"}
    )
    assert normalize_credit_code(full_width) == ENTERPRISE


@pytest.mark.parametrize(
    ("authority", "organisation_type"),
    [(a, t) for a, (_, types) in AUTHORITIES.items() for t in types],
)
def test_it_accepts_every_authority_and_type_of_the_standard(authority, organisation_type):
    code = make_credit_code(authority, organisation_type, "130000", "12345678")
    assert normalize_credit_code(code) == code


def test_it_accepts_the_central_authorities_region_100000():
    code = make_credit_code("1", "1", "100000", "00001312")
    assert credit_code_parts(code).region == "100000"


@pytest.mark.parametrize("raw", ["", "  ", None])
def test_it_asks_for_a_missing_code(raw):
    error = _rejection(raw)
    assert error.code == "required"
    assert error.messages == ["请填写统一社会信用代码。"]


@pytest.mark.parametrize(("raw", "length"), [(ENTERPRISE[:17], 17), (ENTERPRISE + "0", 19)])
def test_it_rejects_a_code_of_the_wrong_length(raw, length):
    error = _rejection(raw)
    assert error.code == "length"
    assert error.messages == [f"统一社会信用代码应为 18 位，当前为 {length} 位。"]


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_it_names_a_letter_the_standard_leaves_out_and_where_it_is(letter):
    error = _rejection(ENTERPRISE[:10] + letter + ENTERPRISE[11:])
    assert error.code == "bad_char"
    assert error.params == {"position": 11, "char": letter}
    assert f"第 11 位“{letter}”不是允许的字符" in error.messages[0]


def test_it_rejects_punctuation_inside_a_code():
    assert _rejection(ENTERPRISE[:17] + "-").code == "bad_char"


@pytest.mark.parametrize("authority", ["0", "B", "M", "X"])
def test_it_rejects_an_unknown_registration_authority(authority):
    error = _rejection(_with_checks(authority + "1131128MA0C1234"))
    assert error.code == "authority"
    assert f"第 1 位（登记管理部门代码）“{authority}”无效" in error.messages[0]


@pytest.mark.parametrize(
    ("authority", "organisation_type"), [("9", "9"), ("9", "4"), ("Y", "2"), ("5", "A")]
)
def test_it_rejects_a_type_the_authority_does_not_define(authority, organisation_type):
    error = _rejection(_with_checks(authority + organisation_type + "131128MA0C1234"))
    assert error.code == "type"
    assert (
        f"“{organisation_type}”不是登记管理部门“{AUTHORITIES[authority][0]}”规定的类别"
        in (error.messages[0])
    )


@pytest.mark.parametrize("region", ["13A128", "991128", "001128", "20112B"])
def test_it_rejects_a_region_code_that_is_not_a_province(region):
    error = _rejection(_with_checks("91" + region + "MA0C1234"))
    assert error.code == "region"
    assert "第 3–8 位（登记管理机关行政区划码）" in error.messages[0]


def test_it_rejects_a_wrong_organisation_code_check_character():
    right = ENTERPRISE[16]
    wrong = "1" if right != "1" else "2"
    first17 = ENTERPRISE[:16] + wrong
    error = _rejection(first17 + check_char(first17))  # the final check is made to match
    assert error.code == "organisation_check"
    assert error.params == {"expected": right}
    assert f"第 17 位应为 {right}" in error.messages[0]


def test_it_rejects_a_wrong_final_check_character_and_says_which_was_expected():
    right = ENTERPRISE[17]
    wrong = "0" if right != "0" else "1"
    error = _rejection(ENTERPRISE[:17] + wrong)
    assert error.code == "check"
    assert error.params == {"expected": right}
    assert f"第 18 位应为 {right}" in error.messages[0]


def test_it_splits_a_code_into_its_parts():
    parts = credit_code_parts(STANDARD_EXAMPLE)
    assert parts.authority == "9"
    assert parts.organisation_type == "1"
    assert parts.region == "350100"
    assert parts.organisation_code == "M000100Y4"
    assert parts.check == "3"


def test_the_validator_raises_on_bad_codes_only():
    validate_credit_code(STANDARD_EXAMPLE)
    with pytest.raises(ValidationError):
        validate_credit_code(STANDARD_EXAMPLE[:17] + "0")


def test_it_refuses_a_value_that_is_not_text():
    with pytest.raises(TypeError):
        normalize_credit_code(91350100)
