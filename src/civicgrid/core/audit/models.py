"""Audit records, append-only and hash-chained, and the head of the chain.

Only `actions.record_audit` / `record_audit_now` write records. Three layers keep them
unchanged once written:

1. the model and its queryset refuse update and delete (`AppendOnlyViolation`);
2. a database trigger refuses UPDATE and DELETE (migration 0002; on SQLite UPDATE only, see
   there);
3. each record's hash covers its fields and its predecessor's hash, so an edit or a deletion
   made around the first two layers is found by `manage.py verify_audit_chain`.
"""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from civicgrid.core.audit.chain import GENESIS_HASH, HASHED_FIELDS, record_hash
from civicgrid.core.audit.choices import READ_ACTIONS, AuditAction


class AppendOnlyViolation(RuntimeError):
    """Raised on any attempt to change or delete an audit record through the ORM."""


def _refuse(what: str) -> NoReturn:
    raise AppendOnlyViolation(f"audit records are append-only: {what} refused")


class AuditRecordQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        _refuse("update")

    def delete(self) -> NoReturn:
        _refuse("delete")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("bulk_update")

    def reads_of(self, subject_keys: list[str]) -> "AuditRecordQuerySet":
        """Reads of the data of the person known under `subject_keys`."""
        return self.filter(subject_key__in=subject_keys, action__in=READ_ACTIONS)


class AuditRecord(models.Model):
    """Who did what to which record, when, from where and why; one link of the hash chain.

    `actor` is null for the system, tasks and API tokens; `actor_label` then names them
    (`system`, `task:<name>`, `accounts.apitoken:<pk>`), and otherwise holds the username at
    the time. `actor_organisation` and `actor_role` are snapshots from the actor's
    `audit_identity()`: they keep saying where the actor worked when they acted.

    `subject_key` names the person whose data was touched (`user:<pk>`, or a keyed hash of a
    citizen ID); residents see the reads recorded under their keys. `division_code` is the place
    the touched record belongs to, so audit records can themselves be scoped by jurisdiction.

    Users who appear as actors cannot be deleted (PROTECT): deactivate them instead, so the
    trail keeps pointing at a real account.
    """

    seq = models.BigIntegerField(_("序号"), primary_key=True, editable=False)
    created_at = models.DateTimeField(_("时间"), db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_records",
    )
    actor_label = models.CharField(_("操作人标识"), max_length=150, blank=True)
    actor_organisation = models.CharField(_("操作人所在机构"), max_length=200, blank=True)
    actor_role = models.CharField(_("操作人角色"), max_length=100, blank=True)
    action = models.CharField(_("操作"), max_length=32, choices=AuditAction.choices)
    target_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    division_code = models.CharField(_("区划代码"), max_length=12, blank=True, db_index=True)
    subject_key = models.CharField(_("当事人标识"), max_length=128, blank=True)
    reason = models.TextField(_("事由"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器标识"), max_length=512, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True, db_index=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)
    prev_hash = models.CharField(_("前一条摘要"), max_length=64, editable=False)
    hash = models.CharField(_("摘要"), max_length=64, editable=False)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-seq"]
        indexes = [
            # "谁查看了我的数据": the reads under a person's keys, newest first.
            models.Index(fields=["subject_key", "-seq"], name="audit_record_subject_seq"),
            # "who touched this record": by id alone (admin search) or with its type.
            models.Index(fields=["target_id", "target_type"], name="audit_record_target"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seq__gte=1), name="audit_auditrecord_seq_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(division_code="") | models.Q(Exact(Length("division_code"), 12)),
                name="audit_auditrecord_division_code_12_digits",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_action_display()} {self.target_type}:{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse("update")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("delete")

    def hashed_fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in HASHED_FIELDS}

    def compute_hash(self) -> str:
        return record_hash(self.hashed_fields())


class AuditChainHead(models.Model):
    """The newest link of the chain: a single row that every append locks.

    Appends take `SELECT ... FOR UPDATE` on this row, so on PostgreSQL concurrent writers queue
    here instead of forking the chain (on SQLite the IMMEDIATE transaction already holds the
    one write lock). The verifier also compares it with the last record, which reveals records
    deleted from the end of the chain. It is created on the first append.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    seq = models.BigIntegerField(_("末条序号"), default=0)
    hash = models.CharField(_("末条摘要"), max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("审计链末端")
        verbose_name_plural = _("审计链末端")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id=1), name="audit_auditchainhead_single_row"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
