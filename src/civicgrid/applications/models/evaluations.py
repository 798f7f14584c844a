"""好差评: the applicant's rating of a finished case, and the follow-up a bad one opens."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.applications.choices import FollowUpStatus, Rating
from civicgrid.applications.querysets import CasePartQuerySet, FollowUpQuerySet


class Evaluation(models.Model):
    """One rating per finished case, by its applicant: five levels and a comment."""

    case = models.OneToOneField(
        "applications.Case", on_delete=models.CASCADE, related_name="evaluation"
    )
    rating = models.PositiveSmallIntegerField(_("评价"), choices=Rating.choices)
    comment = models.TextField(_("评价内容"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("评价时间"), default=timezone.now)

    objects = CasePartQuerySet.as_manager()

    class Meta:
        verbose_name = _("办件评价")
        verbose_name_plural = _("办件评价")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="applications_evaluation_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.rating}"


class FollowUp(models.Model):
    """A bad rating's follow-up (差评整改), owed by the department within 15 working days."""

    evaluation = models.OneToOneField(
        Evaluation, on_delete=models.CASCADE, related_name="follow_up"
    )
    department = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("整改部门"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    division_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    opened_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    due_date = models.DateField(_("整改期限"))
    due_warning = models.CharField(_("时限提示"), max_length=200, blank=True)
    action_taken = models.TextField(_("整改情况"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["department", "status"], name="applications_followup_dept"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=FollowUpStatus.OPEN)
                | (~Q(action_taken="") & Q(closed_at__isnull=False)),
                name="applications_followup_done_has_action",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation_id} {self.status}"
