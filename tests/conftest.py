"""Set-up for the suites outside the package (tests/).

`src/civicgrid/conftest.py` only reaches tests under src/; re-export its fixtures so tests
here get the same real slice of Hebei's divisions, the same personas and fast hashing.
"""

from civicgrid.conftest import (
    _fast_password_hashing,
    _fresh_division_responses,
    _sms_to_memory,
    django_db_setup,
    personas,
)

__all__ = [
    "_fast_password_hashing",
    "_fresh_division_responses",
    "_sms_to_memory",
    "django_db_setup",
    "personas",
]
