"""Submitting an application: answers and files checked, one case, nothing half-saved."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.applications import actions
from civicgrid.applications.choices import ApplicantKind, CaseStatus, MaterialSource
from civicgrid.applications.models import Attachment, Case, CaseEvent
from civicgrid.applications.tests import factories as f
from civicgrid.core.audit.models import AuditRecord
from civicgrid.core.notifications.models import Notification
from civicgrid.core.workdays import calendar


def test_an_enterprise_agent_submits_for_the_enterprise_with_a_numbered_case(personas, service):
    case = f.submit(personas.enterprise_agent_a, service)

    assert re.fullmatch(r"冀办\d{8}00001", case.number)
    assert case.applicant_kind == ApplicantKind.ENTERPRISE
    assert case.applicant_organisation == personas.organisations["enterprise_a"]
    assert case.credit_code == "91131128MA0EXAMP1W"
    assert case.status == CaseStatus.SUBMITTED
    assert case.current_step.key == "receive"
    assert case.division_code == "131128000000"
    assert case.form_definition.version == 1
    assert case.due_date == calendar.add_working_days(case.submitted_at.date(), 10)
    [attachment] = case.attachments.all()
    assert attachment.kind == "pdf"
    assert re.fullmatch(r"[0-9a-f]{64}", attachment.sha256)
    assert case.answers["plan"] == [str(attachment.reference)]
    assert attachment.file.read().startswith(b"%PDF")
    assert CaseEvent.objects.filter(case=case, kind="submitted").count() == 1
    assert AuditRecord.objects.filter(
        target_type="applications.case", target_id=str(case.pk)
    ).exists()
    assert Notification.objects.filter(
        recipient=personas.clerk_a, template_code="application_new"
    ).exists()
    assert not Notification.objects.filter(recipient=personas.clerk_b).exists()


def test_case_numbers_count_up_within_a_day(personas, service):
    first = f.submit(personas.enterprise_agent_a, service)
    second = f.submit(personas.resident_a, service)
    assert int(second.number[-5:]) == int(first.number[-5:]) + 1
    assert second.applicant_kind == ApplicantKind.RESIDENT


def test_a_missing_required_answer_is_named_and_nothing_is_saved(personas, service):
    answers = {**f.ANSWERS}
    del answers["project_name"]
    with pytest.raises(ValidationError) as caught:
        actions.do_submit_case(
            personas.enterprise_agent_a,
            item=service,
            answers=answers,
            files={"plan": [f.pdf_upload()]},
        )
    assert "project_name" in caught.value.message_dict
    assert "项目名称" in caught.value.message_dict["project_name"][0]
    assert Case.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_a_missing_required_file_is_named(personas, service):
    with pytest.raises(ValidationError) as caught:
        actions.do_submit_case(personas.enterprise_agent_a, item=service, answers=f.ANSWERS)
    assert "plan" in caught.value.message_dict
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("报告.pdf", b"MZ\x90\x00" + b"\x00" * 200),  # a Windows program calling itself a PDF
        ("报告.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),  # a PNG header named .pdf
        ("报告.pdf", b""),  # empty
        ("setup.exe", f.pdf_bytes()),  # an executable by name
        ("报告.pdf", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_saved(
    personas, service, name, content
):
    with pytest.raises(ValidationError) as caught:
        actions.do_submit_case(
            personas.enterprise_agent_a,
            item=service,
            answers=f.ANSWERS,
            files={"plan": [f.upload(name, content)]},
        )
    assert "plan" in caught.value.message_dict
    assert Case.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_a_file_over_the_fields_limit_is_refused(personas, service):
    big = f.upload("报告.pdf", f.pdf_bytes(5 * 1024 * 1024 + 10))
    with pytest.raises(ValidationError) as caught:
        actions.do_submit_case(
            personas.enterprise_agent_a, item=service, answers=f.ANSWERS, files={"plan": [big]}
        )
    assert "plan" in caught.value.message_dict
    assert Case.objects.count() == 0


def test_too_many_files_for_a_field_are_refused(personas, service):
    files = {"plan": [f.pdf_upload(), f.pdf_upload(), f.pdf_upload()]}
    with pytest.raises(ValidationError) as caught:
        actions.do_submit_case(
            personas.enterprise_agent_a, item=service, answers=f.ANSWERS, files=files
        )
    assert "plan" in caught.value.message_dict


def test_answers_cannot_name_someone_elses_attachment(personas, service):
    other = f.submit(personas.resident_b, service)
    stolen = other.answers["plan"]
    with pytest.raises(ValidationError) as caught:
        actions.do_submit_case(
            personas.resident_a, item=service, answers={**f.ANSWERS, "plan": stolen}
        )
    assert "plan" in caught.value.message_dict
    assert Case.objects.count() == 1


def test_an_enterprise_with_an_invalid_credit_code_cannot_apply(personas, service):
    enterprise = personas.organisations["enterprise_a"]
    enterprise.credit_code = "91131128MA0EXAMP1X"  # wrong check character
    enterprise.save()
    with pytest.raises(ValidationError) as caught:
        f.submit(personas.enterprise_agent_a, service)
    assert "credit_code" in caught.value.message_dict
    assert Case.objects.count() == 0


def test_an_item_without_online_handling_refuses(personas, service):
    service.online = False
    service.save()
    with pytest.raises(ValidationError) as caught:
        f.submit(personas.resident_a, service)
    assert "item" in caught.value.message_dict


def test_a_material_held_as_an_e_certificate_is_taken_from_shared_data(personas):
    from civicgrid.certificates.actions import do_issue_certificate
    from civicgrid.certificates.models import CertificateUse

    service = f.item(
        personas.organisations["department_a"],
        certificate_materials=(("营业执照", "business_licence"),),
    )
    enterprise = personas.organisations["enterprise_a"]
    with pytest.raises(ValidationError) as caught:
        f.submit(personas.enterprise_agent_a, service)
    assert "营业执照" in caught.value.message_dict["materials"][0]
    assert Case.objects.count() == 0

    licence = do_issue_certificate(
        personas.clerk_a,
        type_code="business_licence",
        holder_organisation=enterprise,
        subject_name=enterprise.name,
        subject_number=enterprise.credit_code,
        fields={
            "enterprise_type": "有限责任公司",
            "legal_representative": "张三",
            "registered_capital": "500 万元",
            "established_on": "2015-03-02",
            "address": "阜城县经济开发区",
            "business_scope": "农业机械制造",
        },
    )
    case = f.submit(personas.enterprise_agent_a, service)
    material = case.materials.get(source=MaterialSource.CERTIFICATE)
    assert (material.name, material.certificate_id) == ("营业执照", licence.pk)
    assert not CertificateUse.objects.exists()  # the agency uses it when it receives the case
    actions.do_advance_case(personas.clerk_a, case=case)
    use = CertificateUse.objects.get(certificate=licence)
    assert case.number in use.purpose


def test_only_the_enterprises_agent_applies_for_it(personas, service):
    with pytest.raises(PermissionDenied):
        actions.do_start_draft(
            personas.resident_a, item=service, organisation=personas.organisations["enterprise_a"]
        )
