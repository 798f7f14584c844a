"""The online check: signature, then what only the platform knows (revoked? expired?).

Every check is logged (`CertificateVerification`) with its channel and the verifier's network
cut to /24 (IPv4) or /48 (IPv6) — enough to tell the holder "checked from outside your town",
not enough to name the verifier. A code whose signature fails is logged without a certificate:
its words cannot be trusted to name one.

The checks are public, so one network may run at most `CERTIFICATE_VERIFICATIONS_PER_MINUTE`
(default 60) a minute, counted from the log itself (every worker process sees the same count);
beyond that `Throttled` is raised and nothing is logged, so nobody can flood a holder's history
or the table.
"""

import datetime
import ipaddress
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.certificates import signing
from civicgrid.certificates.choices import CertificateState, VerificationResult
from civicgrid.certificates.models import Certificate, CertificateShare, CertificateVerification

MAX_CODE_LENGTH = 4096


class Throttled(Exception):
    """Too many checks from one network in the last minute."""

    message = gettext_lazy("核验过于频繁，请一分钟后再试。")


def per_minute_limit() -> int:
    return int(getattr(settings, "CERTIFICATE_VERIFICATIONS_PER_MINUTE", 60))


@dataclass(frozen=True)
class Outcome:
    result: str
    message: str
    certificate: Certificate | None = None
    payload: dict[str, Any] | None = None

    @property
    def label(self) -> str:
        return str(VerificationResult(self.result).label)


def truncated_network(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


MESSAGES = {
    CertificateState.VALID: gettext_lazy("证照有效：由本平台签发，未撤销，在有效期内。"),
    CertificateState.REVOKED: gettext_lazy("证照已被发证机构撤销，不能再使用。"),
    CertificateState.EXPIRED: gettext_lazy("证照已超过有效期。"),
}


def evaluate(code: object) -> Outcome:
    """What the code says, without logging it."""
    if not isinstance(code, str) or not code.strip() or len(code) > MAX_CODE_LENGTH:
        return Outcome(VerificationResult.MALFORMED, _("请粘贴或扫描电子证照上的二维码内容。"))
    try:
        payload = signing.verify(code, signing.public_keys())
    except signing.VerificationError as exc:
        return Outcome(exc.code, exc.message)
    certificate = (
        Certificate.objects.select_related("type", "issuer")
        .filter(number=str(payload.get("no", "")))
        .first()
    )
    # The platform's own record must carry exactly the signed statement: a signature by a key
    # of ours over words that are not the certificate's (a test key reused, say) is not it.
    if certificate is None or certificate.payload != signing.canonical(payload).decode("utf-8"):
        return Outcome(
            VerificationResult.NOT_FOUND, _("签名有效，但本平台没有这张证照的记录。"), None, payload
        )
    state = certificate.state()
    return Outcome(state, str(MESSAGES[state]), certificate, payload)


def check(
    code: object,
    *,
    channel: str,
    request: HttpRequest | None = None,
    share: CertificateShare | None = None,
) -> Outcome:
    """Evaluate `code` and log the check; Throttled when its network checks too often."""
    network = truncated_network(request)
    if network:
        since = timezone.now() - datetime.timedelta(minutes=1)
        recent = CertificateVerification.objects.filter(
            verifier_network=network, created_at__gte=since
        )
        if recent.count() >= per_minute_limit():
            raise Throttled
    outcome = evaluate(code)
    CertificateVerification.objects.create(
        certificate=outcome.certificate,
        share=share,
        channel=channel,
        result=outcome.result,
        verifier_network=network,
    )
    return outcome
