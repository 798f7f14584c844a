"""An open alert is a task on the household's grid worker's worklist (`population`'s page, which
the community adds a section to), until the worker records what they found."""

import pytest

from civicgrid.community import actions, rules
from civicgrid.community.choices import RuleKind
from civicgrid.community.models import Alert
from civicgrid.community.tests import factories as f
from civicgrid.population.extensions import SHOWN
from civicgrid.population.tests import factories as pf

pytestmark = pytest.mark.django_db
WORKLIST = "/population/grid/worklist/"


@pytest.fixture(autouse=True)
def _fresh_rules():
    rules.forget_rules()


@pytest.fixture
def fever_rule(personas):
    return actions.do_save_alert_rule(
        f.community_staff(personas), division_code=f.COMMUNITY_A1, kind=RuleKind.FEVER,
        threshold=None, is_active=True,
    )  # fmt: skip


def _fever_in(household, people, user) -> Alert:
    entries = [actions.EntryInput(people[0].pk, "38.4")]
    entries += [actions.EntryInput(p.pk, "36.5") for p in people[1:]]
    actions.do_report_household_health(user, household=household, entries=entries)
    return Alert.objects.filter(household=household).get()


def test_an_open_alert_is_on_the_grid_workers_worklist_until_settled(client, personas, fever_rule):
    household, people = f.home(personas.resident_a, members=("王芳", "李强"))
    pf.assign(personas.grid_worker_a1, grid_index=0)
    alert = _fever_in(household, people, personas.resident_a)
    client.force_login(personas.grid_worker_a1)
    page = client.get(WORKLIST).content.decode()
    section = page.split('id="community-alerts"', 1)[1].split("</section>", 1)[0]
    assert "社区预警待核实 1" in section and "报告发热" in section
    assert "1号楼  101" in section and "王* 发热" in section  # the household and what was found
    assert f'href="/community/alerts/{alert.pk}/"' in section  # where it is settled
    assert f"/population/grid/households/{household.pk}/" in section  # tap to call
    assert 'href="#community-alerts"' in page  # counted at the top of the page
    client.post(
        f"/community/alerts/{alert.pk}/", {"status": "dismissed", "finding": "体温计故障，复测正常"}
    )
    assert 'id="community-alerts"' not in client.get(WORKLIST).content.decode()


def test_a_grid_worker_of_another_grid_does_not_get_the_task(client, personas, fever_rule):
    household, people = f.home(personas.resident_a, members=("王芳",))
    pf.assign(personas.grid_worker_a1, grid_index=1)
    _fever_in(household, people, personas.resident_a)
    client.force_login(personas.grid_worker_a1)
    page = client.get(WORKLIST).content.decode()
    assert 'id="community-alerts"' not in page and "王芳" not in page


def test_a_busy_day_lists_the_newest_and_links_the_rest(client, personas, fever_rule):
    pf.assign(personas.grid_worker_a1, grid_index=0)
    for n in range(SHOWN + 1):
        household = pf.household(room=f"9{n:02d}")
        _fever_in(household, [pf.person(household, f"发热{n}")], personas.admin)
    client.force_login(personas.grid_worker_a1)
    page = client.get(WORKLIST).content.decode()
    section = page.split('id="community-alerts"', 1)[1].split("</section>", 1)[0]
    assert f"社区预警待核实 {SHOWN}+" in section
    assert section.count('class="gw-card"') == SHOWN
    assert f"9{SHOWN:02d}" in section and "900" not in section  # newest first
    assert "/community/alerts/?status=open" in section


def test_the_section_costs_one_query_however_many_alerts(client, personas, fever_rule):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pf.assign(personas.grid_worker_a1, grid_index=0)
    client.force_login(personas.grid_worker_a1)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(WORKLIST).status_code == 200
        return len(captured)

    pf.household(room="900")  # a household to visit: the overdue list has its own queries
    client.get(WORKLIST)
    quiet = queries()
    household = pf.household(room="901")
    _fever_in(household, [pf.person(household, "发热1")], personas.admin)
    one = queries()
    for n in range(2, SHOWN + 3):
        household = pf.household(room=f"9{n:02d}")
        _fever_in(household, [pf.person(household, f"发热{n}")], personas.admin)
    assert queries() == one == quiet


def test_a_household_moved_to_another_grid_takes_its_open_alerts_along(
    client, personas, fever_rule
):
    from civicgrid.population.actions import do_change_household_grid

    pf.assign(personas.grid_worker_a1, grid_index=0)
    old_grid, new_grid = pf.grids_of(f.COMMUNITY_A1)[:2]
    moving = pf.household(room="901")
    open_alert = _fever_in(moving, [pf.person(moving, "发热甲")], personas.admin)
    settled_home = pf.household(room="902")
    settled = _fever_in(settled_home, [pf.person(settled_home, "发热乙")], personas.admin)
    actions.do_resolve_alert(
        personas.grid_worker_a1, alert=settled, status="confirmed", finding="已送医"
    )
    staff = f.community_staff(personas)
    do_change_household_grid(staff, household=moving, grid=new_grid)
    do_change_household_grid(staff, household=settled_home, grid=new_grid)
    open_alert.refresh_from_db()
    settled.refresh_from_db()
    assert open_alert.grid == new_grid  # a task for the new grid's worker
    assert settled.grid == old_grid  # a record of what the old one found
    client.force_login(personas.grid_worker_a1)  # the old grid's worker: no task left
    assert 'id="community-alerts"' not in client.get(WORKLIST).content.decode()


def test_a_persons_own_open_alert_follows_them_to_a_household_of_another_grid(personas, fever_rule):
    """Too many exits is about the person, and goes with them; the household's fever report
    stays with the household."""
    import datetime

    from django.utils import timezone

    from civicgrid.community import tokens
    from civicgrid.population.actions import do_move_person

    household, people = f.home(personas.resident_a, members=("王芳", "李强"))
    actions.do_save_alert_rule(
        f.community_staff(personas), division_code=f.COMMUNITY_A1,
        kind=RuleKind.EXITS_PER_DAY, threshold=1, is_active=True,
    )  # fmt: skip
    gate = f.checkpoint(personas)
    start = timezone.now().replace(hour=4)
    for n in range(3):
        actions.do_scan_as_resident(
            personas.resident_a, token=tokens.poster_token(gate), direction="out",
            now=start + datetime.timedelta(minutes=n),
        )  # fmt: skip
    entries = [actions.EntryInput(people[0].pk, "36.5"), actions.EntryInput(people[1].pk, "38.4")]
    actions.do_report_household_health(personas.resident_a, household=household, entries=entries)
    fever = Alert.objects.get(rule__kind=RuleKind.FEVER)
    exits = Alert.objects.get(rule__kind=RuleKind.EXITS_PER_DAY)
    assert exits.person == people[0]
    old_grid, new_grid = pf.grids_of(f.COMMUNITY_A1)[:2]
    elsewhere = pf.household(grid_index=1, room="808")
    do_move_person(f.community_staff(personas), person=people[0], household=elsewhere)
    exits.refresh_from_db()
    fever.refresh_from_db()
    assert exits.grid == new_grid and fever.grid == old_grid
