"""How the notifications app learns a person's contact details. The one place to change when
`accounts.User` gets its protected (encrypted, hashed) mobile number."""


def mobile_of(user: object) -> str:
    """The user's plain mobile number for text messages, or "" when there is none.

    A protected field gives a value whose text is the masked number and whose `reveal()` is the
    plain one; a gateway needs the plain number. `send_sms` strips harmless formatting.
    """
    value = getattr(user, "mobile", "") or ""
    reveal = getattr(value, "reveal", None)
    return (reveal() if callable(reveal) else str(value)).strip()
