"""Household health reports, disinfection, reminders, alerts, corrections and the dashboards."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from civicgrid.community import actions, rules, tokens
from civicgrid.community.choices import AlertStatus, RuleKind
from civicgrid.community.models import (
    Alert,
    HealthEntry,
    HealthReport,
    HouseholdReminder,
    PassRecord,
)
from civicgrid.community.tests import factories as f
from civicgrid.core.notifications.models import Notification
from civicgrid.population.tests import factories as pf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rules():
    rules.forget_rules()


@pytest.fixture
def family(personas):
    household, people = f.home(personas.resident_a, members=("王芳", "李强"))
    return household, people


def entries(people, *temps, symptoms=()):
    return [
        actions.EntryInput(p.pk, t, tuple(symptoms)) for p, t in zip(people, temps, strict=True)
    ]


def test_a_household_reports_every_member_and_a_second_report_replaces_the_first(personas, family):
    household, people = family
    actions.do_report_household_health(
        personas.resident_a, household=household, entries=entries(people, "36.5", "36.8")
    )
    actions.do_report_household_health(
        personas.resident_a, household=household, entries=entries(people, "36.6", "36.7")
    )
    report = HealthReport.objects.get()
    assert sorted(str(e.temperature) for e in report.entries.all()) == ["36.6", "36.7"]
    assert not report.has_fever


def test_a_report_for_someone_not_in_the_household_is_refused_and_nothing_is_saved(
    personas, family
):
    household, people = family
    stranger = pf.person(pf.household(room="909"), "陌生人")
    with pytest.raises(ValidationError) as error:
        actions.do_report_household_health(
            personas.resident_a, household=household,
            entries=[*entries(people, "36.5", "36.5"), actions.EntryInput(stranger.pk, "36.5")],
        )  # fmt: skip
    assert "不是本户在住成员" in error.value.message_dict["entries.3.person"][0]
    assert not HealthReport.objects.exists() and not HealthEntry.objects.exists()


def test_a_temperature_of_60_is_refused_naming_the_member(personas, family):
    household, people = family
    with pytest.raises(ValidationError) as error:
        actions.do_report_household_health(
            personas.resident_a, household=household, entries=entries(people, "36.5", "60")
        )
    assert error.value.message_dict["entries.2.temperature"] == [
        "李强：体温 60 ℃ 不在 35.0–42.0 ℃ 之间，请重新测量"
    ]
    assert not HealthReport.objects.exists()


def test_every_living_member_must_be_reported(personas, family):
    household, people = family
    with pytest.raises(ValidationError) as error:
        actions.do_report_household_health(
            personas.resident_a, household=household, entries=entries(people[:1], "36.5")
        )
    assert "还缺 李强" in error.value.message_dict["entries"][0]


def test_the_health_page_reports_and_shows_errors_beside_the_member(client, personas, family):
    household, (wang, li) = family
    client.force_login(personas.resident_a)
    page = client.post(
        "/community/me/health/",
        {"person": [wang.pk, li.pk], f"t_{wang.pk}": "36.5", f"t_{li.pk}": "60"},
    ).content.decode()
    assert "李强：体温 60 ℃" in page and not HealthReport.objects.exists()
    response = client.post(
        "/community/me/health/",
        {"person": [wang.pk, li.pk], f"t_{wang.pk}": "36.5", f"t_{li.pk}": "36.4"},
    )
    assert response.status_code == 302 and HealthReport.objects.get().household == household


def test_a_fever_raises_an_alert_for_the_grid_worker_with_a_readable_rule(personas, family):
    household, people = family
    pf.assign(personas.grid_worker_a1, grid_index=0)
    staff = f.community_staff(personas)
    rule = actions.do_save_alert_rule(
        staff, division_code=f.COMMUNITY_A1, kind=RuleKind.FEVER, threshold=None, is_active=True
    )
    assert "37.3" in rule.description and "网格员核实" in rule.description
    actions.do_report_household_health(
        personas.resident_a, household=household, entries=entries(people, "38.2", "36.5")
    )
    alert = Alert.objects.get()
    assert alert.household == household and "王*" in alert.detail
    note = Notification.objects.get(recipient=personas.grid_worker_a1)
    assert note.url == f"/community/alerts/{alert.pk}/"


def test_a_grid_worker_records_the_finding_and_the_rule_shows_its_hit_rate(
    client, personas, family
):
    household, people = family
    pf.assign(personas.grid_worker_a1, grid_index=0)
    actions.do_save_alert_rule(
        f.community_staff(personas),
        division_code=f.COMMUNITY_A1,
        kind=RuleKind.FEVER,
        threshold=None,
        is_active=True,
    )
    actions.do_report_household_health(
        personas.resident_a, household=household, entries=entries(people, "38.2", "36.5")
    )
    alert = Alert.objects.get()
    client.force_login(personas.grid_worker_a1)
    # The household is a tap away: its page in the grid worker's tool (tap to call, visits).
    household_page = f"/population/grid/households/{household.pk}/"
    assert household_page in client.get(f"/community/alerts/{alert.pk}/").content.decode()
    assert client.get(household_page).status_code == 200
    page = client.post(f"/community/alerts/{alert.pk}/", {"status": "confirmed"}).content.decode()
    assert "请写明核实情况" in page
    client.post(
        f"/community/alerts/{alert.pk}/",
        {"status": "confirmed", "finding": "电话确认，已送发热门诊"},
    )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CONFIRMED and alert.resolved_by == personas.grid_worker_a1
    client.force_login(f.community_staff(personas))
    assert "100.0%" in client.get("/community/rules/").content.decode()


def test_too_many_exits_in_a_day_raises_one_alert(personas, family):
    gate = f.checkpoint(personas)
    actions.do_save_alert_rule(
        f.community_staff(personas),
        division_code=f.COMMUNITY_A1,
        kind=RuleKind.EXITS_PER_DAY,
        threshold=2,
        is_active=True,
    )
    start = timezone.now().replace(hour=4)
    for n in range(4):
        actions.do_scan_as_resident(
            personas.resident_a,
            token=tokens.poster_token(gate),
            direction="out",
            now=start + datetime.timedelta(minutes=n),
        )
    alert = Alert.objects.get()
    assert "今天已外出 3 次" in alert.detail


def test_a_person_under_observation_scanning_out_raises_an_alert(personas, family):
    _household, (wang, _li) = family
    f.observe_at_home(personas, wang)
    gate = f.checkpoint(personas)
    actions.do_save_alert_rule(
        f.community_staff(personas),
        division_code=f.COMMUNITY_A1,
        kind=RuleKind.OBSERVED_OUT,
        threshold=None,
        is_active=True,
    )
    actions.do_scan_as_resident(
        personas.resident_a, token=tokens.poster_token(gate), direction="out"
    )
    assert "医学观察期内的 王*" in Alert.objects.get().detail


def test_only_an_active_observation_trips_the_rule_and_only_on_the_way_out(personas, family):
    """The line list decides who is under observation: a key-person tag of the register (a
    grid-work category) is not observation, a released observation is over, and coming home
    is what observation asks for."""
    from civicgrid.epidemic.observation import do_release_observation
    from civicgrid.population.actions import do_update_person_contact

    _household, (wang, _li) = family
    gate = f.checkpoint(personas)
    actions.do_save_alert_rule(
        f.community_staff(personas), division_code=f.COMMUNITY_A1, kind=RuleKind.OBSERVED_OUT,
        threshold=None, is_active=True,
    )  # fmt: skip
    start = timezone.now().replace(hour=7, minute=0)

    def scan(direction: str, minutes: int) -> actions.PassResult:
        return actions.do_scan_as_resident(
            personas.resident_a, token=tokens.poster_token(gate), direction=direction,
            now=start + datetime.timedelta(minutes=minutes),
        )  # fmt: skip

    do_update_person_contact(None, person=wang, tags=["key_person"])
    assert not scan("out", 0).under_observation and not Alert.objects.exists()
    observation = f.observe_at_home(personas, wang)
    back = scan("in", 1)
    assert back.under_observation and not Alert.objects.exists()
    assert scan("out", 2).under_observation and Alert.objects.count() == 1
    do_release_observation(personas.cdc_a, observation=observation, note="核酸阴性，提前解除")
    Alert.objects.all().delete()
    assert not scan("out", 4).under_observation and not Alert.objects.exists()


def test_the_confirmation_tells_an_observed_resident_and_the_guard_to_stay_home(
    client, personas, family
):
    _household, (wang, _li) = family
    gate = f.checkpoint(personas)
    client.force_login(personas.resident_a)
    form_url = f"/community/s/{tokens.poster_token(gate)}/"
    assert "您正在医学观察期内" not in client.get(form_url).content.decode()
    f.observe_at_home(personas, wang)
    assert "您正在医学观察期内" in client.get(form_url).content.decode()  # before the tap too
    answer = client.post(
        "/api/v1/community/scans",
        {"token": tokens.poster_token(gate), "direction": "out"},
        content_type="application/json",
    )
    assert answer.status_code == 201 and answer.json()["under_observation"] is True
    page = client.post(
        f"/community/s/{tokens.poster_token(gate)}/", {"direction": "in"}, follow=True
    )
    assert "医学观察期内，请居家，不要外出" in page.content.decode()
    staff = f.community_staff(personas)
    client.force_login(staff)
    guard = client.post(
        f"/community/checkpoints/{gate.pk}/guard/",
        {"person_id": wang.pk, "direction": "out"},
        follow=True,
    )
    assert "医学观察期内，请勿外出" in guard.content.decode()


def test_a_rule_that_fired_today_is_not_tried_again_on_the_next_exit(personas, family):
    """An observed person going out again (and again over the exit limit) raises nothing new
    and does not even try to insert one (no savepoint, no failed row): the scan's one read
    already says which of the rules raised today's alert."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _household, (wang, _li) = family
    f.observe_at_home(personas, wang)
    gate = f.checkpoint(personas)
    staff = f.community_staff(personas)
    for kind, threshold in ((RuleKind.OBSERVED_OUT, None), (RuleKind.EXITS_PER_DAY, 1)):
        actions.do_save_alert_rule(
            staff, division_code=f.COMMUNITY_A1, kind=kind, threshold=threshold, is_active=True
        )
    start = timezone.now().replace(hour=5, minute=0)
    for n in range(2):  # the second exit trips the exit limit (and observation again)
        actions.do_scan_as_resident(
            personas.resident_a, token=tokens.poster_token(gate), direction="out",
            now=start + datetime.timedelta(minutes=n),
        )  # fmt: skip
    assert sorted(Alert.objects.values_list("rule__kind", flat=True)) == [
        RuleKind.EXITS_PER_DAY, RuleKind.OBSERVED_OUT,
    ]  # fmt: skip
    notified = Notification.objects.count()
    with CaptureQueriesContext(connection) as queries:
        actions.do_scan_as_resident(
            personas.resident_a, token=tokens.poster_token(gate), direction="out",
            now=start + datetime.timedelta(minutes=2),
        )  # fmt: skip
    sql = " ".join(q["sql"] for q in queries.captured_queries).upper()
    assert 'INSERT INTO "COMMUNITY_ALERT"' not in sql and "SAVEPOINT" not in sql
    assert len(queries.captured_queries) == 2  # the read and the pass
    assert Alert.objects.count() == 2 and Notification.objects.count() == notified
    # Tomorrow is another day: the rules fire again.
    actions.do_scan_as_resident(
        personas.resident_a, token=tokens.poster_token(gate), direction="out",
        now=start + datetime.timedelta(days=1),
    )  # fmt: skip
    assert Alert.objects.filter(rule__kind=RuleKind.OBSERVED_OUT).count() == 2


