"""List pages and endpoints cost the same number of queries for 1 item as for many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.learning.actions import do_submit_quiz
from civicgrid.learning.tests import factories as f

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url",
    ["/learning/", "/learning/me/", "/api/v1/learning/articles", "/api/v1/learning/me",
     "/learning/manage/", "/learning/completion/?within=131128"],
)  # fmt: skip
def test_pages_do_not_query_per_item(personas, client, url):
    f.live_in(personas.resident_a)
    staff_page = "manage" in url or "completion" in url
    client.force_login(personas.county_a_officer if staff_page else personas.resident_a)

    def add_items(n):
        for i in range(n):
            article = f.article(personas.county_a_officer, title=f"文章{i}")
            client.get(f"/learning/articles/{article.pk}/")
            quiz = f.quiz(personas.county_a_officer)
            do_submit_quiz(personas.resident_a, quiz=quiz, answers=f.right_answers(quiz))

    add_items(1)
    one = queries(client, url)
    add_items(4)
    assert queries(client, url) == one
