"""Pages of the certificates app (/certificates/).

- the holder's wallet, phone-first: list, detail with the QR code and the PDF, shared links,
  the history of every check and every use by an agency;
- public, without signing in: the verification page (paste or scan the code, or open the URL
  in the QR code), a shared link, the published public keys;
- the issuing department, desktop: what it issued, issuing by hand, revocation.

Each view parses, looks the certificate up through `certificates.access`, calls one action or
selector and renders; a refused action shows the page again with the error beside its field.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.certificates import actions, selectors, signing, verification
from civicgrid.certificates.access import (
    access_certificate_for_user,
    access_held_certificate_for_user,
    access_issued_certificate_for_user,
    access_share_for_holder,
)
from civicgrid.certificates.choices import ShareDuration, VerificationChannel
from civicgrid.certificates.documents import qr_content, qr_svg
from civicgrid.certificates.forms import IssueForm, RevokeForm, TypeChoiceForm
from civicgrid.certificates.models import Certificate
from civicgrid.certificates.querysets import issuing_organisation_ids
from civicgrid.certificates.sharing import ShareRefused, open_share, token_for

# --- the wallet --------------------------------------------------------------------------------


@login_required
@require_GET
def wallet_list(request: HttpRequest) -> HttpResponse:
    """My certificates: a resident's own, an enterprise agent's enterprise's."""
    certificates = list(selectors.wallet_of(request.user)[:200])
    return render(request, "certificates/wallet_list.html", {"certificates": certificates})