def test_a_guard_recording_an_observed_person_raises_the_alert_once(personas, family):
    _household, (wang, _li) = family
    f.observe_at_home(personas, wang)
    gate = f.checkpoint(personas)
    staff = f.community_staff(personas)
    actions.do_save_alert_rule(
        staff, division_code=f.COMMUNITY_A1, kind=RuleKind.OBSERVED_OUT, threshold=None,
        is_active=True,
    )  # fmt: skip
    start = timezone.now().replace(hour=6, minute=0)
    for n in range(3):
        actions.do_register_pass_by_guard(
            staff, checkpoint=gate, direction="out", person=wang,
            now=start + datetime.timedelta(minutes=n),
        )  # fmt: skip
    assert Alert.objects.filter(person=wang).count() == 1


def test_another_communitys_alert_today_does_not_silence_this_communitys_rule(personas, family):
    """The alert a rule raised is looked for among the scanning gate's community's rules: a
    person who moved here today after tripping their old community's rule is still seen."""
    _household, (wang, _li) = family
    f.observe_at_home(personas, wang)
    elsewhere = rules.AlertRule.objects.create(
        division_code=f.COMMUNITY_B1, kind=RuleKind.OBSERVED_OUT, is_active=True
    )
    Alert.objects.create(
        rule=elsewhere, division_code=f.COMMUNITY_B1, person=wang, day=timezone.localdate(),
        subject_key=f"p:{wang.pk}", detail="earlier today, in the old community",
    )  # fmt: skip
    actions.do_save_alert_rule(
        f.community_staff(personas), division_code=f.COMMUNITY_A1,
        kind=RuleKind.OBSERVED_OUT, threshold=None, is_active=True,
    )  # fmt: skip
    actions.do_scan_as_resident(
        personas.resident_a, token=tokens.poster_token(f.checkpoint(personas)), direction="out"
    )
    here = Alert.objects.get(division_code=f.COMMUNITY_A1)
    assert here.person == wang and "医学观察期内的 王*" in here.detail


