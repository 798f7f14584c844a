"""The community brain following the register's changes (`population.signals`)."""

from typing import Any

from civicgrid.community.choices import AlertStatus
from civicgrid.community.models import Alert


def hand_open_alerts_to_the_new_grid(
    sender: Any, *, household: Any, new_grid: Any, **kwargs: Any
) -> None:
    """An open alert is a task for the household's grid worker: when the household moves to
    another grid, its own open alerts (a fever report) go to that grid's worker, as its members'
    went with each of them. Settled ones stay where they were raised, as passes and reports do."""
    Alert.objects.filter(household=household, person=None, status=AlertStatus.OPEN).update(
        grid=new_grid
    )


def hand_open_alerts_about_a_mover_to_the_new_grid(
    sender: Any, *, person: Any, new_grid: Any, **kwargs: Any
) -> None:
    """A person's own open alerts (too many exits, out under observation) follow them into
    another grid; a household's own (a fever report) stay with the household."""
    Alert.objects.filter(person=person, status=AlertStatus.OPEN).update(grid=new_grid)
