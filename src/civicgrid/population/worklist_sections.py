"""Tasks other modules put on the grid worker's daily worklist.

The register is the layer the others build on (the community brain's alerts about a household,
say), so it cannot import them; a module whose tasks go to the household's grid worker adds a
section provider here from its AppConfig.ready(), and the worklist page shows each section
above the register's own lists. A provider answers for the signed-in user, scoped as its own
pages are, in one query, and None when it has nothing for them.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from civicgrid.population.models import Household

# How many of a section's tasks the page lists; a provider fetches one more to know there are
# more (the rest are on its own page, `more_url`).
SHOWN = 5


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


Provider = Callable[[Any, datetime.date], WorklistSection | None]
_providers: list[Provider] = []


def add_section(provider: Provider) -> Provider:
    """Register `provider` (once, however often its app is readied, as in tests)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def sections_for(user: Any, today: datetime.date) -> list[WorklistSection]:
    return [found for provider in _providers if (found := provider(user, today)) is not None]
