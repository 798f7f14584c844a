"""The staff board per community and its masked, audited xlsx export."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.core.audit.models import AuditRecord
from civicgrid.errands.models import Errand
from civicgrid.errands.selectors import board_for
from civicgrid.errands.tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_board_counts_open_claimed_overdue_and_money_outstanding(personas):
    f.open_errand(personas.resident_a)
    late = f.claimed_errand(personas.resident_a, personas.volunteer_a)
    past = timezone.now() - datetime.timedelta(minutes=5)
    Errand.objects.filter(pk=late.pk).update(
        window_start=past - datetime.timedelta(hours=1), window_end=past
    )
    f.confirmed_errand(personas.resident_a, personas.volunteer_a, amount="30")
    board = board_for(personas.county_a_officer)
    assert (board.counts["open"], board.counts["in_progress"], board.counts["overdue"]) == (1, 1, 1)
    assert board.counts["confirmed"] == 1
    assert [e.pk for e in board.overdue] == [late.pk]
    assert board.money["outstanding"] == Decimal("30.00")
    (activity,) = board.volunteers
    assert (activity["volunteer_id"], activity["active"], activity["done"]) == (
        personas.volunteer_a.pk, 1, 1,
    )  # fmt: skip


def test_another_countys_staff_see_nothing_on_their_board(personas):
    f.confirmed_errand(personas.resident_a, personas.volunteer_a, amount="30")
    board = board_for(personas.county_b_officer)
    assert sum(board.counts[s] for s in ("open", "claimed", "confirmed")) == 0
    assert board.money["outstanding"] == Decimal("0.00")


def test_the_export_masks_names_and_numbers_and_is_audited(client, personas):
    errand = f.claimed_errand(personas.resident_a, personas.volunteer_a)
    client.force_login(personas.county_a_officer)
    response = client.get(reverse("errands:board_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, row = rows[0], rows[1]
    values = dict(zip(header, row, strict=True))
    assert values["编号"] == errand.pk
    assert values["联系人"] == errand.contact_name[0] + "*" * (len(errand.contact_name) - 1)
    plain = personas.resident_a.mobile.reveal()
    assert plain not in str(row) and values["联系电话"] == f"{plain[:3]}****{plain[-4:]}"
    record = AuditRecord.objects.get(action="export", target_type="errands.errand")
    assert record.details["rows"] == 1 and record.details["unmasked"] is False
