"""Bought, delivered, confirmed, repaid: each step only by its person, nothing half-saved."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from civicgrid.errands import actions
from civicgrid.errands.models import Errand, ErrandPhoto, LedgerEntry
from civicgrid.errands.tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_volunteer_marks_it_bought_with_the_amount_and_the_receipt(personas):
    errand = f.bought_errand(personas.resident_a, personas.volunteer_a, amount="45.5")
    assert (errand.status, errand.amount_advanced) == ("bought", Decimal("45.50"))
    photo = ErrandPhoto.objects.get(errand=errand)
    assert (photo.kind, photo.content_type, photo.uploaded_by) == (
        "receipt",
        "image/png",
        personas.volunteer_a,
    )


@pytest.mark.parametrize(
    ("amount", "receipt", "field", "message"),
    [
        ("-1", f.png_bytes(), "amount", "金额不能为负数"),
        ("12.345", f.png_bytes(), "amount", "金额最多保留两位小数"),
        (
            "20",
            b"%PDF-1.7",
            "receipt",
            "上传的文件不是有效的图片，请上传 JPEG、PNG 或 WebP 格式的图片",
        ),
        ("20", None, "receipt", "请上传图片"),
    ],
    ids=["negative", "three-decimals", "not-an-image", "no-receipt-for-money-advanced"],
)
def test_bad_purchase_input_names_the_field_and_changes_nothing(
    personas, amount, receipt, field, message
):
    errand = f.claimed_errand(personas.resident_a, personas.volunteer_a)
    with pytest.raises(ValidationError) as caught:
        actions.do_mark_bought(personas.volunteer_a, errand=errand, amount=amount, receipt=receipt)
    assert caught.value.message_dict == {field: [message]}
    errand.refresh_from_db()
    assert (errand.status, errand.amount_advanced) == ("claimed", None)
    assert not ErrandPhoto.objects.exists()


def test_only_the_claiming_volunteer_marks_it_bought(personas):
    errand = f.claimed_errand(personas.resident_a, personas.volunteer_a)
    other = f.volunteer("volunteer_a2", personas.organisations["volunteers_a1"])
    with pytest.raises(ValidationError) as caught:
        actions.do_mark_bought(other, errand=errand, amount="0", receipt=None)
    assert caught.value.message_dict == {"volunteer": ["只有认领该需求的志愿者可以这样操作"]}


def test_the_resident_reads_out_the_code_and_the_volunteer_delivers(personas):
    errand = f.bought_errand(personas.resident_a, personas.volunteer_a)
    delivered = actions.do_mark_delivered(
        personas.volunteer_a, errand=errand, code=errand.handoff_code
    )
    assert (delivered.status, delivered.delivery_proof) == ("delivered", "code")


def test_a_contactless_delivery_is_proven_by_a_photo(personas):
    errand = f.bought_errand(personas.resident_a, personas.volunteer_a)
    delivered = actions.do_mark_delivered(
        personas.volunteer_a, errand=errand, photo=f.jpeg_bytes(gps=True)
    )
    assert delivered.delivery_proof == "photo"
    assert ErrandPhoto.objects.filter(errand=errand, kind="dropoff").count() == 1


def test_wrong_codes_are_counted_and_after_five_only_a_photo_will_do(personas):
    errand = f.bought_errand(personas.resident_a, personas.volunteer_a)
    wrong = "0000" if errand.handoff_code != "0000" else "1111"
    messages = []
    for _ in range(actions.HANDOFF_MAX_ATTEMPTS):
        with pytest.raises(ValidationError) as caught:
            actions.do_mark_delivered(
                personas.volunteer_a, errand=Errand.objects.get(pk=errand.pk), code=wrong
            )
        messages.append(caught.value.message_dict["code"][0])
    assert messages[0] == "收货码不正确，还可以再试 4 次"
    assert messages[-1] == "收货码错误次数过多，请上传放置照片作为送达凭证"
    errand.refresh_from_db()
    assert (errand.status, errand.handoff_attempts) == ("bought", 5)
    with pytest.raises(ValidationError):  # even the right code no longer works
        actions.do_mark_delivered(personas.volunteer_a, errand=errand, code=errand.handoff_code)
    actions.do_mark_delivered(personas.volunteer_a, errand=errand, photo=f.png_bytes())


def test_delivery_needs_a_code_or_a_photo(personas):
    errand = f.bought_errand(personas.resident_a, personas.volunteer_a)
    with pytest.raises(ValidationError) as caught:
        actions.do_mark_delivered(personas.volunteer_a, errand=errand)
    assert caught.value.message_dict == {"code": ["请输入居民告知的 4 位收货码，或上传放置照片"]}


def test_only_the_requester_confirms_and_the_amount_advanced_is_then_owed(personas):
    errand = f.delivered_errand(personas.resident_a, personas.volunteer_a, amount="45.50")
    for someone in (personas.volunteer_a, personas.resident_b, personas.grid_worker_a1):
        with pytest.raises(ValidationError) as caught:
            actions.do_confirm_delivery(someone, errand=errand)
        assert caught.value.message_dict == {"requester": ["只有求助人本人可以确认收货"]}
    assert not LedgerEntry.objects.exists()
    confirmed = actions.do_confirm_delivery(personas.resident_a, errand=errand)
    assert confirmed.status == "confirmed" and confirmed.confirmed_at is not None
    owed = LedgerEntry.objects.get()
    assert (owed.kind, owed.amount, owed.volunteer) == (
        "owed",
        Decimal("45.50"),
        personas.volunteer_a,
    )
    assert actions.outstanding(confirmed) == Decimal("45.50")


def test_repayments_are_recorded_until_nothing_is_owed_and_never_beyond(personas):
    errand = f.confirmed_errand(personas.resident_a, personas.volunteer_a, amount="45.50")
    actions.do_record_repayment(personas.resident_a, errand=errand, amount="40", method="wechat")
    assert actions.outstanding(errand) == Decimal("5.50")
    with pytest.raises(ValidationError) as caught:
        actions.do_record_repayment(personas.volunteer_a, errand=errand, amount="6", method="cash")
    assert caught.value.message_dict == {"amount": ["还款金额不能超过待还的 5.50 元"]}
    with pytest.raises(ValidationError) as caught:
        actions.do_record_repayment(personas.resident_a, errand=errand, amount="-1")
    assert caught.value.message_dict == {"amount": ["金额不能为负数"]}
    with pytest.raises(ValidationError):
        actions.do_record_repayment(personas.resident_b, errand=errand, amount="1")
    actions.do_record_repayment(personas.volunteer_a, errand=errand, amount="5.5", method="cash")
    assert actions.outstanding(errand) == Decimal("0.00")
    assert [e.kind for e in LedgerEntry.objects.order_by("id")] == ["owed", "settled", "settled"]


def test_a_step_out_of_order_is_refused(personas):
    errand = f.open_errand(personas.resident_a)
    with pytest.raises(ValidationError):
        actions.do_mark_delivered(personas.volunteer_a, errand=errand, code=errand.handoff_code)
    claimed = actions.do_claim_errand(personas.volunteer_a, errand=errand)
    with pytest.raises(ValidationError) as caught:
        actions.do_mark_delivered(personas.volunteer_a, errand=claimed, code=claimed.handoff_code)
    assert caught.value.message_dict == {"status": ["该需求当前为“已认领”，不能这样操作"]}
