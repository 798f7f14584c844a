"""People leaving a household, from the grid worker's phone: a move to another household, a
move out of the jurisdiction, a death, and a household split (分户).

Every change goes through the register's actions, so each person's history records it and the
new grid's worker sees them at once. A move goes only to a household the mover can see: a grid
worker moves people within their own grids, and community staff across the community's.
A repeated submission changes nothing: the person is already there, or no longer a member.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicgrid.core.access import access_scoped_or_404
from civicgrid.core.permissions import role_required
from civicgrid.population import selectors
from civicgrid.population.actions import (
    do_change_household_grid,
    do_change_person_status,
    do_move_person,
    do_split_household,
    do_update_person_contact,
)
from civicgrid.population.choices import PersonStatus
from civicgrid.population.models import Household, Person
from civicgrid.population.move_forms import (
    SPLIT_ERROR_FIELDS,
    ContactForm,
    GridForm,
    MoveForm,
    SplitForm,
    StatusForm,
)
from civicgrid.population.querysets import REGISTER_ROLES

CANDIDATES_SHOWN = 10
register_required = role_required(*REGISTER_ROLES)


def _editable(request: HttpRequest, queryset, pk: int):  # type: ignore[no-untyped-def]
    found = access_scoped_or_404(queryset, request.user, request=request, pk=pk)
    if not selectors.may_edit_register(request.user):
        raise PermissionDenied
    return found


def _back_to_household(person: Person) -> HttpResponse:
    if person.household_id is None:  # a record without a home yet: stay on it
        return redirect("population_grid:person_change", person_id=person.pk)
    return redirect("population_grid:household_detail", household_id=person.household_id)


@register_required
@require_http_methods(["GET", "POST"])
def person_change(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _editable(
        request, Person.objects.select_related("household").prefetch_related("taggings"), person_id
    )
    tags = [t.tag for t in person.taggings.all()]
    move_form, status_form = MoveForm(), StatusForm()
    contact_form = ContactForm(initial={"tags": tags})
    if request.method == "POST" and "contact" in request.POST:
        contact_form = ContactForm(request.POST)
        if contact_form.is_valid():
            data = contact_form.cleaned_data
            try:
                do_update_person_contact(
                    request.user, person=person, mobile=data["mobile"].strip() or None,
                    tags=data["tags"], reason=data["reason"],
                )  # fmt: skip
            except ValidationError as exc:
                contact_form.add_error("mobile", exc)
            else:
                messages.success(request, _("%(name)s 的信息已更新。") % {"name": person.name})
                return _back_to_household(person)
    elif request.method == "POST" and "status" in request.POST:
        status_form = StatusForm(request.POST)
        if status_form.is_valid():
            status = status_form.cleaned_data["status"]
            do_change_person_status(
                request.user,
                person=person,
                status=status,
                reason=status_form.cleaned_data["reason"],
            )
            messages.success(
                request,
                _("%(name)s 已改为“%(status)s”。")
                % {"name": person.name, "status": PersonStatus(status).label},
            )
            return _back_to_household(person)
    elif request.method == "POST":
        move_form = MoveForm(request.POST)
        if move_form.is_valid():
            target = _editable(
                request, Household.objects.all(), move_form.cleaned_data["household"]
            )
            try:
                do_move_person(
                    request.user,
                    person=person,
                    household=target,
                    reason=move_form.cleaned_data["reason"],
                    relationship=move_form.cleaned_data["relationship"],
                )
            except ValidationError as exc:
                move_form.add_error("relationship", exc)
            else:
                messages.success(
                    request,
                    _("%(name)s 已迁入 %(address)s。")
                    % {"name": person.name, "address": target.address},
                )
                return redirect("population_grid:household_detail", household_id=target.pk)
    query = (request.GET.get("q") or request.POST.get("q") or "").strip()[:50]
    candidates = (
        list(
            selectors.households_for(request.user, query=query).exclude(pk=person.household_id)[
                :CANDIDATES_SHOWN
            ]
        )
        if query
        else []
    )
    return render(
        request,
        "population/grid_person_change.html",
        {
            "person": person,
            "query": query,
            "candidates": candidates,
            "move_form": move_form,
            "status_form": status_form,
            "contact_form": contact_form,
            "statuses": PersonStatus,
        },
    )


@register_required
@require_http_methods(["GET", "POST"])
def household_split(request: HttpRequest, household_id: int) -> HttpResponse:
    household = _editable(request, Household.objects.select_related("grid"), household_id)
    data = request.POST if request.method == "POST" else None  # an empty POST is still a POST
    form = SplitForm(data, household=household, principal=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            new = do_split_household(request.user, household=household, **form.action_arguments())
        except ValidationError as exc:
            form.add_error(SPLIT_ERROR_FIELDS.get(exc.code or ""), exc)
        else:
            messages.success(
                request,
                _("已分户：%(names)s 迁入新户 %(address)s。")
                % {
                    "names": "、".join(p.name for p in form.cleaned_data["members"]),
                    "address": new.address,
                },
            )
            return redirect("population_grid:household_detail", household_id=new.pk)
    return render(request, "population/grid_split.html", {"household": household, "form": form})


@register_required
@require_http_methods(["GET", "POST"])
def household_grid(request: HttpRequest, household_id: int) -> HttpResponse:
    """Community staff put a household in another grid of its community (a grid worker, who
    sees only their own grids, cannot hand one over)."""
    household = _editable(request, Household.objects.select_related("grid"), household_id)
    if not selectors.may_change_grids(request.user):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = GridForm(data, household=household)
    if request.method == "POST" and form.is_valid():
        grid = form.cleaned_data["grid"]
        try:
            do_change_household_grid(
                request.user, household=household, grid=grid, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error("grid", exc)
        else:
            messages.success(
                request,
                _("%(address)s 已调整到 %(grid)s。")
                % {"address": household.address, "grid": grid.name},
            )
            return redirect("population_grid:household_detail", household_id=household.pk)
    return render(
        request, "population/grid_household_grid.html", {"household": household, "form": form}
    )
