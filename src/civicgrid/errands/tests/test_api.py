"""The errands API: the same rules as the pages, JSON errors naming the field."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from civicgrid.errands.models import Errand
from civicgrid.errands.tests import factories as f

pytestmark = pytest.mark.django_db


def _payload(**overrides):
    now = timezone.now()
    return json.dumps(
        {
            "kind": "daily_goods",
            "items": [{"name": "洗衣液", "quantity": 1, "unit": "瓶"}],
            "budget": "25",
            "window_start": now.isoformat(),
            "window_end": (now + datetime.timedelta(hours=2)).isoformat(),
            **overrides,
        }
    )


def test_a_resident_posts_by_api_and_only_they_see_the_handoff_code(client, personas):
    f.resident_home(personas.resident_a)
    client.force_login(personas.resident_a)
    response = client.post(reverse("api:errands_list"), _payload(), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["handoff_code"] == Errand.objects.get().handoff_code
    client.force_login(personas.volunteer_a)
    seen = client.get(reverse("api:errands_detail", args=[body["id"]])).json()
    assert seen["handoff_code"] is None and seen["actions"] == ["claim"]
    assert seen["contact_name"].endswith("*") and "****" in seen["contact_mobile"]


def test_a_negative_budget_is_a_422_naming_the_field(client, personas):
    f.resident_home(personas.resident_a)
    client.force_login(personas.resident_a)
    response = client.post(
        reverse("api:errands_list"), _payload(budget="-1"), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["details"]["fields"] == [
        {"field": "budget", "message": "金额不能为负数"}
    ]
    assert not Errand.objects.exists()


def test_a_second_claim_is_a_409_in_chinese(client, personas):
    errand = f.claimed_errand(personas.resident_a, personas.volunteer_a)
    second = f.volunteer("volunteer_a2", personas.organisations["volunteers_a1"])
    client.force_login(second)
    response = client.post(reverse("api:errands_claim", args=[errand.pk]))
    assert response.status_code == 409
    assert response.json() == {"code": "conflict", "message": "手慢了：该需求已被其他志愿者认领"}


def test_a_whole_errand_by_api_with_a_receipt_upload(client, personas):
    errand = f.open_errand(personas.resident_a)
    client.force_login(personas.volunteer_a)
    assert client.post(reverse("api:errands_claim", args=[errand.pk])).status_code == 200
    bad = client.post(reverse("api:errands_bought", args=[errand.pk]), {"amount": "-2"})
    assert bad.status_code == 422 and bad.json()["details"]["fields"][0]["field"] == "amount"
    from django.core.files.uploadedfile import SimpleUploadedFile

    receipt = SimpleUploadedFile("r.png", f.png_bytes(), content_type="image/png")
    bought = client.post(
        reverse("api:errands_bought", args=[errand.pk]), {"amount": "18.80", "receipt": receipt}
    )
    assert bought.status_code == 200 and bought.json()["status"] == "bought"
    wrong = client.post(reverse("api:errands_delivered", args=[errand.pk]), {"code": "abcd"})
    assert wrong.status_code == 422 and wrong.json()["details"]["fields"][0]["field"] == "code"
    code = Errand.objects.get().handoff_code
    assert (
        client.post(reverse("api:errands_delivered", args=[errand.pk]), {"code": code}).json()[
            "status"
        ]
        == "delivered"
    )
    refused = client.post(reverse("api:errands_confirm", args=[errand.pk]))
    assert refused.status_code == 422
    assert refused.json()["message"] == "只有求助人本人可以确认收货"
    client.force_login(personas.resident_a)
    confirmed = client.post(reverse("api:errands_confirm", args=[errand.pk])).json()
    assert (confirmed["status"], confirmed["outstanding"]) == ("confirmed", "18.80")
