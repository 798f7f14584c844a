"""Background tasks of the kernel. Thin: take ids, call the work, report progress."""

import time

from django_tasks import task

from civicgrid.core.progress import advance_progress, finish_progress


@task()
def count_to(progress_key: str, total: int, delay_seconds: float = 0.2) -> int:
    """A demonstration task: counts to `total`, one step per `delay_seconds`, with progress.

    It exists to prove the enqueue → worker → progress → page path end to end.
    """
    for step in range(1, total + 1):
        time.sleep(delay_seconds)
        advance_progress(progress_key, message=f"{step}/{total}")
    finish_progress(progress_key, message="完成")
    return total
