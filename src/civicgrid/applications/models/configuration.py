"""What an item's application looks like (its form, versioned) and who acts on it (its workflow)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.choices import Role
from civicgrid.applications.choices import StepKind


class FormDefinition(models.Model):
    """One version of an item's application form, as data for the form engine (`formspec`).

    Versions are never edited once a case used them: a new definition is a new version, the
    newest is the current one, and every draft and case keeps the version it was filled with.
    """

    item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name=_("事项"),
        on_delete=models.CASCADE,
        related_name="form_definitions",
    )
    version = models.PositiveIntegerField(_("版本"))
    definition = models.JSONField(_("表单定义"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("申请表单")
        verbose_name_plural = _("申请表单")
        ordering = ["item", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "version"], name="applications_formdefinition_one_per_version"
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="applications_formdefinition_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.version}"

    @property
    def spec(self):  # type: ignore[no-untyped-def]
        """The parsed definition (parsed once per instance)."""
        cached = self.__dict__.get("_spec")
        if cached is None:
            from civicgrid.applications.formspec import parse_definition

            cached = self.__dict__["_spec"] = parse_definition(self.definition)
        return cached


class WorkflowStep(models.Model):
    """One step of an item's workflow: what is done, by which role, in which department.

    `department` empty means the item's own implementing department. Steps run in `position`
    order; the workflow must start with a receive step and end with a complete step
    (`applications.workflow.validate_steps` checks it when steps are configured).
    """

    item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name=_("事项"),
        on_delete=models.CASCADE,
        related_name="workflow_steps",
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    key = models.SlugField(_("步骤标识"), max_length=40)
    name = models.CharField(_("步骤名称"), max_length=40)
    kind = models.CharField(_("类型"), max_length=10, choices=StepKind.choices)
    role = models.CharField(
        _("办理角色"), max_length=30, choices=Role.choices, default=Role.DEPARTMENT_CLERK
    )
    department = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("办理部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空为事项的实施部门"),
    )
    # On a complete step: the e-certificate type issued when the result is delivered that way.
    certificate_type = models.CharField(_("办结出具的电子证照类型"), max_length=40, blank=True)
    certificate_valid_days = models.PositiveIntegerField(_("证照有效天数"), null=True, blank=True)
    # Certificate field key -> where its text comes from: an answer path ("project_name",
    # "site.county") or one of "@number", "@item", "@department", "@decided_on".
    certificate_field_map = models.JSONField(_("证照字段来源"), default=dict, blank=True)

    class Meta:
        verbose_name = _("办理流程步骤")
        verbose_name_plural = _("办理流程步骤")
        ordering = ["item", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "position"], name="applications_workflowstep_position_unique"
            ),
            models.UniqueConstraint(
                fields=["item", "key"], name="applications_workflowstep_key_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=StepKind.values), name="applications_workflowstep_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"

    def acting_department_id(self) -> int:
        return self.department_id or self.item.department_id
