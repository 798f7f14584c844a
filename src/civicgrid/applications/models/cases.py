"""Drafts, cases and everything that hangs off a case.

A `Draft` is a form being filled (save-and-return from any device); submitting it makes one
`Case` (the draft's one-to-one link is unique, so a double click cannot make two). A case
carries a human number, the answers as submitted (ID and mobile numbers in them encrypted, see
core.sealed_json), the form version they were given against,
its workflow position and its clock: the due date is `promised_limit_days` working days after
submission, moved later by the working days it spent waiting for material.
"""

import uuid
from functools import cached_property
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.applications.choices import (
    OPEN_STATUSES,
    ApplicantKind,
    AttachmentPurpose,
    CaseStatus,
    DeliveryMethod,
    EventKind,
    MaterialSource,
    RequestStatus,
)
from civicgrid.applications.querysets import (
    AttachmentQuerySet,
    CasePartQuerySet,
    CaseQuerySet,
    DraftQuerySet,
)
from civicgrid.core.protected_fields import ProtectedMobileField
from civicgrid.core.sealed_json import SealedJSONField


class AttachmentStorage(FileSystemStorage):
    """Files under `APPLICATIONS_MEDIA_ROOT` (else MEDIA_ROOT, else DATA_DIR/media), never
    served as static media: only `applications:attachment` serves them, after an access check."""

    @property
    def base_location(self) -> str:  # type: ignore[override]
        root = getattr(settings, "APPLICATIONS_MEDIA_ROOT", None) or settings.MEDIA_ROOT
        return str(root or Path(settings.DATA_DIR) / "media")

    @property
    def location(self) -> str:  # type: ignore[override]
        return str(Path(self.base_location).resolve())


def attachment_storage() -> AttachmentStorage:
    return AttachmentStorage()


def attachment_path(instance: "Attachment", filename: str) -> str:
    # The stored name carries no part of the applicant's file name (kept in `original_name`).
    today = timezone.now()
    suffix = Path(filename).suffix.lower()[:10]
    return f"applications/{today:%Y/%m}/{instance.reference}{suffix}"


