"""Appointment pages. Applicants (phone-first): choose item → office → day → slot, my
bookings, the booking with its QR code, cancel, reschedule, appeal a block. Office staff
(desktop): the day's bookings per counter with check-in, load per day, closures, no-shows and
appeals. Each view parses, looks up through `appointments.access`, calls one action or
selector and renders; a refused action shows the page again with the reason."""

import datetime
from functools import wraps
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.appointments import actions, selectors
from civicgrid.appointments.access import (
    access_appeal_for_staff,
    access_booking_for_user,
    access_office_for_staff,
    bookable_slot,
)
from civicgrid.appointments.choices import AppealStatus, BookingStatus
from civicgrid.appointments.forms import (
    AppealForm,
    CancelForm,
    CheckInForm,
    ClosureForm,
    DecisionForm,
)
from civicgrid.appointments.models import BlockAppeal, Booking, BookingBlock, Office
from civicgrid.appointments.querysets import is_office_staff

LOAD_DAYS = 14


def staff_required(view: Any) -> Any:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_office_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def applicant_required(view: Any) -> Any:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if actions.applicant_kind(request.user) is None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _day(value: object) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def _errors(exc: ValidationError) -> list[str]:
    return exc.messages


def _flash(request: HttpRequest, texts: Any) -> None:
    """Refusals of an action that redirects: shown at the top of the next page."""
    for text in texts:
        messages.error(request, text)


def _form_texts(form: Any) -> list[str]:
    return [text for errors in form.errors.values() for text in errors]


# --- applicants ----------------------------------------------------------------------------------


@applicant_required
@require_GET
def booking_list(request: HttpRequest) -> HttpResponse:
    mine = Booking.objects.mine(request.user).select_related(
        "item", "office", "counter", "enterprise"
    )
    now = timezone.now()
    context = {
        "upcoming": list(mine.filter(status=BookingStatus.BOOKED).order_by("starts_at")),
        "past": list(mine.exclude(status=BookingStatus.BOOKED).order_by("-starts_at")[:20]),
        # Not "block": inside {% block %} that name is the template block itself (always true).
        "ban": actions.active_block(request.user, now),
    }
    return render(request, "appointments/booking_list.html", context)


@applicant_required
@require_http_methods(["GET", "POST"])
def booking_create(request: HttpRequest) -> HttpResponse:
    """One page, four steps, driven by the query string: ?item= → &office= → &day= → POST."""
    source = request.POST if request.method == "POST" else request.GET
    items = selectors.bookable_items()
    item = items.filter(pk=_int(source.get("item"))).first() if source.get("item") else None
    context: dict[str, Any] = {"item": item, "errors": []}
    if item is None:
        context["items"] = list(items[:200])
        return render(request, "appointments/booking_create.html", context)
    offices = selectors.offices_for_item(item)
    office = offices.filter(pk=_int(source.get("office"))).first() if source.get("office") else None
    context["office"] = office
    if office is None:
        context["offices"] = list(offices)
        return render(request, "appointments/booking_create.html", context)
    if request.method == "POST":
        slot = bookable_slot(source.get("slot"))
        if slot is None or slot.office_id != office.pk:
            context["errors"] = [_("请选择一个时段")]
        else:
            try:
                booking = actions.do_book_appointment(request.user, slot=slot, item=item)
            except ValidationError as exc:
                context["errors"] = _errors(exc)
            else:
                messages.success(request, _("预约成功，请按时到场并出示预约码。"))
                return redirect("appointments:booking_detail", booking_id=booking.pk)
    day = _day(source.get("day")) if source.get("day") else None
    context["day"] = day
    context["days"] = selectors.days_with_places(office, item)
    if day is not None:
        context["slots"] = list(selectors.open_slots(office, item, day=day))
    return render(request, "appointments/booking_create.html", context)


