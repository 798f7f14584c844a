"""The grid worker's tool (phone first): my households, a household, tap to call, record a
screening visit, the worklist; and coverage per grid for community, township and county staff.
"""

import datetime
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.core.access import access_scoped_or_404
from civicgrid.core.disclosure import do_reveal_protected_value
from civicgrid.core.permissions import role_required
from civicgrid.core.scoping import covers
from civicgrid.population import selectors
from civicgrid.population.actions import do_record_visit, subject_key_of
from civicgrid.population.choices import PersonTag
from civicgrid.population.extensions import HOUSEHOLD_PANELS, WORKLIST_SECTIONS
from civicgrid.population.grid_forms import (
    KEY_PERSON_CHOICES,
    OVERDUE_CHOICES,
    VISIT_ERROR_FIELDS,
    GridSearchForm,
    VisitForm,
)
from civicgrid.population.models import Household, Person
from civicgrid.population.querysets import REGISTER_ROLES, grid_restriction

HOUSEHOLDS_PER_PAGE = 20
WORKLIST_PER_PAGE = 50
KEY_PERSONS_SHOWN = 100
SURVEY_ANSWERS_SHOWN = 3  # a member's latest survey answers on the household page
CALL_REASONS = [_("入户排查联系"), _("重点人员随访"), _("核实登记信息")]

register_required = role_required(*REGISTER_ROLES)


def _choice(request: HttpRequest, name: str, choices: list[int], default: int) -> int:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and int(value) in choices else default


@register_required
@require_GET
def household_list(request: HttpRequest) -> HttpResponse:
    """My grid(s): households with their members; one search box, tag filter, pages."""
    params = GridSearchForm(request.GET).params()
    grids = list(selectors.visible_grids(request.user))
    grid_id = params.get("grid") if params.get("grid") in {g.pk for g in grids} else None
    query, tag = str(params.get("q", "")), str(params.get("tag", ""))
    households = selectors.households_for(
        request.user, query=query, tag=tag, grid_id=grid_id
    ).prefetch_related(selectors.members_prefetch(request.user))
    page = Paginator(households, HOUSEHOLDS_PER_PAGE).get_page(params.get("page"))
    page.object_list = list(page.object_list)
    selectors.mark_matches(page.object_list, query)
    today = timezone.localdate()
    for household in page.object_list:
        household.days_since = selectors.days_since(household.last_visit_on, today)
    context = {
        "page": page,
        "query": query,
        "tag": tag,
        "tags": PersonTag.choices,
        "grids": grids,
        "grid_id": grid_id,
        "today": today,
        "filtered": bool(query or tag or grid_id),
        "own_grids": _own_grid_summary(request, grids, today),
        "may_see_coverage": selectors.may_see_coverage(request.user),
    }
    template = "population/grid_results.html" if _partial(request) else "population/grid_list.html"
    return render(request, template, context)


def _partial(request: HttpRequest) -> bool:
    return (
        bool(request.htmx) and not request.htmx.boosted and not request.htmx.history_restore_request
    )


def _own_grid_summary(request: HttpRequest, grids: list, today: datetime.date) -> list[dict]:  # type: ignore[type-arg]
    """A grid worker's own numbers for the last 7 days, shown at the top of their list."""
    if grid_restriction(request.user) is None or not grids:
        return []
    since = today - datetime.timedelta(days=selectors.DEFAULT_OVERDUE_DAYS - 1)
    stats = selectors.grid_stats(request.user, [g.pk for g in grids], since=since)
    return [
        {
            "grid": g,
            "households": stats[g.pk][0],
            "persons": stats[g.pk][1],
            "visited": stats[g.pk][2],
        }
        for g in grids
    ]


def _household_or_404(request: HttpRequest, household_id: int) -> Household:
    return access_scoped_or_404(
        Household.objects.select_related("head", "grid", "grid__division"),
        request.user,
        request=request,
        pk=household_id,
    )


