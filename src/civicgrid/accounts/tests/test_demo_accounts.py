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
