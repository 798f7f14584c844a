from civicgrid.core.testing import AccessCase

CASES = [
    AccessCase(
        "audit:record_list",
        allowed=("admin",),
        # Superusers only until audit records are scoped by jurisdiction.
        denied=("province_officer", "county_a_admin", "county_a_officer", "resident_a"),
    ),
    AccessCase(
        "audit:my_data",
        # Anyone signed in may see who read their own data; staff are residents too.
        allowed=("resident_a", "resident_b", "grid_worker_a1", "county_a_officer", "admin"),
    ),
]
