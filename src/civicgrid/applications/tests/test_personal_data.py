"""ID and mobile numbers in the answers: masked on the clerk page and in the API, shown in full
only to the handling department's clerks who give a reason, each read audited with the person
as subject; another department's clerk gets 404. In the database they are encrypted (drafts and
cases alike), including answers stored before the column encrypted them."""

import copy
import datetime
import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.models import JSONField, Value
from django.urls import reverse

from civicgrid.applications import actions
from civicgrid.applications.models import Case, Draft
from civicgrid.applications.tests import factories as f
from civicgrid.core.audit.models import AuditRecord
from civicgrid.core.crypto import lookup_hash
from civicgrid.core.idcard import make_id_number

LEGAL_ID = make_id_number("131128", datetime.date(1980, 5, 6), 123)
LEGAL_MOBILE = "13812345678"


def _item_with_numbers(personas, code):  # type: ignore[no-untyped-def]
    """The factory's item with the legal representative's ID and mobile on its first step."""
    form = copy.deepcopy(f.FORM)
    form["steps"][0]["items"] += [
        {"key": "legal_id", "label": "法定代表人身份证号", "type": "id_number"},
        {"key": "legal_mobile", "label": "法定代表人手机号码", "type": "mobile"},
    ]
    return f.item(personas.organisations["department_a"], code=code, form=form)


@pytest.fixture
def case(personas):  # type: ignore[no-untyped-def]
    service = _item_with_numbers(personas, "TEST-PD")
    return f.submit(
        personas.enterprise_agent_a, service, legal_id=LEGAL_ID, legal_mobile=LEGAL_MOBILE
    )


def _unmasked_reads():  # type: ignore[no-untyped-def]
    return AuditRecord.objects.filter(action="view_unmasked", target_type="applications.case")


def test_the_clerk_page_shows_the_numbers_masked_by_default(client, personas, case):
    client.force_login(personas.clerk_a)
    page = client.get(reverse("applications:clerk_case", args=[case.number])).content.decode()
    assert LEGAL_ID not in page and LEGAL_MOBILE not in page
    assert "131128********1231" in page and "138****5678" in page
    assert "查看完整信息" in page
    assert not _unmasked_reads().exists()


def test_a_reveal_needs_a_reason_and_is_audited_with_the_person_as_subject(client, personas, case):
    client.force_login(personas.clerk_a)
    url = reverse("applications:clerk_reveal", args=[case.number])
    response = client.post(url, {"reason": " "})
    assert response.status_code == 422
    assert "请填写查看完整信息的理由" in response.content.decode()
    assert LEGAL_ID not in response.content.decode()
    assert not _unmasked_reads().exists()

    response = client.post(url, {"reason": "核对法定代表人身份"})
    page = response.content.decode()
    assert response.status_code == 200
    assert LEGAL_ID in page and LEGAL_MOBILE in page
    assert response["Cache-Control"] == "no-store"
    (record,) = _unmasked_reads()
    # The mobile sits beside the ID number: both are the legal representative's.
    assert record.subject_key == f"id:{lookup_hash('id_number', LEGAL_ID)}"
    assert record.reason == "核对法定代表人身份"
    assert record.details["fields"] == ["legal_id", "legal_mobile"]
    assert record.actor_id == personas.clerk_a.pk


def test_a_lone_mobile_is_audited_against_the_applicant(client, personas, service):
    form = copy.deepcopy(f.FORM)
    form["steps"][0]["items"].append({"key": "contact", "label": "联系电话", "type": "mobile"})
    other = f.item(personas.organisations["department_a"], code="TEST-PD2", form=form)
    case = f.submit(personas.enterprise_agent_a, other, contact=LEGAL_MOBILE)
    client.force_login(personas.clerk_a)
    client.post(reverse("applications:clerk_reveal", args=[case.number]), {"reason": "回电"})
    (record,) = _unmasked_reads()
    assert record.subject_key == f"user:{personas.enterprise_agent_a.pk}"


def test_a_supervisor_sees_masked_numbers_and_may_not_reveal(client, personas, case):
    client.force_login(personas.county_a_officer)
    page = client.get(reverse("applications:clerk_case", args=[case.number])).content.decode()
    assert LEGAL_ID not in page and "查看完整信息" not in page
    response = client.post(
        reverse("applications:clerk_reveal", args=[case.number]), {"reason": "抽查"}
    )
    assert response.status_code == 403
    assert not _unmasked_reads().exists()


