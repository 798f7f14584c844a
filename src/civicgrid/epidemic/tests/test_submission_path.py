"""The submission path's shortcuts give the answers of the ORM code they replace.

A submission reads the form's elements and rules from the process's memory, checks the form and
the unit in Python instead of with a scoped query, reads and writes its rows in plain SQL and
appends the audit record without a savepoint. Each of these is held here to the rule it stands
for: a change of the definition applies to the next submission, the access checks agree with
`applicable_to` and `reporting_units_for` for every persona, the rows equal the ORM's, and the
number of statements per submission is pinned.
"""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from civicgrid.accounts.actions import do_issue_api_token
from civicgrid.accounts.choices import OrganisationType as T
from civicgrid.accounts.models import Organisation
from civicgrid.core.sql_rows import fetch_by_pk
from civicgrid.epidemic import actions
from civicgrid.epidemic.access import (
    access_form_and_unit_for_reporter,
    access_form_for_user,
    access_unit_for_reporter,
)
from civicgrid.epidemic.choices import RuleKind, RuleSeverity
from civicgrid.epidemic.definitions import form_definition
from civicgrid.epidemic.form_actions import (
    do_add_validation_rule,
    do_set_element_active,
    do_set_rule_active,
)
from civicgrid.epidemic.models import (
    DataElement,
    ElementTotal,
    Report,
    ReportForm,
    ReportRevision,
    ReportTally,
    ValidationRule,
)
from civicgrid.epidemic.querysets import form_applies_to
from civicgrid.epidemic.remit import reporting_units_for
from civicgrid.epidemic.tests import factories as f
from civicgrid.epidemic.tests.test_concurrency import _race, _skip_in_memory
from civicgrid.regions.models import Division

pytestmark = pytest.mark.django_db
REPORTS = "/api/v1/epidemic/reports"


def _save(actor, form, unit, **figures):  # type: ignore[no-untyped-def]
    return actions.do_save_report(
        actor,
        form=form,
        unit=unit,
        date=f.days_ago(0),
        values=f.figures(**figures),
        submit=True,
        expected_version=0,
    )


# --- the form's definition, kept in memory ---------------------------------------------------


def test_a_rule_added_after_a_submission_applies_to_the_next_one(personas):
    form = f.daily_form(personas)
    first, second = f.unit("卫生院一"), f.unit("卫生院二")
    _save(personas.county_a_officer, form, first, new=1, fever=0)  # the definition is now cached
    new = DataElement.objects.get(form=form, code="new_confirmed")
    fever = DataElement.objects.get(form=form, code="fever_visits")
    do_add_validation_rule(
        personas.admin,
        form=ReportForm.objects.get(pk=form.pk),  # another copy: `form` keeps its old key
        kind=RuleKind.LESS_OR_EQUAL,
        left=new,
        right=fever,
        severity=RuleSeverity.BLOCK,
    )
    with pytest.raises(ValidationError) as refused:
        _save(personas.county_a_officer, form, second, new=1, fever=0)
    assert (
        "「新增确诊」（1）不能大于「发热门诊就诊」（0）"
        in refused.value.message_dict["new_confirmed"]
    )
    assert not Report.objects.filter(unit=second).exists()


def test_a_rule_switched_off_no_longer_blocks(personas):
    form = f.daily_form(personas)
    first, second = f.unit("卫生院一"), f.unit("卫生院二")
    with pytest.raises(ValidationError):
        _save(personas.county_a_officer, form, first, cum=1, cured=5)
    rule = ValidationRule.objects.get(form=form, kind=RuleKind.LESS_OR_EQUAL, severity="block")
    do_set_rule_active(personas.admin, rule=rule, active=False)
    assert _save(personas.county_a_officer, form, second, cum=1, cured=5).created


def test_an_element_switched_off_is_no_longer_accepted(personas):
    form = f.daily_form(personas)
    first, second = f.unit("卫生院一"), f.unit("卫生院二")
    _save(personas.county_a_officer, form, first)
    element = DataElement.objects.get(form=form, code="fever_visits")
    do_set_element_active(personas.admin, element=element, active=False)
    with pytest.raises(ValidationError) as refused:
        _save(personas.county_a_officer, form, second)
    assert refused.value.message_dict["values"] == ["表单中没有指标“fever_visits”"]


