"""What a phone opens from a gate's QR code (/community/s/<token>/): public, since the signed
token is the key. A resident signed in once (phone and SMS code) taps "out" or "in"; anyone
else fills the visitor form. Both end on the large confirmation the guard reads."""

import uuid

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from civicgrid.community import actions
from civicgrid.community.choices import Direction
from civicgrid.community.tokens import TokenError, check_token
from civicgrid.community.views import errors_of
from civicgrid.epidemic.observation import active_observation_of
from civicgrid.population.declarations import person_of
from civicgrid.regions.models import Division

# A resident who scanned once stays signed in on that phone: gates are passed daily.
RESIDENT_SESSION_SECONDS = 90 * 24 * 3600


def _refused(request: HttpRequest, exc: TokenError) -> HttpResponse:
    return render(request, "community/scan_error.html", {"error": exc}, status=400)


@require_http_methods(["GET", "POST"])
def scan(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST" and request.user.is_authenticated:
        # The tap itself: the action checks the code, the gate and the resident in its one
        # read, so the page asks nothing beforehand; the form comes back only on an error.
        try:
            result = actions.do_scan_as_resident(
                request.user, token=token, direction=request.POST.get("direction", "")
            )
        except TokenError as exc:
            return _refused(request, exc)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "not_resident":
                return redirect(f"{reverse('community:scan_visitor', args=[token])}?not_resident=1")
            return _scan_form(request, token, errors=errors_of(exc))
        if request.user.is_resident:
            request.session.set_expiry(RESIDENT_SESSION_SECONDS)
        checkpoint = result.record.checkpoint
        return render(
            request, "community/confirm.html", {"result": result, "checkpoint": checkpoint}
        )
    return _scan_form(request, token)


def _scan_form(
    request: HttpRequest, token: str, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    """The gate's page: sign in (a phone not signed in), the visitor form (not a resident of
    this community), or the resident's "out" and "in" buttons, with `errors` of a tap."""
    try:
        checked = check_token(token)
    except TokenError as exc:
        return _refused(request, exc)
    checkpoint = checked.checkpoint
    context = {
        "checkpoint": checkpoint,
        "community": Division.objects.get(code=checkpoint.division_code),
        "token": token,
        "proof": checked.proof,
        "tap_key": uuid.uuid4().hex,
    }
    if not request.user.is_authenticated:
        context["sign_in_url"] = f"{reverse('accounts:sign_in_by_code')}?next={request.path}"
        return render(request, "community/scan.html", context)
    person = person_of(request.user)
    if person is None or person.division_code != checkpoint.division_code:
        return redirect(f"{reverse('community:scan_visitor', args=[token])}?not_resident=1")
    context.update(
        person=person,
        errors=errors or {},
        directions=Direction.choices,
        # Said before the tap too: observation means staying home.
        observation=active_observation_of(person),
    )
    return render(request, "community/scan.html", context)


@require_http_methods(["GET", "POST"])
def scan_visitor(request: HttpRequest, token: str) -> HttpResponse:
    try:
        checked = check_token(token)
    except TokenError as exc:
        return _refused(request, exc)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            result = actions.do_register_visitor(
                request.user,
                token=token,
                direction=request.POST.get("direction", ""),
                visitor=actions.VisitorInput(
                    name=request.POST.get("name", ""),
                    mobile=request.POST.get("mobile", ""),
                    reason=request.POST.get("reason", ""),
                    host=request.POST.get("host", ""),
                    temperature=request.POST.get("temperature"),
                ),
            )
        except TokenError as exc:
            return _refused(request, exc)
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            return render(
                request,
                "community/confirm.html",
                {"result": result, "checkpoint": checked.checkpoint},
            )
    return render(
        request,
        "community/visitor.html",
        {
            "checkpoint": checked.checkpoint,
            "community": Division.objects.get(code=checked.checkpoint.division_code),
            "token": token,
            "errors": errors,
            "form": request.POST,
            "not_resident": request.GET.get("not_resident") == "1",
            "directions": Direction.choices,
        },
    )
