"""Report forms as an administrator defines them: data elements and validation rules as data."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.choices import OrganisationType
from civicgrid.epidemic.choices import (
    ElementKind,
    ElementType,
    LineListSource,
    RuleKind,
    RuleSeverity,
)
from civicgrid.epidemic.querysets import ReportFormQuerySet
from civicgrid.regions.models import Division


class ReportForm(models.Model):
    """A daily aggregate report (每日疫情报告, 发热门诊日报, ...) for the units of some types.

    It applies to the subtree of `division` (the province for a province-wide form): the
    active organisations there whose type is in `organisation_types` are its reporting units.
    The report of day D is due at `deadline_hour` o'clock of D (Asia/Shanghai; 24 = midnight).
    """

    code = models.SlugField(_("表单代码"), max_length=40, unique=True)
    name = models.CharField(_("表单名称"), max_length=100)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    organisation_types = models.JSONField(_("填报机构类型"), default=list)
    division = models.ForeignKey(
        Division, verbose_name=_("适用区划"), on_delete=models.PROTECT, related_name="+"
    )
    division_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    deadline_hour = models.PositiveSmallIntegerField(_("截止时间（时）"), default=10)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # Changes with every write of the form's elements or rules (`definitions`): processes keep
    # a form's definition in memory and know from this that theirs is stale.
    definition_key = models.UUIDField(default=uuid.uuid4, editable=False)

    objects = ReportFormQuerySet.as_manager()

    class Meta:
        verbose_name = _("报表")
        verbose_name_plural = _("报表")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline_hour__gte=1, deadline_hour__lte=24),
                name="epidemic_reportform_deadline_hour_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.division_code = self.division_id
        super().save(*args, **kwargs)

    def organisation_type_labels(self) -> list[str]:
        labels = dict(OrganisationType.choices)
        return [str(labels.get(t, t)) for t in self.organisation_types]


class DataElement(models.Model):
    """One figure of a form: `code` is stable (reports and the API use it), `name` is shown."""

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="elements")
    code = models.SlugField(_("指标代码"), max_length=40)
    name = models.CharField(_("指标名称"), max_length=60)
    type = models.CharField(
        _("数据类型"), max_length=10, choices=ElementType.choices, default=ElementType.INTEGER
    )
    kind = models.CharField(
        _("统计方式"), max_length=12, choices=ElementKind.choices, default=ElementKind.NEW
    )
    unit = models.CharField(_("单位"), max_length=10, blank=True, default="人")
    required = models.BooleanField(_("必填"), default=True)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    # Where the report entry page pre-fills this figure from (the unit's own line lists).
    line_list_source = models.CharField(
        _("个案预填来源"), max_length=20, choices=LineListSource.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("数据指标")
        verbose_name_plural = _("数据指标")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "code"], name="epidemic_dataelement_unique_code_per_form"
            ),
            models.CheckConstraint(
                condition=Q(type__in=ElementType.values), name="epidemic_dataelement_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ElementKind.values), name="epidemic_dataelement_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name and unit, as a form field and a table heading show them."""
        return f"{self.name}（{self.unit}）" if self.unit else self.name


class ValidationRule(models.Model):
    """A check between a report's figures, blocking the report or only warning.

    `le`: left ≤ right; `non_negative`: left (or, without left, every element) ≥ 0;
    `not_below_previous`: left ≥ the unit's previous counted report's left (a cumulative figure
    never falls). `message` overrides the generated Chinese message.
    """

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("规则类型"), max_length=20, choices=RuleKind.choices)
    left = models.ForeignKey(
        DataElement,
        verbose_name=_("左项"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    right = models.ForeignKey(
        DataElement,
        verbose_name=_("右项"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    severity = models.CharField(
        _("处理方式"), max_length=10, choices=RuleSeverity.choices, default=RuleSeverity.BLOCK
    )
    message = models.CharField(_("自定义提示"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("校验规则")
        verbose_name_plural = _("校验规则")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=RuleKind.values), name="epidemic_validationrule_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(severity__in=RuleSeverity.values),
                name="epidemic_validationrule_severity_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind=RuleKind.LESS_OR_EQUAL)
                | Q(left__isnull=False, right__isnull=False),
                name="epidemic_validationrule_le_has_both_sides",
            ),
            models.CheckConstraint(
                condition=~Q(kind=RuleKind.NOT_BELOW_PREVIOUS) | Q(left__isnull=False),
                name="epidemic_validationrule_previous_has_left",
            ),
        ]

    def __str__(self) -> str:
        from civicgrid.epidemic.rules import describe_rule

        return describe_rule(self)
