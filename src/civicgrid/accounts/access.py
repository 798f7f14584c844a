"""Access helpers: the object, or 404 alike for "missing" and "not yours"."""

from django.http import Http404

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import ApiToken, Organisation, User


def administered_organisations(user: User) -> list[Organisation]:
    """Organisations in which `user` is an administrator (every one, for a superuser)."""
    if user.is_superuser:
        return list(Organisation.objects.filter(is_active=True).order_by("id"))
    return [m.organisation for m in user.active_memberships if m.role == Role.ADMINISTRATOR]


def agent_organisation_ids(principal: object) -> list[int]:
    """The enterprises a principal acts for as their agent (none for API tokens and residents);
    applications, appointments and certificates all scope an agent's enterprise by this."""
    memberships = getattr(principal, "active_memberships", None) or []
    return [m.organisation_id for m in memberships if m.role == Role.ENTERPRISE_AGENT]


def access_api_token_for_user(user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(
        pk=token_id, organisation__in=administered_organisations(user)
    ).first()
    if token is None:
        raise Http404
    return token
