import pytest

from civicgrid.core.division_codes import (
    InvalidDivisionCode,
    is_development_zone,
    level_of,
    normalize_code,
    parent_code,
    significant,
    subtree_range,
)


@pytest.mark.parametrize(
    ("raw", "expected", "level"),
    [
        ("13", "130000000000", 1),
        ("1311", "131100000000", 2),
        ("131128", "131128000000", 3),
        ("131128100", "131128100000", 4),
        ("131128100001", "131128100001", 5),
        (" 1311 ", "131100000000", 2),
    ],
)
def test_it_pads_a_significant_prefix_to_twelve_digits(raw, expected, level):
    assert normalize_code(raw) == expected
    assert level_of(expected) == level


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("13ab", "数字"),
        ("", "数字"),
        ("131", "2、4、6、9 或 12"),
        ("1311281000011", "2、4、6、9 或 12"),
        ("00", "00"),
        ("130000000001", "全零"),  # a village hanging directly under the province
        ("1300", "全零"),
    ],
)
def test_it_rejects_malformed_codes_with_a_chinese_reason(raw, reason):
    with pytest.raises(InvalidDivisionCode, match=reason):
        normalize_code(raw)


def test_parent_codes_walk_up_one_level_at_a_time():
    assert parent_code("131128100001") == "131128100000"
    assert parent_code("131128100000") == "131128000000"
    assert parent_code("131128000000") == "131100000000"
    assert parent_code("131100000000") == "130000000000"
    assert parent_code("130000000000") is None


def test_a_subtree_is_a_closed_range_of_codes():
    low, high = subtree_range("131100000000")
    assert (low, high) == ("131100000000", "131199999999")
    assert low <= "131128100001" <= high
    assert not low <= "131200000000" <= high
    assert significant("131128100000") == "131128100"


def test_development_zones_are_county_level_codes_with_a_seven():
    assert is_development_zone("130371000000")
    assert not is_development_zone("131128000000")
    assert not is_development_zone("130371005000")  # a street inside the zone
