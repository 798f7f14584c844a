"""Demo accounts: one per role, loaded idempotently, never with real-looking personal data."""

import pytest

from civicgrid.accounts.choices import Role
from civicgrid.accounts.demo import (
    STAFF,
    demo_account_lines,
    demo_accounts_present,
    do_load_demo_accounts,
)
from civicgrid.accounts.models import User
from civicgrid.core.idcard import normalize_id_number

pytestmark = pytest.mark.django_db


def test_every_role_has_a_demo_account_and_loading_twice_adds_nothing():
    first = do_load_demo_accounts()
    assert first == 1 + len(STAFF) + 3
    assert do_load_demo_accounts() == 0
    roles = {m.role for u in User.objects.all() for m in u.active_memberships}
    assert roles == set(Role) - set()  # every role, administrator included
    assert demo_accounts_present()


def test_demo_staff_sign_in_with_the_demo_password_and_see_their_jurisdiction(client):
    do_load_demo_accounts()
    response = client.post(
        "/accounts/login/", {"username": "fucheng_officer", "password": "civicgrid-demo"}
    )
    assert response.status_code == 302
    organisations = client.get("/api/v1/accounts/organisations").json()
    assert organisations and all(o["division_code"].startswith("131128") for o in organisations)


def test_demo_residents_have_valid_generated_numbers():
    do_load_demo_accounts()
    residents = User.objects.filter(is_resident=True)
    assert residents.count() == 3
    for resident in residents:
        assert normalize_id_number(resident.id_number.reveal()).startswith("131128")
        assert resident.mobile.reveal().startswith("1990000")


def test_the_banner_lists_the_accounts():
    do_load_demo_accounts()
    text = "\n".join(demo_account_lines())
    assert "fucheng_officer" in text and "19900000101" in text and "civicgrid-demo" in text


def test_production_refuses_to_serve_while_demo_accounts_exist(settings):
    from civicgrid.cli import _refuse_demo_accounts_in_production

    do_load_demo_accounts()
    settings.PRODUCTION = True
    with pytest.raises(SystemExit, match="拒绝启动"):
        _refuse_demo_accounts_in_production()
    User.objects.filter(username__in=["admin", *(s.username for s in STAFF)]).update(
        is_active=False
    )
    with pytest.raises(SystemExit):  # deactivated is not enough: they must be gone
        _refuse_demo_accounts_in_production()


def test_production_refuses_to_load_demo_data(settings):
    import argparse

    from civicgrid.cli import cmd_demo

    settings.PRODUCTION = True
    with pytest.raises(SystemExit, match="只能在开发环境"):
        cmd_demo(argparse.Namespace())
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("hebei_officer", "疫情报送与统计"),
        ("fucheng_cdc", "疫情报送与统计"),
        ("grid_worker_1", "人口台账与入户摸排"),
        ("community_staff", "社区卡口与健康打卡"),
        ("volunteer_1", "代购认领"),
        ("tax_clerk", "办件队列"),
        ("enterprise_agent", "我的办件"),
        ("fucheng_admin", "接口令牌"),
    ],
)
def test_each_demo_role_lands_in_its_own_workspace(client, username, expected):
    do_load_demo_accounts()
    response = client.post(
        "/accounts/login/", {"username": username, "password": "civicgrid-demo"}, follow=True
    )
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == "/accounts/workspace/"
    assert expected in body


def test_a_demo_resident_lands_in_the_resident_workspace(client):
    import re

    from civicgrid.core import sms

    do_load_demo_accounts()
    client.post("/accounts/login/code/", {"mobile": "19900000101"})
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].text).group(1)
    body = client.post("/accounts/login/code/verify/", {"code": code}, follow=True).content.decode()
    assert "住户登记" in body and "疫情报送与统计" not in body
