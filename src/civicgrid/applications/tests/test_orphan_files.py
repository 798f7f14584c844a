"""Files written by an action whose transaction then fails are deleted again: a failed
submission, draft step or supply leaves nothing on disk (and no rows)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError

from civicgrid.applications import actions, uploads
from civicgrid.applications.models import Attachment, Case, Draft
from civicgrid.applications.tests import factories as f


def _files() -> list[Path]:
    root = Path(settings.APPLICATIONS_MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _fail_on_second_attachment_row(monkeypatch):  # type: ignore[no-untyped-def]
    """Forced failure: the second Attachment row cannot be written, after both files were."""
    real_save = Attachment.save
    calls = []

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(self)
        if len(calls) == 2:
            assert len(_files()) == 2  # both files are on disk at this point
            raise DatabaseError("disk I/O error")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "save", save)


def test_a_submission_that_fails_after_writing_its_files_leaves_none(
    personas, service, monkeypatch
):
    _fail_on_second_attachment_row(monkeypatch)
    with pytest.raises(DatabaseError):
        actions.do_submit_case(
            personas.enterprise_agent_a,
            item=service,
            answers=f.ANSWERS,
            files={"plan": [f.pdf_upload("a.pdf"), f.pdf_upload("b.pdf")]},
        )
    assert _files() == []
    assert not Case.objects.exists() and not Attachment.objects.exists()


def test_a_successful_submission_keeps_its_files(personas, service):
    case = f.submit(personas.enterprise_agent_a, service)
    assert len(_files()) == 1
    assert Path(case.attachments.get().file.path).exists()


def test_a_supply_failing_after_its_files_are_written_leaves_none(personas, service, monkeypatch):
    case = f.submit(personas.enterprise_agent_a, service)
    case = actions.do_advance_case(personas.clerk_a, case=case)
    actions.do_request_material(personas.clerk_a, case=case, items=["用地预审意见"])
    before = _files()

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise DatabaseError("database is locked")

    monkeypatch.setattr(actions, "_tell_clerks", broken)  # a step after the files
    with pytest.raises(DatabaseError):
        actions.do_supply_material(
            personas.enterprise_agent_a,
            case=Case.objects.get(pk=case.pk),
            files=[f.pdf_upload("a.pdf"), f.pdf_upload("b.pdf")],
        )
    assert _files() == before
    assert Case.objects.get(pk=case.pk).status == "awaiting_material"
    assert case.attachments.count() == 1


def test_a_draft_step_failing_after_its_file_leaves_none(personas, service, monkeypatch):
    from civicgrid.applications.tests.test_drafts import _fill, _post

    draft = _fill(personas, service)
    answers = dict(Draft.objects.get(pk=draft.pk).answers)
    monkeypatch.setattr(actions, "record_audit", _raise)  # the step after the file
    with pytest.raises(DatabaseError):
        actions.do_save_draft_step(
            personas.enterprise_agent_a,
            draft=draft,
            step_key="materials",
            data=_post(),
            files={"plan": [f.pdf_upload()]},
        )
    assert _files() == []
    assert not Attachment.objects.exists()
    assert Draft.objects.get(pk=draft.pk).answers == answers


def _raise(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise DatabaseError("forced")


def test_nested_blocks_leave_the_inner_files_to_the_outer_failure(personas, service):
    with pytest.raises(DatabaseError), uploads.atomic_with_files():
        f.submit(personas.enterprise_agent_a, service)  # its own block succeeds
        assert len(_files()) == 1
        raise DatabaseError("the outer step fails")
    assert _files() == []
    assert not Case.objects.exists()
