"""The line lists following the register's changes (`population.signals`)."""

from typing import Any

from civicgrid.epidemic.models import KeyPerson


def key_persons_follow_the_household(
    sender: Any, *, household: Any, new_grid: Any, **kwargs: Any
) -> None:
    """A key person is followed by their grid's worker, who sees the line list's records of
    their own grids only (`KeyPersonQuerySet`): when the household moves to another grid, its
    members' key-person records go to that grid."""
    KeyPerson.objects.filter(person__household=household).update(grid=new_grid)


def key_person_follows_the_mover(sender: Any, *, person: Any, new_grid: Any, **kwargs: Any) -> None:
    """A key person who moves to a household of another grid: that grid's worker follows them."""
    KeyPerson.objects.filter(person=person).update(grid=new_grid)
