"""AnyOf: a column among many integers, one parameter on either database."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import F

from civicgrid.core.lookups import AnyOf

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    model = get_user_model()
    return [model.objects.create(username=f"any-of-{n}") for n in range(5)]


def test_it_finds_exactly_the_listed_rows(users):
    model = get_user_model()
    wanted = [users[0].pk, users[3].pk, 10**12]  # one id that does not exist
    found = model.objects.filter(AnyOf(F("pk"), wanted)).order_by("pk")
    assert list(found) == [users[0], users[3]]
    assert model.objects.filter(AnyOf(F("pk"), [])).count() == 0
    # Combined with other conditions and negated, as a Q would be.
    others = model.objects.filter(username__startswith="any-of-").exclude(AnyOf(F("pk"), wanted))
    assert set(others) == {users[1], users[2], users[4]}


def test_thousands_of_ids_make_one_parameter_not_thousands(users):
    model = get_user_model()
    ids = [users[2].pk, *range(10**9, 10**9 + 5000)]
    found = model.objects.filter(AnyOf(F("pk"), ids))
    assert list(found) == [users[2]]
    _sql, params = found.query.sql_with_params()
    assert len(params) == 1


def test_values_must_be_integers():
    with pytest.raises((TypeError, ValueError)):
        AnyOf(F("pk"), ["1; DROP TABLE x"])
