"""Access cases of the appointments pages and API."""

from civicgrid.core.testing import AccessCase

PUBLIC: dict[str, str] = {}
CASES: list[AccessCase] = []
