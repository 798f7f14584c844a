from django.contrib import admin

from civicgrid.regions.models import Division, Grid


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "is_development_zone"]
    list_filter = ["level", "is_development_zone"]
    search_fields = ["code", "name", "pinyin_initials"]
    readonly_fields = ["code", "level", "parent", "pinyin_initials", "pinyin"]
    show_full_result_count = False  # 56,000 rows: skip the extra COUNT(*)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # divisions come from the national file (`civicgrid import-divisions`)


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    list_display = ["name", "division", "number"]
    search_fields = ["name", "division_code"]
    autocomplete_fields = ["division"]
