"""The token of a shared link: `<share id>.<nonce>:<signature>`, signed with the site's secret.

The signature stops anyone from walking share ids; the nonce (random per share) stops a token
from outliving its row; the row says whether the link is still open (expiry, the holder's
withdrawal) and whether the certificate itself still stands.
"""

from django.core import signing as django_signing
from django.utils.translation import gettext as _

from civicgrid.certificates.models import CertificateShare

SALT = "civicgrid.certificates.share"


class ShareRefused(Exception):
    """A link that shows nothing; `message` says why in words the visitor understands."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def token_for(share: CertificateShare) -> str:
    return django_signing.Signer(salt=SALT).sign(f"{share.pk}.{share.nonce}")


def open_share(token: str) -> CertificateShare:
    """The share a token names while it is open; ShareRefused otherwise."""
    try:
        value = django_signing.Signer(salt=SALT).unsign(token)
        share_id, nonce = value.split(".", 1)
        pk = int(share_id)
    except (django_signing.BadSignature, ValueError):
        raise ShareRefused("invalid", _("分享链接无效，请向持证人重新索取。")) from None
    share: CertificateShare | None = (
        CertificateShare.objects.select_related("certificate__type", "certificate__issuer")
        .filter(pk=pk, nonce=nonce)
        .first()
    )
    if share is None:
        raise ShareRefused("invalid", _("分享链接无效，请向持证人重新索取。"))
    if share.revoked_at is not None:
        raise ShareRefused("withdrawn", _("持证人已撤回该分享链接。"))
    if not share.is_open:
        raise ShareRefused("expired", _("该分享链接已过期，请向持证人重新索取。"))
    if share.certificate.revoked_at is not None:
        raise ShareRefused("revoked", _("该证照已被发证机构撤销。"))
    return share
