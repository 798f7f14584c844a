"""The demo certificates load through the actions, verify, and load only once."""

import pytest

from civicgrid.accounts.demo import do_load_demo_accounts
from civicgrid.certificates import signing
from civicgrid.certificates.demo import do_load_demo_certificates
from civicgrid.certificates.models import Certificate, CertificateUse
from civicgrid.certificates.verification import evaluate


@pytest.mark.django_db
def test_the_demo_certificates_load_once_and_every_one_verifies():
    assert do_load_demo_certificates() == 0  # no demo accounts yet: nothing to do
    do_load_demo_accounts()
    assert do_load_demo_certificates() == 6
    assert do_load_demo_certificates() == 0
    states = sorted(c.state() for c in Certificate.objects.all())
    assert states == ["revoked", "valid", "valid", "valid", "valid", "valid"]
    for certificate in Certificate.objects.all():
        code = signing.code_of(certificate.payload, certificate.signature)
        assert evaluate(code).result == certificate.state()
    assert CertificateUse.objects.count() == 1


@pytest.mark.django_db
def test_every_demo_qr_code_stays_printable(rf, settings):
    """The QR code holds the whole signed statement; on the demo's longest certificates it must
    stay a version a phone reads from the PDF's 62 mm square (≤ 28: modules of 0.45 mm or more,
    what `signing.MAX_QR_TEXT` guarantees)."""
    import segno

    from civicgrid.certificates.documents import qr_content

    do_load_demo_accounts()
    do_load_demo_certificates()
    settings.ALLOWED_HOSTS = ["zwfw.hebei.example.gov.cn"]
    request = rf.get("/", HTTP_HOST="zwfw.hebei.example.gov.cn", secure=True)
    versions = {}
    for certificate in Certificate.objects.select_related("type"):
        content = qr_content(certificate, request)
        versions[certificate.type.code] = (len(content), segno.make(content, error="m").version)
    assert max(version for _, version in versions.values()) <= 28, versions
