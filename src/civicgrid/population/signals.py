"""What the register tells the modules built on it, which it cannot import."""

from django.dispatch import Signal

# A household (and its members) moved to another grid of its community: sent inside the
# move's transaction with household, old_grid (or None) and new_grid, so a module whose records
# are scoped by grid (the community brain's open alerts) hands them to the new grid's worker.
household_grid_changed = Signal()

# A person moved to a household of another grid (or out of any): sent inside the move's
# transaction with person, old_grid and new_grid (each or None), so that the records about them
# that a module scopes by grid (open alerts about them, key-person records) go to the new grid.
person_grid_changed = Signal()
