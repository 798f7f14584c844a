"""A grid worker corrects a person's mobile and tags from their phone: the change is in the
person's history, a key person whose follow-up ended leaves the worklist, a bad number or an
unknown tag changes nothing."""

import pytest

from civicgrid.population.actions import do_update_person_contact
from civicgrid.population.choices import PersonTag
from civicgrid.population.models import Person, PersonChange
from civicgrid.population.tests import factories as f

pytestmark = pytest.mark.django_db
WORKLIST = "/population/grid/worklist/"


@pytest.fixture
def arrival(personas):
    """周凯, back from a risk area: a key person on grid_worker_a1's worklist."""
    home = f.household(grid_index=0, room="101")
    person = f.person(home, "周凯", tags=[PersonTag.KEY_PERSON])
    do_update_person_contact(None, person=person, mobile="13800001111")
    f.assign(personas.grid_worker_a1, grid_index=0)
    return person


def _url(person: Person) -> str:
    return f"/population/grid/persons/{person.pk}/change/"


def _tags(person: Person) -> set[str]:
    return set(person.taggings.values_list("tag", flat=True))


def test_ending_a_key_persons_follow_up_takes_them_off_the_worklist(client, personas, arrival):
    client.force_login(personas.grid_worker_a1)
    assert "周凯" in client.get(WORKLIST).content.decode()
    page = client.get(_url(arrival)).content.decode()
    assert 'value="key_person"' in page and "checked" in page.split('value="key_person"')[1][:40]
    assert "尾号 1111" in page and "13800001111" not in page  # the number is not shown in full
    response = client.post(
        _url(arrival),
        {"contact": "1", "mobile": "", "tags": ["elderly_alone"], "reason": "14 天随访期满"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/population/grid/households/{arrival.household_id}/"
    assert _tags(arrival) == {"elderly_alone"}
    change = PersonChange.objects.get(person=arrival, field="tags")
    assert (change.old_value, change.new_value, change.reason) == (
        "key_person", "elderly_alone", "14 天随访期满",
    )  # fmt: skip
    arrival.refresh_from_db()
    assert arrival.mobile.reveal() == "13800001111"  # left blank: kept
    assert "周凯" not in client.get(WORKLIST).content.decode()


def test_a_new_mobile_is_normalised_and_kept_in_the_history_masked(client, personas, arrival):
    client.force_login(personas.grid_worker_a1)
    client.post(
        _url(arrival), {"contact": "1", "mobile": "+86 139 0000 2222", "tags": ["key_person"]}
    )
    arrival.refresh_from_db()
    assert arrival.mobile.reveal() == "13900002222" and arrival.mobile_last4 == "2222"
    change = PersonChange.objects.filter(person=arrival, field="mobile").latest("pk")
    assert change.new_value == "139****2222" and change.old_value == "138****1111"
    assert "13900002222" not in change.new_value and "13800001111" not in change.old_value
    assert _tags(arrival) == {"key_person"}  # unchanged: no tag history
    assert not PersonChange.objects.filter(person=arrival, field="tags").exists()


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"mobile": "1380000", "tags": []}, "手机"),
        ({"mobile": "", "tags": ["wizard"]}, "没有“wizard”这个标签"),
    ],
)
def test_a_bad_number_or_an_unknown_tag_changes_nothing(client, personas, arrival, form, message):
    history = PersonChange.objects.filter(person=arrival).count()
    client.force_login(personas.grid_worker_a1)
    response = client.post(_url(arrival), {"contact": "1", **form})
    assert response.status_code == 200 and message in response.content.decode()
    arrival.refresh_from_db()
    assert arrival.mobile.reveal() == "13800001111" and _tags(arrival) == {"key_person"}
    assert PersonChange.objects.filter(person=arrival).count() == history


def test_someone_of_another_grid_cannot_be_changed(client, personas, arrival):
    stranger = f.person(f.household(grid_index=1, room="B-1"), "别的网格", tags=[PersonTag.CHILD])
    client.force_login(personas.grid_worker_a1)
    response = client.post(_url(stranger), {"contact": "1", "mobile": "", "tags": []})
    assert response.status_code == 404 and _tags(stranger) == {"child"}
