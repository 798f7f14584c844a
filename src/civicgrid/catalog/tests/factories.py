"""Test data for the catalogue: departments, items and materials through the real upsert."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from civicgrid.accounts.actions import do_create_organisation
from civicgrid.accounts.choices import OrganisationType
from civicgrid.accounts.models import Organisation
from civicgrid.catalog.actions import write_item_rows
from civicgrid.catalog.choices import Audience, ItemKind
from civicgrid.catalog.importing import ItemRow, MaterialRow
from civicgrid.catalog.models import LifeEvent, ServiceItem, Synonym
from civicgrid.regions.models import Division

_counter = iter(range(1, 1_000_000))


def department(name: str = "阜城县市场监督管理局", division: str = "131128000000") -> Organisation:
    found = Organisation.objects.filter(name=name, division_id=division).first()
    return found or do_create_organisation(
        name=name, type=OrganisationType.DEPARTMENT, division=Division.objects.get(code=division)
    )


def life_event(
    code: str = "kaiban", name: str = "开办企业", audience: str = Audience.ENTERPRISE
) -> LifeEvent:
    return LifeEvent.objects.get_or_create(
        code=code, defaults={"name": name, "audience": audience}
    )[0]


def synonym(*terms: str) -> Synonym:
    return Synonym.objects.create(terms="，".join(terms))


def item(
    name: str = "企业投资项目备案",
    *,
    code: str | None = None,
    dept: Organisation | None = None,
    materials: list[MaterialRow] | None = None,
    life_events: list[LifeEvent] | None = None,
    **values: Any,
) -> ServiceItem:
    """An item written as the importer writes it (defaults: published, online at depth 3)."""
    code = code or f"T-{next(_counter):05d}"
    fields: dict[str, Any] = {
        "kind": ItemKind.RECORD,
        "legal_limit_days": 20,
        "promised_limit_days": 5,
        "fee": Decimal("0"),
        **values,
    }
    row = ItemRow(
        number=1,
        code=code,
        name=name,
        department=dept or department(),
        materials=materials or [],
        life_events=life_events or [],
        **fields,
    )
    write_item_rows([row])
    return ServiceItem.objects.get(code=code)
