"""Revocation by the issuing department: a reason, an audit row, the holder told; nobody else."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from civicgrid.certificates.actions import do_revoke_certificate
from civicgrid.certificates.models import Certificate
from civicgrid.certificates.tests import factories as f
from civicgrid.core.audit.models import AuditRecord
from civicgrid.core.notifications.models import Notification


@pytest.mark.django_db
def test_the_issuing_clerk_revokes_with_a_reason_and_the_holder_is_told(client, personas):
    certificate = f.approval(personas)
    client.force_login(personas.clerk_a)
    response = client.post(
        reverse("certificates:revoke", args=[certificate.pk]), {"reason": "项目单位申请撤回"}
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.state() == "revoked"
    assert certificate.revoked_by == personas.clerk_a
    assert certificate.revocation_reason == "项目单位申请撤回"
    record = AuditRecord.objects.get(action="update", target_id=str(certificate.pk))
    assert record.reason == "项目单位申请撤回"
    notice = Notification.objects.get(
        recipient=personas.enterprise_agent_a, template_code="certificate_revoked"
    )
    assert "项目单位申请撤回" in notice.body


@pytest.mark.parametrize("reason", ["", "   ", "长" * 201])
@pytest.mark.django_db
def test_a_revocation_without_a_proper_reason_is_refused(client, personas, reason):
    certificate = f.approval(personas)
    client.force_login(personas.clerk_a)
    response = client.post(
        reverse("certificates:revoke", args=[certificate.pk]), {"reason": reason}
    )
    assert response.status_code == 400
    assert "撤销原因" in response.content.decode()
    assert "这个字段" not in response.content.decode()
    assert Certificate.objects.get().revoked_at is None
    with pytest.raises(ValidationError) as caught:
        do_revoke_certificate(personas.clerk_a, certificate=certificate, reason=reason)
    assert "reason" in caught.value.message_dict


@pytest.mark.django_db
def test_a_holder_or_another_countys_clerk_cannot_revoke(client, personas):
    certificate = f.approval(personas)
    for outsider in (personas.enterprise_agent_a, personas.clerk_b, personas.county_a_officer):
        with pytest.raises(PermissionDenied):
            do_revoke_certificate(outsider, certificate=certificate, reason="想撤销")
    client.force_login(personas.clerk_b)
    page = client.post(reverse("certificates:revoke", args=[certificate.pk]), {"reason": "x"})
    assert page.status_code == 404
    api = client.post(f"/api/v1/certificates/{certificate.pk}/revoke", {"reason": "x"})
    assert api.status_code == 404
    client.force_login(personas.enterprise_agent_a)
    assert (
        client.post(f"/api/v1/certificates/{certificate.pk}/revoke", {"reason": "x"}).status_code
        == 404
    )
    assert Certificate.objects.get().revoked_at is None


@pytest.mark.django_db
def test_revoking_twice_is_refused_and_the_first_revocation_stands(personas):
    certificate = f.approval(personas)
    do_revoke_certificate(personas.clerk_a, certificate=certificate, reason="第一次")
    with pytest.raises(ValidationError):
        do_revoke_certificate(personas.clerk_a, certificate=certificate, reason="第二次")
    assert Certificate.objects.get().revocation_reason == "第一次"


@pytest.mark.django_db
def test_the_api_revokes_for_the_issuing_clerk(client, personas):
    certificate = f.approval(personas)
    client.force_login(personas.clerk_a)
    response = client.post(
        f"/api/v1/certificates/{certificate.pk}/revoke", {"reason": "核准文件依法撤回"}
    )
    assert response.status_code == 200
    assert response.json()["state"] == "revoked"
    again = client.post(f"/api/v1/certificates/{certificate.pk}/revoke", {"reason": "再撤一次"})
    assert again.status_code == 422 and again.json()["message"] == "该证照已经撤销。"
