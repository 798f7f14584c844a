"""Users, organisations, the roles users hold in them, and API tokens for other systems.

The custom user model exists from the first migration so that sign-in methods and personal
data can grow without swapping the user model under live data.
"""

import hashlib
import hmac
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.choices import OrganisationType, Role
from civicgrid.core.protected_fields import ProtectedIdNumberField, ProtectedMobileField
from civicgrid.core.scoping import ScopedQuerySet
from civicgrid.regions.models import Division

LOCKOUT_THRESHOLD = 5
LOCKOUT_MINUTES = 15


class User(AbstractUser):
    """A person who signs in: staff with a password (and maybe TOTP), residents by mobile code."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    is_resident = models.BooleanField(_("居民"), default=False)
    # Encrypted with a look-up hash (core.protected_fields); shown masked unless revealed.
    mobile = ProtectedMobileField(_("手机号码"), blank=True, unique=True)
    id_number = ProtectedIdNumberField(_("公民身份号码"), blank=True, unique=True)
    failed_login_count = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    totp_secret = models.CharField(_("动态口令密钥"), max_length=64, blank=True)
    totp_confirmed_at = models.DateTimeField(_("动态口令启用时间"), null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def active_memberships(self) -> list["Membership"]:
        """Active memberships of active organisations, with both, in the order made."""
        from civicgrid.accounts.membership_rows import active_memberships

        return active_memberships(self.pk) if self.pk is not None else []

    def jurisdiction_codes(self) -> list[str]:
        """The divisions whose subtrees this user may see; residents have none."""
        return [m.division_code for m in self.active_memberships]

    def roles(self) -> set[str]:
        return {m.role for m in self.active_memberships}

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.roles() & set(roles))

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()

    @property
    def has_totp(self) -> bool:
        return bool(self.totp_secret) and self.totp_confirmed_at is not None

    def audit_subject_keys(self) -> list[str]:
        """Keys under which audit records name this person as the subject of a read.

        `user:<pk>` for data attached to the account, and the look-up hash of the citizen ID
        (`id:<hash>`) for records about the person elsewhere, e.g. the population register.
        """
        keys = [f"user:{self.pk}"]
        if self.id_number_hash:
            keys.append(f"id:{self.id_number_hash}")
        return keys

    def audit_identity(self) -> dict[str, str]:
        """The organisation and role recorded beside this user's actions in the audit trail."""
        # Stored in Chinese whatever the language of the request that wrote it.
        with translation.override("zh-hans"):
            first = self.active_memberships[0] if self.active_memberships else None
            if first is not None:
                return {
                    "organisation": first.organisation.name,
                    "role": str(first.get_role_display()),
                }
            if self.is_superuser:
                return {"organisation": "", "role": str(Role.ADMINISTRATOR.label)}
            return {"organisation": "", "role": str(_("居民")) if self.is_resident else ""}


