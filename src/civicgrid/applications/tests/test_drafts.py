"""Save-and-return: a draft filled step by step, branches, files kept, one case per draft."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import QueryDict

from civicgrid.applications import actions
from civicgrid.applications.models import Attachment, Case, Draft
from civicgrid.applications.tests import factories as f


def _post(**values) -> QueryDict:  # type: ignore[no-untyped-def]
    data = QueryDict(mutable=True)
    for key, value in values.items():
        data[key] = value
    return data


def _fill(personas, service) -> Draft:  # type: ignore[no-untyped-def]
    draft = actions.do_start_draft(personas.enterprise_agent_a, item=service)
    draft, following = actions.do_save_draft_step(
        personas.enterprise_agent_a,
        draft=draft,
        step_key="project",
        data=_post(
            project_name="农机装备项目", total="1200", site="阜城县经济开发区", foreign="no"
        ),
    )
    assert following == "materials"  # the foreign-investor step is skipped
    return draft


def test_a_draft_saves_each_step_and_resumes_where_it_was_left(personas, service):
    draft = _fill(personas, service)
    again = actions.do_start_draft(personas.enterprise_agent_a, item=service)  # another device
    assert again.pk == draft.pk
    assert again.current_step == "materials"
    assert again.answers["project_name"] == "农机装备项目"
    assert again.organisation == personas.organisations["enterprise_a"]


def test_a_branch_shows_the_foreign_investor_step_only_when_asked(personas, service):
    draft = actions.do_start_draft(personas.resident_a, item=service)
    _draft, following = actions.do_save_draft_step(
        personas.resident_a,
        draft=draft,
        step_key="project",
        data=_post(project_name="项目", total="10", site="阜城县城关", foreign="yes"),
    )
    assert following == "foreign_investor"


def test_a_step_with_a_missing_answer_saves_nothing(personas, service):
    draft = actions.do_start_draft(personas.enterprise_agent_a, item=service)
    with pytest.raises(ValidationError) as caught:
        actions.do_save_draft_step(
            personas.enterprise_agent_a, draft=draft, step_key="project", data=_post(total="abc")
        )
    assert {"project_name", "total"} <= set(caught.value.message_dict)
    assert Draft.objects.get(pk=draft.pk).answers == {}


def test_files_are_kept_on_the_draft_and_a_bad_one_is_refused(personas, service):
    draft = _fill(personas, service)
    with pytest.raises(ValidationError) as caught:
        actions.do_save_draft_step(
            personas.enterprise_agent_a,
            draft=draft,
            step_key="materials",
            data=_post(),
            files={"plan": [f.upload("报告.pdf", b"#!/bin/sh\nrm -rf /\n")]},
        )
    assert "plan" in caught.value.message_dict
    assert Attachment.objects.count() == 0
    draft, following = actions.do_save_draft_step(
        personas.enterprise_agent_a,
        draft=draft,
        step_key="materials",
        data=_post(),
        files={"plan": [f.pdf_upload()]},
    )
    assert following is None
    [attachment] = draft.attachments.all()
    assert draft.answers["plan"] == [str(attachment.reference)]
    # Saving the step again with the reference posted back keeps the file.
    draft, _ = actions.do_save_draft_step(
        personas.enterprise_agent_a,
        draft=draft,
        step_key="materials",
        data=_post(plan=str(attachment.reference)),
    )
    assert draft.answers["plan"] == [str(attachment.reference)]


def test_a_draft_cannot_reference_another_drafts_file(personas, service):
    other = _fill(personas, service)
    other, _ = actions.do_save_draft_step(
        personas.enterprise_agent_a,
        draft=other,
        step_key="materials",
        data=_post(),
        files={"plan": [f.pdf_upload()]},
    )
    mine = actions.do_start_draft(personas.resident_a, item=service)
    actions.do_save_draft_step(
        personas.resident_a,
        draft=mine,
        step_key="project",
        data=_post(project_name="项目", total="10", site="阜城县城关", foreign="no"),
    )
    with pytest.raises(ValidationError) as caught:
        actions.do_save_draft_step(
            personas.resident_a,
            draft=mine,
            step_key="materials",
            data=_post(plan=other.answers["plan"][0]),
        )
    assert "plan" in caught.value.message_dict


def test_someone_else_cannot_fill_or_submit_my_draft(personas, service):
    draft = _fill(personas, service)
    with pytest.raises(PermissionDenied):
        actions.do_save_draft_step(
            personas.resident_b, draft=draft, step_key="project", data=_post()
        )
    with pytest.raises(PermissionDenied):
        actions.do_submit_draft(personas.resident_b, draft=draft)


def test_an_incomplete_draft_cannot_be_submitted(personas, service):
    draft = _fill(personas, service)
    with pytest.raises(ValidationError) as caught:
        actions.do_submit_draft(personas.enterprise_agent_a, draft=draft)
    assert "plan" in caught.value.message_dict
    assert Case.objects.count() == 0


def test_submitting_a_draft_twice_makes_one_case(personas, service):
    draft = _fill(personas, service)
    draft, _ = actions.do_save_draft_step(
        personas.enterprise_agent_a,
        draft=draft,
        step_key="materials",
        data=_post(),
        files={"plan": [f.pdf_upload()]},
    )
    first = actions.do_submit_draft(personas.enterprise_agent_a, draft=draft)
    second = actions.do_submit_draft(
        personas.enterprise_agent_a, draft=Draft.objects.get(pk=draft.pk)
    )
    stale = actions.do_submit_draft(personas.enterprise_agent_a, draft=draft)
    assert first.pk == second.pk == stale.pk
    assert Case.objects.count() == 1
    assert first.attachments.count() == 1
    with pytest.raises(ValidationError):
        actions.do_save_draft_step(
            personas.enterprise_agent_a, draft=draft, step_key="project", data=_post()
        )


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_submit_from_two_connections_makes_one_case(personas, service):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite refuses a second writer instead of queueing (run with -n)")
    draft = _fill(personas, service)
    actions.do_save_draft_step(
        personas.enterprise_agent_a,
        draft=draft,
        step_key="materials",
        data=_post(),
        files={"plan": [f.pdf_upload()]},
    )
    barrier = threading.Barrier(2)
    numbers: list[str] = []
    crashed: list[BaseException] = []

    def submit() -> None:
        try:
            mine = Draft.objects.select_related("item", "form_definition", "organisation").get(
                pk=draft.pk
            )
            barrier.wait(timeout=30)
            numbers.append(actions.do_submit_draft(personas.enterprise_agent_a, draft=mine).number)
        except BaseException as exc:
            barrier.abort()
            crashed.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert crashed == []
    assert len(set(numbers)) == 1 and len(numbers) == 2
    assert Case.objects.count() == 1
