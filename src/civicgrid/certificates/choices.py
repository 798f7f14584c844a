"""Choices of the certificates app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HolderKind(models.TextChoices):
    """Who a certificate type is issued to."""

    RESIDENT = "resident", _("个人")
    ENTERPRISE = "enterprise", _("企业")


class CertificateState(models.TextChoices):
    """A certificate's standing now; computed from its dates and revocation, never stored."""

    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已撤销")
    EXPIRED = "expired", _("已过期")


class VerificationResult(models.TextChoices):
    """What a verification answered. The first three name a certificate the platform issued;
    the others are codes that did not verify (nothing is known about their certificate)."""

    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已撤销")
    EXPIRED = "expired", _("已过期")
    BAD_SIGNATURE = "bad_signature", _("签名无效")
    UNKNOWN_KEY = "unknown_key", _("签名密钥未知")
    MALFORMED = "malformed", _("格式不正确")
    NOT_FOUND = "not_found", _("证照不存在")


class VerificationChannel(models.TextChoices):
    """Where a verification came from."""

    PAGE = "page", _("在线核验页面")
    LINK = "link", _("扫码打开核验链接")
    API = "api", _("核验接口")
    SHARE = "share", _("分享链接查看")


class ShareDuration(models.TextChoices):
    """How long a shared link stays open; the value is in hours."""

    HOUR = "1", _("1 小时")
    DAY = "24", _("1 天")
    WEEK = "168", _("7 天")
