from django.contrib import admin

from civicgrid.certificates.models import Certificate, CertificateType


@admin.register(CertificateType)
class CertificateTypeAdmin(admin.ModelAdmin):
    """Administrators add and adjust types; `CertificateType.clean` checks the field list."""

    list_display = ["code", "name", "holder_kind", "issuer_type", "default_valid_days", "is_active"]
    list_filter = ["holder_kind", "issuer_type", "is_active"]
    search_fields = ["code", "name"]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Read-only: certificates change only through the actions (signed once, revoked audited)."""

    list_display = [
        "number",
        "type",
        "subject_name",
        "issuer",
        "issued_at",
        "expires_on",
        "revoked_at",
    ]
    list_filter = ["type"]
    search_fields = ["=number", "subject_name"]
    exclude = ["subject_id_number"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
