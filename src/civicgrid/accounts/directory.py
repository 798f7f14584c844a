"""The staff directory: who works where in my jurisdiction, and how to reach them."""

from django.core.paginator import Page, Paginator
from django.db.models import Q

from civicgrid.accounts.choices import REVEAL_ROLES
from civicgrid.accounts.models import Membership, User
from civicgrid.core.scoping import Principal

PAGE_SIZE = 50


def directory_page(principal: Principal, *, query: str = "", page: int = 1) -> Page:
    """Active roles within the principal's jurisdiction, filtered by name or organisation."""
    memberships = (
        Membership.objects.visible_to(principal)
        .filter(is_active=True, user__is_active=True)
        .select_related("user", "organisation", "jurisdiction")
        .order_by("division_code", "organisation__name", "user__full_name", "id")
    )
    text = query.strip()[:50]
    if text:
        memberships = memberships.filter(
            Q(user__full_name__contains=text) | Q(organisation__name__contains=text)
        )
    return Paginator(memberships, PAGE_SIZE).get_page(page)


def may_reveal(user: User) -> bool:
    return user.is_superuser or bool(user.roles() & REVEAL_ROLES)
