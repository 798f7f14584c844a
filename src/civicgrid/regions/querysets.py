"""Read helpers for divisions."""

from django.db import models

from civicgrid.core import division_codes


class DivisionQuerySet(models.QuerySet):
    def within(self, code: str) -> "DivisionQuerySet":
        """The division `code` (12 digits) and its whole subtree, as one index range scan."""
        low, high = division_codes.subtree_range(code)
        return self.filter(code__gte=low, code__lte=high)

    def with_child_counts(self) -> "DivisionQuerySet":
        return self.annotate(child_count=models.Count("children"))
