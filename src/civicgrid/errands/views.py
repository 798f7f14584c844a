"""Phone-first errand pages (/errands/): post a need, the volunteer's list and steps, the
requester's confirmation, the ledger; and the community staff's board with its export.

Each action view parses, looks the errand up through `errands.access`, calls one action and
redirects to the errand; a rejected action shows the errand again with the error beside the
field it names, and nothing saved.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.accounts.models import User
from civicgrid.errands import actions, selectors
from civicgrid.errands.access import access_claimable_errand, access_errand_for_user
from civicgrid.errands.choices import ErrandStatus, PostedVia
from civicgrid.errands.exports import errand_report, xlsx_response
from civicgrid.errands.forms import ErrandForm, OnBehalfForm, RepaymentForm
from civicgrid.errands.models import Errand, ErrandPhoto
from civicgrid.errands.querysets import volunteer_codes

TOP_ERRORS = ("", "status", "errand", "requester", "volunteer")
CALL_REASONS = [_("送货联系"), _("找不到门牌"), _("核对物品")]


@login_required
@require_GET
def errand_list(request: HttpRequest) -> HttpResponse:
    """My errands: a resident's needs, a volunteer's open needs and the ones they hold."""
    user = request.user
    visible = Errand.objects.visible_to(user).prefetch_related("items")
    context: dict[str, Any] = {
        "mode": selectors.posting_mode(user),
        "is_volunteer": selectors.is_volunteer(user),
        "may_see_board": selectors.may_see_board(user),
        "mine": list(
            visible.filter(requester=user) | visible.filter(posted_by=user, requester__isnull=True)
        )[:50]
        if not selectors.is_volunteer(user)
        else [],
    }
    if context["is_volunteer"]:
        context["held"] = list(
            visible.filter(volunteer=user, status__in=("claimed", "bought", "delivered"))
        )
        context["open"] = list(
            visible.filter(status=ErrandStatus.OPEN).order_by("window_end")[:100]
        )
        context["done"] = list(visible.filter(volunteer=user, status="confirmed")[:10])
    return render(request, "errands/errand_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def errand_create(request: HttpRequest) -> HttpResponse:
    mode = selectors.posting_mode(request.user)
    if mode is None:
        raise PermissionDenied
    form = ErrandForm(request.POST or None)
    communities = selectors.communities_for_posting(request.user) if mode != PostedVia.SELF else []
    behalf = OnBehalfForm(request.POST or None, communities=communities) if communities else None
    if mode != PostedVia.SELF and behalf is None:
        raise PermissionDenied
    if request.method == "POST" and form.is_valid() and (behalf is None or behalf.is_valid()):
        try:
            if behalf is None:
                destination = selectors.resident_destination(request.user)
            else:
                destination = selectors.destination_for_others(
                    request.user, community_code=behalf.cleaned_data.pop("community"),
                    **behalf.cleaned_data,
                )  # fmt: skip
            errand = actions.do_post_errand(
                request.user, destination=destination, posted_via=mode, **form.cleaned_data
            )
        except ValidationError as exc:
            _attach(exc, form, behalf)
        else:
            messages.success(request, _("需求已发布，志愿者认领后会通知您。"))
            return redirect("errands:errand_detail", errand_id=errand.pk)
    return render(
        request, "errands/errand_form.html", {"form": form, "behalf": behalf, "mode": mode}
    )


def _attach(exc: ValidationError, form: ErrandForm, behalf: OnBehalfForm | None) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    for key, texts in errors.items():
        field = key.split(".")[0]
        target = behalf if behalf is not None and field in behalf.fields else form
        target.add_error(field if field in target.fields else None, texts)


@login_required
@require_GET
def errand_detail(request: HttpRequest, errand_id: int) -> HttpResponse:
    errand = access_errand_for_user(request.user, errand_id, request=request)
    return _detail(request, errand)


def _detail(
    request: HttpRequest, errand: Errand, *, errors: dict[str, list[str]] | None = None
) -> HttpResponse:
    viewer = selectors.viewer_of(request.user, errand)
    reassign_to = []
    if "reassign" in viewer.actions:
        reassign_to = list(
            User.objects.filter(
                memberships__role="volunteer",
                memberships__is_active=True,
                memberships__division_code__in=actions.ancestor_codes(errand.division_code),
            )
            .exclude(pk=errand.volunteer_id or 0)
            .distinct()
            .order_by("full_name")
        )
    return render(
        request,
        "errands/errand_detail.html",
        {
            "errand": errand,
            "viewer": viewer,
            "items": errand.items.all(),
            "events": errand.events.select_related("actor"),
            "photos": errand.photos.defer("content"),
            "chat": errand.messages.select_related("sender"),
            "ledger": errand.ledger.all(),
            "outstanding": actions.outstanding(errand),
            "ratings": {r.side: r for r in errand.ratings.all()},
            "masked_name": selectors.masked_name(errand.contact_name),
            "errors": errors or {},
            # Errors about the errand as a whole, not one field of a form on the page.
            "top_errors": [m for key in TOP_ERRORS for m in (errors or {}).get(key, [])],
            "call_reasons": CALL_REASONS,
            "reassign_to": reassign_to,
            "repay_form": RepaymentForm(initial={"amount": actions.outstanding(errand)}),
        },
    )


def _act(request: HttpRequest, errand: Errand, run: Any, done: str) -> HttpResponse:
    """Run one action; on a rule violation show the errand again with the error by its field."""
    try:
        run()
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        return _detail(request, Errand.objects.get(pk=errand.pk), errors=errors)
    messages.success(request, done)
    return redirect("errands:errand_detail", errand_id=errand.pk)


@login_required
@require_POST
def errand_claim(request: HttpRequest, errand_id: int) -> HttpResponse:
    errand = access_claimable_errand(request.user, errand_id, request=request)
    try:
        actions.do_claim_errand(request.user, errand=errand)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("errands:errand_list")
    messages.success(request, _("认领成功，请尽快采购。"))
    return redirect("errands:errand_detail", errand_id=errand.pk)


def _errand_action(name: str, done: str, call: Any) -> Any:
    """A POST view that runs `call(request, errand)` through `_act`."""

    @login_required
    @require_POST
    def view(request: HttpRequest, errand_id: int) -> HttpResponse:
        errand = access_errand_for_user(request.user, errand_id, request=request)
        return _act(request, errand, lambda: call(request, errand), done)

    view.__name__ = view.__qualname__ = name
    return view


def _upload(request: HttpRequest, name: str) -> bytes | None:
    upload = request.FILES.get(name)
    return upload.read() if upload is not None else None


errand_bought = _errand_action(
    "errand_bought",
    _("已记录购买，请尽快送达。"),
    lambda r, e: actions.do_mark_bought(
        r.user, errand=e, amount=r.POST.get("amount", ""), receipt=_upload(r, "receipt")
    ),
)
errand_deliver = _errand_action(
    "errand_deliver",
    _("已送达，等待居民确认收货。"),
    lambda r, e: actions.do_mark_delivered(
        r.user, errand=e, code=r.POST.get("code", ""), photo=_upload(r, "photo")
    ),
)
errand_confirm = _errand_action(
    "errand_confirm",
    _("已确认收货，谢谢！"),
    lambda r, e: actions.do_confirm_delivery(r.user, errand=e),
)
errand_cancel = _errand_action(
    "errand_cancel",
    _("已取消。"),
    lambda r, e: actions.do_cancel_errand(r.user, errand=e, reason=r.POST.get("reason", "")),
)
errand_repay = _errand_action(
    "errand_repay",
    _("已记录还款。"),
    lambda r, e: actions.do_record_repayment(
        r.user, errand=e, amount=r.POST.get("amount", ""), method=r.POST.get("method", "")
    ),
)
errand_rate = _errand_action(
    "errand_rate",
    _("谢谢您的评价。"),
    lambda r, e: actions.do_rate_errand(
        r.user, errand=e, score=r.POST.get("score", ""), comment=r.POST.get("comment", "")
    ),
)
errand_message = _errand_action(
    "errand_message",
    _("留言已发送。"),
    lambda r, e: actions.do_send_errand_message(r.user, errand=e, body=r.POST.get("body", "")),
)


def _volunteer(pk: str) -> User | None:
    return User.objects.filter(pk=int(pk)).first() if pk.isdigit() else None


errand_reassign = _errand_action(
    "errand_reassign",
    _("已改派。"),
    lambda r, e: actions.do_reassign_errand(
        r.user,
        errand=e,
        volunteer=_volunteer(r.POST.get("volunteer", "")),
        reason=r.POST.get("reason", ""),
    ),
)


@login_required
@require_POST
def errand_call(request: HttpRequest, errand_id: int) -> HttpResponse:
    """Tap to call: the full number for a stated reason, audited (an htmx partial)."""
    errand = access_errand_for_user(request.user, errand_id, request=request)
    error, mobile = "", ""
    try:
        mobile = actions.do_reveal_errand_contact(
            request.user,
            errand=errand,
            reason=request.POST.get("preset") or request.POST.get("reason", ""),
            request=request,
        )
    except ValidationError as exc:
        error = exc.messages[0]
    return render(
        request,
        "errands/errand_call.html",
        {"errand": errand, "mobile": mobile, "error": error, "call_reasons": CALL_REASONS},
    )


@login_required
@require_GET
def errand_photo(request: HttpRequest, errand_id: int, photo_id: int) -> HttpResponse:
    errand = access_errand_for_user(request.user, errand_id, request=request)
    photo = ErrandPhoto.objects.filter(errand=errand, pk=photo_id).first()
    if photo is None:
        raise Http404
    response = HttpResponse(bytes(photo.content), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    return render(request, "errands/ledger.html", selectors.ledger_for(request.user))


def _board_user(request: HttpRequest) -> Any:
    if not selectors.may_see_board(request.user):
        raise PermissionDenied
    return request.user


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    user = _board_user(request)
    return render(
        request,
        "errands/board.html",
        {"board": selectors.board_for(user), "is_volunteer": bool(volunteer_codes(user))},
    )


@login_required
@require_GET
def board_export(request: HttpRequest) -> HttpResponse:
    """The board's errands as xlsx: names and numbers masked; the export is audited."""
    user = _board_user(request)
    content, filename = errand_report(user, request=request)
    return xlsx_response(content, filename)
