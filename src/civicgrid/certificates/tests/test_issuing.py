"""Issuing: the action applications call at case completion, and its refusals."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from civicgrid.certificates import signing
from civicgrid.certificates.actions import do_issue_certificate
from civicgrid.certificates.models import Certificate
from civicgrid.certificates.selectors import certificates_held_by
from civicgrid.certificates.tests import factories as f
from civicgrid.core.audit.models import AuditRecord
from civicgrid.core.notifications.models import Notification


@pytest.mark.django_db
def test_a_clerk_issues_a_signed_approval_to_an_enterprise(personas):
    certificate = f.approval(personas)
    assert certificate.issuer == personas.organisations["department_a"]
    assert certificate.division_code == "131128000000"
    assert certificate.number.startswith(f"CG131128{timezone.localdate().year}")
    assert certificate.subject_number_masked == "911311********MP1W"
    assert certificate.subject_credit_code == "91131128MA0EXAMP1W"
    assert certificate.expires_on is not None and certificate.is_valid
    payload = signing.verify(
        signing.code_of(certificate.payload, certificate.signature), signing.public_keys()
    )
    assert payload["no"] == certificate.number
    assert payload["subject_no"] == "911311********MP1W"
    assert payload["fields"]["项目名称"] == f.APPROVAL_FIELDS["project_name"]
    assert payload["issuer"] == "阜城县发展和改革局"
    assert payload["kid"] == certificate.key_id
    assert json.loads(certificate.payload) == payload
    assert AuditRecord.objects.filter(action="create", target_id=str(certificate.pk)).exists()
    assert Notification.objects.filter(recipient=personas.enterprise_agent_a).exists()
    assert list(certificates_held_by(organisation=personas.organisations["enterprise_a"])) == [
        certificate
    ]


@pytest.mark.django_db
def test_a_residents_id_number_is_stored_encrypted_and_signed_only_masked(personas):
    certificate = f.employment_record(personas)
    stored = Certificate.objects.get(pk=certificate.pk)
    assert stored.subject_id_number == f.RESIDENT_A_ID
    assert f.RESIDENT_A_ID not in certificate.payload
    assert json.loads(certificate.payload)["subject_no"] == stored.subject_id_number.masked
    assert Certificate.objects.filter(subject_id_number=f.RESIDENT_A_ID).count() == 1
    assert list(certificates_held_by(user=personas.resident_a)) == [certificate]
    assert list(certificates_held_by(user=personas.resident_b)) == []


@pytest.mark.django_db
def test_a_clerk_of_another_kind_of_office_cannot_issue_a_tax_notice(personas):
    with pytest.raises(PermissionDenied):
        f.approval(personas, type_code="invoice_quota", fields={})
    assert not Certificate.objects.exists()


@pytest.mark.django_db
def test_a_resident_cannot_issue_anything(personas):
    with pytest.raises(PermissionDenied):
        do_issue_certificate(
            personas.resident_a,
            type_code="flexible_employment_record",
            holder_user=personas.resident_a,
            subject_name="张示例",
            subject_number=f.RESIDENT_A_ID,
            fields={"employment_form": "个体经营", "registered_on": "2026-11-20"},
        )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"type_code": "no_such_type"}, "type_code"),
        ({"subject_number": "91131128MA0EXAMP1X"}, "subject_number"),
        ({"subject_number": 91131128}, "subject_number"),
        ({"subject_name": "  "}, "subject_name"),
        ({"fields": {"project_name": "x"}}, "fields.project_code"),
        ({"fields": {**f.APPROVAL_FIELDS, "colour": "red"}}, "fields"),
        ({"fields": {**f.APPROVAL_FIELDS, "total_investment": 18600}}, "fields.total_investment"),
        (
            {"fields": {**f.APPROVAL_FIELDS, "construction_scale": "长" * 201}},
            "fields.construction_scale",
        ),
        ({"fields": ["not", "a", "mapping"]}, "fields"),
        ({"valid_days": 0}, "valid_days"),
        ({"valid_days": "30"}, "valid_days"),
        ({"source": "x" * 81}, "source"),
    ],
)
@pytest.mark.django_db
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(personas, overrides, field):
    with pytest.raises(ValidationError) as caught:
        f.approval(personas, **overrides)
    assert field in caught.value.message_dict
    assert not Certificate.objects.exists()


@pytest.mark.django_db
def test_a_holder_of_the_wrong_kind_or_two_holders_are_refused(personas):
    with pytest.raises(ValidationError) as caught:
        f.approval(personas, holder_user=personas.resident_a)
    assert "holder" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        f.employment_record(personas, holder_user=None)
    assert "holder" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        f.approval(personas, holder_organisation=personas.organisations["department_b"])
    assert "holder" in caught.value.message_dict
    assert not Certificate.objects.exists()


@pytest.mark.django_db
def test_a_number_that_differs_from_the_holders_registered_one_is_refused(personas):
    resident = personas.resident_a
    resident.id_number = f.RESIDENT_A_ID
    resident.save()
    with pytest.raises(ValidationError) as caught:
        f.employment_record(personas, subject_number=f.RESIDENT_B_ID)
    assert "subject_number" in caught.value.message_dict


@pytest.mark.django_db
def test_a_type_without_expiry_is_valid_indefinitely_and_valid_days_override(personas):
    licence = f.approval(
        personas,
        type_code="business_licence",
        fields={
            "enterprise_type": "有限责任公司",
            "legal_representative": "王示例",
            "registered_capital": "500 万元",
            "established_on": "2015-03-02",
            "address": "阜城县示例路 1 号",
            "business_scope": "农业机械制造、销售",
        },
    )
    assert licence.expires_on is None
    short = f.approval(personas, valid_days=30)
    assert (short.expires_on - short.valid_from).days == 29


@pytest.mark.django_db
def test_fields_too_long_for_a_readable_qr_code_are_refused(personas):
    long = {key: "长" * 199 for key in f.APPROVAL_FIELDS}  # each within the field limit
    with pytest.raises(ValidationError) as caught:
        f.approval(personas, fields=long)
    assert "二维码" in caught.value.message_dict["fields"][0]
    assert not Certificate.objects.exists()


@pytest.mark.parametrize(
    "labels",
    [
        "项目名称",
        [["project_name"]],
        [["Project Name", "项目名称"]],
        [["a", "甲"], ["a", "乙"]],
        [["a", ""]],
        [["a", 1]],
    ],
)
@pytest.mark.django_db
def test_an_administrator_cannot_save_a_malformed_field_list(labels):
    from civicgrid.certificates.models import CertificateType

    kind = CertificateType(
        code="x_permit", name="示例许可", holder_kind="enterprise", issuer_type="department",
        field_labels=labels,
    )  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        kind.full_clean()
    assert "field_labels" in caught.value.message_dict


@pytest.mark.django_db
def test_the_holders_registered_number_may_be_passed_as_read_but_not_masked(personas):
    resident = personas.resident_a
    resident.id_number = f.RESIDENT_A_ID
    resident.save()
    resident.refresh_from_db()
    certificate = f.employment_record(personas, subject_number=resident.id_number)
    assert certificate.subject_id_number == f.RESIDENT_A_ID
    with pytest.raises(ValidationError) as caught:
        f.employment_record(personas, subject_number=str(resident.id_number))  # the masked text
    assert "subject_number" in caught.value.message_dict
