"""The service-item catalogue (服务事项目录): what can be applied for, where, how and in how long.

Other apps refer to `ServiceItem` (applications, appointments) and read its department, limits
and materials; they never write to it except through `catalog.actions`.
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.models import Organisation
from civicgrid.catalog.choices import ItemKind, ItemStatus, OnlineDepth
from civicgrid.core.scoping import ScopedQuerySet


class ServiceItem(models.Model):
    """One service item with the standard elements; `division_code` is its implementing level."""

    code = models.CharField(_("事项编码"), max_length=40, unique=True)
    name = models.CharField(_("事项名称"), max_length=200)
    kind = models.CharField(_("事项类型"), max_length=20, choices=ItemKind.choices)
    department = models.ForeignKey(
        Organisation, verbose_name=_("实施部门"), on_delete=models.PROTECT, related_name="+"
    )
    division_code = models.CharField(_("实施区划"), max_length=12, db_index=True, editable=False)
    status = models.CharField(
        _("状态"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.PUBLISHED
    )
    legal_basis = models.TextField(_("设定依据"), blank=True)
    conditions = models.TextField(_("受理条件"), blank=True)
    legal_limit_days = models.PositiveSmallIntegerField(_("法定办结时限（工作日）"))
    promised_limit_days = models.PositiveSmallIntegerField(_("承诺办结时限（工作日）"))
    fee = models.DecimalField(
        _("收费金额（元）"),
        max_digits=10,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    fee_basis = models.TextField(_("收费依据"), blank=True)
    online = models.BooleanField(_("网上办理"), default=True)
    by_phone = models.BooleanField(_("电话办理"), default=False)
    by_mail = models.BooleanField(_("邮寄办理"), default=False)
    by_appointment = models.BooleanField(_("预约办理"), default=False)
    in_person = models.BooleanField(_("窗口办理"), default=True)
    hall_visits = models.PositiveSmallIntegerField(_("到办事现场次数"), default=0)
    online_depth = models.PositiveSmallIntegerField(
        _("网上办理深度"), choices=OnlineDepth.choices, default=OnlineDepth.SUBMISSION
    )
    faq = models.JSONField(_("常见问题"), default=list, blank=True)  # [{"q": ..., "a": ...}]
    # Counted by `catalog.actions.do_count_case` when applications are received, so the
    # online-availability rate rests on actual cases and not only on what the catalogue claims.
    cases_total = models.PositiveIntegerField(_("办件量"), default=0, editable=False)
    cases_online = models.PositiveIntegerField(_("网上办件量"), default=0, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(promised_limit_days__lte=models.F("legal_limit_days")),
                name="catalog_item_promise_within_legal_limit",
                violation_error_message=_("承诺时限不能超过法定时限。"),
            ),
            models.CheckConstraint(
                condition=models.Q(cases_online__lte=models.F("cases_total")),
                name="catalog_item_online_cases_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.division_code = self.department.division_code
        super().save(*args, **kwargs)


class ServiceMaterial(models.Model):
    """A material the applicant provides — unless the platform can fetch it from an e-certificate
    (`certificate_type`, a code of `certificates`), which the law says agencies may not ask for."""

    item = models.ForeignKey(
        ServiceItem, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="materials"
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    name = models.CharField(_("材料名称"), max_length=200)
    required = models.BooleanField(_("必需"), default=True)
    original_check = models.BooleanField(_("需核验原件"), default=False)
    certificate_type = models.CharField(
        _("可由电子证照获取（证照类型）"), max_length=40, blank=True
    )
    template = models.FileField(_("空白模板"), upload_to="catalog/templates/", blank=True)
    notes = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["item", "position", "pk"]

    def __str__(self) -> str:
        return self.name
