"""Observation and health monitoring: flags on the worklist, retries, release, capacity."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from civicgrid.core.testing import COMMUNITY_A1
from civicgrid.epidemic.choices import WorklistFlag as W
from civicgrid.epidemic.models import MonitoringEntry, Observation
from civicgrid.epidemic.observation import (
    ObservationInput,
    do_create_site,
    do_record_check,
    do_release_observation,
    do_start_observation,
    worklist,
)
from civicgrid.epidemic.tests import factories as f

pytestmark = pytest.mark.django_db


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), timezone.get_default_timezone())


@pytest.fixture
def observed(personas):
    _contact, observation = f.observed_contact(personas, f.case(personas))
    return observation


def flags_of(principal, observation, now):
    result = worklist(principal, now=now)
    row = next(r for r in result.rows if r.pk == observation.pk)
    return set(row.flags), result.counts


def test_a_fever_check_flags_the_observation_and_tells_the_team(
    personas, observed, django_capture_on_commit_callbacks
):
    from civicgrid.core.notifications.models import Notification

    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        with_fever = do_record_check(personas.grid_worker_a1, observation=observed, date=today,
                                     slot="am", temperature="37.8", now=at(today, 8))  # fmt: skip
    assert with_fever.created
    flags, counts = flags_of(personas.county_a_officer, observed, at(today, 9))
    assert W.FEVER in flags and counts[W.FEVER] == 1
    assert Notification.objects.filter(recipient=personas.grid_worker_a1).exists()
    do_record_check(personas.grid_worker_a1, observation=observed, date=today, slot="pm",
                    temperature="36.6", now=at(today, 18))  # fmt: skip
    flags, counts = flags_of(personas.county_a_officer, observed, at(today, 19))
    assert W.FEVER not in flags and counts[W.FEVER] == 0


def test_a_symptom_alone_is_a_fever_flag(personas, observed):
    today = timezone.localdate()
    do_record_check(personas.grid_worker_a1, observation=observed, date=today, slot="am",
                    temperature="36.5", symptoms=["咳嗽"], now=at(today, 8))  # fmt: skip
    observed.refresh_from_db()
    assert observed.fever


def test_a_missed_check_is_flagged_once_its_slot_has_closed(personas):
    source = f.case(personas)
    _contact, observation = f.observed_contact(personas, source)
    today = timezone.localdate()
    Observation.objects.filter(pk=observation.pk).update(
        start_date=today - datetime.timedelta(days=1)
    )
    # Nothing recorded since yesterday's start: yesterday evening's slot has closed.
    flags, _counts = flags_of(personas.grid_worker_a1, observation, at(today, 9))
    assert W.MISSED in flags and W.MORNING_DUE in flags
    do_record_check(personas.grid_worker_a1, observation=observation, date=today, slot="am",
                    temperature="36.4", now=at(today, 9))  # fmt: skip
    flags, _ = flags_of(personas.grid_worker_a1, observation, at(today, 10))
    assert W.MISSED not in flags and W.MORNING_DUE not in flags and W.EVENING_DUE in flags
    # Evening comes and goes without a check: at tomorrow's 9 o'clock it is missed.
    tomorrow = today + datetime.timedelta(days=1)
    flags, _ = flags_of(personas.grid_worker_a1, observation, at(tomorrow, 9))
    assert W.MISSED in flags


def test_a_person_placed_today_has_missed_nothing(personas, observed):
    today = timezone.localdate()
    flags, _ = flags_of(personas.cdc_a, observed, at(today, 15))
    assert W.MISSED in flags  # the morning slot closed at noon with no check of today's start
    flags, _ = flags_of(personas.cdc_a, observed, at(today, 9))
    assert W.MISSED not in flags


def test_the_end_of_observation_is_flagged_when_due_and_when_overdue(personas, observed):
    today = timezone.localdate()
    Observation.objects.filter(pk=observed.pk).update(planned_end_date=today)
    flags, counts = flags_of(personas.cdc_a, observed, at(today, 9))
    assert W.END_DUE in flags and counts[W.END_DUE] == 1
    start = today - datetime.timedelta(days=3)
    Observation.objects.filter(pk=observed.pk).update(start_date=start, planned_end_date=start)
    flags, _ = flags_of(personas.cdc_a, observed, at(today, 9))
    assert W.END_DUE in flags
    result = worklist(personas.cdc_a, flag=W.END_DUE, now=at(today, 9))
    assert [r.pk for r in result.rows] == [observed.pk]


def test_a_released_observation_takes_no_more_checks(personas, observed):
    today = timezone.localdate()
    do_release_observation(personas.cdc_a, observation=observed, note="核酸阴性，提前解除")
    with pytest.raises(ValidationError) as error:
        do_record_check(personas.grid_worker_a1, observation=observed, date=today, slot="am",
                        temperature="36.5")  # fmt: skip
    assert "已于" in error.value.message_dict["observation"][0]
    assert not MonitoringEntry.objects.exists()
    assert worklist(personas.cdc_a).total == 0


def test_a_retry_with_the_same_key_returns_the_first_entry(personas, observed):
    today = timezone.localdate()
    first = do_record_check(personas.grid_worker_a1, observation=observed, date=today, slot="am",
                            temperature="36.5", key="phone-1")  # fmt: skip
    again = do_record_check(personas.grid_worker_a1, observation=observed, date=today, slot="am",
                            temperature="36.5", key="phone-1")  # fmt: skip
    assert not again.created and again.entry.pk == first.entry.pk
    with pytest.raises(ValidationError) as error:
        do_record_check(personas.grid_worker_a1, observation=observed, date=today, slot="am",
                        temperature="36.9", key="phone-2")  # fmt: skip
    assert "已记录" in error.value.message_dict["slot"][0]
    observed.refresh_from_db()
    assert observed.checks == 1


@pytest.mark.parametrize(
    ("temperature", "field"), [("abc", "temperature"), ("45", "temperature"), ("", "temperature")]
)
def test_an_impossible_temperature_is_refused(personas, observed, temperature, field):
    with pytest.raises(ValidationError) as error:
        do_record_check(personas.grid_worker_a1, observation=observed, date=timezone.localdate(),
                        slot="am", temperature=temperature)  # fmt: skip
    assert field in error.value.message_dict


def test_a_future_check_and_a_check_by_a_stranger_are_refused(personas, observed):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        do_record_check(personas.grid_worker_a1, observation=observed, date=tomorrow, slot="am",
                        temperature="36.5")  # fmt: skip
    for stranger in (personas.county_b_officer, personas.volunteer_a, personas.resident_a):
        with pytest.raises(ValidationError):
            do_record_check(stranger, observation=observed, date=timezone.localdate(), slot="am",
                            temperature="36.5")  # fmt: skip


def test_the_worklist_is_scoped_to_the_jurisdiction_and_the_team(personas, observed):
    assert worklist(personas.county_a_officer).total == 1
    assert worklist(personas.city_officer).total == 1
    assert worklist(personas.grid_worker_a1).total == 1
    assert worklist(personas.county_b_officer).total == 0
    assert worklist(personas.resident_a).total == 0
    assert worklist(personas.cdc_a, team=personas.organisations["community_a1"]).total == 1


def test_a_site_takes_no_one_beyond_its_capacity(personas):
    site = do_create_site(
        personas.cdc_a, name="示例隔离酒店", division_code=COMMUNITY_A1, capacity=1
    )
    team = personas.organisations["community_a1"]
    from civicgrid.epidemic.line_lists import resolve_person

    first, second = (resolve_person(personas.cdc_a, f.new_person()) for _ in range(2))
    today = timezone.localdate()
    do_start_observation(personas.cdc_a, ObservationInput(person=first, place="site", site=site,
                                                           team=team, start_date=today))  # fmt: skip
    with pytest.raises(ValidationError) as error:
        do_start_observation(personas.cdc_a, ObservationInput(person=second, place="site", site=site,
                                                               team=team, start_date=today))  # fmt: skip
    assert "已满" in error.value.message_dict["site"][0]
    site.refresh_from_db()
    assert site.occupied == 1
    with pytest.raises(ValidationError) as error:
        do_start_observation(personas.cdc_a, ObservationInput(person=first, place="home", team=team,
                                                               start_date=today))  # fmt: skip
    assert "正在医学观察中" in error.value.message_dict["id_number"][0]
