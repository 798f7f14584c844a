"""Access cases of the community pages and API.

The personas have no community staff, so each case's `args` adds `community_staff_a1` (staff of
community A1's committee) to them through `factories.community_staff` before it is named.
county_b_officer oversees 景县 and must see nothing of A1; residents and volunteers hold no
register role.
"""

from civicgrid.core.testing import AccessCase


def _gate(p):
    from civicgrid.community.tests import factories as f

    return (f.checkpoint(p).pk,)


def _staff(p):
    from civicgrid.community.tests import factories as f

    f.community_staff(p)
    return ()


STAFF = "community_staff_a1"
OUTSIDERS = ("county_b_officer",)
NOT_STAFF = ("resident_a", "volunteer_a")

PUBLIC = {
    "community:scan": "the gate QR code's landing page: the signed token is the key; "
    "recording a pass needs a signed-in resident of the gate's community",
    "community:scan_visitor": "the visitor form behind a gate's signed token (visitors have no account)",
}

CASES = [
    AccessCase(
        "community:checkpoint_list",
        args=_staff,
        allowed=(STAFF, "grid_worker_a1", "county_a_officer", "county_b_officer"),
        denied=NOT_STAFF,
    ),
    AccessCase(
        "community:checkpoint_poster",
        args=_gate,
        allowed=(STAFF, "grid_worker_a1", "county_a_officer", "admin"),
        denied=OUTSIDERS + NOT_STAFF,
    ),
    AccessCase(
        "community:checkpoint_tablet",
        args=_gate,
        allowed=(STAFF, "grid_worker_a1", "admin"),
        denied=OUTSIDERS + NOT_STAFF,
    ),
    AccessCase(
        "community:checkpoint_tablet_code",
        args=_gate,
        allowed=(STAFF, "grid_worker_a1"),
        denied=OUTSIDERS + NOT_STAFF,
    ),
    AccessCase(
        "community:checkpoint_guard",
        args=_gate,
        allowed=(STAFF, "grid_worker_a1"),
        denied=OUTSIDERS + NOT_STAFF + ("county_a_officer",),
    ),
    AccessCase(
        "community:checkpoint_revoke",
        args=_gate,
        method="post",
        ok_status=(302,),
        allowed=(STAFF, "admin"),
        denied=OUTSIDERS + NOT_STAFF + ("grid_worker_a1", "county_a_officer"),
    ),
]
