"""Pinyin of catalogue names, for searches typed on a phone's Latin keyboard.

`name_pinyin("营业执照")` is `("yingyezhizhao", "yyzz")`: the whole syllables and the initials,
lower case, letters and digits only, so "yyzz" and "yingye" both find the item. Non-Chinese
characters (digits, Latin words) pass through as they are.
"""

import re

from pypinyin import Style, lazy_pinyin

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def _joined(parts: list[str]) -> str:
    return _NOT_ALNUM.sub("", "".join(parts).lower())


def name_pinyin(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of `name`, each only [0-9a-z]."""
    full = _joined(lazy_pinyin(name, errors="default"))
    initials = _joined(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default"))
    return full[:1000], initials[:200]