class Organisation(models.Model):
    """A prevention office, CDC, clinic, department, community committee, enterprise, ...

    Every organisation sits in a division; its staff's jurisdiction lies within that division.
    """

    name = models.CharField(_("名称"), max_length=100)
    type = models.CharField(_("类型"), max_length=30, choices=OrganisationType.choices)
    division = models.ForeignKey(
        Division, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    division_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["division_code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "name"], name="accounts_organisation_unique_name_per_division"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.division_code = self.division_id
        super().save(*args, **kwargs)


class Membership(models.Model):
    """A role a user holds in an organisation, with the jurisdiction that comes with it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    jurisdiction = models.ForeignKey(
        Division, verbose_name=_("管辖区划"), on_delete=models.PROTECT, related_name="+"
    )
    division_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="accounts_membership_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_role_display()}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.division_code = self.jurisdiction_id
        super().save(*args, **kwargs)


class RoleSecurityPolicy(models.Model):
    """Per-role sign-in requirements an administrator sets, e.g. TOTP for county officers."""

    role = models.CharField(_("角色"), max_length=30, choices=Role.choices, unique=True)
    require_totp = models.BooleanField(_("要求动态口令（第二因素）"), default=False)

    class Meta:
        verbose_name = _("角色安全策略")
        verbose_name_plural = _("角色安全策略")

    def __str__(self) -> str:
        return self.get_role_display()


def _hash_secret(secret: str) -> str:
    # Token secrets are 256 random bits, so a fast hash is enough; no salt or KDF needed.
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(ScopedQuerySet):
    def usable(self) -> "ApiTokenQuerySet":
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A bearer token for another system, scoped to an organisation and a jurisdiction.

    The secret is shown once at creation; only its hash is stored. The token itself acts as
    the principal of the requests it authenticates (see `core.scoping.Principal`).
    """

    PREFIX = "cg"

    name = models.CharField(_("名称"), max_length=100)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="api_tokens"
    )
    jurisdiction = models.ForeignKey(
        Division, verbose_name=_("管辖区划"), on_delete=models.PROTECT, related_name="+"
    )
    division_code = models.CharField(_("区划代码"), max_length=12, db_index=True, editable=False)
    key_id = models.CharField(_("标识"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    is_authenticated = True
    is_superuser = False
    is_resident = False

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.name}（{self.key_id}）"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.division_code = self.jurisdiction_id
        super().save(*args, **kwargs)

    def issue_secret(self) -> str:
        """Set a new key id and secret; return the full token, to be shown exactly once."""
        self.key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        self.secret_hash = _hash_secret(secret)
        return f"{self.PREFIX}_{self.key_id}_{secret}"

    def matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.secret_hash, _hash_secret(secret))

    def jurisdiction_codes(self) -> list[str]:
        return [self.division_code]

    def has_role(self, *roles: str) -> bool:
        return False

    def audit_identity(self) -> dict[str, str]:
        return {"organisation": self.organisation.name, "role": f"API:{self.name}"}


class OneTimeCode(models.Model):
    """A sign-in code sent by SMS; only keyed hashes of the number and the code are kept."""

    mobile_hash = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    consumed_at = models.DateTimeField(null=True, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("登录验证码")
        verbose_name_plural = _("登录验证码")

    def __str__(self) -> str:
        return f"{self.mobile_hash[:8]}… {self.created_at:%Y-%m-%d %H:%M}"


class OnboardingBatch(models.Model):
    """One staff spreadsheet uploaded for bulk onboarding, and the per-row report of its run.

    `key` is also the key of the task's progress row (`core.TaskProgress`), and the report is
    only ever shown to `created_by`. The uploaded bytes hold plain mobile numbers, so they are
    kept only until the task has read them (`file_data` is emptied when it finishes); the
    report keeps masked numbers. See `accounts.onboarding`.
    """

    class Mode(models.TextChoices):
        SKIP = "skip", _("跳过出错的行，导入其余各行")
        ALL_OR_NOTHING = "all_or_nothing", _("任何一行出错则全部不导入")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    key = models.UUIDField(_("标识"), unique=True, editable=False)
    created_by = models.ForeignKey(
        User, verbose_name=_("导入人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    file_name = models.CharField(_("文件名"), max_length=255)
    file_data = models.BinaryField(_("文件内容"), blank=True, default=b"", editable=False)
    mode = models.CharField(_("导入方式"), max_length=20, choices=Mode.choices)
    dry_run = models.BooleanField(_("仅检查"), default=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    written = models.BooleanField(_("已写入"), default=False)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    created_count = models.PositiveIntegerField(_("新建账号"), default=0)
    role_added_count = models.PositiveIntegerField(_("新增岗位"), default=0)
    existing_count = models.PositiveIntegerField(_("已存在"), default=0)
    error_count = models.PositiveIntegerField(_("出错"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    warnings = models.JSONField(_("提示"), default=list, blank=True)
    # One list per data row: [row number, status, message, name, masked mobile, organisation,
    # role]; see `accounts.onboarding.RowResult`.
    report = models.JSONField(_("逐行结果"), default=list, blank=True)

    class Meta:
        verbose_name = _("工作人员批量导入")
        verbose_name_plural = _("工作人员批量导入")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mode__in=["skip", "all_or_nothing"]),
                name="accounts_onboardingbatch_mode_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed"]),
                name="accounts_onboardingbatch_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
