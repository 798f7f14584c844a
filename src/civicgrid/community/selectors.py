"""Read-side queries shared by the community pages and API."""

from typing import Any

from django.db.models import QuerySet

from civicgrid.community import actions
from civicgrid.community.choices import CorrectionStatus
from civicgrid.community.models import Checkpoint, PassCorrection
from civicgrid.core.scoping import Principal
from civicgrid.regions.models import Division


def managed_communities(user: Any) -> list[Division]:
    """Communities whose gates and rules `user` manages (their own community's staff)."""
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "jurisdiction_codes"):
        return []
    codes = [c for c in user.jurisdiction_codes() if actions.may_manage(user, c)]
    return list(Division.objects.filter(code__in=codes, level=5).order_by("code"))


def checkpoints_for(principal: Principal) -> QuerySet[Checkpoint]:
    return Checkpoint.objects.visible_to(principal).order_by("division_code", "name")


def corrections_for(
    principal: Principal, status: str = CorrectionStatus.OPEN
) -> QuerySet[PassCorrection]:
    """Residents' correction requests in scope with their passes, of `status` (every status
    when it is not one), newest first: the staff's page and the API."""
    found = PassCorrection.objects.visible_to(principal).select_related(
        "pass_record__checkpoint", "pass_record__person"
    )
    return found.filter(status=status) if status in CorrectionStatus.values else found


def community_names(codes: set[str]) -> dict[str, str]:
    return dict(Division.objects.filter(code__in=codes).values_list("code", "name"))


def place_line(community: Division) -> str:
    """ "阜城县 阜城镇" above a community's name on its poster."""
    return " ".join(a.name for a in community.ancestors() if a.level in (3, 4))