def test_a_changed_element_gives_the_form_a_new_definition_key(personas):
    form = f.daily_form(personas)
    before = ReportForm.objects.get(pk=form.pk).definition_key
    cached = form_definition(form.pk, before)
    assert form_definition(form.pk, before) is cached  # read once per process
    element = DataElement.objects.get(form=form, code="new_cured")
    element.name = "新增治愈出院"
    element.save()  # even outside the form actions
    after = ReportForm.objects.get(pk=form.pk).definition_key
    assert after != before
    renamed = form_definition(form.pk, after)
    assert [e.name for e in renamed.elements if e.code == "new_cured"] == ["新增治愈出院"]


# --- access checks in Python agree with the scoped queries ------------------------------------


def _forms(personas):  # type: ignore[no-untyped-def]
    where = {
        "province": "130000000000",
        "city": "131100000000",
        "county_a": "131128000000",
        "county_b": "131127000000",
        "township_a": "131128100000",
    }
    return [
        f.build_form(personas.admin, f"form-{k}", k, [T.MEDICAL], 10, f.ELEMENTS, [])
        if code == "130000000000"
        else ReportForm.objects.create(
            code=f"form-{k}",
            name=k,
            organisation_types=[T.MEDICAL],
            division=Division.objects.get(code=code),
        )
        for k, code in where.items()
    ]


def _principals(personas):  # type: ignore[no-untyped-def]
    county_a = personas.organisations["county_a"]
    centre, clinician = f.health_centre()
    tokens = [
        do_issue_api_token(created_by=None, organisation=county_a, name="县令牌").token,
        do_issue_api_token(created_by=None, organisation=centre, name="卫生院令牌").token,
    ]
    return [*personas.users.values(), clinician, *tokens]


def test_the_form_check_agrees_with_applicable_to_for_every_persona(personas):
    forms = _forms(personas)
    for principal in _principals(personas):
        expected = set(
            ReportForm.objects.applicable_to(principal).values_list("division_code", flat=True)
        )
        for form in forms:
            applies = form_applies_to(form.division_code, principal)
            assert applies == (form.division_code in expected), (principal, form.division_code)
            if applies:
                assert access_form_for_user(principal, form.pk) == form
            else:
                with pytest.raises(Http404):
                    access_form_for_user(principal, form.pk)


def test_the_unit_check_agrees_with_reporting_units_for_every_persona(personas):
    form = f.daily_form(personas)
    units = [
        f.unit("阜城镇卫生院甲"),
        f.unit("景州镇卫生院", f.TOWNSHIP_B),
        f.unit("阜城县疾控中心", "131128000000", T.CDC),
        f.unit("示例社区居委会二", f.TOWNSHIP_B, T.COMMUNITY_COMMITTEE),
        *Organisation.objects.all(),
    ]
    closed = f.unit("已撤销卫生院")
    Organisation.objects.filter(pk=closed.pk).update(is_active=False)
    units.append(closed)
    for principal in _principals(personas):
        allowed = set(reporting_units_for(principal, form).values_list("pk", flat=True))
        for unit in units:
            if unit.pk in allowed:
                assert access_unit_for_reporter(principal, form, unit.pk).pk == unit.pk
                both = access_form_and_unit_for_reporter(principal, form.pk, unit.pk)
                assert (both[0].pk, both[1].pk) == (form.pk, unit.pk)
            else:
                with pytest.raises(Http404):
                    access_unit_for_reporter(principal, form, unit.pk)
                first = "该单位" if form_applies_to(form.division_code, principal) else "报表"
                with pytest.raises(Http404, match=first):
                    access_form_and_unit_for_reporter(principal, form.pk, unit.pk)
    with pytest.raises(Http404, match="报表不存在"):  # the form first, as the two calls did
        access_form_and_unit_for_reporter(personas.county_a_officer, form.pk + 1000, 0)
    with pytest.raises(Http404, match="报表不存在"):
        access_form_and_unit_for_reporter(personas.county_b_officer, 0, units[0].pk)


