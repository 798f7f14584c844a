"""Types for annotations: an account, and requests as middleware and decorators leave them.

`core` never imports `accounts` when running (apps depend downward only); the account model is
imported for the type checker alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from civicgrid.accounts.models import User as Account
else:
    from django.contrib.auth.models import AbstractBaseUser as Account

__all__ = ["Account", "AccountRequest", "HtmxRequest"]


class HtmxRequest(HttpRequest):
    """A request after django-htmx's middleware: `request.htmx` says whether htmx sent it."""

    htmx: HtmxDetails


class AccountRequest(HtmxRequest):
    """A request that `login_required` (or an API's session auth) let through."""

    user: Account
