"""Background tasks of the catalogue. Thin: take ids, call the work in `import_runs`."""

from django_tasks import task

from civicgrid.catalog.import_runs import do_run_catalog_import


@task()
def run_catalog_import(import_id: int) -> dict[str, int | str] | None:
    """Import a queued catalogue sheet; progress goes to the import's progress row."""
    batch = do_run_catalog_import(import_id)
    if batch is None:
        return None
    return {
        "status": batch.status,
        "rows": batch.rows,
        "created": batch.created_count,
        "updated": batch.updated_count,
        "unchanged": batch.unchanged_count,
        "problems": batch.problem_count,
    }