def test_households_silent_for_two_days_raise_alerts_once(personas, family):
    household, _people = family
    actions.do_save_alert_rule(
        f.community_staff(personas),
        division_code=f.COMMUNITY_A1,
        kind=RuleKind.NO_REPORT,
        threshold=2,
        is_active=True,
    )
    assert actions.do_check_missing_reports() == 1
    assert actions.do_check_missing_reports() == 0
    assert Alert.objects.get().household == household


def test_unreported_households_are_reminded_once_in_the_evening(personas, family):
    household, _people = family
    f.checkpoint(personas)
    evening = timezone.localtime().replace(hour=19)
    assert actions.do_remind_unreported_households(evening.replace(hour=9)) == 0
    assert actions.do_remind_unreported_households(evening) == 1
    assert actions.do_remind_unreported_households(evening) == 0
    assert (
        Notification.objects.get(recipient=personas.resident_a).template_code
        == "community_report_reminder"
    )
    assert HouseholdReminder.objects.get().household == household


def test_disinfection_is_logged_and_a_future_time_is_refused(client, personas, family):
    household, _people = family
    with pytest.raises(ValidationError) as error:
        actions.do_log_disinfection(
            personas.resident_a,
            household=household,
            done_at=timezone.now() + datetime.timedelta(hours=2),
            area="kitchen",
            method="chlorine",
        )
    assert "不能晚于现在" in error.value.message_dict["done_at"][0]
    client.force_login(personas.resident_a)
    when = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assert (
        client.post(
            "/community/me/disinfection/",
            {"done_at": when, "area": "kitchen", "method": "chlorine"},
        ).status_code
        == 302
    )
    assert household.disinfections.count() == 1


