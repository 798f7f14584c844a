"""The staff's list of every resident: the week's exits, the household's disinfections and fever
days, today's report; busiest first, names masked, scoped, exportable, a fixed query count."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from civicgrid.community import actions, rules, tokens
from civicgrid.community.models import PassRecord
from civicgrid.community.tests import factories as f
from civicgrid.core.audit.models import AuditRecord
from civicgrid.population.tests import factories as pf

pytestmark = pytest.mark.django_db
URL = "/community/residents/"
WEDNESDAY = datetime.datetime(
    2024, 3, 13, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
)


@pytest.fixture(autouse=True)
def _a_wednesday():
    rules.forget_rules()
    with time_machine.travel(WEDNESDAY, tick=False):
        yield


def _at(days_ago: float, hour: int = 8) -> datetime.datetime:
    return (WEDNESDAY - datetime.timedelta(days=days_ago)).replace(hour=hour)


@pytest.fixture
def week(personas):
    """王芳 went out twice this week (and once last week, and once by mistake, voided); her
    household disinfected once this week and once last week, and reported a fever on Monday
    and a normal day today. 李强 stayed in."""
    household, (wang, li) = f.home(personas.resident_a, members=("王芳", "李强"))
    gate = f.checkpoint(personas)
    me = personas.resident_a
    for when, direction in ((_at(6), "out"), (_at(2), "out"), (_at(2, 9), "in"), (_at(0), "out")):
        actions.do_scan_as_resident(
            me, token=tokens.poster_token(gate), direction=direction, now=when
        )
    wrong = PassRecord.objects.get(scanned_at=_at(0))
    correction = actions.do_request_pass_correction(me, record=wrong, reason="那天没出门")
    actions.do_resolve_pass_correction(
        f.community_staff(personas), correction=correction, accept=True, resolution=""
    )
    actions.do_scan_as_resident(me, token=tokens.poster_token(gate), direction="out", now=_at(1))
    for when in (_at(1), _at(5)):
        actions.do_log_disinfection(
            me, household=household, done_at=when, area="whole_home", method="chlorine"
        )
    entries = [actions.EntryInput(wang.pk, "38.1"), actions.EntryInput(li.pk, "36.5")]
    actions.do_report_household_health(me, household=household, entries=entries, day=_at(2).date())
    entries = [actions.EntryInput(wang.pk, "36.6"), actions.EntryInput(li.pk, "36.5")]
    actions.do_report_household_health(me, household=household, entries=entries)
    quiet = pf.household(room="909")
    pf.person(quiet, "赵静")
    return household


def _rows(page: str) -> list[list[str]]:
    import re

    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_each_resident_has_the_weeks_figures_busiest_first(client, personas, week):
    client.force_login(f.community_staff(personas))
    page = client.get(URL).content.decode()
    rows = _rows(page)
    assert [r[0] for r in rows] == ["王*", "李*", "赵*"]  # masked, the one out most first
    wang, li, zhao = rows
    assert wang[2:] == ["2", "1", "1", "正常"]  # exits, disinfections, fever days, today
    assert li[2:] == ["0", "1", "1", "正常"]  # the household's figures are his too
    assert zhao[2:] == ["0", "0", "0", "未报告"]
    assert "王芳" not in page
    by_address = _rows(client.get(URL, {"order": "address"}).content.decode())
    assert sorted(r[1] for r in by_address) == [r[1] for r in by_address]


def test_the_list_is_the_staffs_own_community_only(client, personas, week):
    client.force_login(personas.county_b_officer)
    assert client.get(URL, {"c": f.COMMUNITY_A1}).status_code == 404
    client.force_login(personas.resident_a)
    assert client.get(URL).status_code == 403
    client.force_login(personas.county_a_officer)  # a county: its areas side by side instead
    assert "/community/overview/" in client.get(URL)["Location"]
    assert len(_rows(client.get(URL, {"c": f.COMMUNITY_A1}).content.decode())) == 3


def test_the_list_exports_to_xlsx_masked_and_audited(client, personas, week):
    import io

    from openpyxl import load_workbook

    client.force_login(f.community_staff(personas))
    response = client.get("/community/export/residents.xlsx", {"c": f.COMMUNITY_A1})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    names = [row[0] for row in values if row and row[0] in ("王*", "李*", "赵*")]
    assert names == ["王*", "李*", "赵*"]
    assert not any("王芳" in str(v) for row in values for v in row)
    assert AuditRecord.objects.filter(action="export", details__list="residents").exists()


def test_a_page_of_residents_takes_a_fixed_number_of_queries(
    client, personas, week, django_assert_num_queries
):
    client.force_login(f.community_staff(personas))
    client.get(URL)
    for n in range(20):
        pf.person(pf.household(room=f"8{n:02d}"), f"居民{n}")
    # session with its user, memberships, the area, the count, the page of rows with its figures
    with django_assert_num_queries(5):
        assert client.get(URL).status_code == 200
    assert timezone.localdate() == WEDNESDAY.date()


def test_the_api_gives_the_same_figures_masked_and_scoped(client, personas, week):
    api = f"/api/v1/community/dashboard/{f.COMMUNITY_A1}/residents"
    client.force_login(f.community_staff(personas))
    answer = client.get(api, {"limit": 2}).json()
    assert answer["count"] == 3
    first = answer["items"][0]
    assert (first["name"], first["exits_this_week"], first["disinfections_this_week"]) == (
        "王*",
        2,
        1,
    )
    assert (first["fever_days"], first["fever_today"]) == (1, False)
    assert len(answer["items"]) == 2
    last = client.get(api, {"offset": 2}).json()["items"]
    assert [(r["name"], r["fever_today"]) for r in last] == [("赵*", None)]
    client.force_login(personas.county_b_officer)
    assert client.get(api).status_code == 404


def test_a_resident_under_observation_stands_out_in_the_list_the_api_and_the_export(
    client, personas, week
):
    import io

    from openpyxl import load_workbook

    from civicgrid.population.models import Person

    f.observe_at_home(personas, Person.objects.get(name="王芳"))
    client.force_login(f.community_staff(personas))
    rows = _rows(client.get(URL).content.decode())
    assert [r[0] for r in rows] == ["王* 医学观察", "李*", "赵*"]
    api = f"/api/v1/community/dashboard/{f.COMMUNITY_A1}/residents"
    items = client.get(api).json()["items"]
    assert [(r["name"], r["under_observation"]) for r in items] == [
        ("王*", True), ("李*", False), ("赵*", False),
    ]  # fmt: skip
    sheet = load_workbook(
        io.BytesIO(client.get("/community/export/residents.xlsx", {"c": f.COMMUNITY_A1}).content)
    ).active
    marks = {row[0]: row[-1] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert (marks["王*"], marks["李*"]) == ("是", None)


def test_each_dashboard_figure_opens_the_residents_it_counts(client, personas, week):
    """Out now, not reported today, a fever today, under observation: the dashboard's figures
    link the list filtered to them, and the API filters alike."""
    from civicgrid.population.models import Person

    gate = f.checkpoint(personas)
    actions.do_scan_as_resident(  # 王芳 is out now; her household reported today, no fever
        personas.resident_a, token=tokens.poster_token(gate), direction="out", now=_at(0, 9)
    )
    f.observe_at_home(personas, Person.objects.get(name="李强"))
    client.force_login(f.community_staff(personas))
    board = client.get("/community/", {"c": f.COMMUNITY_A1}).content.decode()
    for show in ("out", "unreported", "fever"):
        assert f"show={show}" in board

    def names(show: str) -> list[str]:
        rows = _rows(client.get(URL, {"show": show}).content.decode())
        return [r[0].split()[0] for r in rows if len(r) > 1]

    assert names("out") == ["王*"]
    assert names("unreported") == ["赵*"]
    assert names("fever") == []  # Monday's fever is not today's
    assert names("observed") == ["李*"]
    assert names("nonsense") == ["王*", "李*", "赵*"]  # an unknown filter shows everyone
    api = f"/api/v1/community/dashboard/{f.COMMUNITY_A1}/residents"
    assert [r["name"] for r in client.get(api, {"show": "out"}).json()["items"]] == ["王*"]
    assert client.get(api, {"show": "nonsense"}).status_code == 422


def test_a_fever_reported_today_is_found_by_its_filter(client, personas, week):
    from civicgrid.population.models import Person

    wang, li = Person.objects.get(name="王芳"), Person.objects.get(name="李强")
    entries = [actions.EntryInput(wang.pk, "36.6"), actions.EntryInput(li.pk, "38.3")]
    actions.do_report_household_health(personas.resident_a, household=week, entries=entries)
    client.force_login(f.community_staff(personas))
    rows = _rows(client.get(URL, {"show": "fever"}).content.decode())
    assert [r[0] for r in rows] == ["李*"]


def test_the_export_holds_the_rows_the_page_shows(client, personas, week):
    """A filtered list exports filtered, in the page's order, and says so in its file name;
    the page's export link carries the filter."""
    import io
    from urllib.parse import unquote

    from openpyxl import load_workbook

    gate = f.checkpoint(personas)
    actions.do_scan_as_resident(  # 王芳 is out now
        personas.resident_a, token=tokens.poster_token(gate), direction="out", now=_at(0, 9)
    )
    client.force_login(f.community_staff(personas))
    page = client.get(URL, {"show": "out", "c": f.COMMUNITY_A1}).content.decode()
    assert "residents.xlsx?c=" in page and "&amp;show=out" in page.split("residents.xlsx")[1]

    NAMES = ("王*", "李*", "赵*", "钱*")

    def exported(**params: str) -> tuple[list[object], str]:
        response = client.get("/community/export/residents.xlsx", {"c": f.COMMUNITY_A1, **params})
        sheet = load_workbook(io.BytesIO(response.content)).active
        names = [row[0] for row in sheet.iter_rows(values_only=True) if row[0] in NAMES]
        return names, unquote(response["Content-Disposition"])

    names, disposition = exported(show="out")
    assert names == ["王*"]
    assert "居民一览-目前在外" in disposition
    assert exported(show="unreported")[0] == ["赵*"]
    assert exported(show="nonsense")[0] == ["王*", "李*", "赵*"]  # as the page: everyone
    assert "目前在外" not in exported(show="nonsense")[1]
    pf.person(pf.household(room="001"), "钱多")  # first by address, last by exits
    page = client.get(URL, {"order": "address"}).content.decode()
    assert "&amp;order=address" in page.split("residents.xlsx")[1].split('"')[0]
    by_address = [r[0].split()[0] for r in _rows(page)]
    assert by_address[0] == "钱*" and exported()[0][0] == "王*"
    assert exported(order="address")[0] == by_address
    audited = AuditRecord.objects.filter(action="export", details__list="residents")
    assert sorted(a.details["show"] for a in audited) == ["", "", "", "", "out", "unreported"]
