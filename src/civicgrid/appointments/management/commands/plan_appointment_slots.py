"""`civicgrid manage plan_appointment_slots [--days N] [--office ID]`: bring the slots of the
coming days in line with the offices' hours, the working-day calendar and closures (the
periodic job does the same every night; run this after entering a new year's calendar)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicgrid.appointments.models import Office
from civicgrid.appointments.slots import do_plan_slots


class Command(BaseCommand):
    help = "Create (and prune empty) appointment slots for the coming days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="days ahead (default: setting)")
        parser.add_argument("--office", type=int, default=None, help="only this office id")

    def handle(self, *args: object, **options: object) -> None:
        days = options["days"]
        if days is not None and not 1 <= int(str(days)) <= 366:
            raise CommandError("--days must be between 1 and 366")
        offices = Office.objects.filter(is_active=True)
        if options["office"] is not None:
            offices = offices.filter(pk=options["office"])
            if not offices.exists():
                raise CommandError(f"no active office {options['office']}")
        total = 0
        for office in offices:
            total += do_plan_slots(office, days=int(str(days)) if days is not None else None)
        self.stdout.write(f"created {total} slots")
