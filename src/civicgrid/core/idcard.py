"""Citizen ID numbers (公民身份号码) per GB 11643-1999.

    RRRRRR YYYYMMDD SSS C
    region birth    seq check

- 18 characters: 17 digits and a check character (ISO 7064 MOD 11-2, `0`–`9` or `X`; a lower-case
  `x` is accepted and stored upper-case).
- Region (address) code: the first two digits must be a province-level code of GB/T 2260. The
  numbers that share this format and check character are accepted too, because the people who
  hold them live in our communities and appear in the same registers:
    * 11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71 — resident identity cards (居民身份证);
    * 810000 / 820000 — residence permits of Hong Kong / Macao residents (港澳居民居住证);
    * 830000 — residence permits of Taiwan residents (台湾居民居住证);
    * 9 + a mainland province code (e.g. 913…, 944…) — the 2023 foreigners' permanent residence
      ID card (外国人永久居留身份证), whose digits 4–6 are the nationality code.
  `id_number_kind()` tells them apart for a module that must accept only one kind. The 15-character
  2017 foreigners' card and the 15-digit first-generation cards are rejected, each with its own
  message.
- Birth date: a real calendar date, not before 1900-01-01 and not after today (Asia/Shanghai).
- Sequence: odd for men, even for women (`sex_of`).

Spreadsheets damage these numbers: Excel keeps 15 significant digits, so a number typed into a
numeric cell shows as `1.30102E+17` and comes back with its last three digits turned into `000`.
Both are reported as spreadsheet damage ("疑似被表格软件转换为科学计数法") instead of a puzzling
length or check-digit error. (A genuine number ending in `000` with a correct check digit is
still accepted: the check digit is the only evidence available.)

Demo and test data: `make_id_number(region, birth_date, sequence)` builds a valid number; never
use a real person's number.
"""

from __future__ import annotations

import datetime
import operator
import re
import unicodedata
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core.masking import ProtectedValue

ID_NUMBER_LENGTH = 18
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)

# ISO 7064 MOD 11-2: weight of position i (0-based, left to right) is 2^(17-i) mod 11.
CHECK_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
CHECK_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)
_ZERO_OFFSET = ord("0") * sum(CHECK_WEIGHTS)

MAINLAND_PROVINCE_CODES = frozenset(
    [f"{n}" for n in range(11, 16)]
    + [f"{n}" for n in range(21, 24)]
    + [f"{n}" for n in range(31, 38)]
    + [f"{n}" for n in range(41, 47)]
    + [f"{n}" for n in range(50, 55)]
    + [f"{n}" for n in range(61, 66)]
    + ["71"]
)
# Province codes under which the mainland issues foreigners' permanent residence ID cards.
_FOREIGN_CARD_PROVINCES = MAINLAND_PROVINCE_CODES - {"71"}


class IdNumberKind(models.TextChoices):
    RESIDENT = "resident", _("居民身份证")
    HK_MACAO_PERMIT = "hk_macao_permit", _("港澳居民居住证")
    TAIWAN_PERMIT = "taiwan_permit", _("台湾居民居住证")
    FOREIGN_PERMANENT = "foreign_permanent", _("外国人永久居留身份证")


_PERMIT_REGIONS = {
    "810000": IdNumberKind.HK_MACAO_PERMIT,
    "820000": IdNumberKind.HK_MACAO_PERMIT,
    "830000": IdNumberKind.TAIWAN_PERMIT,
}

MESSAGES = {
    "required": _("请填写公民身份号码。"),
    "spreadsheet": _(
        "公民身份号码疑似被表格软件转换为科学计数法（或数值格式），末几位已经丢失。"
        "请把该列设为“文本”格式，重新填写原始号码。"
    ),
    "first_generation": _("这是 15 位的第一代身份证号码，已停止使用，请填写 18 位公民身份号码。"),
    "length": _("公民身份号码应为 18 位，当前为 %(length)d 位。"),
    "non_digit": _("公民身份号码第 %(position)d 位应为数字。"),
    "bad_check_char": _("公民身份号码第 18 位（校验码）只能是数字或 X。"),
    "region": _(
        "公民身份号码前 6 位（地址码）不是有效的省级行政区划代码，也不是港澳台居民居住证或外国人永久居留身份证的号段。"
    ),
    "bad_date": _("公民身份号码第 7–14 位（出生日期）不是真实存在的日期。"),
    "too_early": _("公民身份号码中的出生日期早于 1900 年。"),
    "future_date": _("公民身份号码中的出生日期晚于今天。"),
    "bad_check_digit": _(
        "公民身份号码校验码不符：按前 17 位计算，第 18 位应为 %(expected)s。"
        "请逐位核对原件，错误可能出现在任何一位。"
    ),
}

_DIGITS = frozenset("0123456789")
# Zero-width characters and the byte-order mark that copy-paste and CSV files smuggle in.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_CLEAN = re.compile(r"[0-9]{17}[0-9X]")
_ODD = frozenset("13579")
_SCIENTIFIC = re.compile(r"^[0-9]+(?:\.[0-9]*)?E[+-]?[0-9]+$")
_DECIMAL = re.compile(r"^[0-9]+\.[0-9]*$")
_THOUSANDS = re.compile(r"^[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?$")


def _error(code: str, **params: object) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params=params or None)


