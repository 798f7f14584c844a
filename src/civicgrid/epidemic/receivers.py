"""The line lists following the register's changes (`population.signals`)."""

from typing import Any

from civicgrid.epidemic.models import KeyPerson


def key_person_follows_the_mover(sender: Any, *, person: Any, new_grid: Any, **kwargs: Any) -> None:
    """A key person is followed by their grid's worker, who sees the line list's records of
    their own grids only (`KeyPersonQuerySet`): when the person is in another grid (moved, or
    with their whole household), their records go to that grid."""
    KeyPerson.objects.filter(person=person).update(grid=new_grid)
