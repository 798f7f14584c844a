"""Pages and endpoints read in a fixed number of queries however many units and days report."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.epidemic.tests import factories as f

pytestmark = pytest.mark.django_db
TOWNSHIPS = ["131128100000", "131128101000", "131128102000", "131128103000"]


def _report(personas, form, units, days):  # type: ignore[no-untyped-def]
    for unit in units:
        for day in range(days):
            f.submit(personas.county_a_officer, form, unit, day=day, cum=10 + day)


def _queries(client, url, params=None) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/epidemic/forms/{pk}/statistics/", {}),
        ("/epidemic/forms/{pk}/statistics/", {"within": "131128100"}),
        ("/epidemic/forms/{pk}/statistics/", {"by": "community"}),
        ("/epidemic/forms/{pk}/completeness/", {}),
        ("/epidemic/forms/{pk}/approvals/", {}),
        ("/api/v1/epidemic/forms/{pk}/statistics", {}),
        ("/api/v1/epidemic/forms/{pk}/completeness", {}),
        ("/api/v1/epidemic/reports", {"form": "{pk}"}),
    ],
)
def test_reading_costs_the_same_for_two_units_and_for_eight(client, personas, path, params):
    form = f.daily_form(personas)
    first = [f.unit(f"卫生院{n}", TOWNSHIPS[n % 4]) for n in range(2)]
    _report(personas, form, first, 2)
    client.force_login(personas.county_a_officer)
    url = path.format(pk=form.pk)
    args = {k: v.format(pk=form.pk) for k, v in params.items()}
    few = _queries(client, url, args)
    more = [f.unit(f"卫生院{n}", TOWNSHIPS[n % 4]) for n in range(2, 8)]
    _report(personas, form, more, 3)
    assert _queries(client, url, args) == few


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/epidemic/line-lists/worklist",
        "/api/v1/epidemic/line-lists/cases",
        "/api/v1/epidemic/line-lists/contacts",
        "/api/v1/epidemic/line-lists/observations",
        "/epidemic/line-lists/worklist/",
        "/epidemic/line-lists/",
        "/epidemic/line-lists/statistics/",
    ],
)
def test_line_lists_read_in_the_same_queries_for_one_contact_and_for_six(client, personas, path):
    source = f.case(personas)
    f.observed_contact(personas, source)
    client.force_login(personas.county_a_officer)
    few = _queries(client, path)
    for _ in range(5):
        f.observed_contact(personas, f.case(personas))
    assert _queries(client, path) == few