@register_required
@require_GET
def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    household = _household_or_404(request, household_id)
    members = list(
        Person.objects.visible_to(request.user)
        .filter(household=household)
        .prefetch_related("taggings", "changes")
        .family_order(living_first=True)
    )
    today = timezone.localdate()
    answers = selectors.survey_answers_of(members)
    for member in members:
        member.age = selectors.age_on(member.birth_date, today)
        member.call_box = f"call-{member.pk}"  # the element a tap-to-call answer replaces
        mine = answers[member.pk]
        member.survey_answers = mine[:SURVEY_ANSWERS_SHOWN]
        member.open_follow_up = any(a.flagged and a.followed_up_at is None for a in mine)
    return render(
        request,
        "population/grid_household.html",
        {
            "household": household,
            "members": members,
            "visits": selectors.recent_visits(household),
            "panels": HOUSEHOLD_PANELS.collect(request.user, household, today),
            "may_reveal": selectors.may_reveal_numbers(request.user),
            "may_edit": selectors.may_edit_register(request.user),
            "may_regrid": selectors.may_change_grids(request.user),
            "call_reasons": CALL_REASONS,
        },
    )


@register_required
@require_POST
def person_call(request: HttpRequest, person_id: int) -> HttpResponse:
    """Tap to call: the full mobile for a stated reason (htmx partial), audited on the person."""
    person = access_scoped_or_404(Person.objects.all(), request.user, request=request, pk=person_id)
    return _call(
        request,
        person,
        "mobile",
        subject_key=subject_key_of(person),
        call_url=reverse("population_grid:person_call", args=[person.pk]),
        call_box=f"call-{person.pk}",  # as household_detail names it
    )


@register_required
@require_POST
def household_call(request: HttpRequest, household_id: int) -> HttpResponse:
    """Tap to call the household's contact number; audited on its head, whose number it
    usually is (a household without a head is audited without a subject)."""
    household = _household_or_404(request, household_id)
    return _call(
        request,
        household,
        "contact_mobile",
        subject_key=subject_key_of(household.head) if household.head else "",
        call_url=reverse("population_grid:household_call", args=[household.pk]),
        call_box="call-household",
    )


def _call(
    request: HttpRequest, obj: Person | Household, field: str, *, subject_key: str, **box: str
) -> HttpResponse:
    error, mobile = "", ""
    try:
        mobile = do_reveal_protected_value(
            request.user,
            obj,
            field,
            reason=request.POST.get("preset") or request.POST.get("reason", ""),
            subject_key=subject_key,
            allowed=selectors.may_reveal_numbers(request.user),
            request=request,
        )
    except ValidationError as exc:
        error = exc.messages[0]
    # 200 even for a missing reason: htmx swaps only successful responses into the page.
    return render(
        request,
        "population/grid_call.html",
        {"mobile": mobile, "error": error, "call_reasons": CALL_REASONS, **box},
    )


