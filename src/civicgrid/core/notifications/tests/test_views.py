"""The inbox pages: own notifications only, unread first, marking read, the polled badge."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext

from civicgrid.core.notifications.actions import notify
from civicgrid.core.notifications.models import Notification
from civicgrid.core.notifications.tests.support import ERRAND, shanghai

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def alices_three(alice, bob, at):
    """Alice's notifications: an old one she read, then two unread; one for Bob."""
    at(shanghai(2026, 3, 1, 9, 0))
    (old,) = notify(alice, "test_quiz_published", {"quiz": "旧测验"})
    Notification.objects.filter(pk=old.pk).update(read_at=shanghai(2026, 3, 1, 9, 5))
    at(shanghai(2026, 3, 2, 9, 0))
    (errand,) = notify(alice, "test_errand_claimed", ERRAND, url="/errands/7/")
    at(shanghai(2026, 3, 2, 9, 30))
    (quiz,) = notify(alice, "test_quiz_published", {"quiz": "新测验"})
    (bobs,) = notify(bob, "test_quiz_published", {"quiz": "鲍勃的测验"})
    return {"old": old, "errand": errand, "quiz": quiz, "bobs": bobs}


@pytest.mark.parametrize(
    "path", ["/notifications/", "/notifications/preferences/", "/notifications/1/read/"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.post(path) if path.endswith("/read/") else client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_the_badge_tells_anonymous_pollers_to_stop(client):
    assert client.get("/notifications/badge/", **HTMX).status_code == 286
    assert client.get("/notifications/badge/").status_code == 401


def test_the_inbox_lists_only_my_notifications_unread_first(client, alice, alices_three):
    client.force_login(alice)
    response = client.get("/notifications/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("新测验") < body.index("买两袋大米") < body.index("旧测验")
    assert "鲍勃的测验" not in body
    assert "2 条未读" in body
    assert 'href="/static/notifications/notifications.css"' in body


def test_the_inbox_runs_the_same_queries_however_many_notifications_there_are(
    client, alice, alices_three
):
    client.force_login(alice)

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/notifications/").status_code == 200
        return [q["sql"] for q in captured.captured_queries]

    few = queries()
    for n in range(30):
        notify(alice, "test_quiz_published", {"quiz": f"测验{n}"})
    many = queries()
    assert len(many) == len(few)  # no query per row (the page template adds its own, fixed)
    # Ours: the unread count, the paginator's count and the page of rows.
    assert len([sql for sql in many if "notifications_notification" in sql]) == 3


def test_marking_one_read_with_htmx_returns_the_item_and_the_new_badge(client, alice, alices_three):
    client.force_login(alice)
    quiz = alices_three["quiz"]
    response = client.post(f"/notifications/{quiz.pk}/read/", **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="notification-{quiz.pk}"' in body and "标为已读" not in body
    assert 'id="notification-badge"' in body and 'hx-swap-oob="true"' in body
    assert '<span class="tag"' in body and ">1</span>" in body
    quiz.refresh_from_db()
    assert quiz.read_at == shanghai(2026, 3, 2, 9, 30)


def test_marking_read_without_htmx_goes_back_to_the_inbox(client, alice, alices_three):
    client.force_login(alice)
    response = client.post(f"/notifications/{alices_three['quiz'].pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"


def test_reading_again_keeps_the_first_read_time(client, alice, alices_three, at):
    client.force_login(alice)
    old = alices_three["old"]
    client.post(f"/notifications/{old.pk}/read/")
    old.refresh_from_db()
    assert old.read_at == shanghai(2026, 3, 1, 9, 5)


def test_someone_elses_notification_is_a_404_like_a_missing_one(client, bob, alices_three):
    client.force_login(bob)
    errand = alices_three["errand"]
    assert client.post(f"/notifications/{errand.pk}/read/").status_code == 404
    assert client.post(f"/notifications/{errand.pk}/open/").status_code == 404
    assert client.post("/notifications/999999/read/").status_code == 404
    errand.refresh_from_db()
    assert errand.read_at is None


def test_mark_all_read_marks_only_mine(client, alice, alices_three):
    client.force_login(alice)
    response = client.post("/notifications/read-all/")
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=alices_three["bobs"].pk).read_at is None


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, alice, alices_three):
    client.force_login(alice)
    response = client.post(f"/notifications/{alices_three['errand'].pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/errands/7/"
    assert Notification.objects.get(pk=alices_three["errand"].pk).read_at is not None


def test_the_badge_counts_my_unread_notifications_and_keeps_polling(client, alice, alices_three):
    client.force_login(alice)
    body = client.get("/notifications/badge/", **HTMX).content.decode()
    assert ">2</span>" in body
    assert 'hx-trigger="every 30s"' in body and "load" not in body
    assert 'href="/notifications/"' in body


def test_the_badge_shows_99_plus_beyond_99(client, alice, at):
    for n in range(100):
        at(shanghai(2026, 3, 2, 10, 0) + timedelta(seconds=n))
        notify(alice, "test_quiz_published", {"quiz": str(n)})
    client.force_login(alice)
    assert ">99+</span>" in client.get("/notifications/badge/").content.decode()


def test_an_empty_inbox_says_so(client, alice):
    client.force_login(alice)
    assert "暂无通知" in client.get("/notifications/").content.decode()


def test_the_nav_link_snippet_loads_the_badge_without_a_query(alice, django_assert_num_queries):
    from django.template.loader import render_to_string

    with django_assert_num_queries(0):
        html = render_to_string("notifications/_nav_link.html")
    assert 'hx-get="/notifications/badge/"' in html and 'hx-trigger="load, every 30s"' in html
