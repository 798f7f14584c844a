"""The population register: households, persons, grid assignments and screening visits."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.protected_fields import ProtectedIdNumberField, ProtectedMobileField
from civicgrid.core.scoping import ScopedQuerySet
from civicgrid.population.choices import (
    DeclarationStatus,
    PersonStatus,
    PersonTag,
    QuestionKind,
    Relationship,
    ResidenceType,
    VisitMethod,
)
from civicgrid.population.querysets import DeclarationQuerySet, PersonQuerySet, RegisterQuerySet
from civicgrid.regions.models import Grid


class GridAssignment(models.Model):
    """A grid worker's responsibility for one grid (usually one; sometimes two small ones)."""

    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grid_assignments"
    )
    division_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    assigned_at = models.DateTimeField(_("分配时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("网格分配")
        verbose_name_plural = _("网格分配")
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "user"], name="population_gridassignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.grid} · {self.user}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.division_code = self.grid.division_code
        super().save(*args, **kwargs)


class Household(models.Model):
    """A dwelling and the people registered in it; it belongs to a community and a grid."""

    division_code = models.CharField(_("社区/村代码"), max_length=12)
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("网格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
        db_index=False,  # population_household_grid leads with it
    )
    building = models.CharField(_("楼栋"), max_length=30, blank=True)
    unit = models.CharField(_("单元"), max_length=20, blank=True)
    room = models.CharField(_("门牌/房号"), max_length=30, blank=True)
    address = models.CharField(_("住址"), max_length=200)
    head = models.ForeignKey(
        "Person",
        verbose_name=_("户主"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact_mobile = ProtectedMobileField(_("联系电话"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        verbose_name = _("住户")
        verbose_name_plural = _("住户")
        # Plain b-tree indexes (Meta.indexes, not db_index=True, which on PostgreSQL adds a
        # second, varchar_pattern_ops index for LIKE that no query here uses): codes are
        # compared by range (a jurisdiction), addresses by range too (a prefix, see
        # selectors.searches_fragments). The list (selectors.LIST_ORDER: community, grid,
        # address) is read from an index that leads with the code, so that a jurisdiction's
        # households are one range of it, grid after grid; each grid's few hundred are sorted
        # by address as they come. It leaves the address out, so that matching an address
        # prefix keeps to the address index.
        indexes = [
            models.Index(fields=["grid", "address"], name="population_household_grid"),
            models.Index(fields=["division_code", "grid"], name="population_household_list"),
            models.Index(fields=["address", "division_code"], name="population_household_address"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(division_code__regex=r"^[0-9]{12}$"),
                name="population_household_code_12_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.address


class Person(models.Model):
    """A person in the register, identified by citizen ID (never entered twice)."""

    id_number = ProtectedIdNumberField(unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    name_initials = models.CharField(_("姓名拼音首字母"), max_length=20)
    sex = models.CharField(_("性别"), max_length=1, choices=[("M", _("男")), ("F", _("女"))])
    birth_date = models.DateField(_("出生日期"))
    mobile = ProtectedMobileField(_("联系电话"), blank=True)
    # The last four digits are printed on every masked number anyway; kept for search.
    mobile_last4 = models.CharField(_("手机尾号"), max_length=4, blank=True)
    household = models.ForeignKey(
        Household,
        verbose_name=_("住户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    relationship = models.CharField(
        _("与户主关系"), max_length=20, choices=Relationship.choices, default=Relationship.OTHER
    )
    residence_type = models.CharField(
        _("人口类型"),
        max_length=20,
        choices=ResidenceType.choices,
        default=ResidenceType.REGISTERED,
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=PersonStatus.choices, default=PersonStatus.LIVING_HERE
    )
    # Denormalised from the household so persons scope and filter without a join.
    division_code = models.CharField(_("区划代码"), max_length=12)
    # Indexed by population_person_grid_init, which leads with it.
    grid = models.ForeignKey(
        Grid, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        # Every bulk import maintains each of these (a million rows), so only what the
        # searches need (selectors.person_condition), as plain b-tree indexes (see Household):
        # a grid worker's grids, a jurisdiction's list in order (and its code range), a name
        # or initials from their start, the last 4 digits of a mobile. The search keys carry
        # the code and the household, so that finding a jurisdiction's matching households
        # reads the index alone. The name index also carries the initials and the id
        # (PostgreSQL), so that a page of an initials search across a jurisdiction is found by
        # walking the names in the index alone (household_rows.person_page); the initials
        # index ends with the name, so that the matches are put in the list's order from the
        # index alone (SQLite, which has no INCLUDE, read each matched row from the table).
        indexes = [
            models.Index(fields=["grid", "name_initials"], name="population_person_grid_init"),
            models.Index(fields=["division_code", "name"], name="population_person_code_nm"),
            models.Index(
                fields=["name", "division_code", "household"],
                include=["name_initials", "id"],
                name="population_person_name",
            ),
            models.Index(
                fields=["name_initials", "division_code", "household", "name"],
                name="population_person_initials",
            ),
            models.Index(
                fields=["mobile_last4", "division_code", "household"],
                name="population_person_last4",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PersonTagging(models.Model):
    """One tag on one person (a table, so tags filter with an index on every database)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="taggings")
    tag = models.CharField(_("标签"), max_length=20, choices=PersonTag.choices)

    class Meta:
        verbose_name = _("人员标签")
        verbose_name_plural = _("人员标签")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "tag"], name="population_persontagging_unique"
            )
        ]

    def __str__(self) -> str:
        return self.get_tag_display()


class PersonChange(models.Model):
    """History of a person's status, household, grid, mobile and tags, oldest first."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(_("变更项"), max_length=20)
    old_value = models.CharField(_("原值"), max_length=200, blank=True)
    new_value = models.CharField(_("新值"), max_length=200, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("变更时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("人员变更记录")
        verbose_name_plural = _("人员变更记录")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"

    def describe(self) -> tuple[str, str, str]:
        """(what changed, from, to) as a person reads them: labels, not stored codes."""
        labels: dict[str, tuple[str, type[models.TextChoices] | None]] = {
            "household": (_("住址"), None),
            "grid": (_("网格"), None),
            "status": (_("状态"), PersonStatus),
            "relationship": (_("与户主关系"), Relationship),
            "mobile": (_("手机"), None),
            "tags": (_("标签"), PersonTag),
        }
        label, choices = labels.get(self.field, (self.field, None))

        def shown(value: str) -> str:
            if choices is None or not value:
                return value or "—"
            return "、".join(
                str(choices(part).label) if part in choices.values else part
                for part in value.split(",")
            )

        return str(label), shown(self.old_value), shown(self.new_value)


class ScreeningVisit(models.Model):
    """A grid worker's door-to-door or phone screening (摸排) of one household."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="visits")
    division_code = models.CharField(_("区划代码"), max_length=12)
    grid = models.ForeignKey(
        Grid, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    visited_on = models.DateField(_("走访日期"), db_index=True)
    method = models.CharField(_("方式"), max_length=10, choices=VisitMethod.choices)
    reached = models.ManyToManyField(
        Person, verbose_name=_("联系到的人员"), blank=True, related_name="+"
    )
    travel_history = models.CharField(_("14 天内行程"), max_length=500, blank=True)
    has_symptoms = models.BooleanField(_("有发热等症状"), default=False)
    symptoms = models.CharField(_("症状"), max_length=200, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访排查记录")
        verbose_name_plural = _("走访排查记录")
        indexes = [
            models.Index(fields=["household", "-visited_on"], name="population_visit_recent"),
            models.Index(fields=["division_code"], name="population_visit_code"),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.visited_on}"


class HouseholdDeclaration(models.Model):
    """A resident's own declaration of their household (居民登记), until a grid worker checks it.

    It belongs to the community the resident names; the community's grid workers and staff see
    it (it has no grid until verified). Verifying creates or updates the register's household
    and persons through the ordinary actions.
    """

    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="household_declarations"
    )
    division_code = models.CharField(_("社区/村代码"), max_length=12, db_index=True)
    building = models.CharField(_("楼栋"), max_length=30, blank=True)
    unit = models.CharField(_("单元"), max_length=20, blank=True)
    room = models.CharField(_("门牌/房号"), max_length=30)
    contact_mobile = ProtectedMobileField(_("联系电话"), blank=True)
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=DeclarationStatus.choices,
        default=DeclarationStatus.PENDING,
    )
    review_note = models.CharField(_("核实意见"), max_length=200, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="declarations"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = DeclarationQuerySet.as_manager()

    class Meta:
        verbose_name = _("居民自主登记")
        verbose_name_plural = _("居民自主登记")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.division_code} {self.building}{self.unit}{self.room}"


class DeclaredMember(models.Model):
    """One member of a declared household, as the resident typed them (validated)."""

    declaration = models.ForeignKey(
        HouseholdDeclaration, on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_number = ProtectedIdNumberField()
    relationship = models.CharField(_("与户主关系"), max_length=20, choices=Relationship.choices)
    is_declarant = models.BooleanField(_("本人"), default=False)

    class Meta:
        verbose_name = _("登记成员")
        verbose_name_plural = _("登记成员")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Survey(models.Model):
    """A community epidemic survey (防疫调查) for residents of a division and below."""

    title = models.CharField(_("标题"), max_length=100)
    division_code = models.CharField(_("适用区划"), max_length=12, db_index=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("防疫调查")
        verbose_name_plural = _("防疫调查")

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(models.Model):
    """A question; `risk_answer` is the answer that puts the respondent on the worklist."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    text = models.CharField(_("问题"), max_length=200)
    kind = models.CharField(
        _("类型"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.YES_NO
    )
    options = models.JSONField(_("选项"), default=list, blank=True)
    risk_answer = models.CharField(_("需关注的答案"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("调查问题")
        verbose_name_plural = _("调查问题")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class SurveyResponse(models.Model):
    """A resident's answers; lands on their person record and, if flagged, the worklist."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_responses"
    )
    division_code = models.CharField(_("区划代码"), max_length=12, db_index=True)
    grid = models.ForeignKey(
        Grid, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answers = models.JSONField(_("答案"), default=dict)
    flagged = models.BooleanField(_("需关注"), default=False, db_index=True)
    followed_up_at = models.DateTimeField(_("已跟进"), null=True, blank=True)
    # The visit that reached the respondent after a flagged answer: what the worker found.
    followed_up_by = models.ForeignKey(
        ScreeningVisit,
        verbose_name=_("跟进走访"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followed_up_answers",
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        verbose_name = _("调查答卷")
        verbose_name_plural = _("调查答卷")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.survey} · {self.created_at:%Y-%m-%d}"

    def answered(self) -> list[tuple[str, str, bool]]:
        """(question, answer, is the risk answer) in the survey's order; reads
        `survey.questions`, which callers listing many answers prefetch."""
        rows = []
        for question in self.survey.questions.all():
            answer = self.answers.get(str(question.pk))
            if answer is not None:
                risky = bool(question.risk_answer) and answer == question.risk_answer
                rows.append((question.text, answer, risky))
        return rows

    def risk_answers(self) -> list[tuple[str, str]]:
        return [(question, answer) for question, answer, risky in self.answered() if risky]


class ImportBatch(models.Model):
    """One register spreadsheet uploaded on the import page, from mapping to result.

    upload → mapping (the person confirms which column is what) → check (a dry run: every
    problem by row and column) → import (skip bad rows, or all or nothing) → result. `key` names
    the batch in URLs, and the batch, its progress and its error report are only ever shown to
    `created_by`. The uploaded bytes hold plain ID numbers: they are kept only until the import
    has run (or failed); the error report masks them. See `population.importing.batches`.
    """

    class Mode(models.TextChoices):
        SKIP = "skip", _("跳过出错的行，导入其余各行")
        ALL_OR_NOTHING = "all_or_nothing", _("任何一行出错则全部不导入")

    class Status(models.TextChoices):
        MAPPING = "mapping", _("待确认列")
        CHECKING = "checking", _("检查中")
        CHECKED = "checked", _("已检查，待导入")
        IMPORTING = "importing", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    key = models.UUIDField(_("标识"), unique=True, default=uuid.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    file_name = models.CharField(_("文件名"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("文件大小"), default=0)
    file_data = models.BinaryField(_("文件内容"), blank=True, default=b"", editable=False)
    place_code = models.CharField(_("所属社区/范围"), max_length=12, blank=True)
    header_row = models.PositiveIntegerField(_("表头行"), default=1)
    headers = models.JSONField(_("表头"), default=list, blank=True)
    # Column position (as text) -> column key of `population.importing.columns.COLUMNS`.
    mapping = models.JSONField(_("列对应"), default=dict, blank=True)
    mode = models.CharField(_("导入方式"), max_length=20, choices=Mode.choices, default=Mode.SKIP)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.MAPPING
    )
    progress_key = models.UUIDField(_("进度标识"), null=True, blank=True)
    task_started_at = models.DateTimeField(_("任务开始时间"), null=True, blank=True)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增人员"), default=0)
    updated_count = models.PositiveIntegerField(_("更新人员"), default=0)
    unchanged_count = models.PositiveIntegerField(_("无变化"), default=0)
    error_count = models.PositiveIntegerField(_("出错行数"), default=0)
    households_created = models.PositiveIntegerField(_("新建住户"), default=0)
    households_updated = models.PositiveIntegerField(_("更新住户"), default=0)
    problem_count = models.PositiveIntegerField(_("问题数"), default=0)
    written = models.BooleanField(_("已写入"), default=False)
    refused = models.BooleanField(_("整体拒绝"), default=False)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    warnings = models.JSONField(_("提示"), default=list, blank=True)
    # The first problems, for the page: [row, column key, cell (masked), message, name].
    preview = models.JSONField(_("问题预览"), default=list, blank=True)
    error_report = models.BinaryField(_("问题清单"), blank=True, default=b"", editable=False)

    class Meta:
        verbose_name = _("人口台账导入")
        verbose_name_plural = _("人口台账导入")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mode__in=["skip", "all_or_nothing"]),
                name="population_importbatch_mode_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["mapping", "checking", "checked", "importing", "done", "failed"]
                ),
                name="population_importbatch_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
