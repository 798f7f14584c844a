"""Background tasks of the population app. Thin: take ids, call the action."""

from django_tasks import task

from civicgrid.population.importing.batches import do_run_import_batch


def _counts(batch) -> dict[str, int] | None:  # type: ignore[no-untyped-def]
    if batch is None:
        return None
    return {
        "created": batch.created_count,
        "updated": batch.updated_count,
        "unchanged": batch.unchanged_count,
        "errors": batch.error_count,
    }


@task()
def check_import_batch(batch_id: int) -> dict[str, int] | None:
    """Check an uploaded register (a dry run); progress goes to the batch's progress row."""
    return _counts(do_run_import_batch(batch_id, dry_run=True))


@task()
def run_import_batch(batch_id: int) -> dict[str, int] | None:
    """Import a checked register; progress goes to the batch's progress row."""
    return _counts(do_run_import_batch(batch_id, dry_run=False))
