"""Names as a guard or a grid worker's notification shows them."""


def masked_name(name: str) -> str:
    """张伟 → 张*, 欧阳娜娜 → 欧***: enough to greet someone at the gate, not to look them up."""
    name = (name or "").strip()
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""
