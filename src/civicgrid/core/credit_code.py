"""Unified social credit codes (统一社会信用代码) of organisations, per GB 32100-2015.

    A T RRRRRR OOOOOOOO K C
    1 2 3–8    9–16     17 18

- 18 characters from a 31-character alphabet: the digits and the upper-case letters except
  I, O, Z, S and V. Lower-case input is upper-cased; spaces are dropped.
- 1: registration authority (登记管理部门代码); 2: organisation type (机构类别代码), which must be
  one the authority defines (tables below).
- 3–8: region code of the registering authority (GB/T 2260): six digits whose first two are a
  province-level code, or `10` for the central authorities (`100000`).
- 9–17: the organisation code (组织机构代码, GB 11714-1997): eight body characters and, at
  position 17, their own check character (MOD 11 with weights 3 7 9 10 5 8 4 2; `X` for 10,
  `0` for 11). GB 11714 values letters A–Z as 10–35, unlike the alphabet of position 18.
- 18: the check character: 31 − (Σ value(cᵢ) · 3^(i−1) mod 31) mod 31, over positions 1–17,
  values from the 31-character alphabet.

Organisations are not people: these codes are validated, not encrypted.
"""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from civicgrid.core.idcard import MAINLAND_PROVINCE_CODES

CREDIT_CODE_LENGTH = 18
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUES = {char: value for value, char in enumerate(ALPHABET)}
CHECK_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
ORGANISATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Registration authorities and the organisation types each defines (GB 32100-2015 and the
# authority codes assigned after it).
AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": ("司法行政", {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构", "5": "仲裁委员会", "9": "其他"}),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}  # fmt: skip

_REGION_PREFIXES = MAINLAND_PROVINCE_CODES | {"10"}

MESSAGES = {
    "required": _("请填写统一社会信用代码。"),
    "length": _("统一社会信用代码应为 18 位，当前为 %(length)d 位。"),
    "bad_char": _(
        "统一社会信用代码第 %(position)d 位“%(char)s”不是允许的字符"
        "（只用数字和除 I、O、Z、S、V 以外的大写字母）。"
    ),
    "authority": _("统一社会信用代码第 1 位（登记管理部门代码）“%(char)s”无效。"),
    "type": _(
        "统一社会信用代码第 2 位（机构类别代码）“%(char)s”不是登记管理部门“%(authority)s”规定的类别。"
    ),
    "region": _(
        "统一社会信用代码第 3–8 位（登记管理机关行政区划码）应为 6 位数字，并以有效的省级代码开头。"
    ),
    "organisation_check": _(
        "统一社会信用代码第 9–17 位（组织机构代码）校验不符：按第 9–16 位计算，第 17 位应为 %(expected)s。"
    ),
    "check": _(
        "统一社会信用代码校验码不符：按前 17 位计算，第 18 位应为 %(expected)s。"
        "请逐位核对，错误可能出现在任何一位。"
    ),
}


class CreditCodeParts(NamedTuple):
    authority: str
    organisation_type: str
    region: str
    organisation_code: str
    check: str


def _error(code: str, **params: object) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code, params=params or None)


def _gb11714_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def organisation_check_char(body: str) -> str:
    """The GB 11714 check character of an 8-character organisation-code body."""
    total = sum(
        _gb11714_value(char) * weight
        for char, weight in zip(body, ORGANISATION_CODE_WEIGHTS, strict=True)
    )
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def check_char(first17: str) -> str:
    """The GB 32100 check character (position 18) of the first 17 characters."""
    total = sum(_VALUES[char] * weight for char, weight in zip(first17, CHECK_WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(raw: object) -> str:
    """The 18-character code for `raw`, or a ValidationError whose code says what is wrong.

    Codes: required, length, bad_char, authority, type, region, organisation_check, check.
    """
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raise TypeError(f"a credit code must be given as str, not {type(raw).__name__}")
    text = "".join(unicodedata.normalize("NFKC", raw).split()).upper()
    if not text:
        raise _error("required")
    if len(text) != CREDIT_CODE_LENGTH:
        raise _error("length", length=len(text))
    for position, char in enumerate(text, start=1):
        if char not in _VALUES:
            raise _error("bad_char", position=position, char=char)
    if text[0] not in AUTHORITIES:
        raise _error("authority", char=text[0])
    authority_name, types = AUTHORITIES[text[0]]
    if text[1] not in types:
        raise _error("type", char=text[1], authority=authority_name)
    region = text[2:8]
    if not region.isdigit() or region[:2] not in _REGION_PREFIXES:
        raise _error("region")
    expected = organisation_check_char(text[8:16])
    if text[16] != expected:
        raise _error("organisation_check", expected=expected)
    expected = check_char(text[:17])
    if text[17] != expected:
        raise _error("check", expected=expected)
    return text


def validate_credit_code(value: object) -> None:
    """A Django validator (forms, serializers): raises ValidationError, returns nothing."""
    normalize_credit_code(value)


def credit_code_parts(value: str) -> CreditCodeParts:
    """The parts of a valid code (validated first)."""
    code = normalize_credit_code(value)
    return CreditCodeParts(code[0], code[1], code[2:8], code[8:17], code[17])


def make_credit_code(authority: str, organisation_type: str, region: str, body: str) -> str:
    """A valid code for demo organisations and tests from its parts; `body` is the 8-character
    organisation-code body (its check character and the final one are computed).

    >>> make_credit_code("9", "1", "131128", "MA0C1234")  # an enterprise in 阜城县
    '91131128MA0C123408'
    """
    first16 = f"{authority}{organisation_type}{region}{body}"
    first17 = first16 + organisation_check_char(body)
    return normalize_credit_code(first17 + check_char(first17))
