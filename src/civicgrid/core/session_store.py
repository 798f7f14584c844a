"""Sessions kept in the database, as Django's own store keeps them, read with one fixed SELECT.

Every signed-in request reads its session first. Django's store builds an ORM query for it
each time; on the busiest requests (a gate scan, hundreds a second) building that query cost
more CPU than PostgreSQL spent answering it. Writing, expiry and clearing stay Django's.
"""

from typing import Any

from django.contrib.sessions.backends import db
from django.utils import timezone

from civicgrid.core.sql_rows import fetch_by_pk


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        session = fetch_by_pk(self.model, self.session_key) if self.session_key else None
        if session is None or session.expire_date <= timezone.now():
            # As Django's store does: an unknown or expired key is dropped, and saving this
            # session later creates a new key rather than reviving the old one.
            self._session_key = None
            return None
        return session
