from civicgrid.core.actions import do_start_demo_task
from civicgrid.core.testing import AccessCase

PUBLIC = {
    "core:home": "the landing page explains the platform",
    "healthz": "load balancers and monitoring probe it without credentials",
    "set_language": "anyone may choose the interface language",
}

CASES = [
    AccessCase(
        "core:task_demo",
        allowed=("admin", "county_a_officer", "grid_worker_a1"),
        denied=("resident_a",),
    ),
    AccessCase(
        "core:task_progress",
        args=lambda p: (do_start_demo_task(p.county_a_officer, steps=1).key,),
        allowed=("county_a_officer",),
        # Someone else's task is "not found", whoever they are.
        denied=("county_b_officer", "province_officer", "resident_a"),
    ),
]
