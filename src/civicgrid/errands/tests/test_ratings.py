"""Ratings both ways, 1–5 with a comment, once per side, after the requester confirmed."""

import pytest
from django.core.exceptions import ValidationError

from civicgrid.errands.actions import do_rate_errand
from civicgrid.errands.models import ErrandRating
from civicgrid.errands.tests import factories as f

pytestmark = pytest.mark.django_db


def test_each_side_rates_the_other_once(personas):
    errand = f.confirmed_errand(personas.resident_a, personas.volunteer_a)
    do_rate_errand(personas.resident_a, errand=errand, score=5, comment="很及时")
    do_rate_errand(personas.volunteer_a, errand=errand, score="4")
    assert sorted(ErrandRating.objects.values_list("side", "score")) == [
        ("by_requester", 5),
        ("by_volunteer", 4),
    ]
    with pytest.raises(ValidationError) as caught:
        do_rate_errand(personas.resident_a, errand=errand, score=1)
    assert caught.value.message_dict == {"score": ["您已评价过这次代购"]}


@pytest.mark.parametrize("score", [0, 6, "五", ""])
def test_a_score_outside_one_to_five_is_refused(personas, score):
    errand = f.confirmed_errand(personas.resident_a, personas.volunteer_a)
    with pytest.raises(ValidationError) as caught:
        do_rate_errand(personas.resident_a, errand=errand, score=score)
    assert caught.value.message_dict == {"score": ["评分须为 1 到 5 星"]}
    assert not ErrandRating.objects.exists()


def test_no_rating_before_confirmation_nor_by_a_stranger(personas):
    errand = f.delivered_errand(personas.resident_a, personas.volunteer_a)
    with pytest.raises(ValidationError) as caught:
        do_rate_errand(personas.resident_a, errand=errand, score=5)
    assert caught.value.message_dict == {"status": ["确认收货后才能评价"]}
    with pytest.raises(ValidationError):
        do_rate_errand(personas.resident_b, errand=errand, score=5)
