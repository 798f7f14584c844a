"""One answer, cleaned by its field's type: the value that is stored, or a Chinese message.

Stored values are plain JSON, so a draft can sit in a JSONField and come back unchanged:

    text, textarea, address   str (trimmed; control characters dropped)
    integer                   int
    decimal                   str, e.g. "1250.50" (decimal_places digits; Decimal when compared)
    date                      "YYYY-MM-DD"
    choice                    the choice's value; multichoice: a list of values in choice order
    yesno                     True / False
    id_number, credit_code    the normalised 18 characters (core.idcard, core.credit_code)
    mobile                    the 11 digits (core.mobile: "+86 138-1234-5678" → "13812345678")
                              ID and mobile numbers come as core.sealed_json.SealedText (a str
                              the answers' column stores encrypted)
    email                     str, the domain lower-cased
    file                      a list of attachment references (strings the case gives)

Cleaning a stored value again gives the same value, so a whole-form check can run on a saved
draft or on what an API client sent alike.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.applications.formspec.definition import Field
from civicgrid.core.credit_code import normalize_credit_code
from civicgrid.core.idcard import normalize_id_number
from civicgrid.core.mobile import normalize_mobile
from civicgrid.core.sealed_json import sealed

YES = frozenset({"yes", "true", "1", "on", "是", "y"})
NO = frozenset({"no", "false", "0", "off", "否", "n"})
MAX_REFERENCE_LENGTH = 200

# C0/C1 control characters except tab and newline (PostgreSQL's jsonb refuses \u0000).
_CONTROL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127, *range(128, 160)], None)
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")


class FieldInvalid(Exception):
    """A bad answer; `message` names the field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_blank(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, list | tuple):
        return all(is_blank(item) for item in raw)
    return False


def clean_value(field: Field, raw: Any, label: str) -> Any:
    """The stored value for `raw`, None when it is empty, or FieldInvalid."""
    if is_blank(raw):
        return None
    cleaner = _CLEANERS[field.type]
    return cleaner(field, raw, label)


def _single(raw: Any, label: str) -> Any:
    if isinstance(raw, list | tuple):
        values = [item for item in raw if not is_blank(item)]
        if len(values) != 1:
            raise FieldInvalid(_("%(label)s只能填写一个值。") % {"label": label})
        return values[0]
    return raw


def _string(raw: Any, label: str) -> str:
    raw = _single(raw, label)
    if not isinstance(raw, str):
        raise FieldInvalid(_("%(label)s应为文字。") % {"label": label})
    return raw


def _text(field: Field, raw: Any, label: str) -> str | None:
    text = _string(raw, label).replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROL)
    if field.type != "textarea":
        text = " ".join(text.split())
    text = text.strip()
    if not text:
        return None
    if field.min_length is not None and len(text) < field.min_length:
        raise FieldInvalid(
            _("%(label)s至少需要 %(n)d 个字（现有 %(length)d 个）。")
            % {"label": label, "n": field.min_length, "length": len(text)}
        )
    if field.max_length is not None and len(text) > field.max_length:
        raise FieldInvalid(
            _("%(label)s最多 %(n)d 个字（现有 %(length)d 个）。")
            % {"label": label, "n": field.max_length, "length": len(text)}
        )
    return text


def _number_text(raw: Any, label: str, message: str) -> str:
    raw = _single(raw, label)
    if isinstance(raw, bool):
        raise FieldInvalid(message)
    if isinstance(raw, int | Decimal):
        return str(raw)
    if isinstance(raw, float):
        return repr(raw)
    if not isinstance(raw, str):
        raise FieldInvalid(message)
    text = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")
    return _THOUSANDS.sub("", text)


def _bounds(field: Field, value: Any, label: str) -> None:
    unit = field.unit
    if field.min is not None and value < field.min:
        raise FieldInvalid(
            _("%(label)s不能小于 %(limit)s%(unit)s。")
            % {"label": label, "limit": field.min, "unit": unit}
        )
    if field.max is not None and value > field.max:
        raise FieldInvalid(
            _("%(label)s不能大于 %(limit)s%(unit)s。")
            % {"label": label, "limit": field.max, "unit": unit}
        )


def _integer(field: Field, raw: Any, label: str) -> int:
    message = _("%(label)s应为整数。") % {"label": label}
    if isinstance(raw, float) and not raw.is_integer():
        raise FieldInvalid(message)
    text = _number_text(raw, label, message)
    text = re.sub(r"\.0*$", "", text)
    if not re.fullmatch(r"[+-]?\d{1,18}", text):
        raise FieldInvalid(message)
    value = int(text)
    _bounds(field, value, label)
    return value


def _decimal(field: Field, raw: Any, label: str) -> str:
    message = _("%(label)s应为数字。") % {"label": label}
    text = _number_text(raw, label, message)
    if not re.fullmatch(r"[+-]?(\d{1,18}(\.\d*)?|\.\d+)", text):
        raise FieldInvalid(message)
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise FieldInvalid(message) from None
    places = field.decimal_places
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        if places == 0:
            raise FieldInvalid(_("%(label)s应为整数。") % {"label": label})
        raise FieldInvalid(
            _("%(label)s最多保留 %(places)d 位小数。") % {"label": label, "places": places}
        )
    _bounds(field, value, label)
    return str(value.quantize(Decimal(1).scaleb(-places)))


