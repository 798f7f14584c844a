from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.models import (
    ApiToken,
    Membership,
    OnboardingBatch,
    Organisation,
    RoleSecurityPolicy,
    User,
)


def _admin_login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    # One sign-in page for everyone, so the lockout and second factor cannot be bypassed
    # through the admin's own login form.
    return redirect_to_login(request.GET.get("next", "/admin/"))


admin.site.login = _admin_login  # type: ignore[method-assign]
admin.site.site_header = _("CivicGrid 管理后台")
admin.site.site_title = _("CivicGrid 管理后台")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation", "jurisdiction"]


@admin.register(User)
class CivicUserAdmin(UserAdmin):
    list_display = ["username", "full_name", "is_resident", "is_staff", "is_active", "locked_until"]
    list_filter = ["is_resident", "is_staff", "is_superuser", "is_active"]
    search_fields = ["username", "full_name"]
    fieldsets = (
        *UserAdmin.fieldsets,
        (
            _("CivicGrid"),
            {"fields": ["full_name", "is_resident", "failed_login_count", "locked_until"]},
        ),
    )
    readonly_fields = ["failed_login_count"]
    inlines = [MembershipInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "division", "is_active"]
    list_filter = ["type", "is_active"]
    search_fields = ["name", "division_code"]
    autocomplete_fields = ["division"]


@admin.register(RoleSecurityPolicy)
class RoleSecurityPolicyAdmin(admin.ModelAdmin):
    list_display = ["role", "require_totp"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "key_id", "organisation", "jurisdiction", "last_used_at", "revoked_at"]
    readonly_fields = ["key_id", "last_used_at", "created_by", "created_at"]
    search_fields = ["name", "key_id"]
    autocomplete_fields = ["organisation", "jurisdiction"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # issued on the token page, where the secret is shown once


@admin.register(OnboardingBatch)
class OnboardingBatchAdmin(admin.ModelAdmin):
    list_display = ["file_name", "mode", "status", "created_by", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["created_by", "created_at", "finished_at"]
    exclude = ["file_data", "report"]  # personal data stays out of the admin

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # batches come from the onboarding page
