"""A household's page: masked members, tap to call through an audited reveal, 404 for others."""

import pytest

from civicgrid.core.audit.models import AuditRecord
from civicgrid.population.actions import do_change_person_status, subject_key_of
from civicgrid.population.choices import PersonStatus, PersonTag, Relationship
from civicgrid.population.tests import factories as f

pytestmark = pytest.mark.django_db
MOBILE = "13800001234"


@pytest.fixture
def home(personas):
    f.assign(personas.grid_worker_a1, grid_index=0)
    return f.household(grid_index=0, room="101")


@pytest.fixture
def head(home):
    return f.person(
        home, "张伟", relationship=Relationship.HEAD, mobile=MOBILE, tags=[PersonTag.KEY_PERSON]
    )


@pytest.fixture
def grid_b_home():
    home = f.household(grid_index=1, room="303")
    f.person(home, "赵强", relationship=Relationship.HEAD, mobile="13700001111")
    return home


def _page(household):
    return f"/population/grid/households/{household.pk}/"


def _call(client, person, **data):
    return client.post(f"/population/grid/persons/{person.pk}/call/", data)


def test_the_page_lists_members_with_masked_id_and_mobile_tags_and_status(
    client, personas, home, head
):
    spouse = f.person(home, "李娜", relationship=Relationship.SPOUSE)
    do_change_person_status(None, person=spouse, status=PersonStatus.MOVED_OUT, reason="外出务工")
    client.force_login(personas.grid_worker_a1)
    body = client.get(_page(home)).content.decode()
    assert "张伟" in body and "户主" in body and "重点人员" in body
    assert "138****1234" in body and MOBILE not in body
    assert str(head.id_number) in body and head.id_number.reveal() not in body
    assert "李娜" in body and "已迁出" in body


def test_a_grid_worker_gets_404_for_another_grids_household_and_the_attempt_is_audited(
    client, personas, home, grid_b_home
):
    client.force_login(personas.grid_worker_a1)
    assert client.get(_page(grid_b_home)).status_code == 404
    denied = AuditRecord.objects.get(action="access_denied")
    assert denied.actor == personas.grid_worker_a1
    assert denied.target_id == str(grid_b_home.pk)


def test_a_missing_household_is_the_same_404_without_an_audit_record(client, personas, home):
    client.force_login(personas.grid_worker_a1)
    assert client.get("/population/grid/households/999999/").status_code == 404
    assert not AuditRecord.objects.filter(action="access_denied").exists()


def test_tap_to_call_reveals_the_number_as_a_tel_link_and_audits_it_on_the_person(
    client, personas, home, head
):
    client.force_login(personas.grid_worker_a1)
    response = _call(client, head, preset="入户排查联系")
    body = response.content.decode()
    assert response.status_code == 200
    assert f'href="tel:{MOBILE}"' in body
    record = AuditRecord.objects.get(action="view_unmasked")
    assert record.actor == personas.grid_worker_a1
    assert record.subject_key == subject_key_of(head)
    assert record.reason == "入户排查联系"
    assert record.details == {"field": "mobile"}


def test_a_typed_reason_works_as_well_as_a_preset_one(client, personas, home, head):
    client.force_login(personas.grid_worker_a1)
    assert MOBILE in _call(client, head, reason="核实返乡日期").content.decode()
    assert AuditRecord.objects.get(action="view_unmasked").reason == "核实返乡日期"


def test_without_a_reason_the_number_stays_hidden_and_nothing_is_written(
    client, personas, home, head
):
    client.force_login(personas.grid_worker_a1)
    body = _call(client, head, reason=" ").content.decode()
    assert MOBILE not in body and "请填写查看完整信息的理由" in body
    assert not AuditRecord.objects.filter(action="view_unmasked").exists()


