"""Cases, contacts and key persons: one person, one case; IDs checked; history; live totals."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from civicgrid.core.testing import COUNTY_A
from civicgrid.epidemic.choices import CaseStatus, Measure
from civicgrid.epidemic.line_lists import (
    PersonInput,
    do_enter_case,
    do_reclassify_case,
    do_record_outcome,
    do_register_contact,
    do_register_key_person,
)
from civicgrid.epidemic.models import Case, CaseClassification, Contact, LineListTotal
from civicgrid.epidemic.tests import factories as f
from civicgrid.population.models import Person

pytestmark = pytest.mark.django_db


def total(code: str, measure: str) -> int:
    return (
        LineListTotal.objects.filter(division_code=code, measure=measure).aggregate(n=Sum("count"))[
            "n"
        ]
        or 0
    )


def test_a_new_person_is_registered_and_an_existing_one_reused(personas):
    given = f.new_person(name="王新人")
    first = f.case(personas, person=given)
    assert Person.objects.filter(pk=first.person_id, name="王新人").exists()
    contact = do_register_contact(
        personas.cdc_a, person=PersonInput(id_number=given.id_number), case=f.case(personas),
        contact_type="household", last_exposure_date=f.days_ago(1),
    )  # fmt: skip
    assert contact.person_id == first.person_id
    assert Person.objects.filter(id_number=given.id_number).count() == 1


def test_the_same_person_is_never_entered_twice_as_a_case(personas):
    given = f.new_person()
    f.case(personas, person=given, status=CaseStatus.SUSPECTED)
    with pytest.raises(ValidationError) as error:
        f.case(personas, person=PersonInput(id_number=given.id_number))
    assert "该身份证号已有病例记录" in error.value.message_dict["id_number"][0]
    assert Case.objects.count() == 1


def test_the_database_refuses_a_second_case_for_one_person(personas):
    from django.db import IntegrityError, transaction

    existing = f.case(personas)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(
            person_id=existing.person_id, status="suspected", division_code=existing.division_code,
            reporting_unit=existing.reporting_unit, report_date=existing.report_date,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("number", "words"),
    [("131128198503040001", "校验"), ("12345", "位"), ("", "")],
)
def test_an_invalid_id_number_is_refused_with_the_kernels_message_and_nothing_saved(
    personas, number, words
):
    with pytest.raises(ValidationError) as error:
        f.case(personas, person=f.new_person(id_number=number))
    message = error.value.message_dict["id_number"][0]
    assert words in message
    assert not Person.objects.exists() and not Case.objects.exists()
    assert not LineListTotal.objects.exists()


def test_a_new_person_needs_a_name_and_a_community_of_the_jurisdiction(personas):
    with pytest.raises(ValidationError) as error:
        f.case(personas, person=f.new_person(name=""))
    assert "name" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        f.case(personas, person=f.new_person(community=f.COMMUNITY_B1))
    assert "不在您的管辖范围内" in error.value.message_dict["community"][0]
    assert not Person.objects.exists()


def test_only_cdc_and_clinicians_enter_cases(personas):
    for who in ("county_a_officer", "grid_worker_a1"):
        with pytest.raises(ValidationError):
            do_enter_case(getattr(personas, who), person=f.new_person(), status="confirmed")
    assert not Case.objects.exists()


def test_a_future_report_date_is_refused(personas):
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as error:
        f.case(personas, report_date=tomorrow)
    assert "report_date" in error.value.message_dict


def test_reclassification_keeps_history_and_moves_the_figures(personas):
    case = f.case(personas, status=CaseStatus.SUSPECTED)
    community = case.division_code
    assert total(community, Measure.SUSPECTED) == 1
    do_reclassify_case(personas.cdc_a, case=case, to_status=CaseStatus.CONFIRMED, note="核酸阳性")
    case.refresh_from_db()
    assert case.status == CaseStatus.CONFIRMED and case.confirmed_on == f.days_ago(0)
    history = list(
        CaseClassification.objects.filter(case=case).values_list("from_status", "to_status")
    )
    assert history == [("", "suspected"), ("suspected", "confirmed")]
    for code in (community, COUNTY_A, "131100000000", "130000000000"):
        assert total(code, Measure.CONFIRMED) == 1
        assert total(code, Measure.SUSPECTED_CLOSED) == 1
    with pytest.raises(ValidationError) as error:
        do_reclassify_case(personas.cdc_a, case=case, to_status=CaseStatus.EXCLUDED)
    assert "不能订正为" in error.value.message_dict["status"][0]


def test_an_asymptomatic_infection_may_only_become_confirmed(personas):
    case = f.case(personas, status=CaseStatus.ASYMPTOMATIC)
    with pytest.raises(ValidationError):
        do_reclassify_case(personas.cdc_a, case=case, to_status=CaseStatus.EXCLUDED)
    do_reclassify_case(personas.cdc_a, case=case, to_status=CaseStatus.CONFIRMED)
    assert total(COUNTY_A, Measure.ASYMPTOMATIC_CLOSED) == 1


def test_an_outcome_is_recorded_once(personas):
    case = f.case(personas)
    do_record_outcome(personas.cdc_a, case=case, outcome="recovered")
    with pytest.raises(ValidationError):
        do_record_outcome(personas.cdc_a, case=case, outcome="died")
    assert total(COUNTY_A, Measure.RECOVERED) == 1


def test_a_contact_cannot_be_linked_to_a_case_outside_the_jurisdiction(personas):
    from civicgrid.epidemic.tests.factories import sibling_centre

    _centre, clinician_b = sibling_centre()
    case_b = do_enter_case(
        clinician_b, person=f.new_person(community=f.COMMUNITY_B1, id_number=f.id_number("131127")),
        status="confirmed",
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        do_register_contact(
            personas.cdc_a, person=f.new_person(), case=case_b, contact_type="work",
            last_exposure_date=f.days_ago(1),
        )  # fmt: skip
    assert "不在您的管辖范围内" in error.value.message_dict["case"][0]
    assert not Contact.objects.exists()


def test_a_contact_who_becomes_a_case_joins_the_chain_and_leaves_observation(personas):
    source = f.case(personas)
    contact, observation = f.observed_contact(personas, source)
    person = Person.objects.get(pk=contact.person_id)
    later = f.case(personas, person=PersonInput(id_number=person.id_number.reveal()))
    contact.refresh_from_db()
    observation.refresh_from_db()
    assert contact.converted_case == later
    assert later.cluster_id == source.cluster_id == contact.cluster_id
    assert observation.status == "released" and observation.release_note == "转为病例"


def test_a_case_with_named_sources_links_the_chain(personas):
    a, b = f.case(personas), f.case(personas)
    c = f.case(personas, source_cases=[a, b])
    ids = {Case.objects.get(pk=x.pk).cluster_id for x in (a, b, c)}
    assert len(ids) == 1
    from civicgrid.epidemic.models import TransmissionCluster

    assert TransmissionCluster.objects.get().size == 3


def test_a_key_person_is_registered_once_per_arrival(personas):
    given = f.new_person()
    do_register_key_person(personas.grid_worker_a1, person=given, category="high_risk_arrival",
                           arrival_date=f.days_ago(1), origin="某市")  # fmt: skip
    with pytest.raises(ValidationError) as error:
        do_register_key_person(personas.grid_worker_a1, person=PersonInput(id_number=given.id_number),
                               category="high_risk_arrival", arrival_date=f.days_ago(1))  # fmt: skip
    assert "不能重复录入" in error.value.message_dict["id_number"][0]
    assert total(COUNTY_A, Measure.KEY_PERSONS) == 1


@pytest.mark.django_db(transaction=True)
def test_only_one_of_several_concurrent_entries_of_one_person_becomes_a_case(personas):
    """Five epidemiologists enter the same new ID number at the same moment, each on their own
    thread and database connection: one case and one register person; four clear refusals."""
    import threading

    from django.db import connection

    from civicgrid.accounts.actions import do_grant_role
    from civicgrid.accounts.models import User

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite refuses a second writer instead of queueing")
    racers = []
    for n in range(5):
        user = User.objects.create_user(f"cdc_racer_{n}", full_name=f"racer{n}")
        do_grant_role(
            user=user, organisation=personas.organisations["cdc_a"], role="cdc_epidemiologist"
        )
        racers.append(user)
    given = f.new_person(name="并发录入")
    start = threading.Barrier(len(racers))
    won, lost, crashed = [], [], []

    def enter(user) -> None:  # type: ignore[no-untyped-def]
        try:
            User.objects.get(pk=user.pk)  # opens this thread's own connection
            start.wait(timeout=60)
            won.append(do_enter_case(user, person=given, status="confirmed").pk)
        except ValidationError as exc:
            lost.append(exc.message_dict.get("id_number", exc.messages)[0])
        except BaseException as exc:  # reported below
            start.abort()
            crashed.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=enter, args=(u,)) for u in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert crashed == []
    assert len(won) == 1 and len(lost) == 4
    assert all("该身份证号已有病例记录" in message for message in lost)
    assert Person.objects.filter(id_number=given.id_number).count() == 1
    assert total(COUNTY_A, Measure.CONFIRMED) == 1


def test_a_grid_worker_sees_the_key_persons_of_their_own_grids_only(personas):
    from civicgrid.core.testing import COMMUNITY_A1
    from civicgrid.epidemic.models import KeyPerson
    from civicgrid.population.actions import do_assign_grid
    from civicgrid.population.models import Person
    from civicgrid.regions.models import Grid

    mine = Grid.objects.create(division_id=COMMUNITY_A1, number=1, name="第一网格")
    other = Grid.objects.create(division_id=COMMUNITY_A1, number=2, name="第二网格")
    do_assign_grid(personas.admin, grid=mine, user=personas.grid_worker_a1)
    for grid in (mine, other):
        given = f.new_person()
        key_person = do_register_key_person(personas.cdc_a, person=given, category="high_risk_arrival",
                                            arrival_date=f.days_ago(1))  # fmt: skip
        Person.objects.filter(pk=key_person.person_id).update(grid=grid)
        KeyPerson.objects.filter(pk=key_person.pk).update(grid=grid)
    seen = list(
        KeyPerson.objects.visible_to(personas.grid_worker_a1).values_list("grid_id", flat=True)
    )
    assert seen == [mine.pk]
    assert KeyPerson.objects.visible_to(personas.county_a_officer).count() == 2


def test_a_key_person_lands_on_their_grid_workers_worklist_tagged_once(personas):
    """The line list's key person is tagged in the register (with the why in their history),
    which is what the grid worker's daily worklist of key persons to reach reads."""
    from civicgrid.population import selectors
    from civicgrid.population.models import PersonChange
    from civicgrid.population.tests import factories as pf

    home = pf.household()  # in grid_worker_a1's grid
    pf.assign(personas.grid_worker_a1, grid_index=0)
    given = f.new_person()
    key_person = do_register_key_person(personas.cdc_a, person=given, category="high_risk_arrival",
                                        arrival_date=f.days_ago(1), origin="某市")  # fmt: skip
    person = Person.objects.get(pk=key_person.person_id)
    Person.objects.filter(pk=person.pk).update(household=home, grid=home.grid)
    assert set(person.taggings.values_list("tag", flat=True)) == {"key_person"}
    change = PersonChange.objects.get(person=person, field="tags")
    assert (change.old_value, change.new_value) == ("", "key_person")
    assert "登记为重点人员" in change.reason and "抵达" in change.reason
    from django.utils import timezone

    due = selectors.key_persons_due(personas.grid_worker_a1, days=1, today=timezone.localdate())
    assert list(due.values_list("pk", flat=True)) == [person.pk]
    # A second arrival of the same person: the tag is there already, nothing more is written.
    do_register_key_person(personas.cdc_a, person=PersonInput(id_number=given.id_number),
                           category="overseas_arrival", arrival_date=f.days_ago(0))  # fmt: skip
    assert PersonChange.objects.filter(person=person, field="tags").count() == 1


