"""How a request's user is loaded from its session.

The same as Django's ModelBackend (active users only; permissions through groups), except that
the user comes with the request's session when it was read with it (accounts.session_user) or
else with one fixed SELECT instead of an ORM query built for every request: on a gate scan,
building that query cost as much CPU as the scan's own work.
"""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from civicgrid.accounts.models import User
from civicgrid.accounts.session_user import loaded_user
from civicgrid.core.sql_rows import fetch_by_pk


class AccountBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = loaded_user(pk) or fetch_by_pk(User, pk)
        return user if user is not None and self.user_can_authenticate(user) else None
