"""What each person sees on the phone pages: the volunteer only what delivery needs; the
handoff code only the requester; bad input shown by its field, nothing saved."""

import pytest
from django.urls import reverse

from civicgrid.core.audit.models import AuditRecord
from civicgrid.errands.models import Errand, ErrandPhoto
from civicgrid.errands.tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_volunteer_sees_the_address_a_masked_name_and_number_never_the_full_ones(
    client, personas
):
    errand = f.claimed_errand(personas.resident_a, personas.volunteer_a)
    client.force_login(personas.volunteer_a)
    page = client.get(reverse("errands:errand_detail", args=[errand.pk])).content.decode()
    plain = personas.resident_a.mobile.reveal()
    assert errand.address in page and str(errand.contact_mobile) in page
    assert plain not in page and errand.contact_name not in page
    assert f"{errand.contact_name[0]}*" in page
    assert errand.handoff_code not in page.replace(str(errand.pk), "")
    assert personas.resident_a.id_number.reveal() not in page


def test_the_requester_sees_the_handoff_code(client, personas):
    errand = f.open_errand(personas.resident_a)
    client.force_login(personas.resident_a)
    page = client.get(reverse("errands:errand_detail", args=[errand.pk])).content.decode()
    assert "收货码" in page and errand.handoff_code in page


def test_tap_to_call_shows_the_number_to_the_volunteer_and_audits_it_for_the_resident(
    client, personas
):
    errand = f.claimed_errand(personas.resident_a, personas.volunteer_a)
    client.force_login(personas.volunteer_a)
    response = client.post(reverse("errands:errand_call", args=[errand.pk]), {"preset": "送货联系"})
    plain = personas.resident_a.mobile.reveal()
    assert f'href="tel:{plain}"' in response.content.decode()
    record = AuditRecord.objects.get(action="view_unmasked")
    assert record.subject_key == f"user:{personas.resident_a.pk}" and record.reason == "送货联系"


def _post_need(client, **fields):
    """The signed-in resident's phone form, posted with its own delivery window and `fields`."""
    form = client.get(reverse("errands:errand_create")).context["form"]
    window = {name: form[name].initial for name in ("window_start", "window_end")}
    return client.post(reverse("errands:errand_create"), {"kind": "groceries", **window, **fields})


def test_a_resident_posts_from_the_phone_form(client, personas):
    f.resident_home(personas.resident_a)
    client.force_login(personas.resident_a)
    response = _post_need(
        client,
        items="西红柿 2 斤\n鸡蛋×1盒\n酱油 1",
        budget="60",
        dropoff_instructions="放门口",
        contactless="on",
    )
    errand = Errand.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/errands/{errand.pk}/")
    assert [(i.name, i.quantity, i.unit) for i in errand.items.all()] == [
        ("西红柿", 2, "斤"), ("鸡蛋", 1, "盒"), ("酱油", 1, ""),
    ]  # fmt: skip


def test_the_post_form_names_a_line_without_a_quantity_and_a_negative_budget(client, personas):
    f.resident_home(personas.resident_a)
    client.force_login(personas.resident_a)
    response = _post_need(client, items="西红柿\n鸡蛋 1 盒", budget="-3")
    errors = response.context["form"].errors
    assert "第 1 行“西红柿”：请写明数量" in errors["items"][0]
    assert not Errand.objects.exists()
    response = _post_need(client, items="鸡蛋 1 盒", budget="-3")
    assert response.context["form"].errors["budget"] == ["金额不能为负数"]
    assert not Errand.objects.exists()


def test_a_receipt_that_is_not_an_image_is_shown_by_its_field_and_nothing_saved(client, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    errand = f.claimed_errand(personas.resident_a, personas.volunteer_a)
    client.force_login(personas.volunteer_a)
    fake = SimpleUploadedFile("receipt.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = client.post(
        reverse("errands:errand_bought", args=[errand.pk]), {"amount": "20", "receipt": fake}
    )
    assert response.status_code == 200
    assert "上传的文件不是有效的图片" in response.content.decode()
    assert Errand.objects.get().status == "claimed" and not ErrandPhoto.objects.exists()


def test_the_loser_of_a_claim_is_told_on_the_list(client, personas):
    errand = f.claimed_errand(personas.resident_a, personas.volunteer_a)
    second = f.volunteer("volunteer_a2", personas.organisations["volunteers_a1"])
    client.force_login(second)
    response = client.post(reverse("errands:errand_claim", args=[errand.pk]), follow=True)
    assert "手慢了：该需求已被其他志愿者认领" in response.content.decode()
