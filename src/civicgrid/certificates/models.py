"""Electronic certificates (电子证照): their types, the certificates, shares, verifications, uses.

A `Certificate` is issued by a department (`issuer`, whose division is the certificate's
`division_code`) to exactly one holder: a resident (`holder_user`) or an enterprise
(`holder_organisation`). At issue the canonical payload is built and signed once
(`certificates.signing`); `payload` holds those exact bytes (as text) and `signature` the
Ed25519 signature over them, so the QR code, the PDF and any later check all carry the same
signed statement. Revocation never touches the payload: the online check answers 已撤销, and the
offline check (which only proves the platform issued it) says to confirm online.
"""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.choices import OrganisationType
from civicgrid.certificates.choices import (
    CertificateState,
    HolderKind,
    VerificationChannel,
    VerificationResult,
)
from civicgrid.certificates.querysets import CertificatePartQuerySet, CertificateQuerySet
from civicgrid.core.protected_fields import ProtectedIdNumberField


class CertificateType(models.Model):
    """A kind of certificate: who issues it, to whom, how long it is valid, which fields it shows.

    `field_labels` is a list of `[key, label]` pairs: the fields an issuer fills in, in the
    order the PDF and pages show them, and all of them signed in the payload.
    """

    code = models.SlugField(_("类型代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    holder_kind = models.CharField(_("持证主体"), max_length=20, choices=HolderKind.choices)
    issuer_type = models.CharField(
        _("发证机构类型"), max_length=30, choices=OrganisationType.choices
    )
    default_valid_days = models.PositiveIntegerField(
        _("默认有效天数"), null=True, blank=True, help_text=_("留空表示长期有效")
    )
    field_labels = models.JSONField(_("证照字段"), default=list, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("证照类型")
        verbose_name_plural = _("证照类型")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(holder_kind__in=HolderKind.values),
                name="certificates_type_holder_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(default_valid_days__isnull=True) | Q(default_valid_days__gte=1),
                name="certificates_type_valid_days_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """`field_labels` must be `[[key, label], ...]` with distinct lowercase keys."""
        pairs = self.field_labels
        shaped = isinstance(pairs, list) and all(
            isinstance(p, list | tuple)
            and len(p) == 2
            and all(isinstance(x, str) and x.strip() for x in p)
            and re.fullmatch(r"[a-z][a-z0-9_]{0,39}", p[0])
            for p in pairs
        )
        if not shaped or len({p[0] for p in pairs}) != len(pairs):
            raise ValidationError(
                {
                    "field_labels": _(
                        '证照字段应为 [["字段代码", "名称"], …]，字段代码为小写字母、数字和下划线且不重复。'
                    )
                }
            )

    @property
    def field_keys(self) -> list[str]:
        return [key for key, _label in self.field_labels]

    def label_of(self, key: str) -> str:
        return dict(self.field_labels).get(key, key)


class Certificate(models.Model):
    """One issued certificate with its signed payload; see the module docstring."""

    number = models.CharField(_("证照编号"), max_length=32, unique=True)
    type = models.ForeignKey(
        CertificateType, verbose_name=_("证照类型"), on_delete=models.PROTECT, related_name="+"
    )
    issuer = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("发证机构"),
        on_delete=models.PROTECT,
        related_name="certificates_issued",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    division_code = models.CharField(_("发证机构区划代码"), max_length=12, db_index=True)
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("持证人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates_held",
    )
    holder_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("持证企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates_held",
    )
    subject_name = models.CharField(_("持证主体名称"), max_length=100)
    # A resident's citizen ID number is kept encrypted (with its look-up hash); an enterprise's
    # unified social credit code is public and kept plain. Both appear masked everywhere a
    # certificate is shown or signed, so the QR code never carries a full number.
    subject_id_number = ProtectedIdNumberField(_("公民身份号码"), blank=True)
    subject_credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    subject_number_masked = models.CharField(_("证件号码（脱敏）"), max_length=30)
    fields = models.JSONField(_("证照内容"), default=dict)
    issued_at = models.DateTimeField(_("签发时间"), default=timezone.now)
    valid_from = models.DateField(_("有效期起"))
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=80, blank=True)
    payload = models.TextField(_("签名内容"), editable=False)
    signature = models.CharField(_("签名"), max_length=100, editable=False)
    key_id = models.CharField(_("签名密钥"), max_length=32, editable=False)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revocation_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["holder_user", "type"], name="certificates_cert_holder_user"),
            models.Index(
                fields=["holder_organisation", "type"], name="certificates_cert_holder_org"
            ),
            models.Index(fields=["issuer", "issued_at"], name="certificates_cert_issuer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(division_code__regex=r"^[0-9]{12}$"),
                name="certificates_certificate_code_12_digits",
            ),
            models.CheckConstraint(
                condition=(Q(holder_user__isnull=False) & Q(holder_organisation__isnull=True))
                | (Q(holder_user__isnull=True) & Q(holder_organisation__isnull=False)),
                name="certificates_certificate_exactly_one_holder",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("valid_from")),
                name="certificates_certificate_dates_ordered",
            ),
            # Revoked means: when, by whom (unless the account is gone) and why — all together.
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revocation_reason="")
                | (Q(revoked_at__isnull=False) & ~Q(revocation_reason="")),
                name="certificates_certificate_revocation_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type.name} {self.number}"

    @property
    def holder_kind(self) -> str:
        return HolderKind.RESIDENT if self.holder_user_id else HolderKind.ENTERPRISE

    def state(self, today: datetime.date | None = None) -> str:
        if self.revoked_at is not None:
            return CertificateState.REVOKED
        today = today or timezone.localdate()
        if self.expires_on is not None and self.expires_on < today:
            return CertificateState.EXPIRED
        return CertificateState.VALID

    def get_state_display(self) -> str:
        return str(CertificateState(self.state()).label)

    @property
    def is_valid(self) -> bool:
        return self.state() == CertificateState.VALID

    def labelled_fields(self) -> list[tuple[str, str]]:
        """(label, value) of the type's fields in their order, then any others."""
        shown = [(self.type.label_of(k), self.fields[k]) for k in self.type.field_keys]
        extra = [(k, v) for k, v in self.fields.items() if k not in self.type.field_keys]
        return [(label, value) for label, value in shown + extra if value]

    def holder_subject_key(self) -> str:
        """The audit subject of reads of this certificate: the holder (see core.audit)."""
        if self.holder_user_id:
            return f"user:{self.holder_user_id}"
        return f"organisation:{self.holder_organisation_id}"


class CertificateShare(models.Model):
    """A time-limited link the holder gives someone (a landlord, a bank) to see a certificate.

    The URL carries a token signed with the site's secret (`certificates.sharing`) naming this
    row and its random `nonce`; the row says until when it works and whether the holder has
    revoked it, so a link can be withdrawn before it expires.
    """

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="shares")
    nonce = models.CharField(max_length=32, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("失效时间"))
    revoked_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("查看次数"), default=0)

    objects = CertificatePartQuerySet.as_manager()

    class Meta:
        verbose_name = _("证照分享")
        verbose_name_plural = _("证照分享")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="certificates_share_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate.number} → {self.expires_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class CertificateVerification(models.Model):
    """One verification, whatever it answered. The verifier is anonymous: only the channel,
    the time and a truncated address (IPv4 /24, IPv6 /48) are kept. `certificate` is set only
    when the code's signature verified, so the holder sees the checks of their certificate and
    nobody can attach forged checks to someone else's."""

    certificate = models.ForeignKey(
        Certificate,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="verifications",
    )
    share = models.ForeignKey(
        CertificateShare, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=VerificationChannel.choices)
    result = models.CharField(_("结果"), max_length=20, choices=VerificationResult.choices)
    verifier_network = models.CharField(_("核验方网络（已截断）"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("核验时间"), default=timezone.now, db_index=True)

    objects = CertificatePartQuerySet.as_manager()

    class Meta:
        verbose_name = _("证照核验记录")
        verbose_name_plural = _("证照核验记录")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The rate limit counts a network's checks of the last minute.
            models.Index(
                fields=["verifier_network", "created_at"], name="certificates_verif_network"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_result_display()} {self.created_at:%Y-%m-%d %H:%M}"


class CertificateUse(models.Model):
    """An agency used the certificate instead of asking the holder for the paper (免提交)."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="uses")
    agency = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("用证机构"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    purpose = models.CharField(_("用途"), max_length=200)
    created_at = models.DateTimeField(_("用证时间"), default=timezone.now)

    objects = CertificatePartQuerySet.as_manager()

    class Meta:
        verbose_name = _("用证记录")
        verbose_name_plural = _("用证记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.agency} · {self.purpose}"