@register_required
@require_http_methods(["GET", "POST"])
def visit_create(request: HttpRequest, household_id: int) -> HttpResponse:
    """Record a screening visit. The form carries a fresh Idempotency-Key on every render, so a
    retried submission (a flaky connection, a second tap) replays instead of duplicating."""
    household = _household_or_404(request, household_id)
    if not selectors.may_edit_register(request.user):
        raise PermissionDenied
    # From a worklist entry about one person: they are the one to reach, so they come ticked.
    asked = request.GET.get("reached", "")
    initial = {"reached": [int(asked)]} if asked.isdigit() else {}
    form = VisitForm(request.POST or None, household=household, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            visit = do_record_visit(request.user, household=household, **form.action_arguments())
        except ValidationError as exc:
            form.add_error(VISIT_ERROR_FIELDS.get(exc.code or ""), exc)
        else:
            if not _partial(request):
                messages.success(request, _("已记录 %(d)s 的走访。") % {"d": visit.visited_on})
                if followed := visit.followed_up_answers.count():
                    messages.success(
                        request,
                        ngettext(
                            "已完成 %(n)d 份防疫调查答卷的跟进。",
                            "已完成 %(n)d 份防疫调查答卷的跟进。",
                            followed,
                        )
                        % {"n": followed},
                    )
                return redirect("population_grid:household_detail", household_id=household.pk)
            return render(
                request,
                "population/grid_visit_saved.html",
                {"household": household, "visit": visit, "reached": form.cleaned_data["reached"]},
            )
    context = {"household": household, "form": form, "idempotency_key": uuid.uuid4().hex}
    template = (
        "population/grid_visit_form.html" if _partial(request) else "population/grid_visit.html"
    )
    return render(request, template, context)


@register_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    """Other modules' tasks (`extensions`: the community brain's alerts), flagged survey
    answers to follow up, key persons due for follow-up and households not visited in N days,
    most overdue first; and how many residents' declarations wait."""
    days = _choice(request, "days", OVERDUE_CHOICES, selectors.DEFAULT_OVERDUE_DAYS)
    key_days = _choice(request, "key_days", KEY_PERSON_CHOICES, selectors.DEFAULT_KEY_PERSON_DAYS)
    today = timezone.localdate()
    households = selectors.overdue_households(request.user, days=days, today=today)
    page = Paginator(households, WORKLIST_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for household in page.object_list:
        household.days_since = selectors.days_since(household.last_visit_on, today)
    key_persons = list(
        selectors.key_persons_due(request.user, days=key_days, today=today)[: KEY_PERSONS_SHOWN + 1]
    )
    follow_ups = list(selectors.survey_follow_ups(request.user)[: KEY_PERSONS_SHOWN + 1])
    declarations = selectors.declarations_waiting(request.user).count()
    return render(
        request,
        "population/grid_worklist.html",
        {
            "sections": WORKLIST_SECTIONS.collect(request.user, today),
            "page": page,
            "days": days,
            "key_days": key_days,
            "day_choices": OVERDUE_CHOICES,
            "key_day_choices": KEY_PERSON_CHOICES,
            "key_persons": key_persons[:KEY_PERSONS_SHOWN],
            "more_key_persons": len(key_persons) > KEY_PERSONS_SHOWN,
            "declarations": declarations,
            "follow_ups": follow_ups[:KEY_PERSONS_SHOWN],
            "more_follow_ups": len(follow_ups) > KEY_PERSONS_SHOWN,
            "today": today,
            "may_edit": selectors.may_edit_register(request.user),
            "may_see_coverage": selectors.may_see_coverage(request.user),
        },
    )


@register_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """Share of households visited since a date, per grid (or per area above a township),
    with each grid worker's workload, for the staff's jurisdiction."""
    if not selectors.may_see_coverage(request.user):
        raise PermissionDenied
    code = request.GET.get("within", "")
    within = (
        selectors.area_for(request.user, code) if code else selectors.default_area(request.user)
    )
    if within is None:
        raise Http404(_("该区划不存在或不在您的管辖范围内"))
    today = timezone.localdate()
    since = _since(request.GET.get("since", ""), today)
    report = selectors.coverage(request.user, within=within, since=since)
    workload = (
        selectors.workload(request.user, within=within, since=since) if report.by_grid else None
    )
    # Areas with nobody registered have no share to draw; the table still lists them.
    charted = [row for row in report.rows if row.households]
    chart = {
        "names": [row.label for row in charted],
        "percents": [row.percent for row in charted],
        "visited": [row.visited for row in charted],
        "households": [row.households for row in charted],
        "urls": [_coverage_url(row.drill_code, since) if row.drill_code else "" for row in charted],
    }
    ancestors = [a for a in within.ancestors() if covers(request.user, a.code)]
    return render(
        request,
        "population/grid_coverage.html",
        {
            "report": report,
            "workload": workload,
            "chart": chart,
            "ancestors": ancestors,
            "may_see_coverage": True,
            "today": today,
            "quick_ranges": [(n, today - datetime.timedelta(days=n - 1)) for n in OVERDUE_CHOICES],
        },
    )


def _since(value: str, today: datetime.date) -> datetime.date:
    """The `since` date from the query string; the last 7 days when missing, bad or future."""
    try:
        since = datetime.date.fromisoformat(value)
    except ValueError:
        since = None
    if since is None or since > today:
        since = today - datetime.timedelta(days=selectors.DEFAULT_OVERDUE_DAYS - 1)
    return since


def _coverage_url(code: str, since: datetime.date) -> str:
    return f"{reverse('population_grid:coverage')}?within={code}&since={since.isoformat()}"
