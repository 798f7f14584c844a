"""Residents declare their household and answer the survey; grid workers verify."""

import datetime

import pytest

from civicgrid.core.audit.models import AuditRecord
from civicgrid.core.idcard import make_id_number
from civicgrid.population.choices import DeclarationStatus
from civicgrid.population.models import (
    HouseholdDeclaration,
    Person,
    Survey,
    SurveyQuestion,
    SurveyResponse,
)
from civicgrid.population.tests import factories as f

pytestmark = pytest.mark.django_db

HEAD_ID = make_id_number("131128", datetime.date(1975, 4, 2), 11)
CHILD_ID = make_id_number("131128", datetime.date(2010, 9, 9), 22)


def _declare(client, *, members=None, community=f.COMMUNITY_A1):
    members = members or [
        ("王建国", HEAD_ID, "head", True),
        ("王小雨", CHILD_ID, "child", False),
    ]
    data = {
        "community": community,
        "building": "3号楼",
        "unit": "2单元",
        "room": "301",
        "contact_mobile": "",
        "m-TOTAL_FORMS": str(len(members)),
        "m-INITIAL_FORMS": "0",
        "m-MIN_NUM_FORMS": "1",
        "m-MAX_NUM_FORMS": "20",
    }
    for i, (name, number, rel, me) in enumerate(members):
        data |= {f"m-{i}-name": name, f"m-{i}-id_number": number, f"m-{i}-relationship": rel}
        if me:
            data[f"m-{i}-is_declarant"] = "on"
    return client.post("/population/self/declare/", data)


def test_a_resident_declares_and_the_grid_worker_verifies_into_the_register(client, personas):
    client.force_login(personas.resident_a)
    assert _declare(client).status_code == 302
    declaration = HouseholdDeclaration.objects.get()
    assert declaration.status == DeclarationStatus.PENDING
    f.assign(personas.grid_worker_a1, grid_index=0)
    client.force_login(personas.grid_worker_a1)
    page = client.get("/population/self/review/").content.decode()
    assert "王建国" in page and HEAD_ID not in page  # masked for the reviewer too
    grid = f.grids_of(f.COMMUNITY_A1)[0]
    client.post(f"/population/self/review/{declaration.pk}/verify/", {"grid": grid.pk})
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.VERIFIED
    assert set(Person.objects.values_list("name", flat=True)) == {"王建国", "王小雨"}
    assert declaration.household.head.name == "王建国"
    personas.resident_a.refresh_from_db()
    assert personas.resident_a.id_number == HEAD_ID  # now linked: reads of the record reach them
    assert any(k.startswith("id:") for k in personas.resident_a.audit_subject_keys())


