"""Catalogue actions other apps call; editing and importing items live here too."""

from django.db.models import F

from civicgrid.catalog.models import ServiceItem


def do_count_case(*, item: ServiceItem, online: bool) -> None:
    """Count one received case of `item` (called by `applications` inside its own transaction)."""
    ServiceItem.objects.filter(pk=item.pk).update(
        cases_total=F("cases_total") + 1,
        cases_online=F("cases_online") + (1 if online else 0),
    )
