"""The columns of a population register sheet, how headings map to them, and the cell rules
that are not about numbers (choices, tags, names, addresses).

A heading row is recognised by the names people actually use (姓名, 身份证号, 公民身份号码,
证件号码, 联系电话, 手机号, 住址, 社区/村, 楼栋, 单元, 门牌/房号, 户主, 与户主关系, 人口类型,
标签/人员类别, 网格, ...). `propose_mapping` suggests a column for each heading; the person
importing corrects it on the mapping page (or with `--column` on the command line), and
`check_mapping` says in Chinese what is still missing.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.core.spreadsheets import Column, header_key
from civicgrid.population.choices import PersonTag, Relationship, ResidenceType

# How many leading rows are searched for the heading row.
HEADER_SEARCH_ROWS = 10
# A heading row must name at least this many known columns to be taken for one.
MIN_RECOGNISED_HEADERS = 2

NAME_MAX_LENGTH = 50
BUILDING_MAX_LENGTH = 30
UNIT_MAX_LENGTH = 20
ROOM_MAX_LENGTH = 30

COLUMNS: tuple[Column, ...] = (
    Column("name", gettext_lazy("姓名"), ("姓名", "名字", "人员姓名", "居民姓名", "name")),
    Column(
        "id_number",
        gettext_lazy("公民身份号码"),
        ("身份证号", "身份证号码", "公民身份号码", "证件号码", "证件号", "身份证", "id_number"),
    ),
    Column(
        "mobile",
        gettext_lazy("联系电话"),
        ("联系电话", "手机号", "手机号码", "手机", "电话", "联系方式", "电话号码", "mobile"),
        required=False,
    ),
    Column(
        "community",
        gettext_lazy("社区/村"),
        (
            "社区/村",
            "社区",
            "村",
            "村/社区",
            "所属社区",
            "所在社区",
            "社区名称",
            "村名",
            "居委会",
            "村委会",
            "社区村",
            "community",
        ),
        required=False,
    ),
    Column(
        "division_code",
        gettext_lazy("社区/村代码"),
        ("社区/村代码", "社区代码", "村代码", "区划代码", "统计用区划代码", "division_code"),
        required=False,
    ),
    Column(
        "address",
        gettext_lazy("住址"),
        ("住址", "地址", "现住址", "居住地址", "家庭住址", "详细地址", "现居住地址", "address"),
        required=False,
    ),
    Column(
        "building",
        gettext_lazy("楼栋"),
        ("楼栋", "楼号", "栋", "楼栋号", "楼", "building"),
        required=False,
    ),
    Column("unit", gettext_lazy("单元"), ("单元", "单元号", "unit"), required=False),
    Column(
        "room",
        gettext_lazy("门牌/房号"),
        ("门牌/房号", "门牌", "房号", "门牌号", "房间号", "门牌号码", "室", "room"),
        required=False,
    ),
    Column(
        "head_name", gettext_lazy("户主姓名"), ("户主", "户主姓名", "head_name"), required=False
    ),
    Column(
        "head_id_number",
        gettext_lazy("户主身份证号"),
        ("户主身份证号", "户主身份证号码", "户主公民身份号码", "户主证件号码", "head_id_number"),
        required=False,
    ),
    Column(
        "relationship",
        gettext_lazy("与户主关系"),
        ("与户主关系", "与户主的关系", "关系", "家庭关系", "relationship"),
        required=False,
    ),
    Column(
        "residence_type",
        gettext_lazy("人口类型"),
        ("人口类型", "人员类型", "居住类型", "户籍类型", "户籍性质", "residence_type"),
        required=False,
    ),
    Column(
        "tags",
        gettext_lazy("标签"),
        ("标签", "人员类别", "人员标签", "特殊人群", "人群类别", "重点人群", "tags"),
        required=False,
    ),
    Column("grid", gettext_lazy("网格"), ("网格", "所属网格", "网格名称", "grid"), required=False),
)
COLUMN_KEYS = tuple(column.key for column in COLUMNS)
ADDRESS_KEYS = ("address", "building", "unit", "room")


def column_label(key: str) -> str:
    for column in COLUMNS:
        if column.key == key:
            return str(column.label)
    return key


@functools.cache
def _alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for column in COLUMNS:
        for alias in (column.key, *column.aliases):
            index.setdefault(header_key(alias), column.key)
    return index


def recognise(header: str) -> str | None:
    """The column key a heading names, or None."""
    return _alias_index().get(header_key(header))


def find_header_row(rows: Sequence[Sequence[str]]) -> int | None:
    """Index of the row (among the first few) that names the most known columns, or None when
    none names at least `MIN_RECOGNISED_HEADERS`."""
    best, best_score = None, MIN_RECOGNISED_HEADERS - 1
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = len({key for key in map(recognise, cells) if key})
        if score > best_score:
            best, best_score = index, score
    return best


def propose_mapping(headers: Sequence[str]) -> dict[int, str]:
    """Column position -> key for every heading recognised; the first of two headings meaning
    the same thing wins (the second is left unmapped for the person to decide)."""
    mapping: dict[int, str] = {}
    for position, header in enumerate(headers):
        key = recognise(header)
        if key and key not in mapping.values():
            mapping[position] = key
    return mapping


def check_mapping(mapping: Mapping[int, str], *, has_default_community: bool) -> list[str]:
    """What is wrong with a mapping, in Chinese; empty when it can be imported."""
    problems: list[str] = []
    seen: dict[str, int] = {}
    for position, key in sorted(mapping.items()):
        if key not in COLUMN_KEYS:
            problems.append(
                _("第 %(n)d 列对应的“%(key)s”不是可导入的列。") % {"n": position + 1, "key": key}
            )
        elif key in seen:
            problems.append(
                _("第 %(a)d 列和第 %(b)d 列都对应“%(column)s”，请只保留一列。")
                % {"a": seen[key] + 1, "b": position + 1, "column": column_label(key)}
            )
        else:
            seen[key] = position
    for key in ("name", "id_number"):
        if key not in seen:
            problems.append(_("缺少必填列“%(column)s”。") % {"column": column_label(key)})
    if not has_default_community and "community" not in seen and "division_code" not in seen:
        problems.append(
            _(
                "缺少“社区/村”或“社区/村代码”列；如果整个文件属于同一个社区或村，请在导入时指定该社区。"
            )
        )
    if not any(key in seen for key in (*ADDRESS_KEYS, "head_id_number")):
        problems.append(
            _(
                "缺少住址信息：请至少对应“住址”“楼栋”“单元”“门牌/房号”或“户主身份证号”中的一列，以便按户归并。"
            )
        )
    return problems


# --- choices ---------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")

# What registers write besides our own labels.
RELATIONSHIP_SYNONYMS = {
    Relationship.HEAD: ("本人", "户主本人", "户主"),
    Relationship.SPOUSE: ("妻", "妻子", "夫", "丈夫", "配偶", "爱人", "老伴"),
    Relationship.CHILD: ("子", "女", "儿子", "女儿", "长子", "次子", "三子", "长女", "次女", "三女",
                         "独生子", "独生女", "养子", "养女", "继子", "继女", "子女"),
    Relationship.PARENT: ("父亲", "母亲", "父", "母", "父母", "公公", "婆婆", "岳父", "岳母"),
    Relationship.GRANDCHILD: ("孙子", "孙女", "外孙", "外孙子", "外孙女", "孙子女"),
    Relationship.GRANDPARENT: ("祖父", "祖母", "外祖父", "外祖母", "爷爷", "奶奶", "姥爷", "姥姥"),
    Relationship.SIBLING: ("兄", "弟", "姐", "妹", "哥哥", "弟弟", "姐姐", "妹妹", "兄弟姐妹"),
    Relationship.CHILD_IN_LAW: ("儿媳", "女婿", "儿媳妇", "儿媳/女婿"),
    Relationship.OTHER_RELATIVE: ("侄子", "侄女", "外甥", "外甥女", "其他亲属", "亲属"),
    Relationship.TENANT: ("租户", "租客", "租房", "承租人", "租住"),
    Relationship.OTHER: ("其他", "保姆", "非亲属"),
}  # fmt: skip
RESIDENCE_SYNONYMS = {
    ResidenceType.REGISTERED: ("户籍", "户籍人口", "本地户籍", "本地", "常住户籍"),
    ResidenceType.LONG_TERM: ("常住非户籍", "常住非户籍人口", "非户籍常住", "流动人口", "外来常住"),
    ResidenceType.TEMPORARY: ("暂住", "暂住人口", "临时", "临时居住", "寄住"),
}
TAG_SYNONYMS = {
    PersonTag.ELDERLY_ALONE: ("独居老人", "独居", "孤寡老人"),
    PersonTag.DISABLED: ("残疾", "残疾人", "残障"),
    PersonTag.CHRONIC_ILLNESS: ("慢性病", "慢病", "慢性病患者", "基础病"),
    PersonTag.PREGNANT: ("孕妇", "孕产妇", "产妇"),
    PersonTag.CHILD: ("儿童", "幼儿", "学龄前儿童"),
    PersonTag.KEY_PERSON: ("重点人员", "重点", "重点人群"),
}
# One bit per tag: a person's tags travel through the bulk path as one integer.
TAG_BITS = {tag.value: 1 << index for index, tag in enumerate(PersonTag)}
_TAG_SEPARATORS = re.compile(r"[,，、;；/|\s]+")


def choice_key(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text or "")).casefold()


@functools.cache
def _choice_index(choices: type[models.TextChoices]) -> dict[str, str]:
    synonyms: Mapping[str, Iterable[str]] = {
        Relationship: RELATIONSHIP_SYNONYMS,
        ResidenceType: RESIDENCE_SYNONYMS,
        PersonTag: TAG_SYNONYMS,
    }[choices]
    index: dict[str, str] = {}
    for member in choices:
        index[choice_key(member.value)] = member.value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                index.setdefault(choice_key(str(member.label)), member.value)
        for word in synonyms.get(member, ()):
            index.setdefault(choice_key(word), member.value)
    return index


def choice_labels(choices: type[models.TextChoices]) -> str:
    return "、".join(str(member.label) for member in choices)


@functools.lru_cache(maxsize=4096)
@functools.lru_cache(maxsize=4096)  # a column holds a handful of distinct values
def parse_choice(choices: type[models.TextChoices], text: str) -> str | None:
    """The value for a label, code or common synonym; None when not recognised."""
    return _choice_index(choices).get(choice_key(text))


@functools.lru_cache(maxsize=4096)
def parse_tags(text: str) -> tuple[int, tuple[str, ...]]:
    """(bit mask, unrecognised words) of a tag cell such as "独居老人、慢性病"."""
    mask, unknown = 0, []
    for word in _TAG_SEPARATORS.split(unicodedata.normalize("NFKC", text)):
        if not word:
            continue
        tag = parse_choice(PersonTag, word)
        if tag is None:
            unknown.append(word)
        else:
            mask |= TAG_BITS[tag]
    return mask, tuple(unknown)


def tags_of_mask(mask: int) -> list[str]:
    return [tag for tag, bit in TAG_BITS.items() if mask & bit]


# --- names and addresses ---------------------------------------------------------------------

_CJK_NAME = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff·•\s]+$")
_DIGIT = re.compile(r"[0-9]")


@dataclass(frozen=True)
class CellError(Exception):
    """A cell that breaks a rule; `message` is Chinese and names no row (the caller does)."""

    message: str


@functools.lru_cache(maxsize=100_000)
@functools.lru_cache(maxsize=100_000)  # names repeat: ~44,000 distinct in a million rows
def clean_name(raw: str) -> str:
    """The name as stored: whitespace collapsed, padding inside Chinese names dropped
    (`张  三` → `张三`); the register's own rule (1–50 characters) applies."""
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", raw or "")).strip()
    if _CJK_NAME.match(text):
        text = text.replace(" ", "")
    if not text or len(text) > NAME_MAX_LENGTH:
        raise CellError(_("姓名不能为空，且不超过 50 个字"))
    if _DIGIT.search(text):
        raise CellError(_("姓名中不应有数字，请检查各列是否错位。"))
    return text


