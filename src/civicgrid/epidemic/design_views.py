"""The administrator's form designer: plain forms, no script needed."""

from collections.abc import Callable
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from civicgrid.core import division_codes
from civicgrid.core.permissions import role_required
from civicgrid.epidemic import form_actions
from civicgrid.epidemic.access import access_form_for_designer
from civicgrid.epidemic.forms import ElementForm, ReportFormForm, RuleForm
from civicgrid.epidemic.models import ReportForm
from civicgrid.epidemic.querysets import DESIGNER_ROLES
from civicgrid.regions.models import Division

designer_required = role_required(*DESIGNER_ROLES)


@designer_required
@require_GET
def design_list(request: HttpRequest) -> HttpResponse:
    forms = [
        f
        for f in ReportForm.objects.applicable_to(request.user).prefetch_related("elements")
        if form_actions.may_design(request.user, f.division_code)
    ]
    return render(request, "epidemic/design_list.html", {"forms": forms})


def _division(raw: str) -> Division:
    try:
        code = division_codes.normalize_code(raw)
    except division_codes.InvalidDivisionCode as exc:
        raise ValidationError({"division": str(exc)}) from None
    division = Division.objects.filter(code=code).first()
    if division is None:
        raise ValidationError({"division": _("没有区划 %(code)s") % {"code": raw}})
    return division


def _apply(form: django_forms.Form, call: Callable[[dict[str, Any]], Any]) -> Any:
    """Run `call` with the cleaned data; the action's errors land on the form's fields."""
    if not form.is_valid():
        return None
    try:
        return call(form.cleaned_data)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    return None


@designer_required
@require_http_methods(["GET", "POST"])
def design_create(request: HttpRequest) -> HttpResponse:
    form = ReportFormForm(request.POST or None)
    if request.method == "POST":
        created = _apply(
            form,
            lambda d: form_actions.do_create_report_form(
                request.user,
                code=d["code"],
                name=d["name"],
                description=d["description"],
                division=_division(d["division"]),
                organisation_types=d["organisation_types"],
                deadline_hour=d["deadline_hour"],
            ),
        )
        if created is not None:
            messages.success(request, _("已创建报表，请添加数据指标"))
            return redirect("epidemic:design_edit", form_id=created.pk)
    return render(request, "epidemic/design_create.html", {"form": form})


@designer_required
@require_http_methods(["GET", "POST"])
def design_edit(request: HttpRequest, form_id: int) -> HttpResponse:
    """The form's settings, its elements and its rules, each with its own small form."""
    report_form = access_form_for_designer(request.user, form_id)
    op = request.POST.get("op") if request.method == "POST" else None
    initial = {
        "code": report_form.code,
        "name": report_form.name,
        "description": report_form.description,
        "division": report_form.division_code,
        "organisation_types": report_form.organisation_types,
        "deadline_hour": report_form.deadline_hour,
        "is_active": report_form.is_active,
    }
    settings_form = ReportFormForm(request.POST if op == "form" else None, initial=initial)
    settings_form.fields["code"].disabled = True
    settings_form.fields["division"].disabled = True
    element_form = ElementForm(request.POST if op == "element" else None)
    rule_form = RuleForm(request.POST if op == "rule" else None, form=report_form)
    done = None
    if op == "form":
        done = _apply(
            settings_form,
            lambda d: form_actions.do_update_report_form(
                request.user,
                form=report_form,
                name=d["name"],
                description=d["description"],
                organisation_types=d["organisation_types"],
                deadline_hour=d["deadline_hour"],
                is_active=d["is_active"],
            ),
        )
    elif op == "element":
        done = _apply(
            element_form,
            lambda d: form_actions.do_add_data_element(request.user, form=report_form, **d),
        )
    elif op == "rule":
        done = _apply(
            rule_form,
            lambda d: form_actions.do_add_validation_rule(request.user, form=report_form, **d),
        )
    elif op in ("toggle_element", "toggle_rule"):
        done = _toggle(request, report_form, op)
    if done is not None:
        messages.success(request, _("已保存"))
        return redirect("epidemic:design_edit", form_id=report_form.pk)
    return render(
        request,
        "epidemic/design_edit.html",
        {
            "report_form": report_form,
            "settings_form": settings_form,
            "element_form": element_form,
            "rule_form": rule_form,
            "elements": report_form.elements.all(),
            "rules": report_form.rules.select_related("left", "right"),
        },
    )


def _toggle(request: HttpRequest, report_form: ReportForm, op: str) -> Any:
    pk = request.POST.get("id", "")
    active = request.POST.get("active") == "1"
    pk_value = int(pk) if pk.isdigit() else 0
    if op == "toggle_element":
        element = report_form.elements.filter(pk=pk_value).first()
        return element and form_actions.do_set_element_active(
            request.user, element=element, active=active
        )
    rule = report_form.rules.filter(pk=pk_value).first()
    return rule and form_actions.do_set_rule_active(request.user, rule=rule, active=active)
