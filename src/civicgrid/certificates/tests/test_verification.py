"""Online verification: the page, the URL in the QR code, the API; every check logged."""

import datetime
import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from civicgrid.certificates import signing
from civicgrid.certificates.actions import do_revoke_certificate
from civicgrid.certificates.models import CertificateVerification
from civicgrid.certificates.tests import factories as f

VERIFY_API = "/api/v1/certificates/verify"


def code_of(certificate) -> str:
    return signing.code_of(certificate.payload, certificate.signature)


def tampered(code: str) -> str:
    _, payload, signature = code.split(".")
    data = signing.unb64(payload).replace(b"18600", b"98600")
    return f"CGC1.{signing.b64u(data)}.{signature}"


def post_api(client, body, **extra):
    return client.post(VERIFY_API, body, content_type="application/json", **extra)


@pytest.mark.django_db
def test_a_valid_certificate_shows_valid_on_the_page_with_the_masked_subject(client, personas):
    certificate = f.approval(personas)
    response = client.post(reverse("certificates:verify"), {"code": code_of(certificate)})
    assert response.status_code == 200
    text = response.content.decode()
    assert "有效" in text and "911311********MP1W" in text
    assert "91131128MA0EXAMP1W" not in text
    row = CertificateVerification.objects.get()
    assert (row.certificate, row.channel, row.result) == (certificate, "page", "valid")
    assert row.verifier_network == "127.0.0.0/24"


@pytest.mark.django_db
def test_opening_the_url_in_the_qr_code_verifies_at_once(client, personas):
    certificate = f.employment_record(personas)
    response = client.get(
        reverse("certificates:verify_link", args=[code_of(certificate)]),
        REMOTE_ADDR="2001:db8:abcd:12::7",
    )
    assert response.status_code == 200
    assert "131128********" in response.content.decode()
    row = CertificateVerification.objects.get()
    assert (row.channel, row.result, row.verifier_network) == (
        "link",
        "valid",
        "2001:db8:abcd::/48",
    )


@pytest.mark.django_db
def test_a_revoked_certificate_shows_revoked(client, personas):
    certificate = f.approval(personas)
    do_revoke_certificate(personas.clerk_a, certificate=certificate, reason="项目单位申请撤回")
    response = client.post(reverse("certificates:verify"), {"code": code_of(certificate)})
    assert "已撤销" in response.content.decode()
    assert post_api(client, {"code": code_of(certificate)}).json()["result"] == "revoked"


@pytest.mark.django_db
def test_an_expired_certificate_shows_expired(client, personas):
    certificate = f.approval(personas, valid_days=10)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=11)):
        body = post_api(client, {"code": code_of(certificate)}).json()
        assert (body["result"], body["label"]) == ("expired", "已过期")
        page = client.post(reverse("certificates:verify"), {"code": code_of(certificate)})
        assert "已过期" in page.content.decode()


@pytest.mark.django_db
def test_a_tampered_code_shows_an_invalid_signature_and_is_logged_without_a_certificate(
    client, personas
):
    certificate = f.approval(personas)
    response = client.post(reverse("certificates:verify"), {"code": tampered(code_of(certificate))})
    assert response.status_code == 422
    assert "签名无效" in response.content.decode()
    assert "98600" not in response.content.decode()  # the forged words are not echoed as fact
    row = CertificateVerification.objects.get()
    assert (row.certificate, row.result) == (None, "bad_signature")
    assert not certificate.verifications.exists()


@pytest.mark.django_db
def test_a_code_signed_with_an_unknown_key_is_refused(client, personas, settings):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    certificate = f.approval(personas)
    stranger = signing.SigningKey("stranger", Ed25519PrivateKey.generate())
    payload = json.loads(certificate.payload)
    payload.pop("kid")
    forged = signing.sign(payload, stranger).code
    body = post_api(client, {"code": forged}).json()
    assert body["result"] == "unknown_key" and body["payload"] is None


@pytest.mark.django_db
def test_a_rotated_out_key_no_longer_verifies_online(client, personas, settings):
    certificate = f.approval(personas)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    raw = Ed25519PrivateKey.generate().private_bytes(
        Encoding.Raw, PrivateFormat.Raw, NoEncryption()
    )
    settings.CERTIFICATE_SIGNING_KEYS = f"k9:{signing.b64u(raw)}"
    assert post_api(client, {"code": code_of(certificate)}).json()["result"] == "unknown_key"
    assert client.get("/api/v1/certificates/keys").json() == signing.public_keys()


@pytest.mark.django_db
def test_a_signature_over_words_that_are_not_the_platforms_record_is_not_found(client, personas):
    certificate = f.approval(personas)
    payload = json.loads(certificate.payload)
    payload.pop("kid")
    payload["subject"] = "另一家公司"
    resigned = signing.sign(payload).code  # a valid signature by our key, but not what we issued
    body = post_api(client, {"code": resigned}).json()
    assert body["result"] == "not_found"


@pytest.mark.parametrize(
    "body",
    [
        b"not json at all",
        b"{}",
        b'{"code": 12345}',
        b'{"code": null}',
        b'{"code": ["CGC1.a.b"]}',
        json.dumps({"code": "CGC1." + "A" * 5000}).encode(),
    ],
)
@pytest.mark.django_db
def test_garbage_sent_to_the_verify_api_gets_a_422_with_a_message(client, body):
    response = client.post(VERIFY_API, body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["message"]
    assert not CertificateVerification.objects.exists()


@pytest.mark.django_db
def test_the_verify_api_takes_the_bare_code_as_plain_text(client, personas):
    certificate = f.approval(personas)
    response = client.post(VERIFY_API, code_of(certificate), content_type="text/plain")
    assert response.json()["result"] == "valid"
    assert response.json()["payload"]["no"] == certificate.number


@pytest.mark.parametrize("code", ["", "hello", "CGC1.@@.##", "CGC1.e30.AAAA", "https://x/v/CGC1"])
@pytest.mark.django_db
def test_a_string_that_is_not_a_certificate_is_answered_not_crashed_on(client, code):
    body = post_api(client, {"code": code}).json()
    assert body["result"] in ("malformed", "bad_signature")
    assert body["payload"] is None
    page = client.post(reverse("certificates:verify"), {"code": code})
    assert page.status_code == 422


@pytest.mark.django_db
def test_the_verify_page_needs_no_sign_in_and_the_keys_are_published(client):
    assert client.get(reverse("certificates:verify")).status_code == 200
    keys = client.get(reverse("certificates:keys_json")).json()
    assert keys == signing.public_keys()
    page = client.get(reverse("certificates:keys")).content.decode()
    assert next(iter(keys.values())) in page
    assert "开发环境密钥" in page  # tests run without a configured key


@pytest.mark.django_db
def test_one_network_checking_too_often_is_slowed_down_and_not_logged(client, personas, settings):
    settings.CERTIFICATE_VERIFICATIONS_PER_MINUTE = 3
    certificate = f.approval(personas)
    code = code_of(certificate)
    for _ in range(3):
        assert post_api(client, {"code": code}).status_code == 200
    refused = post_api(client, {"code": code})
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    page = client.post(reverse("certificates:verify"), {"code": code})
    assert page.status_code == 429 and "过于频繁" in page.content.decode()
    link = client.get(reverse("certificates:verify_link", args=[code]))
    assert link.status_code == 429
    assert CertificateVerification.objects.count() == 3
    # Another network is not affected, and a minute later this one may check again.
    assert post_api(client, {"code": code}, REMOTE_ADDR="198.51.100.7").status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        assert post_api(client, {"code": code}).status_code == 200
