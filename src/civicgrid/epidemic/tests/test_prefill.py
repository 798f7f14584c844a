"""A daily report pre-filled from the unit's line lists; line-list figures on the statistics page."""

import pytest
from django.urls import reverse

from civicgrid.epidemic.choices import LineListSource
from civicgrid.epidemic.line_lists import do_enter_case
from civicgrid.epidemic.models import DataElement
from civicgrid.epidemic.tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_report_of_a_unit_is_prefilled_from_its_own_cases(client, personas):
    form = f.daily_form(personas)
    DataElement.objects.filter(form=form, code="new_confirmed").update(
        line_list_source=LineListSource.NEW_CONFIRMED
    )
    centre, clinician = f.health_centre()
    for status in ("confirmed", "confirmed", "suspected"):
        do_enter_case(clinician, person=f.new_person(community="131128100001"), status=status)
    client.force_login(clinician)
    page = client.get(reverse("epidemic:report_entry", args=[form.pk]), {"unit": centre.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="v_new_confirmed" value="2"' in html and 'data-testid="prefilled"' in html
    assert 'name="v_cum_confirmed" value=""' in html  # no source declared: left empty
    f.submit(clinician, form, centre, new=2, cum=2)
    page = client.get(reverse("epidemic:report_entry", args=[form.pk]), {"unit": centre.pk})
    assert 'data-testid="prefilled"' not in page.content.decode()  # a stored report wins


def test_the_statistics_page_shows_the_line_lists_live_figures(client, personas):
    form = f.daily_form(personas)
    f.case(personas)
    client.force_login(personas.city_officer)
    page = client.get(reverse("epidemic:statistics", args=[form.pk]), {"within": "131128"})
    html = page.content.decode()
    assert 'data-testid="line-list-summary"' in html
    assert 'data-column="new_confirmed">1<' in html
