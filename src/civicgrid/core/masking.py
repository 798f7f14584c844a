"""Masking of personal identifiers, and the value type that prints itself masked.

    mask_id_number("130102199001011234")  ->  "130102********1234"
    mask_mobile("13812345678")            ->  "138****5678"

`ProtectedValue` is what a protected model field (`core.protected_fields`) hands out. It is a
`str` whose text *is* the masked form, so everything that turns it into text — templates,
f-strings, `%` formatting, logging, JSON, pydantic/ninja schemas, the admin, a model's
`__str__`/`repr`, error pages — shows `130102********1234` without anyone remembering to mask.
The plain number comes from exactly one place, `value.reveal()`: a greppable call that belongs
next to the audit record DESIGN rule 2 asks for. Templates cannot call it.

Comparisons use the plain value (`person.id_number == "130102199001011234"` is true), so
equality, sets and dict keys behave; two different numbers with the same mask never compare
equal. Pickling stores the value encrypted (never plain), copying returns the same object.

In templates: `{% load masking %}` then `{{ raw_string|mask_id_number }}` or `|mask_mobile`
for plain strings that did not come from a protected field (imports, forms).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

MASK_CHAR = "*"

# Separators people put inside phone numbers; masking only needs the digits to line up.
_PHONE_NOISE = re.compile(r"[\s\-‐‑–—()]")


def mask_id_number(value: object) -> str:
    """`130102********1234`: region code and last four kept, birth date and sequence hidden.

    Anything that is not an 18- or 15-character number is hidden entirely rather than
    guessed at; None gives "".
    """
    if value is None:
        return ""
    text = "".join(str(value).split())
    if len(text) >= 15:
        return text[:6] + MASK_CHAR * (len(text) - 10) + text[-4:]
    return MASK_CHAR * len(text)


def mask_mobile(value: object) -> str:
    """`138****5678`: network prefix and last four kept.

    Accepts the forms people type (`+86 138-1234-5678`); anything that is not an 11-digit
    number keeps at most its last four characters; None gives "".
    """
    if value is None:
        return ""
    text = _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", str(value)))
    for prefix in ("+86", "0086"):
        if text.startswith(prefix) and len(text) == len(prefix) + 11:
            text = text[len(prefix) :]
    if len(text) == 11:
        return text[:3] + MASK_CHAR * 4 + text[7:]
    if len(text) > 6:
        return MASK_CHAR * (len(text) - 4) + text[-4:]
    return MASK_CHAR * len(text)


# The kinds of protected value and how each is masked. `core.crypto.lookup_hash` and
# `core.protected_fields` use the same names.
MASKERS: dict[str, Callable[[object], str]] = {
    "id_number": mask_id_number,
    "mobile": mask_mobile,
}


def mask(kind: str, value: object) -> str:
    """Mask `value` the way values of `kind` ("id_number", "mobile") are masked."""
    try:
        masker = MASKERS[kind]
    except KeyError:
        raise ValueError(f"unknown kind of protected value: {kind!r}") from None
    return masker(value)


class ProtectedValue(str):
    """A normalised personal identifier whose text is its masked form; `reveal()` gives the plain.

    Made by `core.protected_fields` (reading, assigning, `protect()`) from values that were
    already validated and normalised; do not construct it from raw input yourself.
    """

    kind: str
    # The ciphertext this value was read from or last saved as (None until then). Not secret;
    # lets an unchanged value be saved again without re-encrypting it.
    token: str | None
    _plain: str

    def __new__(cls, kind: str, plain: str, *, token: str | None = None) -> ProtectedValue:
        self = super().__new__(cls, mask(kind, plain))
        self.kind = kind
        self.token = token
        self._plain = plain
        return self

    def reveal(self) -> str:
        """The plain number. Every call that shows or exports it must be audited (DESIGN rule 2)."""
        return self._plain

    # A template that writes {{ person.id_number.reveal }} gets nothing, not the plain number.
    reveal.alters_data = True  # type: ignore[attr-defined]

    @property
    def masked(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"<{self.kind} {str.__str__(self)}>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ProtectedValue):
            return self.kind == other.kind and self._plain == other._plain
        if isinstance(other, str):
            return self._plain == other
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return hash(self._plain)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickles (cache entries, sessions, task arguments) carry ciphertext, never the plain.
        from civicgrid.core.crypto import encrypt

        return (_unpickle_protected_value, (self.kind, encrypt(self.kind, self._plain)))

    def __copy__(self) -> ProtectedValue:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> ProtectedValue:
        return self


def _unpickle_protected_value(kind: str, token: str) -> ProtectedValue:
    from civicgrid.core.crypto import decrypt

    return ProtectedValue(kind, decrypt(kind, token), token=token)
