"""Masking: the mask functions, the template filters, and a protected value that never prints plain."""

import copy
import datetime
import json
import logging
import pickle

import pytest
from django.template import Context, Template

from civicgrid.core.idcard import make_id_number
from civicgrid.core.masking import ProtectedValue, mask, mask_id_number, mask_mobile
from civicgrid.core.protected_fields import protect

ID_NUMBER = make_id_number("130102", datetime.date(1990, 1, 1), 123)
MOBILE = "13812345678"


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("130102199001011234", "130102********1234"),
        ("13010219900101123X", "130102********123X"),
        (" 130102 19900101 1234 ", "130102********1234"),
        ("130102900101123", "130102*****1123"),  # a 15-digit first-generation number
        ("1301021990", "**********"),  # too short to keep anything
        ("", ""),
        (None, ""),
    ],
)
def test_it_masks_an_id_number_keeping_region_and_last_four(raw, masked):
    assert mask_id_number(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("0086 138 1234 5678", "138****5678"),
        ("85291234567", "852****4567"),
        ("0311-1234567", "031****4567"),
        ("12345", "*****"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_masks_a_mobile_number_keeping_prefix_and_last_four(raw, masked):
    assert mask_mobile(raw) == masked


def test_it_masks_by_kind_and_refuses_an_unknown_kind():
    assert mask("mobile", MOBILE) == "138****5678"
    with pytest.raises(ValueError, match="unknown kind"):
        mask("passport", "E12345678")


def test_masking_a_masked_value_changes_nothing():
    value = protect("id_number", ID_NUMBER)
    assert mask_id_number(value) == mask_id_number(ID_NUMBER)
    assert mask_mobile(protect("mobile", MOBILE)) == "138****5678"


def test_the_template_filters_mask_plain_strings():
    template = Template("{% load masking %}{{ id_number|mask_id_number }} {{ mobile|mask_mobile }}")
    rendered = template.render(Context({"id_number": ID_NUMBER, "mobile": MOBILE}))
    assert rendered == "130102********1237 138****5678"


def test_the_template_filters_escape_whatever_they_keep():
    template = Template("{% load masking %}{{ value|mask_id_number }}")
    rendered = template.render(Context({"value": "<script>alert(1)</script>"}))
    assert "<script" not in rendered
    assert "&lt;scrip" in rendered


class TestAProtectedValue:
    value = protect("id_number", ID_NUMBER)

    def test_its_text_is_the_masked_number(self):
        assert isinstance(self.value, str)
        assert str(self.value) == "130102********1237"
        assert f"{self.value}" == "130102********1237"
        assert f"{self.value:>20}" == "  130102********1237"
        assert "%s" % self.value == "130102********1237"  # noqa: UP031 - the point is %-formatting
        assert self.value.masked == "130102********1237"

    def test_its_repr_names_the_kind_and_is_masked(self):
        assert repr(self.value) == "<id_number 130102********1237>"
        assert ID_NUMBER not in repr([self.value])

    def test_reveal_gives_the_plain_number(self):
        assert self.value.reveal() == ID_NUMBER
        assert self.value.kind == "id_number"

    def test_json_and_logs_show_it_masked(self, caplog):
        assert json.dumps({"id": self.value}) == '{"id": "130102********1237"}'
        with caplog.at_level(logging.INFO):
            logging.getLogger("civicgrid.test").info("looked up %s", self.value)
        assert ID_NUMBER not in caplog.text
        assert "130102********1237" in caplog.text

    def test_a_template_shows_it_masked_and_cannot_reveal_it(self):
        rendered = Template("{{ v }}|{{ v.reveal }}|{{ v|upper }}").render(
            Context({"v": self.value})
        )
        assert rendered == "130102********1237||130102********1237"

    def test_it_equals_its_plain_number_and_same_numbers_only(self):
        assert self.value == ID_NUMBER
        assert ID_NUMBER == self.value  # noqa: SIM300 - the reflected comparison is the point
        assert self.value == protect("id_number", ID_NUMBER.lower())
        assert self.value != "130102********1237"
        assert self.value != protect("mobile", MOBILE)

    def test_two_numbers_with_the_same_mask_are_not_equal(self):
        other = make_id_number("130102", datetime.date(1991, 1, 1), 123)
        if other[-4:] != ID_NUMBER[-4:]:
            other = next(
                n
                for day in range(1, 29)
                if (n := make_id_number("130102", datetime.date(1991, 2, day), 123))[-4:]
                == ID_NUMBER[-4:]
            )
        twin = protect("id_number", other)
        assert twin.masked == self.value.masked
        assert twin != self.value
        assert len({twin, self.value}) == 2

    def test_it_hashes_like_its_plain_number(self):
        assert {self.value: 1}[ID_NUMBER] == 1
        assert ID_NUMBER in {self.value}

    def test_a_pickle_carries_ciphertext_not_the_plain_number(self):
        data = pickle.dumps(self.value)
        assert ID_NUMBER.encode() not in data
        restored = pickle.loads(data)  # noqa: S301 - our own pickle
        assert isinstance(restored, ProtectedValue)
        assert restored == self.value
        assert restored.masked == self.value.masked

    def test_copying_returns_the_same_value(self):
        assert copy.copy(self.value) is self.value
        assert copy.deepcopy({"v": self.value})["v"] is self.value