def test_bad_id_numbers_are_named_per_member_and_nothing_is_saved(client, personas):
    client.force_login(personas.resident_a)
    bad = HEAD_ID[:-1] + ("0" if HEAD_ID[-1] != "0" else "1")
    response = _declare(
        client, members=[("王建国", bad, "head", True), ("王小雨", "1.31128E+17", "child", False)]
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "校验码" in body or "校验" in body
    assert "科学计数法" in body
    assert not HouseholdDeclaration.objects.exists()


def test_exactly_one_head_and_no_repeated_numbers(client, personas):
    client.force_login(personas.resident_a)
    body = _declare(
        client, members=[("甲", HEAD_ID, "child", True), ("乙", HEAD_ID, "child", False)]
    ).content.decode()
    assert "户主" in body and "重复" in body
    assert not HouseholdDeclaration.objects.exists()


def test_an_unknown_community_is_said_clearly(client, personas):
    client.force_login(personas.resident_a)
    body = _declare(client, community="不存在的社区").content.decode()
    assert "没有找到" in body


def test_someone_already_in_the_register_moves_instead_of_being_duplicated(client, personas):
    old_home = f.household(grid_index=1, room="B-9")
    from civicgrid.population.actions import do_register_person

    do_register_person(None, id_number=HEAD_ID, name="王建国", household=old_home)
    client.force_login(personas.resident_a)
    _declare(client)
    declaration = HouseholdDeclaration.objects.get()
    from civicgrid.population.declarations import do_verify_declaration

    verified = do_verify_declaration(
        personas.admin, declaration=declaration, grid=f.grids_of(f.COMMUNITY_A1)[0]
    )
    assert Person.objects.filter(id_number=HEAD_ID).count() == 1
    moved = Person.objects.get(id_number=HEAD_ID)
    assert moved.household == verified.household
    assert verified.household.head == moved
    assert moved.relationship == "head" and moved.changes.filter(field="household").exists()


def test_a_grid_worker_of_another_county_cannot_verify(client, personas):
    client.force_login(personas.resident_a)
    _declare(client)
    declaration = HouseholdDeclaration.objects.get()
    client.force_login(personas.county_b_officer)
    assert (
        client.post(f"/population/self/review/{declaration.pk}/verify/", {"grid": 1}).status_code
        == 404
    )
    assert AuditRecord.objects.filter(action="access_denied").exists()


def test_returning_needs_a_reason_and_the_resident_sees_it(client, personas):
    client.force_login(personas.resident_a)
    _declare(client)
    declaration = HouseholdDeclaration.objects.get()
    client.force_login(personas.county_a_officer)
    client.post(f"/population/self/review/{declaration.pk}/return/", {"note": ""})
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.PENDING
    client.post(f"/population/self/review/{declaration.pk}/return/", {"note": "房号有误"})
    client.force_login(personas.resident_a)
    assert "房号有误" in client.get("/population/self/").content.decode()


@pytest.fixture
def survey():
    s = Survey.objects.create(title="返乡人员防疫调查", division_code="131128000000")
    SurveyQuestion.objects.create(
        survey=s, order=1, text="14 天内是否到过中高风险地区？", kind="yes_no", risk_answer="是"
    )
    SurveyQuestion.objects.create(
        survey=s,
        order=2,
        text="目前体温",
        kind="choice",
        options=["正常", "发热"],
        risk_answer="发热",
    )
    return s


def test_a_risky_answer_puts_the_resident_on_the_worklist(client, personas, survey):
    client.force_login(personas.resident_a)
    _declare(client)
    home = client.get("/population/self/").content.decode()
    assert "返乡人员防疫调查" in home
    q1, q2 = survey.questions.all()
    response = client.post(
        f"/population/self/surveys/{survey.pk}/", {f"q{q1.pk}": "是", f"q{q2.pk}": "正常"}
    )
    assert response.status_code == 302
    answer = SurveyResponse.objects.get()
    assert answer.flagged and answer.division_code == f.COMMUNITY_A1
    client.force_login(personas.county_a_officer)
    assert "返乡人员防疫调查" in client.get("/population/self/review/").content.decode()


def test_unanswered_or_invented_answers_are_refused(client, personas, survey):
    client.force_login(personas.resident_a)
    _declare(client)
    q1, q2 = survey.questions.all()
    body = client.post(
        f"/population/self/surveys/{survey.pk}/", {f"q{q1.pk}": "也许", f"q{q2.pk}": ""}
    ).content.decode()
    assert "请选择“是”或“否”" in body and "请回答" in body
    assert not SurveyResponse.objects.exists()


def test_a_survey_of_another_county_is_not_offered(client, personas):
    other = Survey.objects.create(title="景县调查", division_code="131127000000")
    client.force_login(personas.resident_a)
    _declare(client)
    assert client.get(f"/population/self/surveys/{other.pk}/").status_code == 404


def test_a_resident_is_found_by_id_number_else_by_a_mobile_only_one_living_person_has(personas):
    from civicgrid.population.declarations import person_of

    resident = personas.resident_a
    resident.id_number = None
    resident.mobile = "13912340000"
    resident.save()
    home = f.household(room="808")
    assert person_of(resident) is None
    mother = f.person(home, "周敏", mobile="13912340000")
    assert person_of(resident) == mother
    f.person(home, "周小敏", mobile="13912340000")  # the family shares one phone: ambiguous
    assert person_of(resident) is None
    resident.id_number = mother.id_number.reveal()
    resident.save()
    assert person_of(resident) == mother
