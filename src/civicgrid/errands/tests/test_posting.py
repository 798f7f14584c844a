"""Posting a need: by the resident for their household, or for them by a grid worker or a call
taken by community staff; bad input names the field and saves nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from civicgrid.accounts.actions import do_grant_role
from civicgrid.accounts.choices import Role
from civicgrid.core.audit.models import AuditRecord
from civicgrid.core.notifications.models import Notification
from civicgrid.errands.actions import ItemInput, do_post_errand
from civicgrid.errands.models import Errand, ErrandEvent, ErrandItem
from civicgrid.errands.selectors import destination_for_others, resident_destination
from civicgrid.errands.tests import factories as f

pytestmark = pytest.mark.django_db


def _post(actor, destination, **overrides):
    now = timezone.now()
    fields = {
        "posted_via": "self",
        "kind": "medicine",
        "items": [ItemInput("布洛芬", 1, "盒")],
        "budget": "30",
        "window_start": now,
        "window_end": now + datetime.timedelta(hours=2),
    }
    return do_post_errand(actor, destination=destination, **{**fields, **overrides})


def test_a_resident_posts_a_need_for_their_household_in_its_community(personas):
    home = f.resident_home(personas.resident_a, room="502")
    errand = f.open_errand(personas.resident_a, budget="88.5")
    assert errand.division_code == home.division_code == f.COMMUNITY_A1
    assert (errand.household, errand.grid, errand.room) == (home, home.grid, "502")
    assert errand.requester == errand.posted_by == personas.resident_a
    assert [(i.name, i.quantity, i.unit) for i in errand.items.all()] == [
        ("西红柿", 2, "斤"),
        ("鸡蛋", 1, "盒"),
    ]
    assert str(errand.budget) == "88.50" and errand.status == "open"
    assert len(errand.handoff_code) == 4 and errand.handoff_code.isdigit()
    assert [e.kind for e in errand.events.all()] == ["posted"]
    assert AuditRecord.objects.filter(target_type="errands.errand", action="create").count() == 1
    # The community's volunteers hear of it.
    assert Notification.objects.filter(
        recipient=personas.volunteer_a, template_code="errand_posted"
    ).exists()


def test_a_resident_who_has_not_declared_a_household_is_told_to_first():
    from civicgrid.accounts.models import User

    user = User.objects.create_user("newcomer", is_resident=True)
    with pytest.raises(ValidationError) as caught:
        resident_destination(user)
    assert "登记住户信息" in caught.value.message_dict["household"][0]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"budget": "-5"}, "budget", "金额不能为负数"),
        ({"budget": "abc"}, "budget", "请填写金额（元），例如 35.50"),
        ({"items": []}, "items", "请至少填写一样要买的东西"),
        (
            {"items": [ItemInput("大米", 0)]},
            "items.1.quantity",
            "第 1 样物品：数量须在 1 到 999 之间",
        ),
        ({"items": [ItemInput(" ", 1)]}, "items.1.name", "第 1 样物品：请填写名称（不超过 50 字）"),
        ({"kind": "weapons"}, "kind", "请选择需求类型"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(personas, overrides, field, message):
    f.resident_home(personas.resident_a)
    with pytest.raises(ValidationError) as caught:
        _post(personas.resident_a, resident_destination(personas.resident_a), **overrides)
    assert message in caught.value.message_dict[field]
    assert not Errand.objects.exists() and not ErrandItem.objects.exists()
    assert not ErrandEvent.objects.exists()


def test_a_delivery_window_that_ends_before_it_starts_or_has_passed_is_refused(personas):
    f.resident_home(personas.resident_a)
    destination = resident_destination(personas.resident_a)
    now = timezone.now()
    with pytest.raises(ValidationError) as caught:
        _post(personas.resident_a, destination, window_start=now, window_end=now)
    assert caught.value.message_dict == {"window_end": ["送达时间的结束须晚于开始"]}
    past = now - datetime.timedelta(hours=1)
    with pytest.raises(ValidationError) as caught:
        _post(
            personas.resident_a,
            destination,
            window_start=past - datetime.timedelta(hours=1),
            window_end=past,
        )
    assert caught.value.message_dict == {"window_end": ["送达时间已过，请重新选择"]}


def test_a_grid_worker_posts_for_an_elderly_resident_who_then_confirms_on_their_phone(personas):
    f.resident_home(personas.resident_a)
    destination = destination_for_others(
        personas.grid_worker_a1,
        community_code=f.COMMUNITY_A1,
        building="3号楼",
        unit="2单元",
        room="101",
        contact_name="李奶奶",
        contact_mobile=personas.resident_a.mobile.reveal(),
    )
    errand = _post(personas.grid_worker_a1, destination, posted_via="grid_worker")
    assert errand.posted_by == personas.grid_worker_a1
    assert errand.requester == personas.resident_a  # the number is hers: she confirms
    assert errand.is_requester_side(personas.resident_a)
    assert not errand.is_requester_side(personas.grid_worker_a1)


def test_community_staff_take_a_call_from_someone_without_an_account_and_confirm_for_them(
    personas,
):
    from civicgrid.accounts.models import User

    staff = User.objects.create_user("community_staff_a1", full_name="社区干部")
    do_grant_role(
        user=staff, organisation=personas.organisations["community_a1"], role=Role.COMMUNITY_STAFF
    )
    staff = User.objects.get(pk=staff.pk)
    destination = destination_for_others(
        staff, community_code=f.COMMUNITY_A1, building="", unit="", room="平房 12 号",
        contact_name="赵大爷", contact_mobile="13700001111",
    )  # fmt: skip
    errand = _post(staff, destination, posted_via="phone_call")
    assert errand.requester is None and errand.is_requester_side(staff)
    assert str(errand.contact_mobile) == "137****1111"


def test_nobody_posts_for_a_community_outside_their_work(personas):
    destination = destination_for_others(
        personas.grid_worker_a1, community_code=f.COMMUNITY_B1, building="", unit="",
        room="1", contact_name="某人", contact_mobile="",
    )  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        _post(personas.grid_worker_a1, destination, posted_via="grid_worker")
    assert caught.value.message_dict == {"community": ["该社区不在您的工作范围内，不能代为发布"]}
    with pytest.raises(ValidationError):
        _post(personas.volunteer_a, destination, posted_via="self")
    assert not Errand.objects.exists()
