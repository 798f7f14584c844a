"""The service-item catalogue (服务事项目录): what can be applied for, where, how and in how long.

Other apps refer to `ServiceItem` (applications, appointments) and read its department, limits
and materials; they never write to it except through `catalog.actions`.
"""

import re
import unicodedata
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.models import Organisation
from civicgrid.catalog.choices import Audience, ItemKind, ItemLevel, ItemStatus, OnlineDepth
from civicgrid.catalog.pinyin import name_pinyin
from civicgrid.core import division_codes
from civicgrid.core.scoping import ScopedQuerySet

# Online-availability: the depth from which an item counts as handleable online (三级).
ONLINE_DEPTH_THRESHOLD = OnlineDepth.SUBMISSION


class LifeEvent(models.Model):
    """A situation people look services up by (生育, 就业, 开办企业, 投资建设 …), not a department."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    audience = models.CharField(_("对象"), max_length=12, choices=Audience.choices)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("办事场景（人生/企业事件）")
        verbose_name_plural = _("办事场景（人生/企业事件）")
        ordering = ["audience", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class Synonym(models.Model):
    """Words that mean the same to someone searching (营业执照 = business licence = 执照).

    A search for any of `terms` also finds items that use another of them. Kept as data so
    that the catalogue's administrators extend it when people search in words we did not think of.
    """

    terms = models.TextField(
        _("同义词"),
        help_text=_(
            "一组同义词，用逗号、顿号、分号或换行分开，例如：营业执照，执照，business licence"
        ),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("搜索同义词")
        verbose_name_plural = _("搜索同义词")
        ordering = ["pk"]

    def __str__(self) -> str:
        return " ↔ ".join(self.term_list())

    def term_list(self) -> list[str]:
        """The group's terms, normalised (lower case, single spaces), without duplicates."""
        return split_terms(self.terms)

    def clean(self) -> None:
        if len(self.term_list()) < 2:
            raise ValidationError({"terms": _("同义词至少需要两个词。")})


def split_terms(text: str) -> list[str]:
    """`"营业执照，Business  Licence；执照"` → `["营业执照", "business licence", "执照"]`."""
    terms = []
    for part in re.split(r"[,，、;；\n]+", unicodedata.normalize("NFKC", text or "")):
        term = " ".join(part.lower().split())
        if term and term not in terms:
            terms.append(term)
    return terms


class CatalogVersion(models.Model):
    """One row that changes with what search reads (items, materials, life events, synonyms).

    Each server process keeps its search index in memory and rebuilds it when this number moved
    (see `catalog.search`); bumped by `catalog.signals` inside the writing transaction.
    """

    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("目录版本")
        verbose_name_plural = _("目录版本")

    def __str__(self) -> str:
        return str(self.version)


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
    life_events = models.ManyToManyField(
        LifeEvent, verbose_name=_("办事场景"), blank=True, related_name="items"
    )
    # Derived on save from the department's division, so pages can browse and rates can group
    # by level without parsing codes.
    level = models.PositiveSmallIntegerField(
        _("实施层级"), choices=ItemLevel.choices, default=ItemLevel.COUNTY, editable=False
    )
    # Derived on save from the name, for searches typed in pinyin ("yyzz" finds 营业执照).
    name_pinyin = models.CharField(_("名称拼音"), max_length=1000, blank=True, editable=False)
    name_initials = models.CharField(
        _("名称拼音首字母"), max_length=200, blank=True, editable=False
    )

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
        self.derive_fields()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "division_code",
                "level",
                "name_pinyin",
                "name_initials",
            }
        super().save(*args, **kwargs)

    def derive_fields(self) -> None:
        """Division, level and pinyin follow the department and the name (also for bulk writes)."""
        self.division_code = self.department.division_code
        self.level = min(division_codes.level_of(self.division_code), ItemLevel.TOWNSHIP)
        self.name_pinyin, self.name_initials = name_pinyin(self.name)

    @property
    def is_online_capable(self) -> bool:
        """Offered online at depth three or more (what the catalogue claims)."""
        return self.online and self.online_depth >= ONLINE_DEPTH_THRESHOLD

    @property
    def is_handleable_online(self) -> bool:
        """Counts towards 网上可办率: published, online-capable and, once it has cases, at
        least one of them actually arrived online."""
        return (
            self.status == ItemStatus.PUBLISHED
            and self.is_online_capable
            and (self.cases_total == 0 or self.cases_online > 0)
        )

    @property
    def channels(self) -> list[str]:
        """The channels offered, as their Chinese labels, in a fixed order."""
        flags = [
            (self.online, _("网上办理")),
            (self.by_appointment, _("预约办理")),
            (self.in_person, _("窗口办理")),
            (self.by_mail, _("邮寄办理")),
            (self.by_phone, _("电话办理")),
        ]
        return [str(label) for on, label in flags if on]


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
        constraints = [
            models.UniqueConstraint(
                fields=["item", "name"], name="catalog_material_unique_name_per_item"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def from_certificate(self) -> bool:
        """The platform fetches it from an e-certificate: the applicant submits nothing."""
        return bool(self.certificate_type)


class CatalogImport(models.Model):
    """One catalogue spreadsheet on its way in: checked, queued, written (or refused), with
    the report of every rejected row.

    The page checks an upload at once (a dry run) and keeps the file here until the person
    confirms; the API queues its file directly. The write runs as a task
    (`catalog.tasks.run_catalog_import`) with a `core.TaskProgress` row, and only the one who
    started it sees the import, its progress and its report: `created_by` for a person,
    `token` for another system. See `catalog.import_runs`.
    """

    class Status(models.TextChoices):
        CHECKED = "checked", _("检查通过，待确认导入")
        REJECTED = "rejected", _("有问题，未导入")
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("导入完成")
        FAILED = "failed", _("失败")

    key = models.UUIDField(_("标识"), unique=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    token = models.ForeignKey(
        "accounts.ApiToken",
        verbose_name=_("接口令牌"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    file_name = models.CharField(_("文件名"), max_length=255)
    file_data = models.BinaryField(_("文件内容"), blank=True, default=b"", editable=False)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices)
    progress_key = models.UUIDField(_("进度标识"), null=True, blank=True)
    task_started_at = models.DateTimeField(_("任务开始时间"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("数据行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增事项"), default=0)
    updated_count = models.PositiveIntegerField(_("更新事项"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变化"), default=0)
    problem_count = models.PositiveIntegerField(_("问题数"), default=0)
    # The first problems, for the page: [row, column, message]; the xlsx report has them all.
    problems = models.JSONField(_("问题预览"), default=list, blank=True)
    unknown_headers = models.JSONField(_("未识别的列"), default=list, blank=True)
    error_report = models.BinaryField(_("问题清单"), blank=True, default=b"", editable=False)
    message = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("服务事项导入")
        verbose_name_plural = _("服务事项导入")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["checked", "rejected", "queued", "running", "done", "failed"]
                ),
                name="catalog_catalogimport_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
