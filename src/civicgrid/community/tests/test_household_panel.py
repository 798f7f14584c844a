"""The grid worker's household page (`population`'s) shows the community brain's figures for the
household: today's report, the week's disinfections, each member's exits this week, who is under
observation, and its open alerts."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from civicgrid.community import actions, rules, tokens
from civicgrid.community.choices import RuleKind
from civicgrid.community.models import Alert
from civicgrid.community.tests import factories as f
from civicgrid.population.tests import factories as pf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _a_wednesday_morning():
    rules.forget_rules()
    with time_machine.travel(
        "2024-03-13 10:00 +0800", tick=False
    ):  # the week's exits: since Monday
        yield


def _panel(client, household) -> str:
    page = client.get(f"/population/grid/households/{household.pk}/").content.decode()
    return page.split('id="community-brain"', 1)[1].split("</section>", 1)[0]


def test_the_household_page_shows_the_households_figures(client, personas):
    household, (wang, li) = f.home(personas.resident_a, members=("王芳", "李强"))
    pf.assign(personas.grid_worker_a1, grid_index=0)
    client.force_login(personas.grid_worker_a1)
    panel = _panel(client, household)
    assert "未报告" in panel and "0 次" in panel  # nothing yet, said so

    actions.do_save_alert_rule(
        f.community_staff(personas), division_code=f.COMMUNITY_A1, kind=RuleKind.FEVER,
        threshold=None, is_active=True,
    )  # fmt: skip
    gate = f.checkpoint(personas)
    now = timezone.now()
    for minutes, direction in ((50, "out"), (40, "in"), (30, "out")):
        actions.do_scan_as_resident(
            personas.resident_a, token=tokens.poster_token(gate), direction=direction,
            now=now - datetime.timedelta(minutes=minutes),
        )  # fmt: skip
    actions.do_log_disinfection(
        personas.resident_a, household=household, done_at=now, area="whole_home", method="chlorine"
    )
    entries = [actions.EntryInput(wang.pk, "36.5"), actions.EntryInput(li.pk, "38.6")]
    actions.do_report_household_health(personas.resident_a, household=household, entries=entries)
    f.observe_at_home(personas, li)
    alert = Alert.objects.get(household=household)

    panel = _panel(client, household)
    assert "有人发热" in panel and "本周消毒</dt><dd>1 次" in panel
    assert "王芳 · 本周外出 2 次" in panel and "李强 · 本周外出 0 次" in panel
    assert panel.split("李强", 1)[1].split("</li>", 1)[0].count("医学观察") == 1
    assert f'href="/community/alerts/{alert.pk}/"' in panel
    # Today's passes, newest first, with the gate: what an exits alert is about.
    assert "今日出入 3 次" in panel
    passes = panel.split("今日出入", 1)[1].split("</details>", 1)[0]
    assert [li[:5] for li in passes.split("<li>")[1:]] == ["09:30", "09:20", "09:10"]
    assert "09:30 王芳 <strong>出</strong> · 东门" in passes
    client.post(
        f"/community/alerts/{alert.pk}/", {"status": "confirmed", "finding": "已送发热门诊"}
    )
    assert "/community/alerts/" not in _panel(client, household)  # settled: no longer listed


def test_the_api_gives_one_households_figures_and_alerts(client, personas):
    household, (wang, li) = f.home(personas.resident_a, members=("王芳", "李强"))
    other = pf.household(room="909")
    pf.person(other, "隔壁")
    pf.assign(personas.grid_worker_a1, grid_index=0)
    actions.do_save_alert_rule(
        f.community_staff(personas), division_code=f.COMMUNITY_A1, kind=RuleKind.FEVER,
        threshold=None, is_active=True,
    )  # fmt: skip
    entries = [actions.EntryInput(wang.pk, "38.2"), actions.EntryInput(li.pk, "36.5")]
    actions.do_report_household_health(personas.resident_a, household=household, entries=entries)
    client.force_login(personas.grid_worker_a1)
    api = f"/api/v1/community/dashboard/{f.COMMUNITY_A1}/residents"
    mine = client.get(api, {"household_id": household.pk, "order": "address"}).json()
    assert mine["count"] == 2 and {r["household_id"] for r in mine["items"]} == {household.pk}
    assert all(r["fever_today"] is True for r in mine["items"])
    assert client.get(api).json()["count"] > 2  # the whole community without the filter
    alerts = client.get("/api/v1/community/alerts", {"household_id": household.pk}).json()
    assert [a["household_id"] for a in alerts] == [household.pk]
    assert client.get("/api/v1/community/alerts", {"household_id": other.pk}).json() == []