@functools.lru_cache(maxsize=100_000)
def clean_part(raw: str, max_length: int, key: str) -> str:
    """A building, unit or room: full-width forms folded (`３号楼` → `3号楼`), spaces collapsed."""
    if not raw:
        return ""
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", raw)).strip()
    if len(text) > max_length:
        raise CellError(
            _("%(label)s不能超过 %(n)d 个字。") % {"label": column_label(key), "n": max_length}
        )
    return text


# Leading place names in a free-text address ("阜城镇东南关社区3号楼…"): the community is known
# from its own column, so they are dropped. "小区" is a compound's name and is kept.
_PLACE_PREFIX = re.compile(
    r"^(?:[^\s0-9]{1,12}?(?:省|市|县|(?<!小)区|镇|乡|街道|社区|居委会|村委会|居民委员会|村民委员会|村))+"
)
_BUILDING = re.compile(
    r"^(?P<building>.{0,20}?[0-9A-Za-z一二三四五六七八九十甲乙丙丁]{1,6}(?:号楼|栋|幢|座|号院))"
)
_UNIT = re.compile(r"^(?P<unit>[0-9一二三四五六七八九十]{1,3}单元)")


def split_address(raw: str) -> tuple[str, str, str]:
    """(building, unit, room) of a free-text address: `3号楼2单元301` → ("3号楼", "2单元", "301");
    text without a building (`前街12号`) is the door plate (门牌)."""
    text = _SPACES.sub("", unicodedata.normalize("NFKC", raw or ""))
    rest = _PLACE_PREFIX.sub("", text) or text
    building = unit = ""
    if match := _BUILDING.match(rest):
        building, rest = match.group("building"), rest[match.end() :]
    if match := _UNIT.match(rest):
        unit, rest = match.group("unit"), rest[match.end() :]
    room = rest.removesuffix("室") if building else rest
    return building, unit, room
