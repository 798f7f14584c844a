"""What `make bench` measures, and the target each figure is held to.

To benchmark a new endpoint, add one `Scenario` to `SCENARIOS`. The scenario marked
`ceiling=True` (ping: a JSON endpoint with no database access) is the framework's ceiling on
this machine; other scenarios may state their target as a share of it, which keeps the
targets meaningful on a faster or slower machine.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """Thresholds a scenario must meet; any left as None is not checked."""

    min_rps: float | None = None
    min_share_of_ceiling: float | None = None  # e.g. 0.5: at least half the ping ceiling
    max_p99_ms: float | None = None

    def describe(self) -> str:
        parts = []
        if self.min_rps is not None:
            parts.append(f">={self.min_rps:g} req/s")
        if self.min_share_of_ceiling is not None:
            parts.append(f">={self.min_share_of_ceiling:.0%} of ceiling")
        if self.max_p99_ms is not None:
            parts.append(f"p99<={self.max_p99_ms:g} ms")
        return ", ".join(parts) or "-"

    def misses(self, *, rps: float, p99_ms: float, ceiling_rps: float | None) -> list[str]:
        """Human-readable reasons the figures miss this target; empty when they meet it."""
        missed = []
        if self.min_rps is not None and rps < self.min_rps:
            missed.append(f"req/s {rps:.0f} < {self.min_rps:g}")
        if self.min_share_of_ceiling is not None:
            if not ceiling_rps:
                missed.append("no ceiling measured")
            elif rps / ceiling_rps < self.min_share_of_ceiling:
                missed.append(
                    f"{rps / ceiling_rps:.0%} of ceiling < {self.min_share_of_ceiling:.0%}"
                )
        if self.max_p99_ms is not None and p99_ms > self.max_p99_ms:
            missed.append(f"p99 {p99_ms:.1f} ms > {self.max_p99_ms:g}")
        return missed


@dataclass(frozen=True)
class Scenario:
    """One endpoint under load: `path` is requested over and over on keep-alive connections."""

    name: str
    path: str
    target: Target
    ceiling: bool = False
    expect_status: int = 200


DIVISION_TARGET = Target(min_share_of_ceiling=0.5, max_p99_ms=100)

SCENARIOS: list[Scenario] = [
    Scenario("ping", "/api/v1/ping", Target(min_rps=1500), ceiling=True),
    # 衡水市: 13 county-level children, each with its own child count.
    Scenario("children of a city", "/api/v1/divisions/1311/children", DIVISION_TARGET),
    # 阜城县: its townships.
    Scenario("children of a county", "/api/v1/divisions/131128/children", DIVISION_TARGET),
]
