"""Kernel models: the worker heartbeat behind /healthz, the progress of long tasks, idempotency
records, export files and sessions."""

import uuid
from typing import Any

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """The last sign of life of one task worker process, written every few seconds."""

    worker_id = models.CharField(_("工作进程标识"), max_length=64, unique=True)
    hostname = models.CharField(_("主机"), max_length=255)
    pid = models.PositiveIntegerField(_("进程号"))
    started_at = models.DateTimeField(_("启动时间"))
    beat_at = models.DateTimeField(_("最近心跳"), db_index=True)

    class Meta:
        verbose_name = _("任务进程心跳")
        verbose_name_plural = _("任务进程心跳")

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"


class TaskProgress(models.Model):
    """How far a background task has come, for progress bars in pages and the CLI.

    Created before the task is enqueued and handed to it by `key`, so progress works the same
    whether a worker runs the task later or the immediate backend runs it inline. `owner` is who
    started it and the only one (besides staff) to see it.
    """

    key = models.UUIDField(_("标识"), unique=True, default=uuid.uuid4, editable=False)
    task_id = models.CharField(_("任务编号"), max_length=64, blank=True)
    label = models.CharField(_("名称"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    message = models.CharField(_("消息"), max_length=500, blank=True)
    finished = models.BooleanField(_("已结束"), default=False)
    failed = models.BooleanField(_("失败"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("任务进度")
        verbose_name_plural = _("任务进度")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(done__lte=models.F("total")) | models.Q(total=0),
                name="core_taskprogress_done_within_total",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        if self.finished and not self.failed:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0


class IdempotencyRecord(models.Model):
    """The first response to a write that carried an `Idempotency-Key`, replayed on retries.

    The row is inserted before the request runs (status NULL = in flight); the unique
    constraint on (principal, key) is what makes two simultaneous retries resolve to one write.
    """

    principal = models.CharField(_("调用者"), max_length=80)
    key = models.CharField(_("幂等键"), max_length=100)
    method = models.CharField(_("方法"), max_length=10)
    path = models.CharField(_("路径"), max_length=500)
    fingerprint = models.CharField(_("请求摘要"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("响应状态"), null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("幂等记录")
        verbose_name_plural = _("幂等记录")
        constraints = [
            models.UniqueConstraint(
                fields=["principal", "key"], name="core_idempotencyrecord_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.principal} {self.key}"


class ExportFile(models.Model):
    """A file a background export produced, kept for the person who asked for it.

    Downloads are only for `owner`; each module's export task fills `content` and finishes the
    linked progress row. Large files would move to file storage; exports here are bounded by a
    jurisdiction's size.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    progress = models.OneToOneField(TaskProgress, on_delete=models.CASCADE, related_name="export")
    filename = models.CharField(_("文件名"), max_length=200)
    content = models.BinaryField(_("内容"), blank=True, default=b"")
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    unmasked = models.BooleanField(_("含完整号码"), default=False)
    reason = models.CharField(_("理由"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("导出文件")
        verbose_name_plural = _("导出文件")

    def __str__(self) -> str:
        return self.filename


class Session(AbstractBaseSession):
    """A browser's session, as Django's own, plus the id of the user signed in with it.

    `user` repeats what the session data holds, written with every save, so that a request
    reads its session and its user in one statement (core.session_store). It is not a
    database constraint: a user deleted while a session is being saved must not fail the
    save; the ORM still deletes a user's sessions with the user.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="+",
    )

    class Meta(AbstractBaseSession.Meta):  # type: ignore[name-defined]
        db_table = "core_session"

    @classmethod
    def get_session_store_class(cls) -> type[Any]:
        from civicgrid.core.session_store import SessionStore

        return SessionStore
