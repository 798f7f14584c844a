"""The working-day calendar: official holidays and make-up working days, with years administrators
enter beyond what the calendar package knows; every working-day clock counts with it."""