class Draft(models.Model):
    """A form being filled: answers so far, the step to return to, attachments uploaded."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填写人"),
        on_delete=models.CASCADE,
        related_name="application_drafts",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("申请企业"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    item = models.ForeignKey("catalog.ServiceItem", on_delete=models.CASCADE, related_name="+")
    form_definition = models.ForeignKey(
        "applications.FormDefinition", on_delete=models.PROTECT, related_name="drafts"
    )
    answers = SealedJSONField(_("已填内容"), default=dict, blank=True)
    current_step = models.CharField(_("当前填写步骤"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("最近保存"), auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    objects = DraftQuerySet.as_manager()

    class Meta:
        verbose_name = _("申请草稿")
        verbose_name_plural = _("申请草稿")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["owner", "submitted_at"], name="applications_draft_owner")]

    def __str__(self) -> str:
        return f"{self.item_id} ({self.owner_id})"


class Case(models.Model):
    """One application (办件) from submission to completion or refusal."""

    number = models.CharField(_("申请编号"), max_length=24, unique=True)
    item = models.ForeignKey(
        "catalog.ServiceItem", verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+"
    )
    form_definition = models.ForeignKey(
        "applications.FormDefinition", on_delete=models.PROTECT, related_name="cases"
    )
    draft = models.OneToOneField(
        Draft, null=True, blank=True, on_delete=models.SET_NULL, related_name="case"
    )
    applicant_kind = models.CharField(_("申请人类型"), max_length=12, choices=ApplicantKind.choices)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人（经办人）"),
        on_delete=models.PROTECT,
        related_name="application_cases",
    )
    applicant_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("申请企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    applicant_name = models.CharField(_("申请人名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    answers = SealedJSONField(_("申请内容"), default=dict)
    department = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("实施部门"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    handling_department = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("当前办理部门"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    division_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.SUBMITTED
    )
    current_step = models.ForeignKey(
        "applications.WorkflowStep",
        verbose_name=_("当前步骤"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Whether the case is still open (one of OPEN_STATUSES), kept by the actions with the
    # status. The queue's partial index covers exactly these rows, in due-date order with the
    # status beside it (counted without reading the table); an IN over four statuses would
    # need a sort of all of a department's open cases instead.
    in_queue = models.BooleanField(default=True, editable=False)
    status_before_pause = models.CharField(max_length=20, blank=True, editable=False)
    # Bumped by every change of state; actions update `WHERE version = <seen>`, so of two
    # clerks acting at once exactly one wins.
    version = models.PositiveIntegerField(default=1, editable=False)
    online = models.BooleanField(_("网上申请"), default=True)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    received_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    base_due_date = models.DateField(_("原定到期日"))
    paused_working_days = models.PositiveIntegerField(_("补正暂停的工作日"), default=0)
    paused_since = models.DateField(_("暂停计时起"), null=True, blank=True)
    due_date = models.DateField(_("到期日"))
    due_warning = models.CharField(_("时限提示"), max_length=200, blank=True)
    # The day the handling clerks were last reminded of the due date (`tasks.remind_due_cases`).
    reminded_on = models.DateField(null=True, blank=True, editable=False)
    refusal_reason = models.TextField(_("不予许可理由"), blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            # The clerk queue: a department's open cases by due date (a partial index, so the
            # finished bulk of a busy department is never read), and any one status.
            models.Index(
                fields=["handling_department", "due_date", "id", "status"],
                condition=Q(in_queue=True),
                name="applications_case_queue",
            ),
            # ... filtered to one item: read and counted from this index alone.
            models.Index(
                fields=["item", "due_date", "id", "status", "handling_department"],
                condition=Q(in_queue=True),
                name="applications_case_queue_item",
            ),
            models.Index(
                fields=["handling_department", "status", "due_date"],
                name="applications_case_dept_status",
            ),
            models.Index(fields=["item", "status"], name="applications_case_item_status"),
            models.Index(
                fields=["applicant_user", "submitted_at"], name="applications_case_applicant"
            ),
            models.Index(
                fields=["applicant_organisation", "submitted_at"],
                name="applications_case_enterprise",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(division_code__regex=r"^[0-9]{12}$"),
                name="applications_case_code_12_digits",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CaseStatus.values), name="applications_case_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(applicant_kind=ApplicantKind.RESIDENT)
                | Q(applicant_organisation__isnull=False, credit_code__regex=r"^[0-9A-Z]{18}$"),
                name="applications_case_enterprise_has_credit_code",
            ),
            models.CheckConstraint(
                condition=Q(in_queue=True, status__in=OPEN_STATUSES)
                | (Q(in_queue=False) & ~Q(status__in=OPEN_STATUSES)),
                name="applications_case_in_queue_while_open",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=models.F("base_due_date")),
                name="applications_case_due_not_before_base",
            ),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.REFUSED) | ~Q(refusal_reason=""),
                name="applications_case_refusal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.status == CaseStatus.AWAITING_MATERIAL

    @cached_property
    def open_request(self) -> "MaterialRequest | None":
        return self.material_requests.filter(status=RequestStatus.OPEN).first()


class CaseEvent(models.Model):
    """The history of a case, shown to the applicant as the timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=30, choices=EventKind.choices)
    step_name = models.CharField(_("步骤"), max_length=40, blank=True)
    status = models.CharField(_("之后状态"), max_length=20, choices=CaseStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = CasePartQuerySet.as_manager()

    class Meta:
        verbose_name = _("办件记录")
        verbose_name_plural = _("办件记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class MaterialRequest(models.Model):
    """A request for more material (补正): it pauses the case's clock until supplied."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="material_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    items = models.JSONField(_("需补正的材料"), default=list)  # ["土地预审意见", ...]
    note = models.TextField(_("补正说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    requested_at = models.DateTimeField(_("要求时间"), default=timezone.now)
    supplied_at = models.DateTimeField(_("补正时间"), null=True, blank=True)
    supplied_note = models.TextField(_("申请人说明"), blank=True)
    paused_working_days = models.PositiveIntegerField(_("暂停的工作日"), default=0)

    objects = CasePartQuerySet.as_manager()

    class Meta:
        verbose_name = _("补正通知")
        verbose_name_plural = _("补正通知")
        ordering = ["requested_at", "id"]
        constraints = [
            # At most one open request per case: the clock has one pause at a time.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status=RequestStatus.OPEN),
                name="applications_materialrequest_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {', '.join(self.items)}"


class Attachment(models.Model):
    """An uploaded file, checked by content (`attachments.check_attachment`), stored outside
    the static media and served only through an access-checked view."""

    reference = models.UUIDField(_("引用标识"), default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(_("文件"), upload_to=attachment_path, storage=attachment_storage)
    original_name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("文件类型"), max_length=20)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    field_path = models.CharField(_("对应表单项"), max_length=120, blank=True)
    purpose = models.CharField(
        _("用途"), max_length=12, choices=AttachmentPurpose.choices, default=AttachmentPurpose.FORM
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    draft = models.ForeignKey(
        Draft, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    material_request = models.ForeignKey(
        MaterialRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
    )

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="applications_attachment_sha256_hex",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class CaseMaterial(models.Model):
    """A catalogue material of the case and where it came from: uploaded, or taken from the
    applicant's e-certificate through shared data (the applicant was not asked for it)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("材料名称"), max_length=200)
    source = models.CharField(_("来源"), max_length=12, choices=MaterialSource.choices)
    certificate_type = models.CharField(_("证照类型"), max_length=40, blank=True)
    # The certificate's id and number in `certificates` (kept as values: a revoked or deleted
    # certificate must not rewrite what the case was decided on).
    certificate_id = models.PositiveBigIntegerField(null=True, blank=True)
    certificate_number = models.CharField(_("证照编号"), max_length=80, blank=True)

    objects = CasePartQuerySet.as_manager()

    class Meta:
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """How the result reaches the applicant: e-certificate, mail (address and tracking number)
    or pick-up at the hall."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="delivery")
    method = models.CharField(_("送达方式"), max_length=20, choices=DeliveryMethod.choices)
    certificate_id = models.PositiveBigIntegerField(null=True, blank=True)
    certificate_number = models.CharField(_("证照编号"), max_length=80, blank=True)
    recipient = models.CharField(_("收件人"), max_length=50, blank=True)
    recipient_mobile = ProtectedMobileField(_("收件人电话"), blank=True)
    address = models.CharField(_("邮寄地址"), max_length=200, blank=True)
    carrier = models.CharField(_("快递公司"), max_length=40, blank=True)
    tracking_number = models.CharField(_("快递单号"), max_length=40, blank=True)
    pickup_place = models.CharField(_("领取地点"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("送达登记时间"), default=timezone.now)

    objects = CasePartQuerySet.as_manager()

    class Meta:
        verbose_name = _("送达")
        verbose_name_plural = _("送达")
        constraints = [
            models.CheckConstraint(
                condition=~Q(method=DeliveryMethod.MAIL)
                | (~Q(address="") & ~Q(tracking_number="")),
                name="applications_delivery_mail_has_address_and_tracking",
            ),
            models.CheckConstraint(
                condition=~Q(method=DeliveryMethod.E_CERTIFICATE) | Q(certificate_id__isnull=False),
                name="applications_delivery_e_certificate_has_certificate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.method}"


class CaseNumberCounter(models.Model):
    """The last case number handed out per prefix and day (冀办20261127 → 00001, 00002, ...)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("办件编号计数")
        verbose_name_plural = _("办件编号计数")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"
