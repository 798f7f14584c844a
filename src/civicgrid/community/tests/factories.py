"""Gates, residents and staff for the community tests, made through the real actions."""

from civicgrid.accounts.actions import do_grant_role
from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User
from civicgrid.community import actions, tokens
from civicgrid.population.tests import factories as pf

COMMUNITY_A1 = pf.COMMUNITY_A1
COMMUNITY_B1 = pf.COMMUNITY_B1


def community_staff(p, name: str = "community_staff_a1") -> User:
    """Staff of community A1's committee; added to the personas so access cases can name them."""
    if name not in p.users:
        user = User.objects.create_user(name, full_name=name)
        do_grant_role(
            user=user, organisation=p.organisations["community_a1"], role=Role.COMMUNITY_STAFF
        )
        p.users[name] = User.objects.get(pk=user.pk)
    return p.users[name]


def checkpoint(p, name: str = "东门", community: str = COMMUNITY_A1):
    from civicgrid.community.models import Checkpoint

    existing = Checkpoint.objects.filter(division_code=community, name=name).first()
    if existing is not None:
        return existing
    if community == COMMUNITY_A1:
        return actions.do_create_checkpoint(community_staff(p), division_code=community, name=name)
    return actions.do_create_checkpoint(p.admin, division_code=community, name=name)


def home(user, community: str = COMMUNITY_A1, *, grid_index: int = 0, members=("王芳",), by="id"):
    """Put a resident account in the register: a household of `community` whose first member
    is the account's person, found by ID number (`by="id"`) or by mobile (`by="mobile"`)."""
    household = pf.household(community, grid_index=grid_index)
    people = [pf.person(household, name) for name in members]
    if by == "id":
        user.id_number = people[0].id_number.reveal()
    else:
        mobile = f"138{user.pk:08d}"
        people[0].mobile = mobile
        people[0].save()
        user.mobile = mobile
    user.save()
    return household, people


def poster(cp) -> str:
    return tokens.poster_token(cp)


def observe_at_home(p, person, *, days_ago: int = 2):
    """`person` under home observation (the epidemic line list's), placed by county A's CDC and
    followed by community A1's committee."""
    import datetime

    from django.utils import timezone

    from civicgrid.epidemic.observation import ObservationInput, do_start_observation

    start = timezone.localdate() - datetime.timedelta(days=days_ago)
    given = ObservationInput(
        person=person, place="home", team=p.organisations["community_a1"], start_date=start
    )
    return do_start_observation(p.cdc_a, given)
