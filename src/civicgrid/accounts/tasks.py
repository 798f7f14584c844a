"""Background tasks of the accounts app. Thin: take ids, call the action."""

from django_tasks import task

from civicgrid.accounts.onboarding import do_run_onboarding_batch


@task()
def run_onboarding_batch(batch_id: int) -> dict[str, int] | None:
    """Import (or only check) an uploaded staff sheet; progress goes to the batch's key."""
    batch = do_run_onboarding_batch(batch_id)
    if batch is None:
        return None
    return {
        "created": batch.created_count,
        "role_added": batch.role_added_count,
        "existing": batch.existing_count,
        "errors": batch.error_count,
    }
