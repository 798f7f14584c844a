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

from typing import Any

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.core.exceptions import ValidationError
from django.utils import timezone

from civicgrid.core.sql_rows import fetch_with_related


def user_id_in(data: dict[str, Any]) -> Any:
    """The signed-in user's primary key in session `data`, or None."""
    try:
        return get_user_model()._meta.pk.to_python(data.get(SESSION_KEY))
    except ValidationError:
        return None


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
