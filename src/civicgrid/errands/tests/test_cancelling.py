"""Cancelling by either side with a reason, and staff reassigning."""

import pytest
from django.core.exceptions import ValidationError

from civicgrid.core.notifications.models import Notification
from civicgrid.errands import actions
from civicgrid.errands.models import Errand
from civicgrid.errands.tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_volunteer_who_gives_up_returns_the_need_to_open(personas):
    errand = f.claimed_errand(personas.resident_a, personas.volunteer_a)
    released = actions.do_cancel_errand(personas.volunteer_a, errand=errand, reason="临时隔离")
    assert (released.status, released.volunteer, released.claimed_at) == ("open", None, None)
    event = released.events.last()
    assert (event.kind, event.reason) == ("released", "临时隔离")
    assert Notification.objects.filter(
        recipient=personas.resident_a, template_code="errand_released"
    ).exists()


def test_the_requester_cancels_with_a_reason_before_it_is_bought(personas):
    errand = f.claimed_errand(personas.resident_a, personas.volunteer_a)
    with pytest.raises(ValidationError) as caught:
        actions.do_cancel_errand(personas.resident_a, errand=errand, reason="")
    assert caught.value.message_dict == {"reason": ["请填写取消原因"]}
    cancelled = actions.do_cancel_errand(personas.resident_a, errand=errand, reason="家人送来了")
    assert cancelled.status == "cancelled" and cancelled.cancelled_at is not None
    assert Notification.objects.filter(
        recipient=personas.volunteer_a, template_code="errand_cancelled"
    ).exists()


def test_once_bought_neither_side_cancels_but_community_staff_can(personas):
    errand = f.bought_errand(personas.resident_a, personas.volunteer_a)
    with pytest.raises(ValidationError) as caught:
        actions.do_cancel_errand(personas.resident_a, errand=errand, reason="不要了")
    assert "志愿者已购买" in caught.value.message_dict["status"][0]
    with pytest.raises(ValidationError):
        actions.do_cancel_errand(personas.volunteer_a, errand=errand, reason="不想送了")
    with pytest.raises(ValidationError) as caught:
        actions.do_cancel_errand(personas.resident_b, errand=errand, reason="捣乱")
    assert caught.value.message_dict == {"errand": ["您不能取消这个需求"]}
    assert Errand.objects.get().status == "bought"
    cancelled = actions.do_cancel_errand(
        personas.county_a_officer, errand=errand, reason="电话协调"
    )
    assert cancelled.status == "cancelled"


def test_community_staff_reassign_to_another_volunteer_of_the_community(personas):
    errand = f.bought_errand(personas.resident_a, personas.volunteer_a)
    second = f.volunteer("volunteer_a2", personas.organisations["volunteers_a1"])
    with pytest.raises(ValidationError) as caught:
        actions.do_reassign_errand(
            personas.volunteer_a, errand=errand, volunteer=second, reason="x"
        )
    assert caught.value.message_dict == {"errand": ["只有本社区的工作人员可以改派"]}
    with pytest.raises(ValidationError) as caught:
        actions.do_reassign_errand(
            personas.county_a_officer,
            errand=errand,
            volunteer=personas.grid_worker_a1,
            reason="病了",
        )
    assert caught.value.message_dict == {"volunteer": ["请选择本社区志愿者队伍的志愿者"]}
    moved = actions.do_reassign_errand(
        personas.county_a_officer, errand=errand, volunteer=second, reason="原志愿者生病"
    )
    assert (moved.status, moved.volunteer) == ("bought", second)
    assert {
        n.template_code
        for n in Notification.objects.filter(template_code__startswith="errand_reassigned")
    } == {
        "errand_reassigned_to_you",
        "errand_reassigned_away",
    }


def test_reassigning_an_open_need_claims_it_for_the_volunteer(personas):
    errand = f.open_errand(personas.resident_a)
    moved = actions.do_reassign_errand(
        personas.county_a_officer, errand=errand, volunteer=personas.volunteer_a, reason="无人认领"
    )
    assert (moved.status, moved.volunteer) == ("claimed", personas.volunteer_a)
