"""Sessions kept in the database as Django's own store keeps them, each read together with its
user in one fixed SELECT.

Every signed-in request reads its session, then its user. Django's store builds an ORM query
for the first and its backend another for the second; on the busiest request (a gate scan,
hundreds a second) building them cost more CPU than PostgreSQL spent answering, and each is a
round trip. Here the session row carries the signed-in user's id (core.models.Session, kept
with every save) and one statement returns both. The user found is offered to the
authentication backend (accounts.session_user), which still applies every check Django's
does. Writing, expiry and clearing stay Django's.
"""

import functools
from typing import Any

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone

from civicgrid.core.sql_rows import fetch_with_related


def user_id_in(data: dict[str, Any]) -> Any:
    """The signed-in user's primary key in session `data`, or None."""
    try:
        return get_user_model()._meta.pk.to_python(data.get(SESSION_KEY))
    except ValidationError:
        return None


# Flat session data (a signed-in user's id, backend and hash) verified and parsed recently, by its
# exact stored text: a phone scanning a gate sends the same session with every request, and
# checking the signature and parsing the JSON each time was a twentieth of a scan's CPU.
_FLAT = (str, int, float, bool, type(None))


@functools.lru_cache(maxsize=4096)
def _flat_items(
    session_data: str, salt: str, serializer: Any
) -> tuple[tuple[str, Any], ...] | None:
    """The items of the signed `session_data`, or None when a value is a container (which a
    request could change in place, so each load must parse its own). Raises as
    `signing.loads` does, and a failure is not cached."""
    data = signing.loads(session_data, salt=salt, serializer=serializer)
    if not all(isinstance(value, _FLAT) for value in data.values()):
        return None
    return tuple(data.items())


class SessionStore(db.SessionStore):
    # The user read with the session: None when no row came with it (a session signed in
    # before the column existed, or a deleted user); the backend then reads it itself.
    loaded_user: Any = None

    @classmethod
    def get_model_class(cls) -> Any:
        from civicgrid.core.models import Session  # the model imports this module

        return Session

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        session = super().create_model_instance(data)
        session.user_id = user_id_in(data)  # type: ignore[attr-defined]
        return session

    def clear(self) -> None:
        super().clear()  # a flush, a sign-out: the user read is no longer this session's
        self.loaded_user = None

    def decode(self, session_data: bytes | str) -> dict[str, Any]:
        # The data is read from the database, never from the client, so a cache keyed by it
        # answers only for data this platform signed; anything unusual takes Django's path,
        # which logs a bad signature and answers an empty session.
        try:
            items = (
                _flat_items(session_data, self.key_salt, self.serializer)
                if isinstance(session_data, str)
                else None
            )
        except Exception:
            items = None
        return dict(items) if items is not None else super().decode(session_data)

    def _get_session_from_db(self) -> Any:
        if not self.session_key:
            session, self.loaded_user = None, None
        else:
            session, self.loaded_user = fetch_with_related(self.model, self.session_key, "user")
        if session is None or session.expire_date <= timezone.now():
            # As Django's store does: an unknown or expired key is dropped, and saving this
            # session later creates a new key rather than reviving the old one.
            self._session_key = None
            self.loaded_user = None
            return None
        return session
