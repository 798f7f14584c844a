"""The clerk queue's cost is pinned: a fixed number of queries whatever the page holds, no
COUNT(*) when the page is short, only the shown columns read (no answers, no form JSON)."""

from django.urls import reverse

from civicgrid.applications.tests import factories as f

PAGE_QUERIES = (
    7  # session with its user, memberships, departments, the page, calendar version, items
)
API_QUERIES = 5  # session with its user, memberships, the page, calendar version, (count | nothing)


def _queries(captured):  # type: ignore[no-untyped-def]
    return [q["sql"] for q in captured.captured_queries]


def _counts(captured):  # type: ignore[no-untyped-def]
    return [q for q in _queries(captured) if "COUNT(" in q and '"applications_case"' in q]


def test_the_queue_page_is_a_pinned_number_of_queries_without_a_count_when_short(
    client, personas, service, django_assert_num_queries
):
    for _ in range(3):
        f.submit(personas.enterprise_agent_a, service)
    client.force_login(personas.clerk_a)
    client.get(reverse("applications:clerk_queue"))  # the calendar loaded once
    with django_assert_num_queries(PAGE_QUERIES - 1) as captured:
        page = client.get(reverse("applications:clerk_queue")).content.decode()
    assert "共 3 件" in page
    sql = _queries(captured)
    assert not _counts(captured)
    (rows,) = [q for q in sql if 'FROM "applications_case"' in q]
    assert '"answers"' not in rows and '"definition"' not in rows


def test_the_api_queue_is_a_pinned_number_of_queries(
    client, personas, service, django_assert_num_queries
):
    for _ in range(3):
        f.submit(personas.enterprise_agent_a, service)
    client.force_login(personas.clerk_a)
    client.get("/api/v1/applications/queue")
    with django_assert_num_queries(API_QUERIES - 1) as captured:
        body = client.get("/api/v1/applications/queue").json()
    assert body["count"] == 3 and body["items"][0]["time_left"] == "on_time"
    assert body["items"][0]["working_days_left"] is not None
    assert not _counts(captured)
    # A full page counts, once.
    with django_assert_num_queries(API_QUERIES) as captured:
        body = client.get("/api/v1/applications/queue?limit=2").json()
    assert body["count"] == 3 and len(body["items"]) == 2
    assert len(_counts(captured)) == 1
