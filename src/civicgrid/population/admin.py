from django.contrib import admin

from civicgrid.population.models import (
    GridAssignment,
    Household,
    HouseholdDeclaration,
    Person,
    Survey,
    SurveyQuestion,
)


class SurveyQuestionInline(admin.TabularInline):
    model = SurveyQuestion
    extra = 1


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "division_code", "is_active", "created_at"]
    list_filter = ["is_active"]
    inlines = [SurveyQuestionInline]


@admin.register(GridAssignment)
class GridAssignmentAdmin(admin.ModelAdmin):
    list_display = ["grid", "user", "assigned_at"]
    autocomplete_fields = ["grid", "user"]
    search_fields = ["grid__name", "user__username", "user__full_name"]


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["address", "division_code", "grid"]
    search_fields = ["address", "division_code"]
    raw_id_fields = ["grid", "head"]
    show_full_result_count = False


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    # Numbers stay masked here too; exact look-up by the full number works through the hash.
    list_display = ["name", "id_number", "division_code", "status"]
    search_fields = ["name", "=id_number", "=mobile"]
    list_filter = ["status", "residence_type"]
    raw_id_fields = ["household", "grid"]
    show_full_result_count = False


@admin.register(HouseholdDeclaration)
class HouseholdDeclarationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["declared_by", "reviewed_by", "household"]
