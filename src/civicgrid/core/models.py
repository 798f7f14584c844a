"""Kernel models: the worker heartbeat behind /healthz and the progress of long tasks."""

import uuid

from django.conf import settings
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
