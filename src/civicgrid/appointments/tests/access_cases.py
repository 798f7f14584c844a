"""Access cases of the appointments pages and API.

`factories.live_world` builds 阜城县's office (run by clerk_a's bureau) with resident_a's
booking; clerk_b (景县) must get 404 for all of it, resident_b likewise for resident_a's
booking. Applicant pages are for residents and enterprise agents; staff pages for department
clerks (and administrators) of the office's jurisdiction.
"""

from civicgrid.core.testing import UNAUTHORIZED, AccessCase


def _world(p):
    from civicgrid.appointments.tests import factories as f

    return f.live_world(p)


def _office(p):
    return (_world(p)["office"].pk,)


def _booking(p):
    return (_world(p)["booking"].pk,)


def _appeal(p):
    from civicgrid.appointments.tests import factories as f

    return (f.blocked_with_appeal(p).pk,)


def _closure(p):
    import datetime

    from civicgrid.appointments.models import Closure

    office = _world(p)["office"]
    closure = Closure.objects.create(office=office, date=datetime.date(2099, 1, 5), reason="检修")
    return (office.pk, closure.pk)


def _arriving(p):
    from civicgrid.appointments.models import Booking

    return {"code": Booking.objects.get(number__endswith="ARRIVE").number}


def _other_slot(p):
    from civicgrid.appointments.models import Slot

    return {"slot_id": Slot.objects.filter(booked=0).get().pk}


def _first_item(p):
    from civicgrid.catalog.models import ServiceItem

    return {"item": ServiceItem.objects.order_by("pk").first().pk}


def _new_booking(p):
    from civicgrid.appointments.models import Slot
    from civicgrid.appointments.tests import factories as f

    world = f.live_world(p)
    fresh = f.item(p.organisations["department_a"])  # one nobody has booked yet
    world["office"].counters.get().items.add(fresh)
    slot = Slot.objects.get(pk=world["slots"][1].pk)
    return {"slot_id": slot.pk, "item_id": fresh.pk}


def _blocked_without_appeal(p):
    from civicgrid.appointments.tests import factories as f

    f.block(p.resident_a, _world(p)["office"])
    return {"text": "那天孩子发烧住院"}


APPLICANTS = ("resident_a", "enterprise_agent_a")
STAFF_A = ("clerk_a", "admin")
PAGE_POST = {"method": "post", "ok_status": (302,)}
API = {"anonymous": UNAUTHORIZED}
API_POST = {"method": "post", "anonymous": UNAUTHORIZED}

PUBLIC: dict[str, str] = {}

