"""Who a signed-in resident is in the register, and what their household reported today."""

import datetime
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from civicgrid.community.models import HealthReport
from civicgrid.population.choices import PersonStatus
from civicgrid.population.declarations import person_of
from civicgrid.population.models import Household, Person


def household_of_user(user: Any) -> Household | None:
    person = person_of(user)
    return person.household if person is not None else None


def users_of_household(household: Household) -> list[Any]:
    """Resident accounts of a household's living members (by ID number, else mobile)."""
    from civicgrid.accounts.models import User

    members = list(
        Person.objects.filter(household=household, status=PersonStatus.LIVING_HERE).values_list(
            "id_number_hash", "mobile_hash"
        )
    )
    id_hashes = [i for i, _m in members if i]
    mobile_hashes = [m for _i, m in members if m]
    by_id = User.objects.filter(is_active=True, is_resident=True, id_number_hash__in=id_hashes)
    by_mobile = User.objects.filter(is_active=True, is_resident=True, mobile_hash__in=mobile_hashes)
    return list((by_id | by_mobile).distinct())


def with_living_members(households: QuerySet[Household]) -> QuerySet[Household]:
    """Households where someone still lives (empty ones report nothing and need no reminder)."""
    living = Person.objects.filter(household=OuterRef("pk"), status=PersonStatus.LIVING_HERE)
    return households.filter(Exists(living))


def local_today() -> datetime.date:
    return timezone.localdate()


def health_status(household_id: int | None, day: datetime.date | None = None) -> str:
    """ "fever", "ok" or "missing" for a household's report of `day` (today by default)."""
    if household_id is None:
        return "missing"
    has_fever = (
        HealthReport.objects.filter(household_id=household_id, report_date=day or local_today())
        .values_list("has_fever", flat=True)
        .first()
    )
    return health_word(has_fever)


def health_word(has_fever: bool | None) -> str:
    """A report's `has_fever` (None: no report) as "fever", "ok" or "missing"."""
    if has_fever is None:
        return "missing"
    return "fever" if has_fever else "ok"
