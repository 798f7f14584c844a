"""The staff sheet's columns, and each row's cells parsed and checked on their own."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.choices import OrganisationType, Role
from civicgrid.accounts.models import Organisation, User
from civicgrid.accounts.onboarding.report import RowResult, RowStatus
from civicgrid.core import division_codes
from civicgrid.core.crypto import lookup_hash
from civicgrid.core.masking import mask_mobile
from civicgrid.core.mobile import normalize_mobile
from civicgrid.core.spreadsheets import Column, Record

NAME_MAX_LENGTH = 50
ORGANISATION_NAME_MAX_LENGTH = 100

COLUMNS = (
    Column("name", gettext_lazy("姓名"), ("姓名", "名字", "name", "full_name")),
    Column(
        "mobile",
        gettext_lazy("手机号码"),
        ("手机号", "手机号码", "手机", "联系电话", "电话", "mobile", "phone", "mobile_number"),
    ),
    Column(
        "organisation",
        gettext_lazy("机构"),
        ("机构", "单位", "机构名称", "单位名称", "工作单位", "organisation", "organization"),
    ),
    Column(
        "organisation_type",
        gettext_lazy("机构类型"),
        ("机构类型", "单位类型", "organisation_type", "organization_type"),
        required=False,
    ),
    Column(
        "organisation_division_code",
        gettext_lazy("机构区划代码"),
        (
            "机构区划代码",
            "单位区划代码",
            "机构所在区划代码",
            "organisation_division_code",
            "organization_division_code",
        ),
        required=False,
    ),
    Column("role", gettext_lazy("角色"), ("角色", "岗位", "role")),
    Column(
        "division_code",
        gettext_lazy("区划代码"),
        ("区划代码", "管辖区划代码", "行政区划代码", "division_code", "division"),
    ),
)
COLUMN_LABELS = {column.key: column.label for column in COLUMNS}


# --- parsing the cells ---------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_NAME_CHARS_WITHOUT_SPACES = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff·•\s]+$")
_DIGIT = re.compile(r"[0-9]")


def lookup_key(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text or "")).casefold()


@cache
def choice_index(choices_class: type[models.TextChoices]) -> dict[str, str]:
    """Value by code and by label (Chinese and English), compared as `lookup_key` forms."""
    index: dict[str, str] = {}
    for member in choices_class:
        index[lookup_key(member.value)] = member.value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                index.setdefault(lookup_key(str(member.label)), member.value)
    return index


def choice_labels(choices_class: type[models.TextChoices], values: Iterable[str]) -> str:
    return "、".join(str(choices_class(v).label) for v in values)


def clean_name(raw: str) -> str:
    """The name as stored, or ValidationError with a Chinese message."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", raw or "")).strip()
    if not text:
        raise ValidationError(_("请填写姓名。"))
    if _NAME_CHARS_WITHOUT_SPACES.match(text):
        text = text.replace(" ", "")  # "张  三": padded for alignment in the sheet
    if _DIGIT.search(text):
        raise ValidationError(_("姓名中不应有数字，请检查各列是否错位。"))
    if len(text) > NAME_MAX_LENGTH:
        raise ValidationError(_("姓名不能超过 %(n)d 个字。") % {"n": NAME_MAX_LENGTH})
    return text


@dataclass
class StaffRow:
    """One data row on its way through validation and writing."""

    number: int
    name: str = ""
    mobile: str = ""
    mobile_hash: str = ""
    organisation_name: str = ""
    organisation_type: str = ""
    organisation_division: str = ""
    role: str = ""
    division: str = ""
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Resolved against the database:
    jurisdiction: Any = None  # regions.Division
    organisation: Organisation | None = None
    new_organisation: tuple[str, str] | None = None  # (division code, name) to create
    user: User | None = None
    status: str = ""

    def error(self, column: str, message: str) -> None:
        self.errors.append(f"{COLUMN_LABELS[column]}：{message}")

    @property
    def organisation_label(self) -> str:
        return self.organisation.name if self.organisation else self.organisation_name

    def result(self) -> RowResult:
        failed = bool(self.errors)
        return RowResult(
            number=self.number,
            status=RowStatus.ERROR if failed else self.status,
            message="；".join(self.errors if failed else self.notes),
            name=self.name,
            mobile=mask_mobile(self.mobile) if self.mobile else "",
            organisation=self.organisation_label,
            role=str(Role(self.role).label) if self.role else "",
        )


def parse_record(record: Record) -> StaffRow:
    row = StaffRow(number=record.number)
    try:
        row.name = clean_name(record["name"])
    except ValidationError as exc:
        row.name = record["name"][:NAME_MAX_LENGTH]
        row.error("name", exc.messages[0])
    try:
        row.mobile = normalize_mobile(record["mobile"])
        row.mobile_hash = lookup_hash("mobile", row.mobile)
    except ValidationError as exc:
        row.error("mobile", exc.messages[0])
    row.organisation_name = _SPACES.sub(" ", record["organisation"]).strip()
    if not row.organisation_name:
        row.error("organisation", _("请填写机构名称。"))
    elif len(row.organisation_name) > ORGANISATION_NAME_MAX_LENGTH:
        row.error(
            "organisation",
            _("机构名称不能超过 %(n)d 个字。") % {"n": ORGANISATION_NAME_MAX_LENGTH},
        )
    if raw_type := record["organisation_type"]:
        row.organisation_type = choice_index(OrganisationType).get(lookup_key(raw_type), "")
        if not row.organisation_type:
            row.error(
                "organisation_type",
                _("无法识别“%(value)s”，可填写：%(choices)s。")
                % {
                    "value": raw_type,
                    "choices": choice_labels(OrganisationType, OrganisationType.values),
                },
            )
    if raw_home := record["organisation_division_code"]:
        try:
            row.organisation_division = division_codes.normalize_code(raw_home)
        except division_codes.InvalidDivisionCode as exc:
            row.error("organisation_division_code", str(exc))
    raw_role = record["role"]
    if not raw_role:
        row.error("role", _("请填写角色。"))
    else:
        row.role = choice_index(Role).get(lookup_key(raw_role), "")
        if not row.role:
            row.error(
                "role",
                _("无法识别“%(value)s”，可填写：%(choices)s。")
                % {"value": raw_role, "choices": choice_labels(Role, Role.values)},
            )
    if not record["division_code"]:
        row.error("division_code", _("请填写区划代码。"))
    else:
        try:
            row.division = division_codes.normalize_code(record["division_code"])
        except division_codes.InvalidDivisionCode as exc:
            row.error("division_code", str(exc))
    return row