@pytest.mark.parametrize("field", ["form", "unit"])
def test_an_id_too_large_for_the_database_answers_404(client, personas, field):
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    client.force_login(clinician)
    body = {"form": form.pk, "unit": centre.pk, "date": f.days_ago(0).isoformat(),
            "values": f.figures(), "version": 0, field: 2**70}  # fmt: skip
    answer = client.post(REPORTS, json.dumps(body), content_type="application/json")
    assert answer.status_code == 404
    assert not Report.objects.exists()


# --- plain SQL rows ---------------------------------------------------------------------------


def _same(read, orm, *, types: bool = True) -> None:  # type: ignore[no-untyped-def]
    for field in type(orm)._meta.concrete_fields:
        ours, theirs = getattr(read, field.attname), getattr(orm, field.attname)
        assert ours == theirs, field.name
        assert type(ours) is type(theirs) or not types, field.name


def test_rows_read_in_plain_sql_equal_the_orms(personas):
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    saved = _save(clinician, form, centre, new=2, fever=1).report  # a warning, on time or not
    Report.objects.filter(pk=saved.pk).update(
        confirmed_at=datetime.datetime(2026, 2, 3, 4, 5, 6, 789, tzinfo=datetime.UTC),
        confirmed_by=personas.city_officer,
    )
    for model, pk in ((Report, saved.pk), (ReportForm, form.pk), (Organisation, centre.pk)):
        _same(fetch_by_pk(model, pk), model.objects.get(pk=pk))
    assert fetch_by_pk(Report, saved.pk + 1000) is None


def test_the_report_as_returned_equals_the_stored_row(personas):
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    saved = _save(clinician, form, centre, new=2, fever=1)
    assert saved.warnings
    # As `Report.objects.create` left it: the status is still the enum member it was given.
    _same(saved.report, Report.objects.get(pk=saved.report.pk), types=False)
    # Its first revision went in with it (one statement on PostgreSQL), pointing at it.
    revision = ReportRevision.objects.get(report=saved.report)
    assert (revision.version, revision.status, revision.changed_by) == (1, "submitted", clinician)
    assert revision.values == saved.report.values
    assert revision.changed_at == saved.report.submitted_at


def test_a_first_report_written_meanwhile_is_a_conflict_and_the_transaction_goes_on(personas):
    """The INSERT yields to a row of the same unit and day without failing, so no savepoint is
    needed: the caller's transaction can still run statements after the conflict."""
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    _save(clinician, form, centre)
    with transaction.atomic():
        with pytest.raises(actions.ReportConflict, match="刚刚已由他人填写"):
            actions._write(
                clinician, form, centre, f.days_ago(0), None, {"new_confirmed": "9"}, [],
                True, False, "", datetime.datetime.now(datetime.UTC),
            )  # fmt: skip
        assert Report.objects.get(unit=centre).values["new_confirmed"] == "1"
        assert ReportRevision.objects.filter(report__unit=centre).count() == 1  # none for it


# --- statements per submission ----------------------------------------------------------------


