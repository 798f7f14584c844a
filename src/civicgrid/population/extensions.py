"""What the modules built on the register add to its pages: tasks on the grid worker's daily
worklist, panels on a household's page.

The register is the layer the others build on (the community brain's alerts and household
records, say), so it cannot import them. A module adds a provider to an extension point from
its AppConfig.ready(); the register's page asks every provider for its part, for the
signed-in user and scoped as the provider's own pages are, and a provider answers None when it
has nothing for them. A provider costs its page a fixed number of queries.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from civicgrid.population.models import Household

T = TypeVar("T")

# How many of a worklist section's tasks the page lists; a provider fetches one more to know
# there are more (the rest are on its own page, `more_url`).
SHOWN = 5


class ExtensionPoint(Generic[T]):
    def __init__(self) -> None:
        self._providers: list[Callable[..., T | None]] = []

    def add(self, provider: Callable[..., T | None]) -> Callable[..., T | None]:
        """Register `provider` (once, however often its app is readied, as in tests)."""
        if provider not in self._providers:
            self._providers.append(provider)
        return provider

    def collect(self, *args: Any) -> list[T]:
        return [found for provider in self._providers if (found := provider(*args)) is not None]


@dataclass(frozen=True)
class WorklistItem:
    label: str  # what the task is, e.g. the rule that raised it
    name: str  # whom it is about
    detail: str
    when: datetime.datetime
    url: str  # where the worker settles it
    action: str  # the button's words for that
    household: Household | None = None  # for the address, the call and the visit


@dataclass(frozen=True)
class WorklistSection:
    key: str  # the section's anchor on the page
    title: str
    hint: str
    items: list[WorklistItem]
    more: bool  # more than SHOWN
    more_url: str


@dataclass(frozen=True)
class HouseholdPanel:
    """A part of the household's page that its module renders itself."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


# Providers called as provider(user, today).
WORKLIST_SECTIONS: ExtensionPoint[WorklistSection] = ExtensionPoint()
# Providers called as provider(user, household, today).
HOUSEHOLD_PANELS: ExtensionPoint[HouseholdPanel] = ExtensionPoint()