def _date_bound(bound: Any) -> datetime.date:
    return timezone.localdate() if bound == "today" else bound


def _date(field: Field, raw: Any, label: str) -> str:
    raw = _single(raw, label)
    message = _("%(label)s应为有效日期，格式如 2026-03-01。") % {"label": label}
    if isinstance(raw, datetime.datetime):
        raise FieldInvalid(message)
    if isinstance(raw, datetime.date):
        value = raw
    elif isinstance(raw, str):
        match = _DATE.match(unicodedata.normalize("NFKC", raw).strip())
        if not match:
            raise FieldInvalid(message)
        try:
            value = datetime.date(*map(int, match.groups()))
        except ValueError:
            raise FieldInvalid(message) from None
    else:
        raise FieldInvalid(message)
    if field.min is not None and value < _date_bound(field.min):
        limit = _("今天") if field.min == "today" else field.min.isoformat()
        raise FieldInvalid(_("%(label)s不能早于%(limit)s。") % {"label": label, "limit": limit})
    if field.max is not None and value > _date_bound(field.max):
        limit = _("今天") if field.max == "today" else field.max.isoformat()
        raise FieldInvalid(_("%(label)s不能晚于%(limit)s。") % {"label": label, "limit": limit})
    return value.isoformat()


def _choice(field: Field, raw: Any, label: str) -> str:
    value = _single(raw, label)
    if not any(choice.value == value for choice in field.choices):
        raise FieldInvalid(_("%(label)s请从给出的选项中选择。") % {"label": label})
    return str(value)


def _multichoice(field: Field, raw: Any, label: str) -> list[str] | None:
    values = raw if isinstance(raw, list | tuple) else [raw]
    values = [value for value in values if not is_blank(value)]
    allowed = [choice.value for choice in field.choices]
    for value in values:
        if value not in allowed:
            raise FieldInvalid(_("%(label)s请从给出的选项中选择。") % {"label": label})
    chosen = [value for value in allowed if value in values]
    if not chosen:
        return None
    if field.min_choices is not None and len(chosen) < field.min_choices:
        raise FieldInvalid(
            _("%(label)s至少选择 %(n)d 项。") % {"label": label, "n": field.min_choices}
        )
    if field.max_choices is not None and len(chosen) > field.max_choices:
        raise FieldInvalid(
            _("%(label)s最多选择 %(n)d 项。") % {"label": label, "n": field.max_choices}
        )
    return chosen


def _yesno(field: Field, raw: Any, label: str) -> bool:
    raw = _single(raw, label)
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in YES:
            return True
        if text in NO:
            return False
    raise FieldInvalid(_("%(label)s请选择“是”或“否”。") % {"label": label})


def _validated(normalise: Any, noun: str) -> Any:
    """A cleaner from a core validator. Its messages name the document ("公民身份号码校验码
    不符……"); ours name the field, so the noun becomes the label where a message opens with it
    ("「法定代表人身份证号」校验码不符……") and the label leads the others."""

    def clean(field: Field, raw: Any, label: str) -> str:
        value = _single(raw, label)
        if not isinstance(value, str):
            raise FieldInvalid(_("%(label)s应为文字。") % {"label": label})
        try:
            clean_text = str(normalise(value))
        except ValidationError as error:
            message = error.messages[0]
            if message.startswith(noun):
                raise FieldInvalid(f"{label}{message[len(noun) :]}") from None
            raise FieldInvalid(f"{label}：{message}") from None
        # ID and mobile numbers are marked for the answers' column to store encrypted.
        return sealed(field.type, clean_text) if field.personal else clean_text

    return clean


def _email(field: Field, raw: Any, label: str) -> str:
    text = unicodedata.normalize("NFKC", _string(raw, label)).strip()
    try:
        validate_email(text)
    except ValidationError:
        raise FieldInvalid(
            _("%(label)s不是有效的电子邮箱地址，格式如 name@example.com。") % {"label": label}
        ) from None
    local, _at, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def _file(field: Field, raw: Any, label: str) -> list[str] | None:
    max_files = field.file_rule.max_files if field.file_rule else 1
    references = raw if isinstance(raw, list | tuple) else [raw]
    cleaned: list[str] = []
    for reference in references:
        if is_blank(reference):
            continue
        if not isinstance(reference, str) or len(reference) > MAX_REFERENCE_LENGTH:
            raise FieldInvalid(_("%(label)s的附件无效，请重新上传。") % {"label": label})
        if reference.strip() not in cleaned:
            cleaned.append(reference.strip())
    if len(cleaned) > max_files:
        raise FieldInvalid(_("%(label)s最多上传 %(n)d 个文件。") % {"label": label, "n": max_files})
    return cleaned or None


_CLEANERS = {
    "text": _text,
    "textarea": _text,
    "address": _text,
    "integer": _integer,
    "decimal": _decimal,
    "date": _date,
    "choice": _choice,
    "multichoice": _multichoice,
    "yesno": _yesno,
    "id_number": _validated(normalize_id_number, "公民身份号码"),
    "credit_code": _validated(normalize_credit_code, "统一社会信用代码"),
    "mobile": _validated(normalize_mobile, "手机号码"),
    "email": _email,
    "file": _file,
}