def test_the_resident_sees_outings_disinfections_and_fever_status(client, personas, family):
    household, people = family
    gate = f.checkpoint(personas)
    actions.do_scan_as_resident(
        personas.resident_a, token=tokens.poster_token(gate), direction="out"
    )
    actions.do_log_disinfection(
        personas.resident_a,
        household=household,
        done_at=timezone.now(),
        area="door",
        method="alcohol",
    )
    actions.do_report_household_health(
        personas.resident_a, household=household, entries=entries(people, "36.5", "36.6")
    )
    client.force_login(personas.resident_a)
    page = client.get("/community/me/").content.decode()
    assert "本周外出次数" in page and "家庭人员无发热症状" in page


def test_a_resident_sees_every_pass_about_them_and_asks_for_a_correction(client, personas, family):
    _household, (wang, _li) = family
    gate = f.checkpoint(personas)
    staff = f.community_staff(personas)
    actions.do_register_pass_by_guard(staff, checkpoint=gate, direction="out", person=wang)
    client.force_login(personas.resident_a)
    assert "门岗登记" in client.get("/community/me/passes/").content.decode()
    record = PassRecord.objects.get()
    client.post(f"/community/me/passes/{record.pk}/correct/", {"reason": "那天我在家"})
    correction = record.corrections.get()
    client.force_login(staff)
    assert "那天我在家" in client.get("/community/corrections/").content.decode()
    client.post(
        f"/community/corrections/{correction.pk}/resolve/",
        {"accept": "1", "resolution": "登记错人"},
    )
    record.refresh_from_db()
    assert record.voided_at is not None
    assert Notification.objects.filter(
        recipient=personas.resident_a, template_code="community_correction_resolved"
    ).exists()