@login_required
@require_GET
def wallet_detail(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = access_held_certificate_for_user(request.user, pk, request=request)
    return _wallet_detail(request, certificate)


def _wallet_detail(
    request: HttpRequest, certificate: Certificate, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    shares = [
        {"share": share, "url": request.build_absolute_uri(_share_path(share))}
        for share in certificate.shares.filter(revoked_at__isnull=True).order_by("-created_at")
        if share.is_open
    ]
    return render(
        request,
        "certificates/wallet_detail.html",
        {
            "certificate": certificate,
            "qr_svg": qr_svg(qr_content(certificate, request)),
            "code": signing.code_of(certificate.payload, certificate.signature),
            "shares": shares,
            "durations": ShareDuration.choices,
            "history": selectors.history_of(certificate),
            "errors": errors or {},
        },
        status=400 if errors else 200,
    )


def _share_path(share: Any) -> str:
    from django.urls import reverse

    return reverse("certificates:shared_view", args=[token_for(share)])


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable PDF, for the holder and for the issuing department (audited for them)."""
    certificate = access_certificate_for_user(request.user, pk, request=request)
    pdf = actions.do_export_certificate_pdf(
        request.user, certificate=certificate, qr=qr_content(certificate, request), request=request
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate.number}.pdf"'
    return response


@login_required
@require_POST
def share_create(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = access_held_certificate_for_user(request.user, pk, request=request)
    try:
        actions.do_share_certificate(
            request.user, certificate=certificate, hours=request.POST.get("hours", "")
        )
    except ValidationError as exc:
        return _wallet_detail(request, certificate, exc.message_dict)
    messages.success(request, _("分享链接已生成，复制下方链接发给对方即可。"))
    return redirect("certificates:wallet_detail", pk=certificate.pk)


@login_required
@require_POST
def share_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    share = access_share_for_holder(request.user, pk, request=request)
    try:
        actions.do_revoke_share(request.user, share=share)
    except ValidationError as exc:
        return _wallet_detail(request, share.certificate, exc.message_dict)
    messages.success(request, _("分享链接已撤回，对方将无法再打开。"))
    return redirect("certificates:wallet_detail", pk=share.certificate_id)


# --- public: verification, shared links, keys ----------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    """Paste or scan a certificate's code; anyone, without signing in."""
    outcome = None
    code = ""
    if request.method == "POST":
        code = request.POST.get("code", "")
        try:
            outcome = verification.check(code, channel=VerificationChannel.PAGE, request=request)
        except verification.Throttled:
            return _throttled(request)
    return _verification(request, outcome, code)


def _throttled(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "certificates/shared.html",
        {"refused": {"message": verification.Throttled.message}},
        status=429,
    )


@never_cache
@require_GET
def verify_link(request: HttpRequest, code: str) -> HttpResponse:
    """The URL in the QR code: a phone camera lands here and the check runs at once."""
    try:
        outcome = verification.check(code, channel=VerificationChannel.LINK, request=request)
    except verification.Throttled:
        return _throttled(request)
    return _verification(request, outcome, "")


def _verification(request: HttpRequest, outcome: Any, code: str) -> HttpResponse:
    status = 200 if outcome is None or outcome.certificate is not None else 422
    return render(
        request,
        "certificates/verify.html",
        {"outcome": outcome, "code": code, "max_length": verification.MAX_CODE_LENGTH},
        status=status,
    )


@never_cache
@require_GET
def shared_view(request: HttpRequest, token: str) -> HttpResponse:
    """A holder's shared link: the certificate (masked) while the link is open."""
    try:
        share = open_share(token)
    except ShareRefused as exc:
        return render(request, "certificates/shared.html", {"refused": exc}, status=410)
    certificate = share.certificate
    try:
        outcome = verification.check(
            signing.code_of(certificate.payload, certificate.signature),
            channel=VerificationChannel.SHARE,
            request=request,
            share=share,
        )
    except verification.Throttled:
        return _throttled(request)
    actions.do_count_share_view(share)
    return render(
        request,
        "certificates/shared.html",
        {
            "share": share,
            "certificate": certificate,
            "outcome": outcome,
            "qr_svg": qr_svg(qr_content(certificate, request)),
        },
    )


@require_GET
def keys_page(request: HttpRequest) -> HttpResponse:
    keys = signing.signing_keys()
    return render(
        request,
        "certificates/keys.html",
        {
            "keys": [{"id": k.key_id, "public": k.public_text, "dev": k.development} for k in keys],
            "signing_key_id": keys[0].key_id,
        },
    )


@require_GET
def keys_json(request: HttpRequest) -> JsonResponse:
    """Key id → base64 raw Ed25519 public key: what offline verifiers download."""
    response = JsonResponse(signing.public_keys(), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- the issuing department -------------------------------------------------------------------


def _clerk(request: HttpRequest) -> None:
    user = request.user
    if not (user.is_superuser or issuing_organisation_ids(user)):
        raise PermissionDenied


@login_required
@require_GET
def issued_list(request: HttpRequest) -> HttpResponse:
    _clerk(request)
    rows = selectors.issued_by(request.user)
    query = request.GET.get("q", "").strip()[:40]
    if query:
        rows = rows.filter(number__icontains=query) | rows.filter(subject_name__icontains=query)
    return render(
        request,
        "certificates/issued_list.html",
        {"certificates": list(rows.order_by("-issued_at", "-id")[:100]), "q": query},
    )


@login_required
@require_http_methods(["GET", "POST"])
def issue_form(request: HttpRequest) -> HttpResponse:
    """Issue a certificate by hand: pick the type, then fill in the holder and the fields."""
    _clerk(request)
    chooser = TypeChoiceForm(request.GET or None, user=request.user)
    certificate_type = chooser.cleaned_data["type"] if chooser.is_valid() else None
    form = None
    if certificate_type is not None:
        form = IssueForm(request.POST or None, certificate_type=certificate_type)
        if request.method == "POST" and form.is_valid():
            try:
                certificate = actions.do_issue_certificate(request.user, **form.action_arguments())
            except ValidationError as exc:
                form.attach(exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or _("您不能签发该类证照。"))
            else:
                messages.success(request, _("已签发 %(number)s。") % {"number": certificate.number})
                return redirect("certificates:issued_detail", pk=certificate.pk)
    status = 400 if form is not None and form.errors else 200
    return render(
        request,
        "certificates/issue_form.html",
        {"chooser": chooser, "form": form, "certificate_type": certificate_type},
        status=status,
    )


@login_required
@require_GET
def issued_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _clerk(request)
    certificate = access_issued_certificate_for_user(request.user, pk, request=request)
    return _issued_detail(request, certificate, RevokeForm())


def _issued_detail(
    request: HttpRequest, certificate: Certificate, form: RevokeForm
) -> HttpResponse:
    return render(
        request,
        "certificates/issued_detail.html",
        {
            "certificate": certificate,
            "form": form,
            "verification_count": certificate.verifications.count(),
            "use_count": certificate.uses.count(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _clerk(request)
    certificate = access_issued_certificate_for_user(request.user, pk, request=request)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            actions.do_revoke_certificate(
                request.user, certificate=certificate, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for texts in exc.message_dict.values():
                form.add_error("reason", texts)
        else:
            messages.success(request, _("证照已撤销，已通知持证人。"))
            return redirect("certificates:issued_detail", pk=certificate.pk)
    return _issued_detail(request, certificate, form)
