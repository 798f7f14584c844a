"""Every change to certificates: one action each, one transaction, one audit row.

The contract other apps call (keep the signatures stable):

    do_issue_certificate(actor, *, type_code, holder_user=None, holder_organisation=None,
                         subject_name, subject_number, fields, valid_days=None, source="")
    do_record_certificate_use(actor, *, certificate, purpose)

A rejected call raises ValidationError naming the field (`{"subject_number": [...]}`) or
PermissionDenied for the wrong actor, before anything is written.
"""

import datetime
import secrets
from collections.abc import Mapping
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import OrganisationType, Role
from civicgrid.accounts.models import Organisation, User
from civicgrid.certificates import signing
from civicgrid.certificates.choices import HolderKind, ShareDuration
from civicgrid.certificates.models import (
    Certificate,
    CertificateShare,
    CertificateType,
    CertificateUse,
)
from civicgrid.certificates.querysets import is_api_token, issuing_organisation_ids
from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.credit_code import normalize_credit_code
from civicgrid.core.idcard import normalize_id_number
from civicgrid.core.masking import ProtectedValue, mask_id_number
from civicgrid.core.notifications.actions import notify

MAX_FIELD_LENGTH = 200
MAX_VALID_DAYS = 50 * 366
MAX_REASON_LENGTH = 200


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


# --- issuing ---------------------------------------------------------------------------------


def issuer_for(actor: Any, certificate_type: CertificateType) -> Organisation:
    """The organisation `actor` issues `certificate_type` for: an API token's organisation, or
    the clerk's department of the type's kind (the first, when a clerk serves in several)."""
    candidates: list[Organisation]
    if is_api_token(actor):
        candidates = [actor.organisation]
    else:
        candidates = [
            m.organisation
            for m in getattr(actor, "active_memberships", [])
            if m.role == Role.DEPARTMENT_CLERK
        ]
    for organisation in candidates:
        if organisation.type == certificate_type.issuer_type and organisation.is_active:
            return organisation
    raise PermissionDenied(
        _("只有%(issuer)s的办事人员可以签发%(type)s。")
        % {"issuer": certificate_type.get_issuer_type_display(), "type": certificate_type.name}
    )


def _clean_subject_number(
    kind: str, raw: object, holder_user: User | None, holder_org: Organisation | None
) -> tuple[str, str]:
    """(normalised number, masked form); the number must match what the holder registered.

    A protected value (`user.id_number` as read from the database) is taken as its plain
    number; note that `str()` of one is the *masked* text, which is refused like any other
    incomplete number."""
    if isinstance(raw, ProtectedValue):
        raw = raw.reveal()
    if not isinstance(raw, str):
        raise _invalid("subject_number", _("证件号码应为文本。"))
    try:
        if kind == HolderKind.RESIDENT:
            number = normalize_id_number(raw)
        else:
            number = normalize_credit_code(raw)
    except ValidationError as exc:
        raise ValidationError({"subject_number": exc.messages}) from None
    registered = (
        holder_user.id_number if holder_user is not None else holder_org and holder_org.credit_code
    )
    if registered and registered != number:
        raise _invalid("subject_number", _("证件号码与持证主体登记的号码不一致。"))
    return number, mask_id_number(number)


def _clean_fields(certificate_type: CertificateType, fields: object) -> dict[str, str]:
    if not isinstance(fields, Mapping):
        raise _invalid("fields", _("证照内容应为“字段: 文本”的对应表。"))
    expected = certificate_type.field_keys
    unknown = sorted(str(k) for k in fields if k not in expected)
    if unknown:
        raise _invalid("fields", _("证照类型没有这些字段：%s") % "、".join(unknown))
    cleaned: dict[str, str] = {}
    for key in expected:
        value = fields.get(key, "")
        label = certificate_type.label_of(key)
        if not isinstance(value, str):
            raise _invalid(f"fields.{key}", _("%s应为文本。") % label)
        value = " ".join(value.split())
        if not value:
            raise _invalid(f"fields.{key}", _("请填写%s。") % label)
        if len(value) > MAX_FIELD_LENGTH:
            raise _invalid(
                f"fields.{key}",
                _("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": MAX_FIELD_LENGTH},
            )
        cleaned[key] = value
    return cleaned


