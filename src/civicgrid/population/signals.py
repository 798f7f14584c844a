"""What the register tells the modules built on it, which it cannot import."""

from django.dispatch import Signal

# Both are sent inside the move's transaction, with old_grid (or None) and new_grid, so that a
# module whose records are scoped by grid hands them to the new grid's worker.

# A person is in another grid: moved to a household of another grid, or with their whole
# household (`person`). Records about the person follow (their own open alerts, key-person
# records).
person_grid_changed = Signal()

# A household moved to another grid of its community (`household`), after each member's
# person_grid_changed. Records about the household itself follow (the open alert of its fever
# report).
household_grid_changed = Signal()
