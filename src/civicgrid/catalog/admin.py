"""The catalogue in Django admin: items with their materials, life events and search synonyms.

Edits here go through the models' own validation (the promise within the legal limit, the
derived level and pinyin) and bump the catalogue version, so search sees them at once.
"""

from django.contrib import admin

from civicgrid.catalog.models import LifeEvent, ServiceItem, ServiceMaterial, Synonym


class MaterialInline(admin.TabularInline):
    model = ServiceMaterial
    extra = 0
    fields = [
        "position",
        "name",
        "required",
        "original_check",
        "certificate_type",
        "template",
        "notes",
    ]


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = [
        "code", "name", "kind", "department", "level", "status", "online", "online_depth",
        "promised_limit_days", "cases_total", "cases_online",
    ]  # fmt: skip
    list_filter = ["status", "kind", "level", "online_depth", "online", "life_events"]
    search_fields = ["code", "name", "department__name", "name_initials"]
    list_select_related = ["department"]
    autocomplete_fields = ["department"]
    filter_horizontal = ["life_events"]
    readonly_fields = ["division_code", "level", "cases_total", "cases_online", "updated_at"]
    inlines = [MaterialInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "kind", "department", "status", "life_events"]}),
        ("依据与条件", {"fields": ["legal_basis", "conditions"]}),
        ("时限与收费", {"fields": ["legal_limit_days", "promised_limit_days", "fee", "fee_basis"]}),
        (
            "办理方式",
            {
                "fields": [
                    "online",
                    "online_depth",
                    "by_appointment",
                    "in_person",
                    "by_mail",
                    "by_phone",
                    "hall_visits",
                ]
            },
        ),
        ("常见问题", {"fields": ["faq"]}),
        (
            "统计（自动）",
            {"fields": ["division_code", "level", "cases_total", "cases_online", "updated_at"]},
        ),
    ]


@admin.register(LifeEvent)
class LifeEventAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "audience", "position"]
    list_filter = ["audience"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ["__str__", "note"]
    search_fields = ["terms"]
