"""The calendar in the Django admin: single days and years, and the bulk "enter a year" form."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction
from civicgrid.core.workdays.actions import do_enter_calendar_year
from civicgrid.core.workdays.forms import EnterYearForm
from civicgrid.core.workdays.models import CalendarDay, CalendarYear


class AuditedAdmin(admin.ModelAdmin):
    """Every admin save and delete of the calendar goes to the audit trail."""

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        record_audit(
            actor=request.user,
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            target=obj,
            request=request,
            details={"value": str(obj)},
        )

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        record_audit(
            actor=request.user,
            action=AuditAction.DELETE,
            target=obj,
            request=request,
            details={"value": str(obj)},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    list_display = ["date", "kind", "name", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedAdmin):
    list_display = ["year", "source", "entered_by", "updated_at"]
    readonly_fields = ["entered_by"]
    change_list_template = "workdays/calendaryear_changelist.html"

    def get_urls(self):  # type: ignore[no-untyped-def]
        extra = [
            path(
                "enter/",
                self.admin_site.admin_view(self.enter_year_view),
                name="workdays_calendaryear_enter",
            )
        ]
        return extra + super().get_urls()

    def enter_year_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return HttpResponse(status=403)
        form = EnterYearForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                entered = do_enter_calendar_year(
                    actor=request.user,
                    year=form.cleaned_data["year"],
                    text=form.cleaned_data["text"],
                    source=form.cleaned_data["source"],
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("text", message)
            else:
                messages.success(request, _("%(year)s 年的安排已录入。") % {"year": entered.year})
                return HttpResponseRedirect(reverse("admin:workdays_calendaryear_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("录入年度节假日安排"),
        }
        return TemplateResponse(request, "workdays/enter_year.html", context)
