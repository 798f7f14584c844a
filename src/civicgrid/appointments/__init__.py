"""Appointments: offices, counters, opening hours, slots, bookings, check-in and no-shows."""