def _validity(
    certificate_type: CertificateType, valid_days: object, today: datetime.date
) -> datetime.date | None:
    days = certificate_type.default_valid_days if valid_days is None else valid_days
    if days is None:
        return None
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_VALID_DAYS:
        raise _invalid("valid_days", _("有效天数应为 1 到 %d 之间的整数。") % MAX_VALID_DAYS)
    return today + datetime.timedelta(days=days - 1)


def payload_of(certificate: Certificate) -> dict[str, Any]:
    """What is signed: enough for a verifier holding only the QR code to know what it states."""
    kind = certificate.holder_kind
    return {
        "v": signing.PAYLOAD_VERSION,
        "no": certificate.number,
        "type": certificate.type.code,
        "type_name": certificate.type.name,
        "holder": kind,
        "subject": certificate.subject_name,
        "subject_no": certificate.subject_number_masked,
        "fields": {certificate.type.label_of(k): v for k, v in certificate.fields.items()},
        "issuer": certificate.issuer.name,
        "issuer_code": certificate.division_code,
        "issued": timezone.localtime(certificate.issued_at).date().isoformat(),
        "valid_from": certificate.valid_from.isoformat(),
        "expires": certificate.expires_on.isoformat() if certificate.expires_on else None,
    }


def certificate_number(certificate: Certificate) -> str:
    """`CG` + the issuer's county code + the year + the row id: unique, readable aloud."""
    year = timezone.localtime(certificate.issued_at).year
    return f"CG{certificate.division_code[:6]}{year}{certificate.pk:07d}"


def do_issue_certificate(
    actor: Any,
    *,
    type_code: str,
    holder_user: User | None = None,
    holder_organisation: Organisation | None = None,
    subject_name: str,
    subject_number: str,
    fields: dict[str, str],
    valid_days: int | None = None,
    source: str = "",
) -> Certificate:
    """Issue and sign a certificate of `type_code` for a resident or an enterprise.

    `actor` is the clerk (or the department's API token) of the issuing department; its
    organisation of the type's issuer kind becomes the issuer and gives the division code.
    `subject_number` is the holder's citizen ID number or unified social credit code; it is
    stored protected (ID numbers encrypted) and appears only masked in the signed payload.
    `source` says where it came from, e.g. "application:CG202611270001". The holder is
    notified.
    """
    certificate_type = CertificateType.objects.filter(code=type_code, is_active=True).first()
    if certificate_type is None:
        raise _invalid("type_code", _("证照类型不存在或已停用。"))
    issuer = issuer_for(actor, certificate_type)
    if (holder_user is None) == (holder_organisation is None):
        raise _invalid("holder", _("持证人和持证企业必须且只能填写一个。"))
    kind = HolderKind.RESIDENT if holder_user is not None else HolderKind.ENTERPRISE
    if kind != certificate_type.holder_kind:
        raise _invalid(
            "holder",
            _("%(type)s只能签发给%(kind)s。")
            % {"type": certificate_type.name, "kind": certificate_type.get_holder_kind_display()},
        )
    if holder_organisation is not None and holder_organisation.type != OrganisationType.ENTERPRISE:
        raise _invalid("holder", _("持证企业必须是登记为企业的机构。"))
    name = " ".join(str(subject_name or "").split())
    if not name or len(name) > 100:
        raise _invalid("subject_name", _("请填写持证主体名称（不超过 100 个字）。"))
    number, masked = _clean_subject_number(kind, subject_number, holder_user, holder_organisation)
    cleaned = _clean_fields(certificate_type, fields)
    if not isinstance(source, str) or len(source) > 80:
        raise _invalid("source", _("来源不能超过 80 个字符。"))
    now = timezone.now()
    today = timezone.localdate(now)
    expires_on = _validity(certificate_type, valid_days, today)

    with transaction.atomic():
        certificate = Certificate(
            number=f"pending-{secrets.token_hex(8)}",
            type=certificate_type,
            issuer=issuer,
            issued_by=actor if isinstance(actor, User) else None,
            division_code=issuer.division_code,
            holder_user=holder_user,
            holder_organisation=holder_organisation,
            subject_name=name,
            subject_number_masked=masked,
            fields=cleaned,
            issued_at=now,
            valid_from=today,
            expires_on=expires_on,
            source=source,
        )
        if kind == HolderKind.RESIDENT:
            certificate.subject_id_number = number
        else:
            certificate.subject_credit_code = number
        certificate.save()
        certificate.number = certificate_number(certificate)
        signed = signing.sign(payload_of(certificate))
        if len(signed.code) > signing.MAX_QR_TEXT:
            raise _invalid("fields", _("证照内容过长，二维码无法容纳，请精简字段内容。"))
        certificate.payload = signed.payload.decode("utf-8")
        certificate.signature = signing.b64u(signed.signature)
        certificate.key_id = signed.key_id
        certificate.save(update_fields=["number", "payload", "signature", "key_id"])
        record_audit(
            actor=actor,
            action=AuditAction.CREATE,
            target=certificate,
            division_code=certificate.division_code,
            subject_key=certificate.holder_subject_key(),
            details={"type": certificate_type.code, "number": certificate.number, "source": source},
        )
        notify(
            holders_of(certificate),
            "certificate_issued",
            {"type": certificate_type.name, "number": certificate.number, "issuer": issuer.name},
            url=reverse("certificates:wallet_detail", args=[certificate.pk]),
        )
    return certificate


