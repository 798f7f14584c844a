"""Divisions (the 12-digit statistical code spine) and the grids inside communities."""

from django.db import models
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from civicgrid.core import division_codes
from civicgrid.regions.choices import DivisionLevel
from civicgrid.regions.querysets import DivisionQuerySet


class Division(models.Model):
    """An administrative division with its national statistical code, padded to 12 digits.

    The code is the primary key: every other model refers to places by `division_code`, and a
    subtree is a code range (see `core.division_codes.subtree_range`).
    """

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_development_zone = models.BooleanField(_("开发区/功能区"), default=False)
    # Pinyin for search: "fcx" and "fuchengxian" for 阜城县.
    pinyin_initials = models.CharField(_("拼音首字母"), max_length=100, db_index=True)
    pinyin = models.CharField(_("拼音"), max_length=400, db_index=True)

    objects = DivisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "code"], name="regions_division_parent_code")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5),
                name="regions_division_level_range",
            ),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{12}$"),
                name="regions_division_code_12_digits",
            ),
            models.CheckConstraint(
                condition=models.Q(level=1, parent__isnull=True)
                | models.Q(level__gt=1, parent__isnull=False),
                name="regions_division_parent_unless_province",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.short_code}）"

    @property
    def short_code(self) -> str:
        """The significant prefix, e.g. '1311' for Hengshui."""
        return division_codes.significant(self.code)

    def ancestors(self) -> list["Division"]:
        """From the province down to the parent, in one query."""
        codes = []
        code = division_codes.parent_code(self.code)
        while code:
            codes.append(code)
            code = division_codes.parent_code(code)
        return list(Division.objects.filter(code__in=codes).order_by(Length("code"), "code"))


class Grid(models.Model):
    """A grid (网格) inside a community: the patch of ~330 households one grid worker owns."""

    division = models.ForeignKey(
        Division,
        verbose_name=_("所属社区/村"),
        on_delete=models.PROTECT,
        related_name="grids",
        limit_choices_to={"level": DivisionLevel.VILLAGE},
    )
    # Denormalised from `division` so grids scope by code range like every other record.
    division_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    number = models.PositiveSmallIntegerField(_("网格编号"))
    name = models.CharField(_("网格名称"), max_length=100)
    boundary = models.TextField(_("四至范围"), blank=True)

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["division_code", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "number"], name="regions_grid_unique_number_per_community"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.division_code = self.division_id
        super().save(*args, **kwargs)
