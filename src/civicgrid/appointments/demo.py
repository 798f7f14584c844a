"""Demo appointments (development only): 阜城县政务服务中心 with a counter per department for the
catalogue items that offer appointments, opening hours on working days, two weeks of slots and a
few bookings of the demo residents and the enterprise agent — all through the real actions.
Creates no catalogue items of its own. Idempotent: does nothing once the centre exists."""

import datetime

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.actions import do_create_organisation
from civicgrid.accounts.choices import OrganisationType
from civicgrid.accounts.models import Organisation, User
from civicgrid.appointments import actions
from civicgrid.appointments.models import Counter, Office, OpeningHours
from civicgrid.appointments.selectors import open_slots
from civicgrid.appointments.slots import do_plan_slots
from civicgrid.catalog.choices import ItemStatus
from civicgrid.catalog.models import ServiceItem
from civicgrid.core.division_codes import subtree_range
from civicgrid.regions.models import Division

COUNTY = "131128000000"  # 阜城县
CENTRE = "阜城县政务服务中心"
OPERATOR = "阜城县政务服务管理办公室"
PERIODS = (
    (datetime.time(9, 0), datetime.time(12, 0)),
    (datetime.time(13, 30), datetime.time(17, 0)),
)
BOOKERS = ("resident_1", "resident_2", "resident_3", "enterprise_agent")


def _operator() -> Organisation:
    found = Organisation.objects.filter(name=OPERATOR, division_id=COUNTY).first()
    return found or do_create_organisation(
        name=OPERATOR, type=OrganisationType.DEPARTMENT, division=Division.objects.get(code=COUNTY)
    )


def _items() -> list[ServiceItem]:
    low, high = subtree_range(COUNTY)
    return list(
        ServiceItem.objects.filter(
            by_appointment=True,
            status=ItemStatus.PUBLISHED,
            division_code__gte=low,
            division_code__lte=high,
        )
        .select_related("department")
        .order_by("department__name", "code")
    )


def do_load_demo_appointments() -> int:
    """The centre, its counters and hours, slots for the coming two weeks and a few bookings;
    returns how many bookings were made (0 when the centre was already there)."""
    if Office.objects.filter(division_code=COUNTY, name=CENTRE).exists():
        return 0
    with transaction.atomic():
        centre = Office.objects.create(
            name=CENTRE,
            address="阜城县富强大街 66 号",
            phone="0318-4712345",
            organisation=_operator(),
            division_code=COUNTY,
            notes="请携带本人身份证件原件；企业经办人请携带授权委托书。",
        )
        by_department: dict[int, list[ServiceItem]] = {}
        for item in _items():
            by_department.setdefault(item.department_id, []).append(item)
        for number, items in enumerate(by_department.values(), start=1):
            counter = Counter.objects.create(
                office=centre, name=f"{number}号窗口（{items[0].department.name}）"
            )
            counter.items.set(items)
            OpeningHours.objects.bulk_create(
                OpeningHours(
                    counter=counter, weekday=day, start=start, end=end, slot_minutes=30, capacity=3
                )
                for day in range(5)
                for start, end in PERIODS
            )
    do_plan_slots(centre, days=14)
    return _book_a_few(centre)


def _book_a_few(centre: Office) -> int:
    made = 0
    people = {u.username: u for u in User.objects.filter(username__in=BOOKERS)}
    now = timezone.now()
    counters = list(centre.counters.prefetch_related("items"))
    for index, username in enumerate(BOOKERS):
        user = people.get(username)
        if user is None or not counters:
            continue
        counter = counters[index % len(counters)]
        item = counter.items.first()
        if item is None:
            continue
        slot = (
            open_slots(centre, item, now=now)
            .filter(counter=counter)[index * 3 : index * 3 + 1]
            .first()
        )
        if slot is None:
            continue
        actions.do_book_appointment(user, slot=slot, item=item)
        made += 1
    return made
