"""The holder's wallet: their certificates, the PDF, shared links and the history."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from civicgrid.certificates import signing
from civicgrid.certificates.actions import (
    do_record_certificate_use,
    do_revoke_certificate,
    do_revoke_share,
    do_share_certificate,
)
from civicgrid.certificates.models import CertificateShare, CertificateVerification
from civicgrid.certificates.sharing import token_for
from civicgrid.certificates.tests import factories as f
from civicgrid.core.audit.models import AuditRecord


@pytest.mark.django_db
def test_a_resident_sees_only_their_own_certificates(client, personas):
    mine = f.employment_record(personas)
    theirs = f.employment_record(personas, holder="resident_b")
    client.force_login(personas.resident_a)
    page = client.get(reverse("certificates:wallet_list")).content.decode()
    assert mine.type.name in page and reverse("certificates:wallet_detail", args=[mine.pk]) in page
    assert reverse("certificates:wallet_detail", args=[theirs.pk]) not in page
    response = client.get(reverse("certificates:wallet_detail", args=[theirs.pk]))
    assert response.status_code == 404
    assert client.get(reverse("certificates:certificate_pdf", args=[theirs.pk])).status_code == 404
    assert client.get(f"/api/v1/certificates/{theirs.pk}").status_code == 404
    assert AuditRecord.objects.filter(action="access_denied", target_id=str(theirs.pk)).exists()
    assert [c["id"] for c in client.get("/api/v1/certificates").json()["items"]] == [mine.pk]


@pytest.mark.django_db
def test_an_enterprise_agent_sees_their_enterprises_certificates(client, personas):
    certificate = f.approval(personas)
    client.force_login(personas.enterprise_agent_a)
    page = client.get(reverse("certificates:wallet_detail", args=[certificate.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "<svg" in text and f.APPROVAL_FIELDS["project_name"] in text
    assert "911311********MP1W" in text
    body = client.get("/api/v1/certificates").json()
    assert body["items"][0]["code"].startswith("CGC1.")
    assert body["items"][0]["subject_number"] == "911311********MP1W"


@pytest.mark.django_db
def test_the_pdf_is_a_pdf_with_the_certificate_and_its_qr_code(client, personas):
    certificate = f.approval(personas)
    client.force_login(personas.enterprise_agent_a)
    response = client.get(reverse("certificates:certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and len(response.content) > 3000
    assert b"STSong-Light" in response.content
    # The issuing clerk may print it too, and that read of the holder's document is audited.
    client.force_login(personas.clerk_a)
    assert client.get(f"/api/v1/certificates/{certificate.pk}/pdf").status_code == 200
    assert AuditRecord.objects.filter(action="export", target_id=str(certificate.pk)).count() == 1


@pytest.mark.django_db
def test_a_shared_link_shows_the_certificate_until_it_expires(client, personas):
    certificate = f.employment_record(personas)
    share = do_share_certificate(personas.resident_a, certificate=certificate, hours="1")
    url = reverse("certificates:shared_view", args=[token_for(share)])
    response = client.get(url)
    assert response.status_code == 200
    assert "有效" in response.content.decode()
    assert CertificateVerification.objects.get().channel == "share"
    share.refresh_from_db()
    assert share.view_count == 1
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=61)):
        expired = client.get(url)
    assert expired.status_code == 410
    assert "已过期" in expired.content.decode()


@pytest.mark.django_db
def test_a_withdrawn_link_and_a_revoked_certificate_refuse_clearly(client, personas):
    certificate = f.employment_record(personas)
    share = do_share_certificate(personas.resident_a, certificate=certificate, hours="168")
    other = do_share_certificate(personas.resident_a, certificate=certificate, hours="24")
    do_revoke_share(personas.resident_a, share=share)
    withdrawn = client.get(reverse("certificates:shared_view", args=[token_for(share)]))
    assert withdrawn.status_code == 410 and "撤回" in withdrawn.content.decode()
    do_revoke_certificate(personas.clerk_a, certificate=certificate, reason="登记信息有误")
    revoked = client.get(reverse("certificates:shared_view", args=[token_for(other)]))
    assert revoked.status_code == 410 and "撤销" in revoked.content.decode()


@pytest.mark.parametrize("token", ["1.abc:forged", "garbage", "99999.x:y"])
@pytest.mark.django_db
def test_a_forged_or_unknown_share_token_shows_nothing(client, personas, token):
    certificate = f.employment_record(personas)
    do_share_certificate(personas.resident_a, certificate=certificate, hours="24")
    response = client.get(reverse("certificates:shared_view", args=[token]))
    assert response.status_code == 410
    assert certificate.subject_name not in response.content.decode()


@pytest.mark.django_db
def test_a_token_for_a_share_row_with_another_nonce_is_refused(client, personas):
    certificate = f.employment_record(personas)
    share = do_share_certificate(personas.resident_a, certificate=certificate, hours="24")
    token = token_for(share)
    CertificateShare.objects.filter(pk=share.pk).update(nonce="replaced")
    assert client.get(reverse("certificates:shared_view", args=[token])).status_code == 410


@pytest.mark.parametrize("hours", ["2", "", "0", "24.0", "-1"])
@pytest.mark.django_db
def test_only_the_offered_durations_may_be_chosen(client, personas, hours):
    certificate = f.employment_record(personas)
    client.force_login(personas.resident_a)
    response = client.post(
        reverse("certificates:share_create", args=[certificate.pk]), {"hours": hours}
    )
    assert response.status_code == 400
    assert "有效期" in response.content.decode()
    assert not CertificateShare.objects.exists()


@pytest.mark.django_db
def test_only_the_holder_shares_and_withdraws(personas, client):
    from django.core.exceptions import PermissionDenied

    certificate = f.employment_record(personas)
    with pytest.raises(PermissionDenied):
        do_share_certificate(personas.resident_b, certificate=certificate, hours="1")
    share = do_share_certificate(personas.resident_a, certificate=certificate, hours="1")
    with pytest.raises(PermissionDenied):
        do_revoke_share(personas.clerk_a, share=share)
    client.force_login(personas.resident_b)
    assert client.post(reverse("certificates:share_revoke", args=[share.pk])).status_code == 404


@pytest.mark.django_db
def test_the_api_makes_a_share_link_that_works(client, personas):
    certificate = f.employment_record(personas)
    client.force_login(personas.resident_a)
    response = client.post(f"/api/v1/certificates/{certificate.pk}/shares", {"hours": "24"})
    assert response.status_code == 201
    url = response.json()["url"]
    client.logout()
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_the_holder_sees_every_verification_and_every_agency_use(client, personas):
    certificate = f.approval(personas)
    code = signing.code_of(certificate.payload, certificate.signature)
    client.post(reverse("certificates:verify"), {"code": code})
    client.get(reverse("certificates:verify_link", args=[code]))
    do_record_certificate_use(
        personas.clerk_b, certificate=certificate, purpose="景县项目备案，免交核准批复"
    )
    client.force_login(personas.enterprise_agent_a)
    page = client.get(reverse("certificates:wallet_detail", args=[certificate.pk])).content
    text = page.decode()
    assert "景县发展和改革局" in text and "免交核准批复" in text
    assert "在线核验页面" in text and "扫码打开核验链接" in text
    history = client.get(f"/api/v1/certificates/{certificate.pk}/history").json()
    assert [h["kind"] for h in history] == ["use", "verification", "verification"]