def test_another_resident_cannot_contest_my_pass(client, personas, family):
    gate = f.checkpoint(personas)
    actions.do_scan_as_resident(
        personas.resident_a, token=tokens.poster_token(gate), direction="out"
    )
    client.force_login(personas.resident_b)
    assert (
        client.post(
            f"/community/me/passes/{PassRecord.objects.get().pk}/correct/", {"reason": "x"}
        ).status_code
        == 404
    )


def test_the_community_dashboard_counts_today(client, personas, family):
    gate = f.checkpoint(personas)
    actions.do_scan_as_resident(
        personas.resident_a, token=tokens.poster_token(gate), direction="out"
    )
    actions.do_register_visitor(
        None,
        token=tokens.poster_token(gate),
        direction="in",
        visitor=actions.VisitorInput("李雷", "13912345678", "探亲", "王芳"),
    )
    client.force_login(f.community_staff(personas))
    page = client.get("/community/").content.decode()
    assert 'data-figure="out-now">1<' in page
    assert 'data-figure="not-reported">1<' in page
    response = client.get("/community/export/unreported.xlsx", {"c": f.COMMUNITY_A1})
    assert response.status_code == 200 and response.content[:2] == b"PK"


def test_the_county_sees_its_townships_side_by_side(client, personas, family):
    gate = f.checkpoint(personas)
    actions.do_scan_as_resident(
        personas.resident_a, token=tokens.poster_token(gate), direction="out"
    )
    client.force_login(personas.county_a_officer)
    response = client.get("/community/")
    assert response.status_code == 302 and "/community/overview/?c=131128" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "阜城镇" in page


def test_retention_deletes_old_passes_and_keeps_daily_counts(personas, family, settings):
    from civicgrid.community.models import CheckpointDailyCount

    settings.COMMUNITY_PASS_RETENTION_DAYS = 30
    gate = f.checkpoint(personas)
    old = timezone.now() - datetime.timedelta(days=40)
    actions.do_scan_as_resident(
        personas.resident_a, token=tokens.poster_token(gate), direction="out", now=old
    )
    actions.do_scan_as_resident(
        personas.resident_a,
        token=tokens.poster_token(gate),
        direction="in",
        now=old + datetime.timedelta(hours=1),
    )
    actions.do_scan_as_resident(
        personas.resident_a, token=tokens.poster_token(gate), direction="out"
    )
    assert actions.do_purge_expired_passes() == 2
    assert PassRecord.objects.count() == 1
    counts = CheckpointDailyCount.objects.all()
    assert sum(c.residents for c in counts) == 2
    assert actions.do_purge_expired_passes() == 0


def test_retention_deletes_in_batches_with_the_corrections_of_deleted_passes(personas, family):
    from civicgrid.community.models import PassCorrection
    from civicgrid.community.retention import delete_passes_before

    gate = f.checkpoint(personas)
    start = timezone.now() - datetime.timedelta(days=40)
    for hour in range(7):
        actions.do_scan_as_resident(
            personas.resident_a,
            token=tokens.poster_token(gate),
            direction="out" if hour % 2 == 0 else "in",
            now=start + datetime.timedelta(hours=hour),
        )
    kept = actions.do_scan_as_resident(
        personas.resident_a, token=tokens.poster_token(gate), direction="out"
    ).record
    old = PassRecord.objects.exclude(pk=kept.pk).first()
    actions.do_request_pass_correction(personas.resident_a, record=old, reason="那天我不在家")
    actions.do_request_pass_correction(personas.resident_a, record=kept, reason="不是我")

    assert delete_passes_before(start + datetime.timedelta(days=1), batch=3) == 7
    assert list(PassRecord.objects.values_list("pk", flat=True)) == [kept.pk]
    assert list(PassCorrection.objects.values_list("pass_record_id", flat=True)) == [kept.pk]


def test_the_periodic_jobs_include_the_community_sweeps():
    from civicgrid.core.periodic import default_jobs

    paths = {job.path for job in default_jobs()}
    assert {
        "civicgrid.community.actions.do_purge_expired_passes",
        "civicgrid.community.actions.do_remind_unreported_households",
    } <= paths
