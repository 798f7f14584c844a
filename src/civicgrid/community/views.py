"""Staff pages of the gates (/community/checkpoints/): list and create, the A4 poster, the gate
tablet whose code changes every 30 seconds, revocation, deactivation, and the guard's registration of a
resident without a phone. Each view parses, looks up through `community.access`, calls one
action and renders."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.community import actions, selectors, tokens
from civicgrid.community.access import access_checkpoint_for_user
from civicgrid.community.choices import Direction
from civicgrid.community.masking import masked_name
from civicgrid.community.posters import poster_pdf, qr_svg
from civicgrid.core.permissions import role_required
from civicgrid.population.models import Person
from civicgrid.population.querysets import REGISTER_ROLES
from civicgrid.population.selectors import age_on, normalize_query, person_condition
from civicgrid.regions.models import Division

STAFF = tuple(REGISTER_ROLES)


def scan_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("community:scan", args=[token]))


def errors_of(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}


def joined_errors(exc: ValidationError) -> str:
    return "；".join(m for messages in errors_of(exc).values() for m in messages)


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def checkpoint_list(request: HttpRequest) -> HttpResponse:
    communities = selectors.managed_communities(request.user)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            checkpoint = actions.do_create_checkpoint(
                request.user,
                division_code=request.POST.get("division_code", ""),
                name=request.POST.get("name", ""),
                note=request.POST.get("note", ""),
            )
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            messages.success(
                request, _("已创建卡口“%(n)s”，请打印二维码海报。") % {"n": checkpoint.name}
            )
            return redirect("community:checkpoint_list")
    checkpoints = list(selectors.checkpoints_for(request.user))
    names = selectors.community_names({c.division_code for c in checkpoints})
    for checkpoint in checkpoints:
        checkpoint.community_name = names.get(checkpoint.division_code, checkpoint.division_code)
        checkpoint.manageable = actions.may_manage(request.user, checkpoint.division_code)
    return render(
        request,
        "community/checkpoint_list.html",
        {
            "checkpoints": checkpoints,
            "communities": communities,
            "errors": errors,
            "form": request.POST,
        },
    )


@role_required(*STAFF)
@require_GET
def checkpoint_poster(request: HttpRequest, checkpoint_id: int) -> HttpResponse:
    checkpoint = access_checkpoint_for_user(request.user, checkpoint_id, request=request)
    community = Division.objects.get(code=checkpoint.division_code)
    content = poster_pdf(
        place=selectors.place_line(community),
        community=community.name,
        gate=checkpoint.name,
        url=scan_url(request, tokens.poster_token(checkpoint)),
        version=checkpoint.token_version,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        False, f"{community.name}-{checkpoint.name}-二维码.pdf"
    )
    return response


@role_required(*STAFF)
@require_GET
def checkpoint_tablet(request: HttpRequest, checkpoint_id: int) -> HttpResponse:
    checkpoint = access_checkpoint_for_user(request.user, checkpoint_id, request=request)
    community = Division.objects.get(code=checkpoint.division_code)
    return render(
        request,
        "community/tablet.html",
        {"checkpoint": checkpoint, "community": community, **_tablet_code(request, checkpoint)},
    )


@role_required(*STAFF)
@require_GET
def checkpoint_tablet_code(request: HttpRequest, checkpoint_id: int) -> HttpResponse:
    checkpoint = access_checkpoint_for_user(request.user, checkpoint_id, request=request)
    return render(request, "community/_tablet_code.html", _tablet_code(request, checkpoint))


def _tablet_code(request: HttpRequest, checkpoint) -> dict:  # type: ignore[no-untyped-def]
    url = scan_url(request, tokens.tablet_token(checkpoint))
    return {
        "qr": qr_svg(url),
        "code_url": url,
        "checkpoint": checkpoint,
        "slot": tokens.current_slot(),
    }


@role_required(*STAFF)
@require_POST
def checkpoint_revoke(request: HttpRequest, checkpoint_id: int) -> HttpResponse:
    checkpoint = access_checkpoint_for_user(request.user, checkpoint_id, request=request)
    actions.do_revoke_checkpoint_codes(request.user, checkpoint=checkpoint)
    messages.success(
        request, _("旧二维码已作废，请重新打印“%(n)s”的海报。") % {"n": checkpoint.name}
    )
    return redirect("community:checkpoint_list")


@role_required(*STAFF)
@require_POST
def checkpoint_active(request: HttpRequest, checkpoint_id: int) -> HttpResponse:
    """Take a gate out of use (its codes are refused from then on) or back into use."""
    checkpoint = access_checkpoint_for_user(request.user, checkpoint_id, request=request)
    active = request.POST.get("active") == "1"
    actions.do_set_checkpoint_active(request.user, checkpoint=checkpoint, active=active)
    if active:
        message = _("卡口“%(n)s”已重新启用，原有二维码恢复有效。")
    else:
        message = _("卡口“%(n)s”已停用，扫它的二维码将被拒绝。")
    messages.success(request, message % {"n": checkpoint.name})
    return redirect("community:checkpoint_list")


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def checkpoint_guard(request: HttpRequest, checkpoint_id: int) -> HttpResponse:
    """The guard's page: find a resident without a phone (ID number or search) and record them."""
    checkpoint = access_checkpoint_for_user(request.user, checkpoint_id, request=request)
    if not actions.may_guard(request.user, checkpoint.division_code):
        raise PermissionDenied
    query = normalize_query(request.GET.get("q"))
    found = []
    if query:
        found = list(
            Person.objects.visible_to(request.user)
            .living()
            .filter(person_condition(query), division_code=checkpoint.division_code)
            .select_related("household")[:20]
        )
        today = timezone.localdate()
        for person in found:  # masked, with what lets the guard tell two 陆** apart
            person.masked = masked_name(person.name)
            person.age = age_on(person.birth_date, today)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            result = actions.do_register_pass_by_lookup(
                request.user,
                checkpoint=checkpoint,
                direction=request.POST.get("direction", ""),
                person_id=request.POST.get("person_id") or None,
                id_number=request.POST.get("id_number", ""),
                temperature=request.POST.get("temperature"),
            )
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            return render(
                request,
                "community/confirm.html",
                {"result": result, "checkpoint": checkpoint, "guard": True},
            )
    return render(
        request,
        "community/guard.html",
        {
            "checkpoint": checkpoint,
            "query": query,
            "found": found,
            "errors": errors,
            "directions": Direction.choices,
            "form": request.POST,
        },
    )
