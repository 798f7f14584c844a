"""Uploaded files of an application: checked by content before anything is written, stored
only once the action that takes them has passed every other check.

`check_uploads` reads each file once (its kind through `attachments.check_attachment`, its
size and SHA-256) and hands back `PendingUpload`s carrying the reference the answers will hold.
The action then runs `atomic_with_files(pending)`: it writes the files first — before the
transaction, so no database lock is held while megabytes go to disk (on SQLite every other
writer would wait) — and `store_uploads` inside the transaction adds their `Attachment` rows.
If anything fails after a file was written (a row, an audit record, the commit itself), the
files are deleted again, so a failed action leaves no orphan on disk (Django has no
on_rollback hook; this is the except path).
"""

import hashlib
import logging
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.applications.choices import AttachmentPurpose
from civicgrid.applications.models import Attachment

logger = logging.getLogger(__name__)

# Files written for the innermost atomic_with_files block: (storage, name).
_written: ContextVar[list[tuple[Any, str]] | None] = ContextVar(
    "applications_written_files", default=None
)

# Material supplied on request has no form rule; these limits apply to it.
SUPPLEMENT_KINDS = frozenset({"pdf", "image"})
SUPPLEMENT_MAX_BYTES = 10 * 1024 * 1024
SUPPLEMENT_MAX_FILES = 10


@dataclass
class PendingUpload:
    path: str
    uploaded: UploadedFile
    kind: str
    size: int
    sha256: str
    reference: uuid.UUID = field(default_factory=uuid.uuid4)
    # The row-to-be whose file is already on disk (atomic_with_files writes it).
    attachment: Attachment | None = None


def _digest(uploaded: UploadedFile) -> str:
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def check_one(
    uploaded: UploadedFile, *, path: str, label: str, kinds: Collection[str], max_bytes: int
) -> PendingUpload:
    """One file checked by content; a ValidationError names `path`."""
    from civicgrid.applications.attachments import check_attachment

    try:
        kind = check_attachment(uploaded, name=label, kinds=kinds, max_bytes=max_bytes)
    except ValidationError as exc:
        raise ValidationError({path: exc.messages}) from None
    uploaded.seek(0)
    return PendingUpload(path, uploaded, kind, uploaded.size or 0, _digest(uploaded))


def check_form_uploads(
    spec: Any,
    files: Mapping[str, Sequence[UploadedFile]],
    *,
    accepts: Callable[[str], bool] | None = None,
) -> tuple[list[PendingUpload], dict[str, list[str]]]:
    """Check every uploaded file of a form against its field's rule (`accepts` narrows the
    paths, e.g. to one step's). Returns the pending uploads and the errors by field path; all
    files are checked, so every error shows."""
    pending: list[PendingUpload] = []
    errors: dict[str, list[str]] = {}
    for path, uploads in files.items():
        uploads = [u for u in uploads if u is not None]
        if not uploads:
            continue
        rule = _rule(spec, path) if accepts is None or accepts(path) else None
        if rule is None:
            errors[path] = [_("该项不接受上传文件")]
            continue
        if len(uploads) > rule.max_files:
            errors[path] = [_("最多上传 %(n)s 个文件") % {"n": rule.max_files}]
            continue
        for uploaded in uploads:
            try:
                pending.append(
                    check_one(
                        uploaded,
                        path=path,
                        label=_label(spec, path),
                        kinds=rule.kinds,
                        max_bytes=rule.max_bytes,
                    )
                )
            except ValidationError as exc:
                errors.setdefault(path, []).extend(exc.message_dict[path])
    return pending, errors


def _rule(spec: Any, path: str) -> Any:
    try:
        return spec.file_rules(path)
    except (KeyError, LookupError, ValueError, TypeError):
        return None


def _label(spec: Any, path: str) -> str:
    try:
        return str(spec.field_at(path).label)
    except (KeyError, LookupError, ValueError, TypeError, AttributeError):
        return path


