"""Sign-in pages (staff password + TOTP), the workspace landing page, and API token management."""

from datetime import timedelta

import segno
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.accounts import actions, directory, one_time_codes, workspaces
from civicgrid.accounts.access import access_api_token_for_user, administered_organisations
from civicgrid.accounts.forms import (
    ApiTokenForm,
    CodeForm,
    MobileForm,
    PasswordSignInForm,
    TotpForm,
)
from civicgrid.accounts.models import ApiToken, Membership, User
from civicgrid.core.access import access_scoped_or_404
from civicgrid.core.audit.actions import record_audit_now
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.crypto import decrypt, encrypt
from civicgrid.core.disclosure import do_reveal_protected_value
from civicgrid.core.masking import mask_mobile
from civicgrid.core.permissions import jurisdiction_required

PENDING_USER = "accounts.pending_user"
PENDING_SINCE = "accounts.pending_since"
PENDING_TRIES = "accounts.pending_tries"
PENDING_MINUTES = 5
PENDING_MAX_TRIES = 5


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("accounts:workspace")


def _pending_user(request: HttpRequest) -> User | None:
    """The user who passed the password step in this session, if not expired."""
    user_id = request.session.get(PENDING_USER)
    since = request.session.get(PENDING_SINCE, 0)
    if not user_id or timezone.now().timestamp() - since > PENDING_MINUTES * 60:
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def _finish_sign_in(request: HttpRequest, user: User) -> HttpResponse:
    next_url = _next_url(request)
    for key in (PENDING_USER, PENDING_SINCE, PENDING_TRIES):
        request.session.pop(key, None)
    login(request, user, backend="civicgrid.accounts.backends.AccountBackend")
    record_audit_now(actor=user, action=AuditAction.SIGN_IN, target=user, request=request)
    return HttpResponseRedirect(next_url)


def _after_first_factor(request: HttpRequest, user: User) -> HttpResponse:
    """Password or SMS code accepted: ask for the second factor where one applies."""
    if user.has_totp or actions.totp_required(user):
        request.session.cycle_key()
        request.session[PENDING_USER] = user.pk
        request.session[PENDING_SINCE] = timezone.now().timestamp()
        request.session[PENDING_TRIES] = 0
        step = "accounts:sign_in_totp" if user.has_totp else "accounts:totp_enrol"
        return redirect(f"{reverse(step)}?next={_next_url(request)}")
    return _finish_sign_in(request, user)


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = PasswordSignInForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            user = actions.do_check_password(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                request=request,
            )
        except actions.SignInError as exc:
            error = str(exc)
        else:
            return _after_first_factor(request, user)
    return render(
        request, "accounts/sign_in.html", {"form": form, "error": error, "next": _next_url(request)}
    )


CODE_MOBILE = "accounts.code_mobile"


@require_http_methods(["GET", "POST"])
def sign_in_by_code(request: HttpRequest) -> HttpResponse:
    """Step 1 for residents: the mobile number, to which a code is sent."""
    form = MobileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mobile = one_time_codes.do_send_sign_in_code(
                raw_mobile=form.cleaned_data["mobile"], address=request.META.get("REMOTE_ADDR")
            )
        except ValidationError as exc:
            form.add_error("mobile", exc)
        except one_time_codes.CodeError as exc:
            form.add_error(None, str(exc))
        else:
            # Kept encrypted: sessions live in the database like any other personal data.
            request.session[CODE_MOBILE] = encrypt("mobile", mobile)
            return redirect(f"{reverse('accounts:sign_in_code_verify')}?next={_next_url(request)}")
    return render(
        request, "accounts/sign_in_by_code.html", {"form": form, "next": _next_url(request)}
    )


@require_http_methods(["GET", "POST"])
def sign_in_code_verify(request: HttpRequest) -> HttpResponse:
    """Step 2: the 6-digit code from the SMS."""
    token = request.session.get(CODE_MOBILE)
    if not token:
        return redirect("accounts:sign_in_by_code")
    mobile = decrypt("mobile", token)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = one_time_codes.do_verify_sign_in_code(
                mobile=mobile, code=form.cleaned_data["code"]
            )
        except one_time_codes.CodeError as exc:
            form.add_error("code", str(exc))
            record_audit_now(
                actor=None,
                actor_label=f"mobile:{mask_mobile(mobile)}",
                action=AuditAction.SIGN_IN_FAILED,
                request=request,
                details={"reason": "sms_code"},
            )
        else:
            request.session.pop(CODE_MOBILE, None)
            return _after_first_factor(request, user)
    return render(
        request,
        "accounts/sign_in_code_verify.html",
        {"form": form, "masked_mobile": mask_mobile(mobile), "next": _next_url(request)},
    )


