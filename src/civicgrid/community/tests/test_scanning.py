"""Scanning at a gate: a resident's one tap, double taps, visitors, the guard, bad codes."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.utils import timezone

from civicgrid.community import actions, tokens
from civicgrid.community.choices import Direction, PassKind, Proof
from civicgrid.community.models import PassRecord
from civicgrid.community.tests import factories as f
from civicgrid.core.audit.models import AuditRecord
from civicgrid.population.selectors import age_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def gate(personas):
    return f.checkpoint(personas)


def scan_url(gate) -> str:
    return f"/community/s/{tokens.poster_token(gate)}/"


def test_an_anonymous_phone_is_offered_resident_sign_in_or_the_visitor_form(client, gate):
    page = client.get(scan_url(gate)).content.decode()
    assert "/accounts/login/code/?next=/community/s/" in page
    assert "我是访客" in page


def test_a_resident_records_out_with_one_tap_and_the_guard_reads_the_result(client, personas, gate):
    household, (me,) = f.home(personas.resident_a, members=("王芳",))
    client.force_login(personas.resident_a)
    assert "王芳，请选择" in client.get(scan_url(gate)).content.decode()
    response = client.post(scan_url(gate), {"direction": "out"})
    page = response.content.decode()
    record = PassRecord.objects.get()
    assert (record.person, record.household, record.direction) == (me, household, Direction.OUT)
    assert (record.kind, record.proof, record.user) == (
        PassKind.RESIDENT,
        Proof.POSTER,
        personas.resident_a,
    )
    assert "王*" in page and "王芳" not in page
    assert "今日家庭健康：未报告" in page
    assert client.session.get_expiry_age() > 30 * 24 * 3600  # stays signed in on this phone


def test_a_resident_found_by_mobile_scans_too(client, personas, gate):
    f.home(personas.resident_a, by="mobile")
    client.force_login(personas.resident_a)
    client.post(scan_url(gate), {"direction": "in"})
    assert PassRecord.objects.get().direction == Direction.IN


def test_a_double_tap_records_one_pass(client, personas, gate):
    f.home(personas.resident_a)
    client.force_login(personas.resident_a)
    client.post(scan_url(gate), {"direction": "out"})
    second = client.post(scan_url(gate), {"direction": "out"}).content.decode()
    assert PassRecord.objects.count() == 1
    assert "本次未重复记录" in second
    client.post(scan_url(gate), {"direction": "in"})  # coming back in is another pass
    assert PassRecord.objects.count() == 2


def test_the_database_refuses_a_second_pass_in_the_same_tap_window(personas, gate):
    """Two taps that both passed the look-back (a race) meet the unique tap window."""
    f.home(personas.resident_a)
    moment = timezone.now().replace(microsecond=0)
    first = actions.do_scan_as_resident(
        personas.resident_a, token=tokens.poster_token(gate), direction="out", now=moment
    )
    # A clock a little behind on the racing request: the look-back cannot see the first.
    earlier = moment - datetime.timedelta(microseconds=1)
    if int(earlier.timestamp()) // actions.DOUBLE_TAP_SECONDS != first.record.tap_window:
        earlier = moment  # the window began at this very second; nothing to race against
    again = actions.do_scan_as_resident(
        personas.resident_a, token=tokens.poster_token(gate), direction="out", now=earlier
    )
    assert again.record == first.record and not again.created
    assert PassRecord.objects.count() == 1


@pytest.mark.parametrize("who", ["resident", "visitor"])
def test_a_double_tap_across_a_tap_window_boundary_is_still_one_pass(personas, gate, who):
    """The look-back searches from the window's first tap window on: a second tap 9 s later,
    in the next window, repeats the first; one 11 s later is a new pass."""
    f.home(personas.resident_a)
    window = int(timezone.now().timestamp()) // actions.DOUBLE_TAP_SECONDS - 1
    start = datetime.datetime.fromtimestamp(
        (window + 1) * actions.DOUBLE_TAP_SECONDS - 1, tz=datetime.UTC
    )  # the last second of the tap window before this one

    def tap(after: int):  # type: ignore[no-untyped-def]
        moment = start + datetime.timedelta(seconds=after)
        if who == "resident":
            return actions.do_scan_as_resident(
                personas.resident_a, token=tokens.poster_token(gate), direction="out", now=moment
            )
        visitor = actions.VisitorInput("刘洋", "13700001111", "探亲", "王芳")
        return actions.do_register_visitor(
            None, token=tokens.poster_token(gate), direction="out", visitor=visitor, now=moment
        )

    first = tap(0)
    again = tap(9)  # in the next tap window
    assert (again.created, again.record.pk) == (False, first.record.pk)
    later = tap(11)
    assert later.created and later.record.tap_window == first.record.tap_window + 2
    assert PassRecord.objects.count() == 2


def test_the_orm_still_applies_on_delete_to_a_pass_the_database_no_longer_checks(personas, gate):
    """A pass's references are not database constraints (the scan's throughput), so what
    happens on a delete rests on the ORM: the gate is protected, the rest is let go."""
    household, (me,) = f.home(personas.resident_a)
    scanned = actions.do_scan_as_resident(
        personas.resident_a, token=tokens.poster_token(gate), direction="out"
    ).record
    assert (scanned.person, scanned.household, scanned.user) == (me, household, personas.resident_a)
    with pytest.raises(ProtectedError):
        gate.delete()
    me.delete()
    personas.resident_a.delete()
    kept = PassRecord.objects.get(pk=scanned.pk)
    assert (kept.checkpoint, kept.person_id, kept.user_id) == (gate, None, None)
    assert kept.household == household


def test_a_resident_of_another_community_is_sent_to_the_visitor_form(client, personas, gate):
    f.home(personas.resident_b, community=f.COMMUNITY_B1)
    client.force_login(personas.resident_b)
    response = client.get(scan_url(gate))
    assert response.status_code == 302 and "/visitor/?not_resident=1" in response["Location"]
    with pytest.raises(ValidationError) as error:
        actions.do_scan_as_resident(
            personas.resident_b, token=tokens.poster_token(gate), direction="out"
        )
    assert error.value.code == "not_resident"
    assert not PassRecord.objects.exists()


VISITOR = {
    "direction": "in",
    "name": "李雷",
    "mobile": "13912345678",
    "reason": "探亲",
    "host": "3号楼 王芳",
}


def test_a_visitor_registers_with_a_form_and_gets_the_same_confirmation(client, gate):
    page = client.post(
        scan_url(gate) + "visitor/", {**VISITOR, "temperature": "36.6"}
    ).content.decode()
    record = PassRecord.objects.get()
    assert record.kind == PassKind.VISITOR and record.visitor_name == "李雷"
    assert str(record.visitor_mobile) == "139****5678" and str(record.temperature) == "36.6"
    assert "李*" in page and "访客" in page and "体温 36.6 ℃" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("temperature", "60", "体温 60 ℃ 不在 35.0–42.0 ℃ 之间"),
        ("temperature", "热", "体温应为数字"),
        ("mobile", "1234", "手机"),
        ("name", "", "请填写姓名"),
        ("host", "", "请填写拜访对象"),
        ("direction", "sideways", "请选择“出”或“进”"),
    ],
)
def test_bad_visitor_input_names_the_field_and_saves_nothing(client, gate, field, value, message):
    response = client.post(scan_url(gate) + "visitor/", {**VISITOR, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PassRecord.objects.exists()


def test_the_database_refuses_a_temperature_outside_the_range(personas, gate):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PassRecord.objects.create(
            checkpoint=gate, division_code=gate.division_code, direction="in", kind="visitor",
            proof="poster", temperature=60, scanned_at=timezone.now(), subject_key="x", tap_window=1,
        )  # fmt: skip


@pytest.mark.parametrize("bad", ["forged", "revoked", "malformed"])
def test_a_bad_code_records_nothing_and_says_why(client, personas, gate, bad):
    f.home(personas.resident_a)
    token = tokens.poster_token(gate)
    if bad == "forged":
        token = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    elif bad == "revoked":
        actions.do_revoke_checkpoint_codes(f.community_staff(personas), checkpoint=gate)
    else:
        token = "hello"
    client.force_login(personas.resident_a)
    for response in (
        client.get(f"/community/s/{token}/"),
        client.post(f"/community/s/{token}/", {"direction": "out"}),
        client.post(f"/community/s/{token}/visitor/", VISITOR),
    ):
        assert response.status_code == 400
        assert {"forged": "不是本平台签发", "revoked": "已作废", "malformed": "格式不正确"}[
            bad
        ] in (response.content.decode())
    assert not PassRecord.objects.exists()


def test_a_stale_tablet_code_is_recorded_but_marked_not_proven_on_site(client, personas, gate):
    f.home(personas.resident_a)
    token = tokens.tablet_token(gate, now=timezone.now().timestamp() - 600)
    client.force_login(personas.resident_a)
    assert "过期的动态码" in client.get(f"/community/s/{token}/").content.decode()
    page = client.post(f"/community/s/{token}/", {"direction": "out"}).content.decode()
    assert PassRecord.objects.get().proof == Proof.STALE
    assert "未经现场验证" in page


def test_a_live_tablet_code_is_proof_of_presence(client, personas, gate):
    f.home(personas.resident_a)
    client.force_login(personas.resident_a)
    client.post(f"/community/s/{tokens.tablet_token(gate)}/", {"direction": "in"})
    assert PassRecord.objects.get().proof == Proof.LIVE


def test_a_guard_registers_a_resident_without_a_phone_by_id_number_audited(client, personas, gate):
    _household, (grandma,) = f.home(personas.resident_a, members=("赵秀英",))
    staff = f.community_staff(personas)
    client.force_login(staff)
    url = f"/community/checkpoints/{gate.pk}/guard/"
    page = client.post(
        url, {"direction": "out", "id_number": grandma.id_number.reveal()}
    ).content.decode()
    record = PassRecord.objects.get()
    assert (record.person, record.proof, record.recorded_by) == (grandma, Proof.GUARD, staff)
    assert "赵**" in page
    audit = AuditRecord.objects.filter(target_type="community.passrecord").get()
    assert audit.subject_key == f"id:{grandma.id_number_hash}"


def test_a_guard_finds_a_resident_by_search_and_records_them(client, personas, gate):
    _household, (grandma,) = f.home(personas.resident_a, members=("赵秀英",))
    client.force_login(f.community_staff(personas))
    url = f"/community/checkpoints/{gate.pk}/guard/"
    found = client.get(url, {"q": "zxy"}).content.decode()
    # Masked, with sex and age to tell her from another 赵** at the gate.
    age = age_on(grandma.birth_date, timezone.localdate())
    assert "赵**" in found and f"{grandma.get_sex_display()} · {age} 岁" in found
    assert "赵秀英" not in found
    client.post(url, {"direction": "in", "person_id": grandma.pk})
    assert PassRecord.objects.get().person == grandma


def test_a_guard_is_told_when_an_id_number_is_not_in_the_community(client, personas, gate):
    client.force_login(f.community_staff(personas))
    url = f"/community/checkpoints/{gate.pk}/guard/"
    page = client.post(url, {"direction": "in", "id_number": "11010519491231002X"}).content.decode()
    assert "本社区人口台账中没有这个身份号码" in page
    page = client.post(url, {"direction": "in", "id_number": "110105194912310021"}).content.decode()
    assert "校验" in page or "身份" in page
    assert not PassRecord.objects.exists()


def test_the_tablet_page_shows_a_live_code(client, personas, gate):
    client.force_login(f.community_staff(personas))
    page = client.get(f"/community/checkpoints/{gate.pk}/tablet/code/").content.decode()
    assert "<svg" in page and "/community/s/T." in page


def test_a_residents_scan_asks_the_database_the_same_few_questions_all_day(
    personas, gate, django_assert_num_queries
):
    from civicgrid.community.choices import RuleKind
    from civicgrid.community.rules import DEFAULT_THRESHOLDS, forget_rules

    forget_rules()
    f.home(personas.resident_a)
    staff = f.community_staff(personas)
    for kind in RuleKind:
        actions.do_save_alert_rule(
            staff, division_code=gate.division_code, kind=kind,
            threshold=DEFAULT_THRESHOLDS.get(kind), is_active=True,
        )  # fmt: skip
    token = tokens.poster_token(gate)
    start = timezone.now() - datetime.timedelta(hours=3)
    actions.do_scan_as_resident(personas.resident_a, token=token, direction="out", now=start)
    # The gate, the resident and their day so far in one statement (a double tap, exits,
    # health, observation, alerts already raised), then the pass in one INSERT that yields to
    # a racing tap (no savepoint); the rules are cached.
    for minutes, direction in ((30, "in"), (60, "out"), (90, "in")):
        with django_assert_num_queries(2):
            actions.do_scan_as_resident(
                personas.resident_a, token=token, direction=direction,
                now=start + datetime.timedelta(minutes=minutes),
            )  # fmt: skip


@pytest.mark.parametrize("change", ["revoked", "inactive", "no such gate"])
def test_a_residents_own_scan_refuses_a_gate_changed_a_moment_ago(personas, gate, change):
    """The scan reads the gate with the person in one statement, not from a cache: a code
    revoked or a gate taken out of use a moment ago is refused by the very next scan."""
    f.home(personas.resident_a)
    token = tokens.poster_token(gate)
    staff = f.community_staff(personas)
    if change == "revoked":
        actions.do_revoke_checkpoint_codes(staff, checkpoint=gate)
    elif change == "inactive":
        actions.do_set_checkpoint_active(staff, checkpoint=gate, active=False)
    else:  # correctly signed, for a gate that does not exist
        token = tokens.poster_token(type(gate)(pk=gate.pk + 1000, token_version=1))
    with pytest.raises(tokens.TokenError) as error:
        actions.do_scan_as_resident(personas.resident_a, token=token, direction="out")
    assert error.value.code == {"revoked": "revoked"}.get(change, "inactive")
    assert not PassRecord.objects.exists()


def test_the_gate_is_checked_before_the_direction_and_the_resident(personas, gate):
    actions.do_revoke_checkpoint_codes(f.community_staff(personas), checkpoint=gate)
    old = tokens.poster_token(type(gate)(pk=gate.pk, token_version=1))
    with pytest.raises(tokens.TokenError):  # not a resident, bad direction: the code comes first
        actions.do_scan_as_resident(personas.resident_b, token=old, direction="sideways")
    f.home(personas.resident_a)
    with pytest.raises(ValidationError) as error:
        actions.do_scan_as_resident(
            personas.resident_a, token=tokens.poster_token(gate), direction="sideways"
        )
    assert "direction" in error.value.message_dict


def test_a_signed_out_phone_or_an_account_not_in_the_register_is_not_a_resident(personas, gate):
    from django.contrib.auth.models import AnonymousUser

    for user in (AnonymousUser(), personas.resident_a):  # resident_a has no household yet
        with pytest.raises(ValidationError) as error:
            actions.do_scan_as_resident(user, token=tokens.poster_token(gate), direction="out")
        assert error.value.code == "not_resident"
    assert not PassRecord.objects.exists()


def test_a_mobile_shared_by_two_living_people_does_not_pick_one_of_them(personas, gate):
    """As `person_of`: by mobile only when exactly one living person has the number."""
    from civicgrid.population.tests import factories as pf

    household, (me,) = f.home(personas.resident_a, by="mobile")
    sister = pf.person(household, "王兰")
    sister.mobile = me.mobile.reveal()
    sister.save()
    with pytest.raises(ValidationError) as error:
        actions.do_scan_as_resident(
            personas.resident_a, token=tokens.poster_token(gate), direction="out"
        )
    assert error.value.code == "not_resident"
    sister.status = "moved_out"
    sister.save()
    result = actions.do_scan_as_resident(
        personas.resident_a, token=tokens.poster_token(gate), direction="out"
    )
    assert result.created and result.record.person == me
    assert (result.record.household_id, result.record.grid_id) == (household.pk, me.grid_id)


def test_the_scan_result_names_the_person_and_the_households_health_today(personas, gate):
    household, _members = f.home(personas.resident_a, members=("王芳", "李明"))
    result = actions.do_scan_as_resident(
        personas.resident_a, token=tokens.poster_token(gate), direction="out"
    )
    assert (result.masked_name, result.health) == ("王*", "missing")
    from civicgrid.community.models import HealthReport

    HealthReport.objects.create(
        household=household, report_date=timezone.localdate(), division_code=household.division_code,
        has_fever=True,
    )  # fmt: skip
    again = actions.do_scan_as_resident(
        personas.resident_a, token=tokens.poster_token(gate), direction="out"
    )
    assert (again.created, again.record.pk, again.health) == (False, result.record.pk, "fever")
    assert again.masked_name == "王*"


def test_the_phone_pages_tap_asks_nothing_before_the_scan(client, personas, gate):
    """The tap's POST goes straight to the action (one read, one write): the gate, the
    community and the person are not looked up by the page first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    f.home(personas.resident_a)
    client.force_login(personas.resident_a)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(scan_url(gate), {"direction": "out"})
    assert response.status_code == 200 and "王*" in response.content.decode()
    read = [q["sql"].split(" FROM ", 1)[-1].split()[0] for q in queries.captured_queries]
    for table in ('"community_checkpoint"', '"regions_division"', '"population_person"'):
        assert table not in read  # no look-up of the gate, community or person by the page
    assert PassRecord.objects.count() == 1


def test_a_tap_with_a_bad_direction_shows_the_form_again_with_the_error(client, personas, gate):
    f.home(personas.resident_a, members=("王芳",))
    client.force_login(personas.resident_a)
    page = client.post(scan_url(gate), {"direction": "sideways"}).content.decode()
    assert "请选择“出”或“进”" in page and "王芳，请选择" in page
    assert not PassRecord.objects.exists()
    f.home(personas.resident_b, community=f.COMMUNITY_B1)
    client.force_login(personas.resident_b)
    response = client.post(scan_url(gate), {"direction": "out"})
    assert response.status_code == 302 and "/visitor/?not_resident=1" in response["Location"]