def references_by_path(pending: Sequence[PendingUpload]) -> dict[str, list[str]]:
    """The answer value of each uploaded file field: the list of its references."""
    grouped: dict[str, list[str]] = {}
    for upload in pending:
        grouped.setdefault(upload.path, []).append(str(upload.reference))
    return grouped


def file_references(spec: Any, answers: Mapping[str, Any]) -> dict[str, list[str]]:
    """Every attachment reference the answers hold, by field path (group rows included)."""
    found: dict[str, list[str]] = {}

    def visit(path: str, value: Any) -> None:
        try:
            target = spec.field_at(path)
        except (KeyError, LookupError, ValueError, TypeError, AttributeError):
            return
        if getattr(target, "type", "") == "file" and value:
            refs = value if isinstance(value, list | tuple) else [value]
            found[path] = [str(r) for r in refs]

    for key, value in answers.items():
        if isinstance(value, list) and value and all(isinstance(r, Mapping) for r in value):
            for index, row in enumerate(value):
                for child, child_value in row.items():
                    visit(f"{key}.{index}.{child}", child_value)
        else:
            visit(str(key), value)
    return found


def unknown_references(
    spec: Any, answers: Mapping[str, Any], known: Iterable[str]
) -> dict[str, list[str]]:
    """Errors for references that are not files this application uploaded (someone else's
    attachment, a made-up string)."""
    allowed = {str(k) for k in known}
    errors: dict[str, list[str]] = {}
    for path, refs in file_references(spec, answers).items():
        if any(ref not in allowed for ref in refs):
            errors[path] = [_("附件无效，请重新上传")]
    return errors


def _write_file(upload: PendingUpload) -> Attachment:
    """The upload's file written to storage, on an unsaved Attachment (listed for deletion
    should the action fail)."""
    if upload.attachment is not None:
        return upload.attachment
    attachment = Attachment(
        reference=upload.reference,
        original_name=(upload.uploaded.name or "file")[-200:],
        kind=upload.kind,
        size=upload.size,
        sha256=upload.sha256,
        field_path=upload.path[:120],
    )
    upload.uploaded.seek(0)
    attachment.file.save(upload.uploaded.name or "file", upload.uploaded, save=False)
    written = _written.get()
    if written is not None:
        written.append((attachment.file.storage, attachment.file.name))
    upload.attachment = attachment
    return attachment


def store_uploads(
    pending: Sequence[PendingUpload],
    *,
    uploaded_by: Any,
    draft: Any = None,
    case: Any = None,
    material_request: Any = None,
    purpose: str = AttachmentPurpose.FORM,
) -> list[Attachment]:
    """The uploads' `Attachment` rows (inside the caller's `atomic_with_files` block), their
    files written first if the block was not given them."""
    stored = []
    for upload in pending:
        attachment = _write_file(upload)
        attachment.purpose = purpose
        attachment.uploaded_by = uploaded_by
        attachment.draft = draft
        attachment.case = case
        attachment.material_request = material_request
        attachment.save()
        stored.append(attachment)
    return stored


@contextmanager
def atomic_with_files(pending: Sequence[PendingUpload] = ()) -> Iterator[None]:
    """`transaction.atomic()` preceded by writing the `pending` files, all of which (and any
    `store_uploads` writes inside) are deleted when the block fails. Nested in another such
    block, its files stay listed for the outer one, which deletes them if it fails later."""
    outer = _written.get()
    written: list[tuple[Any, str]] = []
    token = _written.set(written)
    try:
        for upload in pending:
            _write_file(upload)
        with transaction.atomic():
            yield
    except BaseException:
        _delete(written)
        raise
    finally:
        _written.reset(token)
    if outer is not None:
        outer.extend(written)


def _delete(written: Sequence[tuple[Any, str]]) -> None:
    for storage, name in written:
        try:
            storage.delete(name)
        except OSError:  # logged, and the original error goes on
            logger.exception("could not delete %s after a failed action", name)