@login_required
@require_GET
def booking_detail(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = access_booking_for_user(request.user, booking_id, request=request)
    own = booking.applicant_id == request.user.pk
    context = {
        "booking": booking,
        "own": own,
        "staff_view": not own and is_office_staff(request.user),
        "applicant_name": selectors.masked_name(booking.applicant.full_name),
        "qr": segno.make(actions.booking_token(booking), error="m").svg_inline(scale=5)
        if own and booking.status == BookingStatus.BOOKED
        else None,
        "may_change": own
        and booking.status == BookingStatus.BOOKED
        and booking.starts_at > timezone.now(),
        "cancel_form": CancelForm(),
    }
    return render(request, "appointments/booking_detail.html", context)


def _own_booking(request: HttpRequest, booking_id: int) -> Booking:
    booking = access_booking_for_user(request.user, booking_id, request=request)
    if booking.applicant_id != request.user.pk:
        raise Http404  # staff see bookings but do not act on them as the applicant
    return booking


@login_required
@require_POST
def booking_cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = _own_booking(request, booking_id)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        actions.do_cancel_booking(request.user, booking=booking, reason=reason)
    except ValidationError as exc:
        _flash(request, _errors(exc))
    else:
        messages.success(request, _("预约已取消。"))
    return redirect("appointments:booking_detail", booking_id=booking.pk)


@login_required
@require_http_methods(["GET", "POST"])
def booking_reschedule(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = _own_booking(request, booking_id)
    errors: list[str] = []
    if request.method == "POST":
        slot = bookable_slot(request.POST.get("slot"))
        if slot is None:
            errors = [_("请选择一个时段")]
        else:
            try:
                actions.do_reschedule_booking(request.user, booking=booking, slot=slot)
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                messages.success(request, _("已改约。"))
                return redirect("appointments:booking_detail", booking_id=booking.pk)
    day = _day(request.GET.get("day") or request.POST.get("day") or "")
    context = {
        "booking": booking,
        "errors": errors,
        "day": day,
        "days": selectors.days_with_places(booking.office, booking.item),
        "slots": list(
            selectors.open_slots(booking.office, booking.item, day=day).exclude(pk=booking.slot_id)
        )
        if day
        else [],
    }
    return render(request, "appointments/booking_reschedule.html", context)


@applicant_required
@require_http_methods(["GET", "POST"])
def appeal(request: HttpRequest) -> HttpResponse:
    block = actions.active_block(request.user)
    existing = BlockAppeal.objects.filter(block=block).first() if block else None
    form = AppealForm(request.POST or None)
    if request.method == "POST" and block is not None and existing is None and form.is_valid():
        try:
            actions.do_appeal_block(request.user, block=block, text=form.cleaned_data["text"])
        except ValidationError as exc:
            for text in _errors(exc):
                form.add_error(None, text)
        else:
            messages.success(request, _("申诉已提交，工作人员处理后会通知您。"))
            return redirect("appointments:booking_list")
    context = {"ban": block, "existing": existing, "form": form}
    return render(request, "appointments/appeal.html", context)


# --- office staff --------------------------------------------------------------------------------


@staff_required
@require_GET
def office_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    offices = list(Office.objects.visible_to(request.user).order_by("division_code", "name")[:500])
    loads = selectors.loads_by_office(offices, today, today)
    context = {
        "rows": [(o, loads.get((o.pk, today))) for o in offices],
        "pending_appeals": BlockAppeal.objects.visible_to(request.user)
        .filter(status=AppealStatus.PENDING)
        .count(),
    }
    return render(request, "appointments/office_list.html", context)


def _office_day(
    request: HttpRequest,
    office: Office,
    *,
    day: datetime.date,
    form: CheckInForm | None = None,
    checked: Booking | None = None,
) -> HttpResponse:
    context = {
        "office": office,
        "day": day,
        "counters": selectors.day_by_counter(office, day),
        "form": form or CheckInForm(),
        "closure_form": ClosureForm(),
        "checked": checked,
        "checked_name": checked.applicant.full_name if checked else "",
        "closures": list(office.closures.filter(date__gte=timezone.localdate())[:20]),
        "previous": day - datetime.timedelta(days=1),
        "next": day + datetime.timedelta(days=1),
    }
    return render(request, "appointments/office_day.html", context)


@staff_required
@require_GET
def office_day(request: HttpRequest, office_id: int) -> HttpResponse:
    office = access_office_for_staff(request.user, office_id, request=request)
    day = _day(request.GET.get("day", "")) or timezone.localdate()
    return _office_day(request, office, day=day)


@staff_required
@require_POST
def office_check_in(request: HttpRequest, office_id: int) -> HttpResponse:
    office = access_office_for_staff(request.user, office_id, request=request)
    form = CheckInForm(request.POST)
    checked = None
    if form.is_valid():
        try:
            checked = actions.do_check_in_booking(
                request.user, office=office, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            form.add_error("code", _errors(exc))
    response = _office_day(
        request,
        office,
        day=timezone.localdate(),
        form=CheckInForm() if checked else form,
        checked=checked,
    )
    response.status_code = 200 if checked is not None else 422
    return response


@staff_required
@require_POST
def office_closure(request: HttpRequest, office_id: int) -> HttpResponse:
    office = access_office_for_staff(request.user, office_id, request=request)
    form = ClosureForm(request.POST)
    if form.is_valid():
        try:
            closure = actions.do_add_closure(request.user, office=office, **form.cleaned_data)
        except ValidationError as exc:
            _flash(request, _errors(exc))
        else:
            messages.success(
                request,
                _("已设置 %(d)s 闭厅，当天的预约已取消并通知预约人。") % {"d": closure.date},
            )
    else:
        _flash(request, _form_texts(form))
    return redirect("appointments:office_day", office_id=office.pk)


@staff_required
@require_POST
def office_closure_remove(request: HttpRequest, office_id: int, closure_id: int) -> HttpResponse:
    office = access_office_for_staff(request.user, office_id, request=request)
    closure = office.closures.filter(pk=closure_id).first()
    if closure is None:
        raise Http404
    try:
        actions.do_remove_closure(request.user, closure=closure)
    except ValidationError as exc:
        _flash(request, _errors(exc))
    else:
        messages.success(
            request, _("已取消 %(d)s 的闭厅，当天重新开放预约。") % {"d": closure.date}
        )
    return redirect("appointments:office_day", office_id=office.pk)


@staff_required
@require_GET
def office_load(request: HttpRequest, office_id: int) -> HttpResponse:
    office = access_office_for_staff(request.user, office_id, request=request)
    start = _day(request.GET.get("start", "")) or timezone.localdate()
    loads = selectors.office_load(office, start, LOAD_DAYS)
    return render(
        request, "appointments/office_load.html", {"office": office, "loads": loads, "start": start}
    )


@staff_required
@require_GET
def no_show_list(request: HttpRequest) -> HttpResponse:
    since = timezone.now() - datetime.timedelta(days=90)
    rows = (
        Booking.objects.visible_to(request.user)
        .filter(status=BookingStatus.NO_SHOW, no_show_at__gte=since)
        .select_related("item", "office", "applicant")
        .order_by("-starts_at")[:200]
    )
    blocks = (
        BookingBlock.objects.visible_to(request.user)
        .active(timezone.now())
        .select_related("applicant", "office")
    )
    return render(
        request,
        "appointments/no_show_list.html",
        {
            "rows": [(b, selectors.masked_name(b.applicant.full_name)) for b in rows],
            "blocks": [(b, selectors.masked_name(b.applicant.full_name)) for b in blocks],
        },
    )


@staff_required
@require_GET
def appeal_list(request: HttpRequest) -> HttpResponse:
    appeals = (
        BlockAppeal.objects.visible_to(request.user)
        .select_related("block", "block__applicant", "block__office", "decided_by")
        .order_by("status", "-created_at")[:200]
    )
    rows = [(a, selectors.masked_name(a.block.applicant.full_name)) for a in appeals]
    return render(request, "appointments/appeal_list.html", {"rows": rows, "form": DecisionForm()})


@staff_required
@require_POST
def appeal_decide(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal_row = access_appeal_for_staff(request.user, appeal_id, request=request)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        _flash(request, _form_texts(form))
        return redirect("appointments:appeal_list")
    try:
        actions.do_decide_appeal(
            request.user,
            appeal=appeal_row,
            grant=form.cleaned_data["decision"] == "grant",
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        _flash(request, _errors(exc))
    else:
        messages.success(request, _("申诉已处理。"))
    return redirect("appointments:appeal_list")
