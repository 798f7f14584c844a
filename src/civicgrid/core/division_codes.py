"""The division-code spine: 12-digit statistical codes and the prefixes that scope by subtree.

province `13` · city `1301` · county `130102` · township `130102001` · community `130102001001`,
each padded with zeros to 12 digits when stored.
"""

import re

CODE_LENGTH = 12
# Significant digits per level: 1 province, 2 city, 3 county, 4 township, 5 community/village.
LEVEL_DIGITS = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}
_SIGNIFICANT_LENGTHS = frozenset(LEVEL_DIGITS.values())
_DIGITS = re.compile(r"^[0-9]+$")


class InvalidDivisionCode(ValueError):
    """A code that is not a well-formed statistical division code; the message is Chinese."""


def normalize_code(raw: str) -> str:
    """Return the 12-digit code for `raw`, given as 12 digits or as its significant prefix."""
    code = (raw or "").strip()
    if not _DIGITS.match(code):
        raise InvalidDivisionCode(f"区划代码只能由数字组成：{raw!r}")
    if len(code) not in _SIGNIFICANT_LENGTHS:
        raise InvalidDivisionCode(
            f"区划代码应为 2、4、6、9 或 12 位数字，收到 {len(code)} 位：{raw!r}"
        )
    padded = code.ljust(CODE_LENGTH, "0")
    if padded[:2] == "00":
        raise InvalidDivisionCode(f"省级代码不能为 00：{raw!r}")
    level = level_of(padded)  # rejects gaps such as 130000000001 (a village under a province)
    if len(code) < CODE_LENGTH and LEVEL_DIGITS[level] != len(code):
        # A short code names its level by its length: '1300' would be a city numbered 00.
        raise InvalidDivisionCode(f"区划代码 {raw!r} 的末段为全零，不是有效的区划")
    return padded


def level_of(code: str) -> int:
    """The level of a 12-digit code: the shortest significant prefix followed only by zeros.

    Every segment above that level must be non-zero: 130000000001 would be a village hanging
    directly under a province, which the statistical scheme does not allow.
    """
    level = next(lv for lv, digits in LEVEL_DIGITS.items() if code[digits:].strip("0") == "")
    for upper in range(2, level + 1):
        segment = code[LEVEL_DIGITS[upper - 1] : LEVEL_DIGITS[upper]]
        if segment.strip("0") == "":
            raise InvalidDivisionCode(f"区划代码 {code} 第 {upper} 级的代码段不能为全零")
    return level


def significant(code: str) -> str:
    """The significant prefix: '130100000000' -> '1301'."""
    return code[: LEVEL_DIGITS[level_of(code)]]


def parent_code(code: str) -> str | None:
    """The 12-digit code of the division one level up, or None for a province."""
    level = level_of(code)
    if level == 1:
        return None
    return code[: LEVEL_DIGITS[level - 1]].ljust(CODE_LENGTH, "0")


def subtree_range(code: str) -> tuple[str, str]:
    """Inclusive bounds of every code in the subtree of `code`.

    A range (not LIKE 'prefix%') so that PostgreSQL uses a plain b-tree index under any collation.
    """
    prefix = significant(code)
    return prefix.ljust(CODE_LENGTH, "0"), prefix.ljust(CODE_LENGTH, "9")


def is_development_zone(code: str) -> bool:
    """County-level codes whose 5th digit is 7 are economic/development zones (e.g. 130371)."""
    return level_of(code) == 3 and code[4] == "7"