CASES = [
    # Applicant pages (phone).
    AccessCase(
        "appointments:booking_list", allowed=APPLICANTS, denied=("clerk_a", "county_a_officer")
    ),
    AccessCase(
        "appointments:booking_create", allowed=APPLICANTS, denied=("clerk_a", "volunteer_a")
    ),
    AccessCase("appointments:appeal", allowed=APPLICANTS, denied=("clerk_a",)),
    AccessCase(
        "appointments:booking_detail",
        args=_booking,
        allowed=("resident_a", "clerk_a", "admin"),
        denied=("resident_b", "clerk_b", "enterprise_agent_a", "county_b_officer"),
    ),
    AccessCase(
        "appointments:booking_cancel",
        args=_booking,
        allowed=("resident_a",),
        denied=("resident_b", "clerk_b", "clerk_a"),
        **PAGE_POST,
    ),
    AccessCase(
        "appointments:booking_reschedule",
        args=_booking,
        allowed=("resident_a",),
        denied=("resident_b", "clerk_b", "clerk_a"),
    ),
    # Staff pages (desktop).
    AccessCase(
        "appointments:office_list",
        allowed=("clerk_a", "clerk_b", "admin"),
        denied=("resident_a", "enterprise_agent_a", "county_a_officer"),
    ),
    AccessCase("appointments:no_show_list", allowed=STAFF_A, denied=("resident_a", "volunteer_a")),
    AccessCase(
        "appointments:appeal_list", allowed=STAFF_A, denied=("resident_a", "enterprise_agent_a")
    ),
    AccessCase(
        "appointments:appeal_decide",
        args=_appeal,
        data=lambda p: {"decision": "grant", "reason": "病历属实"},
        allowed=("clerk_a",),
        denied=("clerk_b", "resident_a", "resident_b"),
        **PAGE_POST,
    ),
    AccessCase(
        "appointments:office_day",
        args=_office,
        allowed=STAFF_A,
        denied=("clerk_b", "resident_a", "enterprise_agent_a", "county_a_officer"),
    ),
    AccessCase(
        "appointments:office_load",
        args=_office,
        allowed=STAFF_A,
        denied=("clerk_b", "resident_a"),
    ),
    AccessCase(
        "appointments:office_check_in",
        args=_office,
        data=_arriving,
        allowed=("clerk_a",),
        denied=("clerk_b", "resident_a"),
        method="post",
    ),
    AccessCase(
        "appointments:office_closure",
        args=_office,
        data=lambda p: {"date": "2099-01-05", "reason": "设备检修"},
        allowed=("clerk_a",),
        denied=("clerk_b", "resident_a"),
        **PAGE_POST,
    ),
    AccessCase(
        "appointments:office_closure_remove",
        args=_closure,
        allowed=("clerk_a",),
        denied=("clerk_b", "resident_a"),
        **PAGE_POST,
    ),
    # API.
    AccessCase("api:appointments_items", allowed=("resident_a", "clerk_b"), **API),
    AccessCase(
        "api:appointments_offices", allowed=("resident_a", "enterprise_agent_a", "clerk_b"), **API
    ),
    AccessCase(
        "api:appointments_slots",
        args=_office,
        data=_first_item,
        allowed=("resident_a", "clerk_b"),
        **API,
    ),
    AccessCase(
        "api:appointments_load",
        args=_office,
        allowed=STAFF_A,
        denied=("clerk_b", "resident_a"),
        **API,
    ),
    AccessCase(
        "api:appointments_check_in",
        args=_office,
        data=_arriving,
        allowed=("clerk_a",),
        denied=("clerk_b", "resident_a"),
        **API_POST,
    ),
    AccessCase("api:appointments_bookings", allowed=("resident_a", "clerk_a", "clerk_b"), **API),
    AccessCase(
        "api:appointments_bookings",
        data=_new_booking,
        allowed=("resident_a", "enterprise_agent_a"),
        denied=("clerk_a", "county_a_officer"),
        ok_status=(201,),
        **API_POST,
    ),
    AccessCase(
        "api:appointments_booking",
        args=_booking,
        allowed=("resident_a", "clerk_a"),
        denied=("resident_b", "clerk_b", "enterprise_agent_a"),
        **API,
    ),
    AccessCase(
        "api:appointments_cancel",
        args=_booking,
        allowed=("resident_a",),
        denied=("resident_b", "clerk_b"),
        **API_POST,
    ),
    AccessCase(
        "api:appointments_reschedule",
        args=_booking,
        data=_other_slot,
        allowed=("resident_a",),
        denied=("resident_b", "clerk_b"),
        **API_POST,
    ),
    AccessCase(
        "api:appointments_block",
        allowed=APPLICANTS,
        ok_status=(200, 204),
        denied=("clerk_a",),
        **API,
    ),
    AccessCase(
        "api:appointments_appeals",
        data=_blocked_without_appeal,
        allowed=("resident_a",),
        denied=("clerk_a", "county_a_officer"),
        ok_status=(201,),
        **API_POST,
    ),
    AccessCase(
        "api:appointments_appeals",
        allowed=("clerk_a", "clerk_b", "admin"),
        denied=("resident_a", "enterprise_agent_a", "county_a_officer"),
        **API,
    ),
    AccessCase(
        "api:appointments_appeal_decide",
        args=_appeal,
        data=lambda p: {"decision": "refuse", "reason": "无正当理由"},
        allowed=("clerk_a",),
        denied=("clerk_b", "resident_a", "resident_b"),
        **API_POST,
    ),
    AccessCase(
        "api:appointments_closures",
        args=_office,
        allowed=STAFF_A,
        denied=("clerk_b", "resident_a", "enterprise_agent_a"),
        **API,
    ),
    AccessCase(
        "api:appointments_closures",
        args=_office,
        data=lambda p: {"date": "2099-01-05", "reason": "设备检修"},
        allowed=("clerk_a",),
        denied=("clerk_b", "resident_a"),
        ok_status=(201,),
        **API_POST,
    ),
    AccessCase(
        "api:appointments_closure_reopen",
        args=_closure,
        allowed=("clerk_a",),
        denied=("clerk_b", "resident_a"),
        ok_status=(204,),
        **API_POST,
    ),
]
