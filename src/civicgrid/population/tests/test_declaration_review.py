"""Verifying a resident's declaration: into the household the register has at that address,
at an address the reviewer corrected, and never into a second household at one address."""

import datetime

import pytest

from civicgrid.core.idcard import make_id_number
from civicgrid.population.choices import DeclarationStatus, Relationship
from civicgrid.population.declarations import MemberInput, do_declare_household
from civicgrid.population.models import Household, HouseholdDeclaration, Person, PersonChange
from civicgrid.population.tests import factories as f
from civicgrid.regions.models import Division

pytestmark = pytest.mark.django_db
REVIEW = "/population/self/review/"
HEAD_ID = make_id_number("131128", datetime.date(1975, 4, 2), 31)
CHILD_ID = make_id_number("131128", datetime.date(2010, 9, 9), 32)


def _declare(resident, *, room="301", members=None) -> HouseholdDeclaration:
    return do_declare_household(
        resident,
        community=Division.objects.get(code=f.COMMUNITY_A1),
        building="3号楼",
        unit="2单元",
        room=room,
        contact_mobile="",
        members=members
        or [
            MemberInput("王建国", HEAD_ID, "head", True),
            MemberInput("王小雨", CHILD_ID, "child", False),
        ],
    )


def _verify(client, declaration, **address):
    grid = f.grids_of(f.COMMUNITY_A1)[0]
    return client.post(f"{REVIEW}{declaration.pk}/verify/", {"grid": grid.pk, **address})


@pytest.fixture
def reviewer(client, personas):
    f.assign(personas.grid_worker_a1, grid_index=0)
    client.force_login(personas.grid_worker_a1)
    return client


def test_a_declaration_joins_the_household_the_register_has_at_that_address(reviewer, personas):
    community = Division.objects.get(code=f.COMMUNITY_A1)
    from civicgrid.population.actions import do_create_household

    home = do_create_household(
        None, community=community, grid=f.grids_of(f.COMMUNITY_A1)[1], building="3号楼",
        unit="2单元", room="301",
    )  # fmt: skip
    grandma = f.person(
        home, "李秀英", born=datetime.date(1950, 1, 1), relationship=Relationship.HEAD
    )
    declaration = _declare(personas.resident_a)
    assert "台账中这个地址已有住户（户主 李秀英）" in reviewer.get(REVIEW).content.decode()
    _verify(reviewer, declaration, building="3号楼", unit="2单元", room="301")
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.VERIFIED and declaration.household == home
    assert Household.objects.count() == 1
    home.refresh_from_db()
    assert sorted(home.members.values_list("name", flat=True)) == ["李秀英", "王小雨", "王建国"]
    assert home.head.name == "王建国" and home.grid == f.grids_of(f.COMMUNITY_A1)[1]
    grandma.refresh_from_db()
    assert grandma.relationship == Relationship.OTHER  # no longer the head: her history says so
    change = PersonChange.objects.get(person=grandma, field="relationship")
    assert (change.old_value, change.new_value) == (Relationship.HEAD, Relationship.OTHER)


def test_the_reviewer_corrects_the_address_and_the_resident_sees_the_correction(
    client, reviewer, personas
):
    declaration = _declare(personas.resident_a, room="3O1")  # a letter O typed for a zero
    _verify(reviewer, declaration, building="3号楼", unit="2单元", room="301")
    declaration.refresh_from_db()
    assert declaration.household.room == "301"
    assert declaration.review_note == "核实时住址更正为 3号楼 2单元 301"
    client.force_login(personas.resident_a)
    assert "核实时住址更正为 3号楼 2单元 301" in client.get("/population/self/").content.decode()


def test_an_address_without_a_room_is_refused_and_nothing_is_verified(reviewer, personas):
    declaration = _declare(personas.resident_a)
    page = reviewer.post(
        f"{REVIEW}{declaration.pk}/verify/",
        {"grid": f.grids_of(f.COMMUNITY_A1)[0].pk, "building": "3号楼", "room": "  "},
        follow=True,
    ).content.decode()
    assert "请填写门牌/房号" in page
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.PENDING
    assert not Household.objects.exists() and not Person.objects.exists()


def test_an_uncorrected_address_leaves_no_note(reviewer, personas):
    declaration = _declare(personas.resident_a)
    _verify(reviewer, declaration, building="3号楼 ", unit="2单元", room="301")
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.VERIFIED and declaration.review_note == ""


def test_the_worklist_says_how_many_declarations_wait_in_the_workers_communities(
    reviewer, personas
):
    assert "待核实" not in reviewer.get("/population/grid/worklist/").content.decode()
    declaration = _declare(personas.resident_a)
    page = reviewer.get("/population/grid/worklist/").content.decode()
    assert "1 份居民自主登记待核实" in page and REVIEW in page
    _verify(reviewer, declaration, building="3号楼", unit="2单元", room="301")
    assert "待核实" not in reviewer.get("/population/grid/worklist/").content.decode()
    _declare(personas.resident_b, room="302")
    personas.grid_worker_a1.grid_assignments.all().delete()
    f.assign(personas.grid_worker_a1, f.COMMUNITY_B1)  # now a grid worker of another county
    assert "待核实" not in reviewer.get("/population/grid/worklist/").content.decode()


def test_the_review_page_finds_every_existing_household_in_one_query(
    reviewer, personas, django_assert_num_queries
):
    from civicgrid.accounts.models import User

    community = Division.objects.get(code=f.COMMUNITY_A1)
    from civicgrid.population.actions import do_create_household

    for n in range(6):
        resident = User.objects.create_user(f"declarer-{n}", is_resident=True)
        number = make_id_number("131128", datetime.date(1980, 1, 1), 50 + n)
        _declare(resident, room=f"50{n}", members=[MemberInput(f"居民{n}", number, "head", True)])
        if n % 2:  # every other address is already in the register
            home = do_create_household(
                None, community=community, grid=f.grids_of(f.COMMUNITY_A1)[0],
                building="3号楼", unit="2单元", room=f"50{n}",
            )  # fmt: skip
            f.person(home, f"老住户{n}", relationship="head")
    reviewer.get(REVIEW)
    # session with its user, memberships, assignments, declarations (+ members), the existing
    # households with their heads, survey answers to follow up, grids
    with django_assert_num_queries(8):
        page = reviewer.get(REVIEW).content.decode()
    assert page.count("台账中这个地址已有住户") == 3
    assert "户主 老住户1" in page and "户主 老住户3" in page and "户主 老住户5" in page