def test_another_departments_clerk_gets_404_and_no_numbers(client, personas, case):
    client.force_login(personas.clerk_b)
    for response in (
        client.get(reverse("applications:clerk_case", args=[case.number])),
        client.post(reverse("applications:clerk_reveal", args=[case.number]), {"reason": "查看"}),
        client.get(f"/api/v1/applications/cases/{case.number}"),
    ):
        assert response.status_code == 404
        assert LEGAL_ID not in response.content.decode()
    assert not _unmasked_reads().exists()


def test_the_api_case_detail_masks_the_numbers(client, personas, case):
    for who in (personas.clerk_a, personas.enterprise_agent_a):
        client.force_login(who)
        body = client.get(f"/api/v1/applications/cases/{case.number}").json()
        assert body["answers"]["legal_id"] == "131128********1231"
        assert body["answers"]["legal_mobile"] == "138****5678"
        assert body["answers"]["project_name"] == f.ANSWERS["project_name"]
    client.force_login(personas.clerk_a)
    queue = client.get("/api/v1/applications/queue").json()
    assert queue["count"] == 1 and LEGAL_ID not in str(queue)


def _stored(model, pk):  # type: ignore[no-untyped-def]
    """The answers column as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT answers FROM {model._meta.db_table} WHERE id = %s", [pk])  # noqa: S608
        (value,) = cursor.fetchone()
    return value if isinstance(value, str) else json.dumps(value)


def _has_no_numbers(text: str) -> bool:
    return LEGAL_ID not in text and LEGAL_MOBILE not in text and "$sealed" in text


def test_the_numbers_are_stored_encrypted_and_read_back_whole(case):  # type: ignore[no-untyped-def]
    assert _has_no_numbers(_stored(Case, case.pk))
    stored = json.loads(_stored(Case, case.pk))
    assert stored["legal_id"]["hash"] == lookup_hash("id_number", LEGAL_ID)
    assert stored["project_name"] == f.ANSWERS["project_name"]  # the rest stays readable
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.answers["legal_id"] == LEGAL_ID and fresh.answers["legal_mobile"] == LEGAL_MOBILE


def test_a_draft_filled_on_the_page_never_stores_a_plain_number(personas):  # type: ignore[no-untyped-def]
    service = _item_with_numbers(personas, "TEST-PD3")
    agent = personas.enterprise_agent_a
    draft = actions.do_start_draft(agent, item=service)
    spec = draft.form_definition.spec
    first = spec.first_step()
    data = {k: v for k, v in f.ANSWERS.items() if k in {x.key for x in first.fields()}}
    data |= {"legal_id": f" {LEGAL_ID} ", "legal_mobile": "+86 138-1234-5678"}
    draft, _next = actions.do_save_draft_step(agent, draft=draft, step_key=first.key, data=data)
    assert _has_no_numbers(_stored(Draft, draft.pk))

    # Returning to the draft shows the applicant their own numbers in full.
    draft = Draft.objects.get(pk=draft.pk)
    assert draft.answers["legal_id"] == LEGAL_ID and draft.answers["legal_mobile"] == LEGAL_MOBILE
    # Submitting it carries the sealed numbers over to the case.
    case = actions.do_submit_draft(agent, draft=_completed(agent, draft))
    assert _has_no_numbers(_stored(Case, case.pk))
    assert Case.objects.get(pk=case.pk).answers["legal_id"] == LEGAL_ID


def _completed(agent, draft):  # type: ignore[no-untyped-def]
    """The draft with its remaining steps (from the one it returns to) filled in."""
    spec = draft.form_definition.spec
    step = spec.step(draft.current_step)
    while step is not None:
        data = {k: v for k, v in f.ANSWERS.items() if k in {x.key for x in step.fields()}}
        files = {"plan": [f.pdf_upload()]} if "plan" in {x.key for x in step.fields()} else None
        draft, key = actions.do_save_draft_step(
            agent, draft=draft, step_key=step.key, data=data, files=files
        )
        step = spec.step(key) if key else None
    return draft


def test_answers_saved_before_encryption_are_sealed_by_the_migration(case):  # type: ignore[no-untyped-def]
    plain = {**f.ANSWERS, "legal_id": LEGAL_ID, "legal_mobile": LEGAL_MOBILE}
    Case.objects.filter(pk=case.pk).update(answers=Value(plain, output_field=JSONField()))
    assert LEGAL_ID in _stored(Case, case.pk)  # as an old row holds it

    migration = importlib.import_module("civicgrid.applications.migrations.0005_sealed_answers")
    migration.seal_stored_answers(django_apps, None)
    assert _has_no_numbers(_stored(Case, case.pk))
    assert Case.objects.get(pk=case.pk).answers["legal_id"] == LEGAL_ID
    sealed_once = _stored(Case, case.pk)
    migration.seal_stored_answers(django_apps, None)  # a second run leaves sealed rows alone
    assert _stored(Case, case.pk) == sealed_once
