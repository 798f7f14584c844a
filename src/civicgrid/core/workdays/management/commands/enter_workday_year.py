"""`civicgrid manage enter_workday_year 2027 announcement.txt` — one line per date, e.g.
`2027-01-01 holiday 元旦`; `-` reads standard input."""

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicgrid.core.workdays.actions import do_enter_calendar_year
from civicgrid.core.workdays.models import CalendarDay


class Command(BaseCommand):
    help = "Enter a year's official holidays and make-up working days (replaces that year)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("file", help="a UTF-8 text file, or - for standard input")
        parser.add_argument("--source", default="", help="the notice's document number")

    def handle(self, *args: object, **options: object) -> None:
        name = str(options["file"])
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {name}: {error}") from error
        try:
            entered = do_enter_calendar_year(
                actor=None, year=int(str(options["year"])), text=text, source=str(options["source"])
            )
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from error
        count = CalendarDay.objects.filter(date__year=entered.year).count()
        self.stdout.write(f"entered {entered.year}: {count} days")
