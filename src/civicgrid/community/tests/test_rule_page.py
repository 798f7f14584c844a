"""The staff tune a rule from its row: the form opens with the rule's values, a refused
change comes back as typed, and a saved one reads as its new sentence."""

import re

import pytest

from civicgrid.community import actions, rules
from civicgrid.community.choices import RuleKind
from civicgrid.community.models import AlertRule
from civicgrid.community.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rules():
    rules.forget_rules()


def _selected(page: str, name: str) -> str:
    select = re.search(rf'<select id="{name}" name="{name}">(.*?)</select>', page, re.S)
    assert select is not None
    chosen = re.search(r'<option value="([^"]*)" selected>', select.group(1))
    return chosen.group(1) if chosen else ""


def _checked(page: str) -> bool:
    return bool(re.search(r'name="is_active" checked', page))


def test_the_rows_edit_link_opens_the_form_with_the_rules_values(client, personas):
    staff = f.community_staff(personas)
    exits = actions.do_save_alert_rule(
        staff, division_code=f.COMMUNITY_A1, kind=RuleKind.EXITS_PER_DAY, threshold=7,
        is_active=False,
    )  # fmt: skip
    client.force_login(staff)
    page = client.get("/community/rules/").content.decode()
    assert f'href="?edit={exits.pk}#rule-form"' in page
    assert _checked(page)  # a new rule starts switched on
    page = client.get(f"/community/rules/?edit={exits.pk}").content.decode()
    assert _selected(page, "kind") == RuleKind.EXITS_PER_DAY
    assert _selected(page, "division_code") == f.COMMUNITY_A1
    assert 'name="threshold" type="text" inputmode="numeric" maxlength="2" value="7"' in page
    assert not _checked(page)

    client.post(
        "/community/rules/",
        {"division_code": f.COMMUNITY_A1, "kind": RuleKind.EXITS_PER_DAY, "threshold": "4",
         "is_active": "on"},
    )  # fmt: skip
    exits.refresh_from_db()
    assert exits.threshold == 4 and exits.is_active
    assert "一天内外出超过 4 次" in client.get("/community/rules/").content.decode()


def test_a_refused_change_comes_back_as_typed(client, personas):
    staff = f.community_staff(personas)
    client.force_login(staff)
    page = client.post(
        "/community/rules/",
        {"division_code": f.COMMUNITY_A1, "kind": RuleKind.NO_REPORT, "threshold": "99"},
    ).content.decode()
    assert "阈值应为 1–50 之间的整数" in page
    assert _selected(page, "kind") == RuleKind.NO_REPORT
    assert _selected(page, "division_code") == f.COMMUNITY_A1
    assert not _checked(page)  # it was left off
    assert not AlertRule.objects.exists()


def test_an_edit_link_to_a_rule_not_shown_opens_an_empty_form(client, personas):
    """Another community's rule (not among the staff member's) or a wrong id: a new rule."""
    elsewhere = AlertRule.objects.create(
        division_code=f.COMMUNITY_B1, kind=RuleKind.EXITS_PER_DAY, threshold=9, is_active=True
    )
    client.force_login(f.community_staff(personas))
    for edit in (str(elsewhere.pk), "abc", ""):
        page = client.get(f"/community/rules/?edit={edit}").content.decode()
        assert 'value="9"' not in page and _checked(page)
