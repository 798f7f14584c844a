"""Access cases of the catalog pages and API.

The service catalogue is public information (what can be applied for, where, with which
materials): anyone, signed in or not, browses and searches it, on the pages and the API.
Importing is for administrators and department staff (a clerk imports only their own
department's items, which test_import checks row by row).
"""

from civicgrid.core.testing import UNAUTHORIZED, AccessCase

_PUBLIC_REASON = "the service catalogue is public information, browsed before signing in"

PUBLIC: dict[str, str] = {
    "catalog:home": _PUBLIC_REASON,
    "catalog:item_detail": _PUBLIC_REASON,
    "catalog:material_template": "blank application templates are published with the catalogue",
    "catalog:online_rate": "the online-availability rate is a published government figure",
    "api:catalog_items": _PUBLIC_REASON,
    "api:catalog_item": _PUBLIC_REASON,
    "api:catalog_life_events": _PUBLIC_REASON,
    "api:catalog_departments": _PUBLIC_REASON,
    "api:catalog_online_rate": "the online-availability rate is a published government figure",
}


def _import_of(persona, **fields):
    """An import `persona` started (only they may see it: everyone else gets 404)."""

    def args(p):
        from civicgrid.catalog.models import CatalogImport

        values = {"file_name": "items.xlsx", "status": "checked", "rows": 1, **fields}
        return (CatalogImport.objects.create(created_by=p.users[persona], **values).key,)

    return args


_NOT_THE_STARTER = ("clerk_b", "admin", "resident_a", "county_a_officer")

CASES = [
    AccessCase(
        "catalog:import",
        allowed=("admin", "clerk_a", "clerk_b"),
        denied=("resident_a", "county_a_officer", "enterprise_agent_a", "grid_worker_a1"),
    ),
    AccessCase(
        "catalog:import",
        method="post",
        # no file: the page shows the form again with the error
        allowed=("admin", "clerk_a"),
        denied=("resident_a", "county_b_officer", "enterprise_agent_a"),
    ),
    # A multipart body is validated before the handler: signed-in callers without a file get
    # 422; who may import is tested with real files in test_import.
    AccessCase(
        "api:catalog_import",
        method="post",
        anonymous=UNAUTHORIZED,
        ok_status=(422,),
        allowed=("clerk_a", "admin", "resident_a"),
    ),
    AccessCase(
        "catalog:import_batch",
        args=_import_of("clerk_a"),
        allowed=("clerk_a",),
        denied=_NOT_THE_STARTER,
    ),
    AccessCase(
        "catalog:import_run",
        method="post",
        args=_import_of("clerk_a"),
        allowed=("clerk_a",),
        ok_status=(302,),
        denied=_NOT_THE_STARTER,
    ),
    AccessCase(
        "catalog:import_report",
        args=_import_of("clerk_a", status="rejected", error_report=b"PK\x03\x04"),
        allowed=("clerk_a",),
        denied=_NOT_THE_STARTER,
    ),
    AccessCase(
        "api:catalog_import_status",
        args=_import_of("clerk_a"),
        anonymous=UNAUTHORIZED,
        allowed=("clerk_a",),
        denied=_NOT_THE_STARTER,
    ),
    AccessCase(
        "api:catalog_import_report",
        args=_import_of("clerk_a", status="rejected", error_report=b"PK\x03\x04"),
        anonymous=UNAUTHORIZED,
        allowed=("clerk_a",),
        denied=_NOT_THE_STARTER,
    ),
]