def test_a_key_persons_record_follows_their_household_to_another_grid(personas):
    """Community staff move the household to another grid: its new grid worker sees the line
    list's record, the old one no longer does."""
    from civicgrid.epidemic.models import KeyPerson
    from civicgrid.population.actions import do_assign_grid, do_change_household_grid
    from civicgrid.population.tests import factories as pf

    old_grid, new_grid = pf.grids_of(pf.COMMUNITY_A1)[:2]
    home = pf.household(grid_index=0, room="301")
    person = pf.person(home, "返乡人员")
    key_person = do_register_key_person(
        personas.cdc_a, person=PersonInput(id_number=person.id_number.reveal()),
        category="high_risk_arrival", arrival_date=f.days_ago(1),
    )  # fmt: skip
    assert key_person.grid == old_grid
    do_assign_grid(personas.admin, grid=old_grid, user=personas.grid_worker_a1)
    assert KeyPerson.objects.visible_to(personas.grid_worker_a1).count() == 1
    do_change_household_grid(personas.county_a_officer, household=home, grid=new_grid)
    key_person.refresh_from_db()
    assert key_person.grid == new_grid
    assert not KeyPerson.objects.visible_to(personas.grid_worker_a1).exists()
    do_assign_grid(personas.admin, grid=new_grid, user=personas.grid_worker_a1)
    personas.grid_worker_a1.__dict__.pop("_assigned_grid_ids", None)  # a new request's cache
    assert KeyPerson.objects.visible_to(personas.grid_worker_a1).count() == 1


def test_a_key_person_who_moves_to_another_grid_is_followed_there(personas):
    from civicgrid.population.actions import do_move_person
    from civicgrid.population.tests import factories as pf

    old_grid, new_grid = pf.grids_of(pf.COMMUNITY_A1)[:2]
    person = pf.person(pf.household(grid_index=0, room="302"), "返乡人员")
    key_person = do_register_key_person(
        personas.cdc_a, person=PersonInput(id_number=person.id_number.reveal()),
        category="high_risk_arrival", arrival_date=f.days_ago(1),
    )  # fmt: skip
    assert key_person.grid == old_grid
    do_move_person(
        personas.county_a_officer, person=person, household=pf.household(grid_index=1, room="303")
    )
    key_person.refresh_from_db()
    assert key_person.grid == new_grid