def test_a_grid_worker_cannot_reveal_a_number_in_another_grid(client, personas, home, grid_b_home):
    client.force_login(personas.grid_worker_a1)
    stranger = grid_b_home.members.get()
    assert _call(client, stranger, preset="入户排查联系").status_code == 404
    assert not AuditRecord.objects.filter(action="view_unmasked").exists()
    assert AuditRecord.objects.filter(action="access_denied").count() == 1


def test_the_county_b_officer_gets_404_and_a_volunteer_403(client, personas, home, head):
    client.force_login(personas.county_b_officer)
    assert client.get(_page(home)).status_code == 404
    assert _call(client, head, preset="x x").status_code == 404
    client.force_login(personas.volunteer_a)
    assert client.get(_page(home)).status_code == 403
    assert not AuditRecord.objects.filter(action="view_unmasked").exists()


def test_the_page_offers_the_call_button_only_for_members_with_a_mobile(
    client, personas, home, head
):
    f.person(home, "张小明", relationship=Relationship.CHILD)
    client.force_login(personas.grid_worker_a1)
    body = client.get(_page(home)).content.decode()
    assert body.count("拨打电话") == 1


def test_the_household_page_takes_a_fixed_number_of_queries(
    client, personas, home, head, django_assert_num_queries
):
    client.force_login(personas.grid_worker_a1)
    client.get(_page(home))
    for n in range(5):
        member = f.person(home, f"成员{n}", mobile=f"1350000{n:04d}", tags=[PersonTag.CHILD])
        f.survey_answer(member, "是" if n % 2 else "否")
    # session with its user, memberships, assignments, household, members, tags, changes,
    # survey answers (+ their questions), visits (+ reached), and the other modules' panels
    # (the community brain's: the members' figures, the household's open alerts, its passes
    # of today)
    with django_assert_num_queries(13):
        assert client.get(_page(home)).status_code == 200


HOUSEHOLD_MOBILE = "13900004321"


@pytest.fixture
def reachable_home(personas):
    f.assign(personas.grid_worker_a1, grid_index=0)
    home = f.household(grid_index=0, room="202")
    home.contact_mobile = HOUSEHOLD_MOBILE
    home.save(update_fields=["contact_mobile", "contact_mobile_hash"])
    return home


def _call_household(client, household, **data):
    return client.post(f"/population/grid/households/{household.pk}/call/", data)


def test_the_households_own_number_is_masked_with_a_call_button(client, personas, reachable_home):
    client.force_login(personas.grid_worker_a1)
    body = client.get(_page(reachable_home)).content.decode()
    assert "139****4321" in body and HOUSEHOLD_MOBILE not in body
    assert body.count("拨打电话") == 1
    assert f"/population/grid/households/{reachable_home.pk}/call/" in body


def test_calling_the_household_reveals_its_number_audited_on_its_head(
    client, personas, reachable_home
):
    head = f.person(reachable_home, "王芳", relationship=Relationship.HEAD)
    reachable_home.refresh_from_db()
    client.force_login(personas.grid_worker_a1)
    body = _call_household(client, reachable_home, preset="入户排查联系").content.decode()
    assert f'href="tel:{HOUSEHOLD_MOBILE}"' in body
    record = AuditRecord.objects.get(action="view_unmasked")
    assert record.subject_key == subject_key_of(head)
    assert record.details == {"field": "contact_mobile"}
    assert record.target_id == str(reachable_home.pk)


def test_a_household_number_needs_a_reason_and_stays_in_its_grid(
    client, personas, reachable_home, grid_b_home
):
    client.force_login(personas.grid_worker_a1)
    body = _call_household(client, reachable_home, reason="").content.decode()
    assert HOUSEHOLD_MOBILE not in body and "请填写查看完整信息的理由" in body
    assert _call_household(client, grid_b_home, preset="入户排查联系").status_code == 404
    client.force_login(personas.volunteer_a)
    assert _call_household(client, reachable_home, preset="入户排查联系").status_code == 403
    assert not AuditRecord.objects.filter(action="view_unmasked").exists()
