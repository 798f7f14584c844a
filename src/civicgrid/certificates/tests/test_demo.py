"""The demo certificates load through the actions, verify, and load only once."""

import pytest

from civicgrid.accounts.demo import do_load_demo_accounts
from civicgrid.certificates import signing
from civicgrid.certificates.demo import do_load_demo_certificates
from civicgrid.certificates.models import Certificate, CertificateUse
from civicgrid.certificates.verification import evaluate


def _another_demo_issues_a_business_licence() -> None:
    """What the applications demo does when it runs first: it must not stop this one."""
    from civicgrid.accounts.models import Organisation, User
    from civicgrid.certificates.actions import do_issue_certificate

    enterprise = Organisation.objects.get(name="阜城县示范农机制造有限公司")
    do_issue_certificate(
        User.objects.get(username="development_clerk"),
        type_code="business_licence",
        holder_organisation=enterprise,
        subject_name=enterprise.name,
        subject_number=enterprise.credit_code,
        fields={
            "enterprise_type": "有限责任公司",
            "legal_representative": "王示例",
            "registered_capital": "伍佰万元整",
            "established_on": "2012-05-18",
            "address": "阜城县经济开发区创业路 18 号",
            "business_scope": "农业机械制造、销售及维修",
        },
        source="demo",
    )


@pytest.mark.django_db
def test_the_demo_certificates_load_once_and_every_one_verifies():
    assert do_load_demo_certificates() == 0  # no demo accounts yet: nothing to do
    do_load_demo_accounts()
    _another_demo_issues_a_business_licence()
    assert do_load_demo_certificates() == 6
    assert do_load_demo_certificates() == 0
    states = sorted(c.state() for c in Certificate.objects.filter(source="demo:certificates"))
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