def _post(client, token, form, unit):  # type: ignore[no-untyped-def]
    body = {"form": form.pk, "unit": unit.pk, "date": f.days_ago(0).isoformat(),
            "values": f.figures(), "version": 0}  # fmt: skip
    answer = client.post(
        REPORTS, json.dumps(body), content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert answer.status_code == 201, answer.content


@pytest.mark.parametrize(("previous_rule", "statements"), [(False, 12), (True, 13)])
def test_an_api_submission_runs_a_fixed_number_of_statements(
    client, personas, previous_rule, statements
):
    form = f.daily_form(personas)
    if not previous_rule:
        ValidationRule.objects.filter(form=form, kind=RuleKind.NOT_BELOW_PREVIOUS).delete()
    token = do_issue_api_token(
        created_by=None, organisation=personas.organisations["county_a"], name="县系统"
    ).plaintext
    first, second = f.unit("卫生院一"), f.unit("卫生院二")
    _post(client, token, form, first)  # the token's last use and the definition, once
    with CaptureQueriesContext(connection) as captured:
        _post(client, token, form, second)
    # The token; the form and the unit; BEGIN; [on PostgreSQL, the form's row share-locked
    # against a day lock]; the definition key, day lock and current report; [the previous
    # figures]; the report; its revision; two live-total UPSERTs; the audit head, record and
    # head again; COMMIT. PostgreSQL joins the report and its revision, and the two UPSERTs,
    # into one statement each, and the audit head's lock, the record and the head's move
    # into one.
    if connection.vendor == "postgresql":
        statements -= 3
    assert len(captured) == statements, [q["sql"][:80] for q in captured]


@pytest.mark.django_db(transaction=True)
def test_of_concurrent_first_reports_of_one_unit_and_day_one_wins_and_counts_once(personas):
    _skip_in_memory()
    form = f.daily_form(personas)
    centre, clinician = f.health_centre()
    racers = [personas.county_a_officer, clinician] * 3
    won, lost = _race(
        [
            # new >= 1: a winner reporting 0 would leave no total row to read below
            lambda actor=actor, n=n: _save(actor, form, centre, new=n)
            for n, actor in enumerate(racers, start=1)
        ]
    )
    assert len(won) == 1 and len(lost) == 5, lost
    assert all(isinstance(e, actions.ReportConflict) for e in lost), lost
    report = Report.objects.get(unit=centre)
    assert report.values == won[0].report.values and report.version == 1
    day = f.days_ago(0)
    for code in ("130000000000", "131128000000", "131128100000"):
        assert ReportTally.objects.get(form=form, division_code=code, date=day).reports == 1
        cell = ElementTotal.objects.get(
            form=form, division_code=code, date=day, element__code="new_confirmed"
        )
        assert cell.hundredths == int(report.values["new_confirmed"]) * 100


def test_the_live_totals_leave_room_on_their_pages_for_hot_updates():
    """Migration 0005: on PostgreSQL the totals and tallies keep half of each new page free, so
    the many updates of a day's upper-level rows stay on their page (see the migration)."""
    if connection.vendor != "postgresql":
        pytest.skip("fillfactor is a PostgreSQL storage parameter")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s) ORDER BY relname",
            [[ElementTotal._meta.db_table, ReportTally._meta.db_table]],
        )
        found = dict(cursor.fetchall())
    assert found == {
        ElementTotal._meta.db_table: ["fillfactor=50"],
        ReportTally._meta.db_table: ["fillfactor=50"],
    }


def test_a_report_change_adds_to_every_level_once_per_call(personas):
    """`add_report_change` (one statement on PostgreSQL, two UPSERTs elsewhere): deltas and
    counts land on the division and every division above it, added to what is there; a call
    without counts leaves the tallies alone, one without deltas the totals."""
    from civicgrid.core.division_codes import level_of
    from civicgrid.epidemic.live_totals import add_report_change

    form = f.daily_form(personas)
    first, second = list(form.elements.order_by("pk"))[:2]
    day, village = f.days_ago(0), "131128100001"
    with transaction.atomic():
        add_report_change(
            form=form, division_code=village, date=day,
            deltas={second.pk: 250, first.pk: -100}, reports=1, on_time=1,
        )  # fmt: skip
        add_report_change(
            form=form, division_code=village, date=day, deltas={first.pk: 300}, reports=1
        )
        with CaptureQueriesContext(connection) as nothing:
            add_report_change(form=form, division_code=village, date=day, deltas={})
        assert len(nothing) == 0
        add_report_change(form=form, division_code="131128100000", date=day, deltas={second.pk: 5})
    codes = ["130000000000", "131100000000", "131128000000", "131128100000", village]
    totals = {
        (t.division_code, t.element_id): (t.level, t.hundredths)
        for t in ElementTotal.objects.filter(form=form, date=day)
    }
    expected = {}
    for code in codes:
        township_or_above = code != village
        expected[(code, first.pk)] = (level_of(code), 200)
        expected[(code, second.pk)] = (level_of(code), 250 + 5 * township_or_above)
    assert totals == expected
    tallies = {
        t.division_code: (t.level, t.reports, t.on_time)
        for t in ReportTally.objects.filter(form=form, date=day)
    }
    assert tallies == {code: (level_of(code), 2, 1) for code in codes}