def holders_of(certificate: Certificate) -> list[User]:
    """Who hears about a certificate: the resident, or the enterprise's agents."""
    if certificate.holder_user is not None:
        return [certificate.holder_user]
    return list(
        User.objects.filter(
            memberships__organisation=certificate.holder_organisation_id,
            memberships__role=Role.ENTERPRISE_AGENT,
            memberships__is_active=True,
            is_active=True,
        ).distinct()
    )


# --- revoking --------------------------------------------------------------------------------


def do_revoke_certificate(actor: Any, *, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a certificate for a stated reason; only its issuing department may. The holder is
    notified; the online check answers 已撤销 from now on."""
    if not (
        getattr(actor, "is_superuser", False)
        or certificate.issuer_id in issuing_organisation_ids(actor)
    ):
        raise PermissionDenied(_("只有发证机构可以撤销该证照。"))
    reason = " ".join(str(reason or "").split()) if isinstance(reason, str) else ""
    if not reason:
        raise _invalid("reason", _("请填写撤销原因。"))
    if len(reason) > MAX_REASON_LENGTH:
        raise _invalid("reason", _("撤销原因不能超过 %d 个字。") % MAX_REASON_LENGTH)
    now = timezone.now()
    with transaction.atomic():
        updated = Certificate.objects.filter(pk=certificate.pk, revoked_at__isnull=True).update(
            revoked_at=now,
            revoked_by=actor if isinstance(actor, User) else None,
            revocation_reason=reason,
        )
        if not updated:
            raise _invalid("reason", _("该证照已经撤销。"))
        certificate.refresh_from_db()
        record_audit(
            actor=actor,
            action=AuditAction.UPDATE,
            target=certificate,
            division_code=certificate.division_code,
            subject_key=certificate.holder_subject_key(),
            reason=reason,
            details={"change": "revoke", "number": certificate.number},
        )
        notify(
            holders_of(certificate),
            "certificate_revoked",
            {
                "type": certificate.type.name,
                "number": certificate.number,
                "issuer": certificate.issuer.name,
                "reason": reason,
            },
            url=reverse("certificates:wallet_detail", args=[certificate.pk]),
        )
    return certificate


# --- use by an agency --------------------------------------------------------------------------


def agency_of(actor: Any) -> Organisation:
    """The agency on whose behalf `actor` uses a certificate: an API token's organisation or
    the department the clerk works for (the first, when they serve in several)."""
    if is_api_token(actor):
        return cast(Organisation, actor.organisation)
    for membership in getattr(actor, "active_memberships", []):
        if membership.role == Role.DEPARTMENT_CLERK:
            return cast(Organisation, membership.organisation)
    raise PermissionDenied(_("只有部门办事人员可以调用电子证照。"))


def do_record_certificate_use(actor: Any, *, certificate: Certificate, purpose: str) -> None:
    """Record that an agency used `certificate` instead of asking the holder for the paper.

    The holder sees it in the certificate's history (and in 谁查看了我的数据). A revoked or
    expired certificate cannot stand in for the paper: ValidationError.
    """
    agency = agency_of(actor)
    purpose = " ".join(purpose.split()) if isinstance(purpose, str) else ""
    if not purpose or len(purpose) > 200:
        raise _invalid("purpose", _("请填写用证用途（不超过 200 个字）。"))
    if not certificate.is_valid:
        raise _invalid(
            "certificate",
            _("该证照%(state)s，不能作为办事材料。") % {"state": certificate.get_state_display()},
        )
    with transaction.atomic():
        CertificateUse.objects.create(
            certificate=certificate,
            agency=agency,
            used_by=actor if isinstance(actor, User) else None,
            purpose=purpose,
        )
        record_audit(
            actor=actor,
            action=AuditAction.SHARE,
            target=certificate,
            division_code=certificate.division_code,
            subject_key=certificate.holder_subject_key(),
            reason=purpose,
            details={"agency": agency.name, "number": certificate.number},
        )


# --- sharing -----------------------------------------------------------------------------------


def do_share_certificate(
    actor: User, *, certificate: Certificate, hours: object
) -> CertificateShare:
    """A link that shows `certificate` to anyone holding it for 1 hour, 1 day or 7 days."""
    from civicgrid.certificates.querysets import held_by_q

    if not Certificate.objects.filter(held_by_q(actor), pk=certificate.pk).exists():
        raise PermissionDenied(_("只有持证人可以分享证照。"))
    if str(hours) not in ShareDuration.values:
        raise _invalid("hours", _("请选择有效期：1 小时、1 天或 7 天。"))
    if not certificate.is_valid:
        raise _invalid("certificate", _("该证照%s，不能分享。") % certificate.get_state_display())
    now = timezone.now()
    with transaction.atomic():
        share = CertificateShare.objects.create(
            certificate=certificate,
            nonce=secrets.token_urlsafe(12),
            created_by=actor,
            created_at=now,
            expires_at=now + datetime.timedelta(hours=int(str(hours))),
        )
        record_audit(
            actor=actor,
            action=AuditAction.CREATE,
            target=share,
            subject_key=certificate.holder_subject_key(),
            details={"number": certificate.number, "hours": int(str(hours))},
        )
    return share


def do_revoke_share(actor: User, *, share: CertificateShare) -> None:
    """Withdraw a shared link before it expires (the holder)."""
    from civicgrid.certificates.querysets import held_by_q

    if not Certificate.objects.filter(held_by_q(actor), pk=share.certificate_id).exists():
        raise PermissionDenied(_("只有持证人可以撤回分享。"))
    with transaction.atomic():
        updated = CertificateShare.objects.filter(pk=share.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not updated:
            raise _invalid("share", _("该分享链接已经撤回。"))
        record_audit(
            actor=actor,
            action=AuditAction.UPDATE,
            target=share,
            subject_key=share.certificate.holder_subject_key(),
            details={"change": "revoke_share"},
        )


def do_count_share_view(share: CertificateShare) -> None:
    CertificateShare.objects.filter(pk=share.pk).update(view_count=F("view_count") + 1)


def do_export_certificate_pdf(
    actor: Any, *, certificate: Certificate, qr: str, request: Any = None
) -> bytes:
    """The PDF of `certificate`. A holder prints their own freely; anyone else (the issuing
    department) reads the holder's document, which is audited as an export."""
    from civicgrid.certificates.documents import certificate_pdf
    from civicgrid.certificates.querysets import held_by_q

    if not Certificate.objects.filter(held_by_q(actor), pk=certificate.pk).exists():
        record_audit(
            actor=actor,
            action=AuditAction.EXPORT,
            target=certificate,
            division_code=certificate.division_code,
            subject_key=certificate.holder_subject_key(),
            request=request,
            details={"number": certificate.number, "format": "pdf"},
        )
    return certificate_pdf(certificate, qr)
