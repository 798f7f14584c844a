"""The issuing department's desk: issuing by hand, the list, the API for other systems."""

import pytest
from django.urls import reverse

from civicgrid.certificates.models import Certificate
from civicgrid.certificates.tests import factories as f
from civicgrid.core.testing import ENTERPRISE_A_CREDIT_CODE


def _form(**overrides):
    data = {
        "holder_number": ENTERPRISE_A_CREDIT_CODE,
        "subject_name": "阜城县示例机械制造有限公司",
        "valid_days": "",
        **{f"field_{k}": v for k, v in f.APPROVAL_FIELDS.items()},
    }
    data.update(overrides)
    return data


ISSUE = reverse("certificates:issue") + "?type=investment_project_approval"


@pytest.mark.django_db
def test_a_clerk_issues_from_the_desk(client, personas):
    client.force_login(personas.clerk_a)
    form = client.get(ISSUE)
    assert form.status_code == 200 and "项目名称" in form.content.decode()
    response = client.post(ISSUE, _form())
    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.holder_organisation == personas.organisations["enterprise_a"]
    assert certificate.source == "desk"
    listing = client.get(reverse("certificates:issued_list") + "?q=示例机械").content.decode()
    assert certificate.number in listing


@pytest.mark.django_db
def test_the_desk_names_the_field_that_is_wrong(client, personas):
    client.force_login(personas.clerk_a)
    response = client.post(ISSUE, _form(holder_number="91131128MA0EXAMP1X"))
    assert response.status_code == 400
    assert "校验" in response.content.decode() or "统一社会信用代码" in response.content.decode()
    response = client.post(ISSUE, _form(holder_number="91130100MA0000001L", field_project_name=""))
    assert response.status_code == 400
    assert "请填写项目名称。" in response.content.decode()
    assert not Certificate.objects.exists()


@pytest.mark.django_db
def test_a_resident_without_an_account_cannot_be_given_a_certificate(client, personas):
    client.force_login(personas.clerk_a)
    url = reverse("certificates:issue") + "?type=flexible_employment_record"
    response = client.post(
        url,
        {
            "holder_number": f.RESIDENT_A_ID,
            "subject_name": "张示例",
            "field_employment_form": "个体经营",
            "field_registered_on": "2026-11-20",
        },
    )
    assert response.status_code == 400
    assert "没有以该公民身份号码登记的居民账号" in response.content.decode()
    resident = personas.resident_a
    resident.id_number = f.RESIDENT_A_ID
    resident.save()
    response = client.post(
        url,
        {
            "holder_number": f.RESIDENT_A_ID,
            "subject_name": "张示例",
            "field_employment_form": "个体经营",
            "field_registered_on": "2026-11-20",
        },
    )
    assert response.status_code == 302
    assert Certificate.objects.get().holder_user == resident


@pytest.mark.django_db
def test_a_clerk_is_offered_only_the_types_their_office_issues(client, personas):
    client.force_login(personas.clerk_a)
    page = client.get(reverse("certificates:issue")).content.decode()
    assert "企业投资项目核准批复" in page and "发票增量核定通知" not in page
    response = client.get(reverse("certificates:issue") + "?type=invoice_quota")
    assert "您所在的机构不能签发该类型的证照" in response.content.decode()


@pytest.mark.django_db
def test_the_api_issues_for_a_clerk_and_refuses_a_resident(client, personas):
    body = {
        "type_code": "investment_project_approval",
        "holder_organisation_id": personas.organisations["enterprise_a"].pk,
        "subject_name": "阜城县示例机械制造有限公司",
        "subject_number": ENTERPRISE_A_CREDIT_CODE,
        "fields": f.APPROVAL_FIELDS,
        "source": "application:CG202611270002",
    }
    client.force_login(personas.resident_a)
    url = "/api/v1/certificates/issue"
    assert client.post(url, body, content_type="application/json").status_code == 403
    client.force_login(personas.clerk_a)
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["code"].startswith("CGC1.")
    bad = client.post(
        url, {**body, "holder_organisation_id": 999999}, content_type="application/json"
    )
    assert bad.status_code == 422
    missing = client.post(url, {**body, "fields": {}}, content_type="application/json")
    assert missing.status_code == 422 and missing.json()["details"]["fields"][0][
        "field"
    ].startswith("fields.")
    assert Certificate.objects.count() == 1


@pytest.mark.django_db
def test_a_department_api_token_issues_and_revokes_its_own(client, personas):
    from civicgrid.accounts.models import ApiToken

    token = ApiToken(
        name="审批系统",
        organisation=personas.organisations["department_a"],
        jurisdiction=personas.organisations["department_a"].division,
    )
    secret = token.issue_secret()
    token.save()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    body = {
        "type_code": "investment_project_approval",
        "holder_organisation_id": personas.organisations["enterprise_a"].pk,
        "subject_name": "阜城县示例机械制造有限公司",
        "subject_number": ENTERPRISE_A_CREDIT_CODE,
        "fields": f.APPROVAL_FIELDS,
    }
    created = client.post(
        "/api/v1/certificates/issue", body, content_type="application/json", **headers
    )
    assert created.status_code == 201, created.content
    certificate_id = created.json()["id"]
    assert Certificate.objects.get().issued_by is None
    listed = client.get("/api/v1/certificates/issued", **headers).json()
    assert [c["id"] for c in listed["items"]] == [certificate_id]
    revoked = client.post(
        f"/api/v1/certificates/{certificate_id}/revoke", {"reason": "系统撤回"}, **headers
    )
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