def clean_text(raw: object) -> str:
    """The raw input as a compact upper-case string: full-width characters folded (NFKC),
    whitespace and invisible characters removed, a spreadsheet's leading `'` text marker dropped.

    Numbers that arrive as `float` cannot hold 18 digits and are reported as spreadsheet damage.
    """
    if isinstance(raw, ProtectedValue):
        raise TypeError(
            "this value is already validated and protected; pass it on as it is, or call "
            ".reveal() if you really need the plain number"
        )
    if raw is None:
        return ""
    if isinstance(raw, bool):
        raise TypeError("an ID number cannot be a bool")
    if isinstance(raw, float):
        raise _error("spreadsheet")
    if isinstance(raw, int | Decimal):
        raw = str(raw)
    if not isinstance(raw, str):
        raise TypeError(f"an ID number must be given as str, not {type(raw).__name__}")
    text = unicodedata.normalize("NFKC", raw).translate(_INVISIBLE)
    return "".join(text.split()).removeprefix("'").upper()


def check_char(body: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    # The weighted sum of the ASCII codes less 48 times the weights' sum: the same total
    # without converting each digit (the importer checks a million numbers).
    total = sum(map(operator.mul, body.encode("ascii"), CHECK_WEIGHTS)) - _ZERO_OFFSET
    return CHECK_CHARS[total % 11]


def _kind_of_region(region: str) -> IdNumberKind | None:
    if region in _PERMIT_REGIONS:
        return _PERMIT_REGIONS[region]
    if region[:2] in MAINLAND_PROVINCE_CODES:
        return IdNumberKind.RESIDENT
    if region[0] == "9" and region[1:3] in _FOREIGN_CARD_PROVINCES:
        return IdNumberKind.FOREIGN_PERMANENT
    return None


def _birth_date(digits: str, today: datetime.date | None) -> datetime.date:
    try:
        born = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise _error("bad_date") from None
    if born < EARLIEST_BIRTH_DATE:
        raise _error("too_early")
    if born > (today or timezone.localdate()):
        raise _error("future_date")
    return born


def _shaped(text: str) -> str:
    """`text` when it has the shape of a number (17 digits and a check character)."""
    if not text:
        raise _error("required")
    if _SCIENTIFIC.match(text) or _DECIMAL.match(text) or _THOUSANDS.match(text):
        raise _error("spreadsheet")
    if len(text) == 15 and set(text) <= _DIGITS:
        raise _error("first_generation")
    if len(text) != ID_NUMBER_LENGTH:
        raise _error("length", length=len(text))
    for position, char in enumerate(text[:17], start=1):
        if char not in _DIGITS:
            raise _error("non_digit", position=position)
    if text[17] not in "0123456789X":
        raise _error("bad_check_char")
    return text


def normalize_id_number(raw: object, *, today: datetime.date | None = None) -> str:
    """The 18-character number for `raw`, or a ValidationError whose code says what is wrong.

    Codes: required, spreadsheet, first_generation, length, non_digit, bad_check_char, region,
    bad_date, too_early, future_date, bad_check_digit. `today` (default: the local date) bounds
    the birth date; bulk callers pass it once rather than asking the clock per number.
    """
    return read_id_number(raw, today=today)[0]


def read_id_number(
    raw: object, *, today: datetime.date | None = None
) -> tuple[str, Literal["M", "F"], datetime.date]:
    """(number, sex, birth date) for `raw`: `normalize_id_number` with what it found on the way,
    for callers that store all three (the importer)."""
    # The usual case, a clean number, skips cleaning: it would leave it as it is.
    text = raw if type(raw) is str and _CLEAN.fullmatch(raw) else _shaped(clean_text(raw))
    if _kind_of_region(text[:6]) is None:
        raise _error("region")
    born = _birth_date(text[6:14], today)
    expected = check_char(text[:17])
    if text[17] != expected:
        # A float conversion zeroes the last three digits; the check digit catches it 10 times
        # in 11, and then the honest message is "your spreadsheet did this", not "typo".
        if text.endswith("000"):
            raise _error("spreadsheet")
        raise _error("bad_check_digit", expected=expected)
    return text, ("M" if text[16] in _ODD else "F"), born


def validate_id_number(value: object) -> None:
    """A Django validator (forms, serializers): raises ValidationError, returns nothing."""
    if not isinstance(value, ProtectedValue):
        normalize_id_number(value)


def _plain(value: object) -> str:
    if isinstance(value, ProtectedValue):
        if value.kind != "id_number":
            raise TypeError(f"expected an id_number, got a protected {value.kind}")
        return value.reveal()
    return normalize_id_number(value)


def birth_date_of(value: object) -> datetime.date:
    """The date of birth encoded in a number (raw, normalised or a protected field's value)."""
    number = _plain(value)
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def sex_of(value: object) -> Literal["M", "F"]:
    """Sex by the 17th digit: "M" when it is odd, "F" when it is even."""
    return "M" if _plain(value)[16] in _ODD else "F"


def id_number_kind(value: object) -> IdNumberKind:
    """Which document the number belongs to: resident card, HK/Macao or Taiwan residence
    permit, or foreigners' permanent residence card."""
    kind = _kind_of_region(_plain(value)[:6])
    if kind is None:  # pragma: no cover - normalize_id_number rejected every other region
        raise AssertionError("unreachable")
    return kind


def make_id_number(region: str, birth_date: datetime.date, sequence: int) -> str:
    """A valid number for demo people and tests: `region` is a 6-digit region code (or a
    12-digit division code, of which the first six are used), `sequence` 1–999 (odd: male).

    >>> make_id_number("131128", datetime.date(1990, 1, 1), 123)  # 阜城县, a man
    '131128199001011231'
    """
    region = str(region)[:6]
    if not (len(region) == 6 and set(region) <= _DIGITS):
        raise ValueError(f"region must be a 6-digit code, got {region!r}")
    if not 1 <= sequence <= 999:
        raise ValueError(f"sequence must be between 1 and 999, got {sequence}")
    body = f"{region}{birth_date:%Y%m%d}{sequence:03d}"
    return normalize_id_number(body + check_char(body))
