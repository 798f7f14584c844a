"""Residents' own pages (my household, declare it, answer the survey) and the grid worker's review."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.core.access import access_scoped_or_404
from civicgrid.core.division_codes import InvalidDivisionCode, normalize_code
from civicgrid.core.permissions import role_required
from civicgrid.population import declarations as d
from civicgrid.population import selectors
from civicgrid.population.models import HouseholdDeclaration
from civicgrid.population.querysets import REGISTER_ROLES
from civicgrid.population.self_service_forms import DeclarationForm, MemberFormSet, ReturnForm
from civicgrid.regions.models import Division, Grid

REVIEW_ROLES = tuple(REGISTER_ROLES)


def _community(text: str) -> Division:
    """A community from its code or its name; a clear error when none or several match."""
    text = text.strip()
    try:
        code = normalize_code(text) if text.isdigit() else None
    except InvalidDivisionCode as exc:
        raise ValidationError(str(exc)) from exc
    matches = Division.objects.filter(level=5).filter(
        **({"code": code} if code else {"name__contains": text})
    )[:6]
    if not matches:
        raise ValidationError(_("没有找到名为“%(t)s”的社区或村") % {"t": text})
    if len(matches) > 1:
        names = "、".join(f"{m.name}（{m.code}）" for m in matches[:5])
        raise ValidationError(_("有多个匹配，请填写区划代码：%(names)s") % {"names": names})
    return matches[0]


@login_required
@require_GET
def my_household(request: HttpRequest) -> HttpResponse:
    person = d.person_of(request.user)
    community = d.resident_community(request.user)
    latest = d.latest_answers(request.user)
    return render(
        request,
        "population/self_home.html",
        {
            "person": person,
            "declarations": HouseholdDeclaration.objects.filter(
                declared_by=request.user
            ).prefetch_related("members")[:5],
            "surveys": [(s, latest.get(s.pk)) for s in d.surveys_for(community)],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def declare_household(request: HttpRequest) -> HttpResponse:
    form = DeclarationForm(request.POST or None)
    members = MemberFormSet(request.POST or None, prefix="m")
    if request.method == "POST" and form.is_valid() and members.is_valid():
        filled = [i for i, row in enumerate(members.cleaned_data) if row]
        try:
            community = _community(form.cleaned_data["community"])
            d.do_declare_household(
                request.user,
                community=community,
                building=form.cleaned_data["building"],
                unit=form.cleaned_data["unit"],
                room=form.cleaned_data["room"],
                contact_mobile=form.cleaned_data["contact_mobile"],
                members=[d.MemberInput(**members.cleaned_data[i]) for i in filled],
            )
        except ValidationError as exc:
            _attach_errors(exc, form, members, filled)
        else:
            return redirect("population_self:home")
    return render(request, "population/self_declare.html", {"form": form, "members": members})


def _attach_errors(exc: ValidationError, form: DeclarationForm, members, filled: list[int]) -> None:  # type: ignore[no-untyped-def]
    """Put each error on its field; `filled` maps the action's member numbers to form rows
    (rows left empty were not sent to the action)."""
    if not hasattr(exc, "error_dict"):
        form.add_error("community", exc)
        return
    for key, errors in exc.message_dict.items():
        if key.startswith("members."):
            _prefix, index, field = key.split(".")
            members.forms[filled[int(index) - 1]].add_error(field, errors)
        elif key in form.fields:
            form.add_error(key, errors)
        else:
            form.add_error(None, errors)


@login_required
@require_http_methods(["GET", "POST"])
def answer_survey(request: HttpRequest, survey_id: int) -> HttpResponse:
    surveys = {s.pk: s for s in d.surveys_for(d.resident_community(request.user))}
    survey = surveys.get(survey_id)
    if survey is None:
        from django.http import Http404

        raise Http404
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        answers = {str(q.pk): request.POST.get(f"q{q.pk}", "") for q in survey.questions.all()}
        try:
            d.do_answer_survey(request.user, survey=survey, answers=answers)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        else:
            return redirect("population_self:home")
    # Answering again starts from the last answers: usually one of them has changed.
    previous = d.latest_answers(request.user).get(survey.pk)
    given = request.POST if request.method == "POST" else (previous.answers if previous else {})
    prefix = "q" if request.method == "POST" else ""
    questions = [
        (q, errors.get(str(q.pk), []), given.get(f"{prefix}{q.pk}", ""))
        for q in survey.questions.all()
    ]
    return render(
        request,
        "population/self_survey.html",
        {"survey": survey, "questions": questions, "errors": errors, "previous": previous},
    )


@role_required(*REVIEW_ROLES)
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    pending = list(selectors.declarations_waiting(request.user)[:100])
    flagged = selectors.survey_follow_ups(request.user, with_unregistered=True)[:100]
    addresses = {dcl.pk: (dcl.division_code, dcl.building, dcl.unit, dcl.room) for dcl in pending}
    existing = selectors.households_at(addresses.values())
    for declaration in pending:  # the household verifying will join, if there is one
        declaration.existing = existing.get(addresses[declaration.pk])
    grids = Grid.objects.filter(division_id__in={p.division_code for p in pending})
    return render(
        request,
        "population/self_review.html",
        {
            "pending": pending,
            "flagged": flagged,
            "grids": grids,
            "return_form": ReturnForm(),
            "may_see_coverage": selectors.may_see_coverage(request.user),
        },
    )


@role_required(*REVIEW_ROLES)
@require_POST
def review_verify(request: HttpRequest, declaration_id: int) -> HttpResponse:
    declaration = _to_review(request, declaration_id)
    grid = Grid.objects.filter(
        pk=request.POST.get("grid") or 0, division_id=declaration.division_code
    ).first()
    if grid is None:
        return _review_error(request, _("请选择该社区的网格"))
    address = None
    if "room" in request.POST:  # the review form sends the address, corrected or not
        address = d.AddressFix(
            *(request.POST.get(part, "") for part in ("building", "unit", "room"))
        )
    try:
        d.do_verify_declaration(request.user, declaration=declaration, grid=grid, address=address)
    except ValidationError as exc:
        return _review_error(request, exc.messages[0])
    return redirect("population_self:review")


@role_required(*REVIEW_ROLES)
@require_POST
def review_return(request: HttpRequest, declaration_id: int) -> HttpResponse:
    declaration = _to_review(request, declaration_id)
    try:
        d.do_return_declaration(
            request.user, declaration=declaration, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        return _review_error(request, exc.messages[0])
    return redirect("population_self:review")


def _to_review(request: HttpRequest, declaration_id: int) -> HouseholdDeclaration:
    """A declaration the user sees and, since verifying writes the register, may edit it."""
    declaration = access_scoped_or_404(
        HouseholdDeclaration.objects.all(), request.user, request=request, pk=declaration_id
    )
    if not selectors.may_edit_register(request.user):
        raise PermissionDenied
    return declaration


def _review_error(request: HttpRequest, message: str) -> HttpResponse:
    from django.contrib import messages

    messages.error(request, message)
    return redirect("population_self:review")
