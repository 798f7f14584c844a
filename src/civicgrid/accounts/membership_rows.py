"""A user's active memberships, with their organisations and jurisdictions, in one fixed
SELECT: every signed-in staff request reads them first to know what the user may see, and
the ORM query (two joins, built again for each request) cost about a millisecond of CPU."""

import functools

from django.db import models

from civicgrid.accounts.models import Membership, Organisation
from civicgrid.core.sql_rows import columns_of, database, instance_from_row, prepared_cursor
from civicgrid.regions.models import Division


def active_memberships(user_id: int) -> list[Membership]:
    """What `user.memberships.filter(is_active=True, organisation__is_active=True)
    .select_related("organisation", "jurisdiction").order_by("id")` gives."""
    db = database()
    with prepared_cursor() as cursor:
        cursor.execute(_sql(db.vendor), [user_id, True, True])
        rows = cursor.fetchall()
    n_membership = len(Membership._meta.concrete_fields)
    n_organisation = len(Organisation._meta.concrete_fields)
    found = []
    for row in rows:
        membership = instance_from_row(Membership, row)
        organisation = instance_from_row(Organisation, row[n_membership:])
        division = instance_from_row(Division, row[n_membership + n_organisation :])
        Membership.organisation.field.set_cached_value(membership, organisation)
        Membership.jurisdiction.field.set_cached_value(membership, division)
        found.append(membership)
    return found


@functools.cache
def _sql(vendor: str) -> str:
    quote = database().ops.quote_name
    meta, org, division = Membership._meta, Organisation._meta, Division._meta

    def column(name: str) -> str:
        field = meta.get_field(name)
        assert isinstance(field, models.Field)  # noqa: S101 - a concrete column, for mypy
        return quote(field.column)

    return (
        f"SELECT {columns_of(Membership, 'm')}, {columns_of(Organisation, 'o')}, "  # noqa: S608
        f"{columns_of(Division, 'd')} FROM {quote(meta.db_table)} m "
        f"JOIN {quote(org.db_table)} o ON o.{quote(org.pk.column)} = m.{column('organisation')} "
        f"JOIN {quote(division.db_table)} d "
        f"ON d.{quote(division.pk.column)} = m.{column('jurisdiction')} "
        f"WHERE m.{column('user')} = %s AND m.{column('is_active')} = %s "
        f"AND o.{quote(org.get_field('is_active').column)} = %s "  # type: ignore[union-attr]
        f"ORDER BY m.{quote(meta.pk.column)}"
    )
