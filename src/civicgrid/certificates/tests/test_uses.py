"""An agency using a certificate instead of asking the holder for paper."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.certificates.actions import do_record_certificate_use, do_revoke_certificate
from civicgrid.certificates.models import CertificateUse
from civicgrid.certificates.selectors import certificates_held_by
from civicgrid.certificates.tests import factories as f
from civicgrid.core.audit.models import AuditRecord


@pytest.mark.django_db
def test_a_clerk_records_a_use_and_the_holder_sees_it_in_who_read_my_data(personas):
    certificate = f.employment_record(personas)
    do_record_certificate_use(
        personas.clerk_b, certificate=certificate, purpose="就业补贴申请，免交就业登记证明"
    )
    use = CertificateUse.objects.get()
    assert (use.agency.name, use.used_by) == ("景县发展和改革局", personas.clerk_b)
    record = AuditRecord.objects.get(action="share", target_id=str(certificate.pk))
    assert record.subject_key == f"user:{personas.resident_a.pk}"


@pytest.mark.parametrize("purpose", ["", "  ", "x" * 201, None])
@pytest.mark.django_db
def test_a_use_needs_a_purpose(personas, purpose):
    certificate = f.employment_record(personas)
    with pytest.raises(ValidationError) as caught:
        do_record_certificate_use(personas.clerk_a, certificate=certificate, purpose=purpose)
    assert "purpose" in caught.value.message_dict
    assert not CertificateUse.objects.exists()


@pytest.mark.django_db
def test_residents_agents_and_officers_cannot_record_uses(personas):
    certificate = f.employment_record(personas)
    for who in ("resident_b", "enterprise_agent_a", "county_a_officer", "grid_worker_a1"):
        with pytest.raises(PermissionDenied):
            do_record_certificate_use(getattr(personas, who), certificate=certificate, purpose="x")
    assert not CertificateUse.objects.exists()


@pytest.mark.django_db
def test_a_revoked_certificate_cannot_stand_in_for_paper(personas):
    certificate = f.approval(personas)
    do_revoke_certificate(personas.clerk_a, certificate=certificate, reason="撤回")
    with pytest.raises(ValidationError) as caught:
        do_record_certificate_use(personas.clerk_a, certificate=certificate, purpose="开工审批")
    assert "certificate" in caught.value.message_dict
    assert list(certificates_held_by(organisation=personas.organisations["enterprise_a"])) == []


@pytest.mark.django_db
def test_certificates_held_by_filters_by_type_and_leaves_out_expired_ones(personas):
    import datetime

    import time_machine
    from django.utils import timezone

    approval = f.approval(personas, valid_days=5)
    licence_holder = personas.organisations["enterprise_a"]
    assert (
        list(certificates_held_by(organisation=licence_holder, type_code="business_licence")) == []
    )
    assert list(
        certificates_held_by(organisation=licence_holder, type_code="investment_project_approval")
    ) == [approval]
    with time_machine.travel(timezone.now() + datetime.timedelta(days=6)):
        assert list(certificates_held_by(organisation=licence_holder)) == []
    with pytest.raises(ValueError):
        certificates_held_by()


@pytest.mark.django_db
def test_the_api_records_a_use_and_refuses_an_unknown_certificate(client, personas):
    certificate = f.approval(personas)
    client.force_login(personas.clerk_b)
    url = f"/api/v1/certificates/{certificate.pk}/uses"
    assert client.post(url, {"purpose": "跨县项目备案"}).status_code == 204
    assert client.post(url, {"purpose": ""}).status_code == 422
    assert client.post("/api/v1/certificates/999999/uses", {"purpose": "x"}).status_code == 404
    assert CertificateUse.objects.count() == 1
