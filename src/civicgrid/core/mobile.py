"""Mainland China mobile numbers: 11 digits starting 13–19.

Accepted and normalised to the 11 digits: a `+86`, `0086` or bare `86` country prefix (the last
only when 13 digits remain), spaces, hyphens and brackets (`+86 (138) 1234-5678`), full-width
digits, and an integral number from a spreadsheet cell (`13812345678.0`: floats hold 11 digits
exactly). Rejected, each with its own message: other countries' numbers, landlines, wrong
lengths, numbers outside the 13–19 networks, and scientific notation.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from civicgrid.core.masking import ProtectedValue

MOBILE_LENGTH = 11

MESSAGES = {
    "required": _("请填写手机号码。"),
    "spreadsheet": _(
        "手机号码疑似被表格软件转换为科学计数法，部分数字已经丢失。"
        "请把该列设为“文本”格式，重新填写原始号码。"
    ),
    "non_digit": _("手机号码只能包含数字（可带 +86 前缀、空格或连字符）。"),
    "foreign": _("只支持中国大陆手机号码（+86），这是其他国家或地区的号码。"),
    "landline": _("这像是固定电话号码，请填写 11 位手机号码。"),
    "length": _("手机号码应为 11 位，当前为 %(length)d 位。"),
    "prefix": _("手机号码应以 13–19 开头。"),
}

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SEPARATORS = re.compile(r"[\s\-‐‑–—()]")
_SCIENTIFIC = re.compile(r"^[0-9]+(?:\.[0-9]*)?E[+-]?[0-9]+$", re.IGNORECASE)
_WHOLE_DECIMAL = re.compile(r"^([0-9]+)\.0*$")
_DIGITS = re.compile(r"^[0-9]+$")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")


def _error(code: str, **params: object) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params=params or None)


def _text(raw: object) -> str:
    if isinstance(raw, ProtectedValue):
        raise TypeError(
            "this value is already validated and protected; pass it on as it is, or call "
            ".reveal() if you really need the plain number"
        )
    if raw is None:
        return ""
    if isinstance(raw, bool):
        raise TypeError("a mobile number cannot be a bool")
    if isinstance(raw, float):
        if not raw.is_integer():
            raise _error("spreadsheet")
        raw = int(raw)
    if isinstance(raw, int | Decimal):
        raw = str(raw)
    if not isinstance(raw, str):
        raise TypeError(f"a mobile number must be given as str, not {type(raw).__name__}")
    text = unicodedata.normalize("NFKC", raw).translate(_INVISIBLE)
    return _SEPARATORS.sub("", text).removeprefix("'")


def normalize_mobile(raw: object) -> str:
    """The 11-digit number for `raw`, or a ValidationError whose code says what is wrong.

    Codes: required, spreadsheet, non_digit, foreign, landline, length, prefix.
    """
    if type(raw) is str and _MOBILE.fullmatch(raw):
        return raw  # the usual case: already the 11 digits, nothing to clean
    text = _text(raw)
    if not text:
        raise _error("required")
    if _SCIENTIFIC.match(text):
        raise _error("spreadsheet")
    if whole := _WHOLE_DECIMAL.match(text):
        text = whole.group(1)  # "13812345678.0": a spreadsheet cell read as a float, exact
    if text.startswith("+"):
        if not text.startswith("+86"):
            raise _error("foreign")
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("00"):
        raise _error("foreign")
    elif text.startswith("86") and len(text) == MOBILE_LENGTH + 2:
        text = text[2:]
    if not _DIGITS.match(text):
        raise _error("non_digit")
    if text.startswith("0"):
        raise _error("landline")
    if len(text) != MOBILE_LENGTH:
        raise _error("length", length=len(text))
    if not _MOBILE.match(text):
        raise _error("prefix")
    return text


def validate_mobile(value: object) -> None:
    """A Django validator (forms, serializers): raises ValidationError, returns nothing."""
    if not isinstance(value, ProtectedValue):
        normalize_mobile(value)
