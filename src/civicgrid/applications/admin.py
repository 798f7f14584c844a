"""Applications in Django admin: form definitions (a new version per change, never edited in
place), workflow steps, and read-only views of cases, evaluations and follow-ups (every change
to a case goes through `applications.actions`, with its history and audit record)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from civicgrid.applications import actions
from civicgrid.applications.models import Case, Evaluation, FollowUp, FormDefinition, WorkflowStep


class FormDefinitionForm(forms.ModelForm):
    class Meta:
        model = FormDefinition
        fields = ["item", "definition"]

    def clean_definition(self) -> Any:
        from civicgrid.applications.formspec import FormDefinitionError, parse_definition

        definition = self.cleaned_data["definition"]
        try:
            parse_definition(definition)
        except FormDefinitionError as exc:
            raise ValidationError(str(exc)) from None
        return definition


@admin.register(FormDefinition)
class FormDefinitionAdmin(admin.ModelAdmin):
    form = FormDefinitionForm
    list_display = ["item", "version", "created_at", "created_by"]
    list_select_related = ["item", "created_by"]
    search_fields = ["item__code", "item__name"]
    autocomplete_fields = ["item"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cases keep the version they were filled with: publish a new one instead

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        published = actions.do_publish_form_definition(
            request.user, item=obj.item, definition=obj.definition
        )
        obj.pk, obj.version = published.pk, published.version


@admin.register(WorkflowStep)
class WorkflowStepAdmin(admin.ModelAdmin):
    list_display = [
        "item",
        "position",
        "key",
        "name",
        "kind",
        "role",
        "department",
        "certificate_type",
    ]
    list_filter = ["kind", "role"]
    list_select_related = ["item", "department"]
    search_fields = ["item__code", "item__name", "name"]
    autocomplete_fields = ["item", "department"]
    ordering = ["item", "position"]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnly):
    list_display = ["number", "item", "applicant_name", "status", "handling_department", "due_date"]
    list_filter = ["status", "applicant_kind"]
    list_select_related = ["item", "handling_department"]
    search_fields = ["number", "applicant_name", "credit_code"]
    date_hierarchy = "submitted_at"


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnly):
    list_display = ["case", "rating", "created_at"]
    list_filter = ["rating"]
    list_select_related = ["case"]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnly):
    list_display = ["evaluation", "department", "status", "due_date", "closed_at"]
    list_filter = ["status"]
    list_select_related = ["evaluation", "department"]
