"""Offices, counters and their hours in the Django admin; saving re-plans the office's slots.
Bookings, blocks and appeals are read-only here (they change only through the actions)."""

from django.contrib import admin

from civicgrid.appointments.models import (
    BlockAppeal,
    Booking,
    BookingBlock,
    Counter,
    Office,
    OpeningHours,
)
from civicgrid.appointments.slots import do_plan_slots
from civicgrid.core.audit.actions import record_audit
from civicgrid.core.audit.choices import AuditAction


class CounterInline(admin.TabularInline):
    model = Counter
    extra = 0
    fields = ["name", "is_active"]
    show_change_link = True


class HoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class ReplanningAdmin(admin.ModelAdmin):
    """After a save (with its inlines) the office's slots follow the new hours at once."""

    def office_of(self, obj):  # type: ignore[no-untyped-def]
        return obj

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        office = self.office_of(form.instance)
        record_audit(
            actor=request.user,
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            target=form.instance,
            division_code=office.division_code,
            request=request,
            details={"event": "admin_saved"},
        )
        do_plan_slots(office)


@admin.register(Office)
class OfficeAdmin(ReplanningAdmin):
    list_display = ["name", "division_code", "organisation", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "division_code", "address"]
    autocomplete_fields = ["organisation"]
    inlines = [CounterInline]  # closures through the staff page: it cancels that day's bookings


@admin.register(Counter)
class CounterAdmin(ReplanningAdmin):
    list_display = ["name", "office", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "office__name"]
    filter_horizontal = ["items"]
    inlines = [HoursInline]

    def office_of(self, obj):  # type: ignore[no-untyped-def]
        return obj.office


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["number", "item", "office", "starts_at", "status"]
    list_filter = ["status"]
    search_fields = ["number"]


@admin.register(BookingBlock)
class BlockAdmin(ReadOnlyAdmin):
    list_display = ["applicant", "office", "starts_at", "ends_at", "lifted_at"]


@admin.register(BlockAppeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["block", "status", "created_at", "decided_at"]
    list_filter = ["status"]