@require_http_methods(["GET", "POST"])
def sign_in_totp(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None or not user.has_totp:
        return redirect("accounts:login")
    form = TotpForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        if actions.verify_totp(user, form.cleaned_data["code"]):
            return _finish_sign_in(request, user)
        request.session[PENDING_TRIES] = request.session.get(PENDING_TRIES, 0) + 1
        if request.session[PENDING_TRIES] >= PENDING_MAX_TRIES:
            request.session.flush()
            return redirect("accounts:login")
        error = _("动态口令不正确")
    return render(request, "accounts/sign_in_totp.html", {"form": form, "error": error})


@require_http_methods(["GET", "POST"])
def totp_enrol(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: for a signed-in user, or mid-sign-in when it is required.

    Opening the page never changes anything that works: a confirmed second factor is replaced
    only by a POST that proves the current one (`action=reset` with a valid code), and an
    unconfirmed secret is reused, so a reload or a wrong code keeps the QR code the phone
    already scanned.
    """
    user = request.user if request.user.is_authenticated else _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    form = TotpForm(request.POST or None)
    if user.has_totp:
        if request.method == "POST" and request.POST.get("action") == "reset" and form.is_valid():
            if actions.verify_totp(user, form.cleaned_data["code"]):
                actions.do_begin_totp_enrolment(user)
                return redirect("accounts:totp_enrol")
            form.add_error("code", _("动态口令不正确"))
        return render(request, "accounts/totp_enrol.html", {"form": form, "enrolled": True})
    if not user.totp_secret:
        actions.do_begin_totp_enrolment(user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_confirm_totp_enrolment(user, form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            if request.user.is_authenticated:
                return redirect("accounts:workspace")
            return _finish_sign_in(request, user)
    uri = actions.totp_uri(user)
    return render(
        request,
        "accounts/totp_enrol.html",
        {
            "form": form,
            "qr": segno.make(uri, error="m").svg_inline(scale=5),
            "secret": user.totp_secret,
        },
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record_audit_now(
            actor=request.user, action=AuditAction.SIGN_OUT, target=request.user, request=request
        )
    logout(request)
    return redirect("core:home")


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    return render(
        request, "accounts/workspace.html", {"sections": workspaces.sections_for(request.user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    organisations = administered_organisations(request.user)
    if not organisations:
        raise PermissionDenied
    form = ApiTokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        issued = actions.do_issue_api_token(
            created_by=request.user,
            organisation=organisations[0],
            name=form.cleaned_data["name"],
            expires_at=timezone.now() + timedelta(days=365),
        )
        form = ApiTokenForm()
    tokens = (
        ApiToken.objects.filter(organisation__in=organisations)
        .select_related("organisation", "jurisdiction")
        .order_by("-created_at")
    )
    return render(
        request, "accounts/api_tokens.html", {"form": form, "issued": issued, "tokens": tokens}
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    actions.do_revoke_api_token(
        access_api_token_for_user(request.user, token_id), actor=request.user
    )
    return redirect("accounts:api_tokens")


@jurisdiction_required
@require_GET
def staff_directory(request: HttpRequest) -> HttpResponse:
    page = directory.directory_page(
        request.user, query=request.GET.get("q", ""), page=request.GET.get("page", 1)
    )
    return render(
        request,
        "accounts/directory.html",
        {
            "page": page,
            "query": request.GET.get("q", ""),
            "may_reveal": directory.may_reveal(request.user),
        },
    )


@jurisdiction_required
@require_POST
def staff_directory_reveal(request: HttpRequest, membership_id: int) -> HttpResponse:
    """The full mobile of a colleague, for a stated reason (htmx partial), audited."""
    membership = access_scoped_or_404(
        Membership.objects.select_related("user"), request.user, request=request, pk=membership_id
    )
    error = ""
    mobile = ""
    try:
        mobile = do_reveal_protected_value(
            request.user,
            membership.user,
            "mobile",
            reason=request.POST.get("reason", ""),
            subject_key=f"user:{membership.user_id}",
            allowed=directory.may_reveal(request.user),
            request=request,
        )
    except ValidationError as exc:
        error = exc.messages[0]
    return render(
        request,
        "accounts/_revealed_mobile.html",
        # 200 even for a missing reason: htmx swaps only successful responses into the page.
        {"membership": membership, "mobile": mobile, "error": error},
    )
