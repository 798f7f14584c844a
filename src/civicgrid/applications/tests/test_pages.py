"""The pages: a form filled step by step on the phone, check and submit (a double click makes
one case), tracking with material upload, the clerk's queue and case page, downloads."""

import datetime
import zoneinfo

import time_machine
from django.urls import reverse

from civicgrid.applications import actions
from civicgrid.applications.models import Case, Draft
from civicgrid.applications.tests import factories as f
from civicgrid.core.audit.models import AuditRecord


def _start(client, personas, service):  # type: ignore[no-untyped-def]
    client.force_login(personas.enterprise_agent_a)
    response = client.post(reverse("applications:apply", args=[service.code]))
    draft = Draft.objects.get()
    assert response.url == reverse("applications:draft_step", args=[draft.pk, "project"])
    return draft


def test_the_form_goes_step_by_step_to_the_check_page_and_submits_once(client, personas, service):
    draft = _start(client, personas, service)
    step = reverse("applications:draft_step", args=[draft.pk, "project"])
    response = client.post(step, {"project_name": "", "total": "abc"})
    assert response.status_code == 422
    assert "项目名称" in response.content.decode()
    response = client.post(
        step,
        {"project_name": "农机项目", "total": "100", "site": "阜城县经济开发区", "foreign": "no"},
    )
    assert response.url == reverse("applications:draft_step", args=[draft.pk, "materials"])
    materials = reverse("applications:draft_step", args=[draft.pk, "materials"])
    response = client.post(materials, {"plan": f.pdf_upload("报告.pdf")})
    assert response.url == reverse("applications:draft_check", args=[draft.pk])
    page = client.get(response.url).content.decode()
    assert "农机项目" in page and "报告.pdf" in page
    submit = reverse("applications:draft_submit", args=[draft.pk])
    first = client.post(submit)
    second = client.post(submit)  # a double click
    case = Case.objects.get()
    assert first.url == second.url == reverse("applications:case_track", args=[case.number])
    page = client.get(first.url).content.decode()
    assert case.number in page and "待受理" in page


def test_save_and_exit_keeps_the_draft_in_my_applications(client, personas, service):
    draft = _start(client, personas, service)
    step = reverse("applications:draft_step", args=[draft.pk, "project"])
    response = client.post(
        step,
        {
            "project_name": "农机项目",
            "total": "100",
            "site": "阜城县城关",
            "foreign": "no",
            "save_exit": "1",
        },
    )
    assert response.url == reverse("applications:my_applications")
    page = client.get(response.url).content.decode()
    assert reverse("applications:draft_step", args=[draft.pk, "materials"]) in page


def test_supplying_a_bad_file_on_the_tracking_page_says_why_and_keeps_the_pause(
    client, personas, service
):
    case = actions.do_advance_case(
        personas.clerk_a, case=f.submit(personas.enterprise_agent_a, service)
    )
    actions.do_request_material(personas.clerk_a, case=case, items=["节能审查意见"])
    client.force_login(personas.enterprise_agent_a)
    url = reverse("applications:case_supply", args=[case.number])
    response = client.post(url, {"files": f.upload("意见.pdf", b"MZ\x90\x00" + b"\0" * 50)})
    assert response.status_code == 422
    assert "节能审查意见" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == "awaiting_material"
    response = client.post(url, {"files": f.pdf_upload("意见.pdf")})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == "in_progress"


def test_the_queue_shows_overdue_cases_first_in_red(client, personas):
    service = f.item(personas.organisations["department_a"], promised=1)
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    with time_machine.travel(datetime.datetime(2025, 11, 3, 10, tzinfo=shanghai), tick=False):
        late = f.submit(personas.enterprise_agent_a, service)
    client.force_login(personas.clerk_a)
    with time_machine.travel(datetime.datetime(2025, 11, 7, 10, tzinfo=shanghai), tick=False):
        fresh = f.submit(personas.enterprise_agent_a, service)
        page = client.get(reverse("applications:clerk_queue")).content.decode()
        overdue = client.get(
            reverse("applications:clerk_queue"), {"time_left": "overdue"}
        ).content.decode()
    assert page.index(late.number) < page.index(fresh.number)
    assert 'class="overdue"' in page
    assert late.number in overdue and fresh.number not in overdue
    client.force_login(personas.clerk_b)
    assert late.number not in client.get(reverse("applications:clerk_queue")).content.decode()


def test_the_queue_page_costs_the_same_queries_for_5_or_25_cases(
    client, personas, service, django_assert_max_num_queries
):
    for _ in range(5):
        f.submit(personas.enterprise_agent_a, service)
    client.force_login(personas.clerk_a)
    with django_assert_max_num_queries(20) as five:
        client.get(reverse("applications:clerk_queue"))
    for _ in range(20):
        f.submit(personas.enterprise_agent_a, service)
    with django_assert_max_num_queries(20) as twenty_five:
        client.get(reverse("applications:clerk_queue"))
    assert len(twenty_five.captured_queries) == len(five.captured_queries)


def test_the_clerk_page_offers_the_steps_action_only_to_its_role(client, personas, service):
    case = f.submit(personas.enterprise_agent_a, service)
    client.force_login(personas.clerk_a)
    page = client.get(reverse("applications:clerk_case", args=[case.number])).content.decode()
    assert "要求补正材料" in page and "项目名称" in page
    client.force_login(personas.county_a_officer)  # supervises, does not act
    page = client.get(reverse("applications:clerk_case", args=[case.number])).content.decode()
    assert "要求补正材料" not in page
    response = client.post(reverse("applications:clerk_advance", args=[case.number]))
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == "submitted"


def test_in_english_the_refusal_form_reads_as_an_action_not_a_status(client, personas, service):
    case = f.submit(personas.enterprise_agent_a, service)
    client.force_login(personas.clerk_a)
    url = reverse("applications:clerk_case", args=[case.number])
    page = client.get(url, headers={"accept-language": "en"}).content.decode()
    assert "Refuse the application</h2>" in page
    assert '<button class="btn" type="submit">Refuse</button>' in page


def test_an_attachment_downloads_for_the_clerk_with_an_audit_record(client, personas, service):
    case = f.submit(personas.enterprise_agent_a, service)
    attachment = case.attachments.get()
    client.force_login(personas.clerk_a)
    response = client.get(reverse("applications:attachment", args=[attachment.reference]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditRecord.objects.filter(target_type="applications.attachment", action="view").exists()
    client.force_login(personas.clerk_b)
    assert (
        client.get(reverse("applications:attachment", args=[attachment.reference])).status_code
        == 404
    )
