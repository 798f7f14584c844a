"""The notifications API: the signed-in user's own notifications and settings, nobody else's."""

import pytest

from civicgrid.core.notifications.actions import notify
from civicgrid.core.notifications.models import Notification, NotificationPreference
from civicgrid.core.notifications.tests.api_urls import api_path
from civicgrid.core.notifications.tests.support import ERRAND, shanghai

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("civicgrid.core.notifications.tests.api_urls"),
]


@pytest.fixture
def inbox(alice, bob, at):
    """Alice: one read, two unread (the urgent one newest). Bob: one."""
    at(shanghai(2026, 3, 1, 9, 0))
    (old,) = notify(alice, "test_quiz_published", {"quiz": "旧测验"})
    Notification.objects.filter(pk=old.pk).update(read_at=shanghai(2026, 3, 1, 9, 1))
    at(shanghai(2026, 3, 2, 9, 0))
    (errand,) = notify(alice, "test_errand_claimed", ERRAND, url="/errands/7/")
    at(shanghai(2026, 3, 2, 9, 30))
    (order,) = notify(alice, "test_quarantine_order", {"start": "明日"})
    (bobs,) = notify(bob, "test_quiz_published", {"quiz": "鲍勃的测验"})
    return {"old": old, "errand": errand, "order": order, "bobs": bobs}


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("get", ""),
        ("get", "/unread-count"),
        ("post", "/read-all"),
        ("post", "/1/read"),
        ("get", "/preferences"),
        ("put", "/preferences"),
    ],
)
def test_anonymous_callers_get_401(client, method, suffix):
    response = getattr(client, method)(api_path(suffix), content_type="application/json")
    assert response.status_code == 401


def test_it_lists_my_notifications_unread_first(client, alice, inbox):
    client.force_login(alice)
    data = client.get(api_path()).json()
    assert (data["count"], data["unread_count"]) == (3, 2)
    assert [item["id"] for item in data["items"]] == [
        inbox["order"].pk,
        inbox["errand"].pk,
        inbox["old"].pk,
    ]
    first = data["items"][0]
    assert first["urgent"] is True
    assert (first["category"], first["category_label"]) == ("epidemic", "疫情防控")
    assert first["title"] == "居家隔离通知" and first["read_at"] is None
    assert data["items"][1]["url"] == "/errands/7/"


def test_unread_only_and_paging(client, alice, inbox):
    client.force_login(alice)
    data = client.get(api_path(), {"unread_only": "true", "limit": 1, "offset": 1}).json()
    assert (data["count"], data["unread_count"]) == (2, 2)
    assert [item["id"] for item in data["items"]] == [inbox["errand"].pk]
    assert client.get(api_path(), {"limit": 500}).status_code == 422


def test_the_unread_count(client, alice, inbox):
    client.force_login(alice)
    assert client.get(api_path("/unread-count")).json() == {"unread_count": 2}


def test_marking_read_returns_the_notification(client, alice, inbox):
    client.force_login(alice)
    response = client.post(api_path(f"/{inbox['errand'].pk}/read"))
    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    assert client.get(api_path("/unread-count")).json() == {"unread_count": 1}


def test_someone_elses_notification_is_a_404_like_a_missing_one(client, bob, inbox):
    client.force_login(bob)
    assert client.post(api_path(f"/{inbox['errand'].pk}/read")).status_code == 404
    assert client.post(api_path("/999999/read")).status_code == 404
    assert Notification.objects.get(pk=inbox["errand"].pk).read_at is None
    data = client.get(api_path()).json()
    assert [item["id"] for item in data["items"]] == [inbox["bobs"].pk]


def test_read_all_marks_only_mine(client, alice, inbox):
    client.force_login(alice)
    assert client.post(api_path("/read-all")).json() == {"marked": 2}
    assert Notification.objects.get(pk=inbox["bobs"].pk).read_at is None


def test_preferences_can_be_read_and_changed(client, alice):
    client.force_login(alice)
    rows = client.get(api_path("/preferences")).json()
    assert {"category": "errands", "in_app": True, "sms": True} in rows
    response = client.put(
        api_path("/preferences"),
        [{"category": "errands", "in_app": True, "sms": False}],
        content_type="application/json",
    )
    assert response.status_code == 200
    assert {"category": "errands", "in_app": True, "sms": False} in response.json()
    assert not NotificationPreference.objects.get(user=alice, category="errands").sms


def test_an_unknown_category_is_refused(client, alice):
    client.force_login(alice)
    response = client.put(
        api_path("/preferences"),
        [{"category": "gossip", "in_app": False, "sms": False}],
        content_type="application/json",
    )
    assert response.status_code == 422
    assert not NotificationPreference.objects.exists()
