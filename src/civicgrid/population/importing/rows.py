"""The rules for one data row, applied to chunks of rows (in this process or in worker
processes): the same normalisers and derived fields as `population.actions`, so an imported
person is indistinguishable from one registered on the page.

- citizen ID: `core.idcard.normalize_id_number` (spreadsheet damage such as `1.30102E+17`,
  full-width digits, stray spaces, 15-digit first-generation numbers and wrong check digits each
  get its own message); sex and birth date from the number (`sex_of`, `birth_date_of`);
- mobile: `core.mobile.normalize_mobile` (+86 and separators accepted, damage refused); the last
  four digits kept for search;
- name: 1–50 characters (`do_register_person`'s rule), padding inside Chinese names dropped,
  pinyin initials by `population.actions.name_initials`;
- relationship, residence type and tags: our labels, codes and the usual synonyms;
- household: by the head's ID number when given, else by community + building + unit + room
  (or a free-text address split into those);
- formulas: a cell holding a formula is reported, never imported.

Each row becomes one staging record (see `STAGING_COLUMNS`) plus its problems, each naming the
column. Numbers are encrypted (`core.crypto.encrypt`) and hashed here, on all cores; nothing in
this module touches the database.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import hmac
import os
import pickle
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civicgrid.core import crypto
from civicgrid.core.idcard import make_id_number, normalize_id_number, read_id_number
from civicgrid.core.masking import mask_id_number, mask_mobile
from civicgrid.core.mobile import normalize_mobile
from civicgrid.population.actions import name_initials
from civicgrid.population.choices import Relationship, ResidenceType
from civicgrid.population.importing.columns import (
    BUILDING_MAX_LENGTH,
    ROOM_MAX_LENGTH,
    UNIT_MAX_LENGTH,
    CellError,
    choice_labels,
    clean_name,
    clean_part,
    column_label,
    parse_choice,
    parse_tags,
    split_address,
)
from civicgrid.population.importing.places import PlaceResolver

# The staging table's columns, in the order every record carries them.
STAGING_COLUMNS = (
    "row_no", "bad", "name", "initials", "sex", "birth_date", "id_enc", "id_hash", "id_masked",
    "mobile_enc", "mobile_hash", "mobile_last4", "relationship", "residence_type", "tags",
    "community_code", "building", "unit", "room", "grid_id", "head_hash", "is_head", "hh",
)  # fmt: skip
KEY_SEPARATOR = "\x1f"  # between the parts of a household key; never typed into a cell
_YES = frozenset({"是", "√", "✓", "y", "yes", "true", "1", "户主"})
_NO = frozenset({"否", "×", "n", "no", "false", "0", ""})
_PART_LIMITS = (
    ("building", BUILDING_MAX_LENGTH),
    ("unit", UNIT_MAX_LENGTH),
    ("room", ROOM_MAX_LENGTH),
)
NULL = "\\N"
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
# Problem: (row number, column key, the cell as shown in reports, message, name, masked ID).
Problem = tuple[int, str, str, str, str, str]
# A row on its way to a worker: number, cells, positions of cells holding formulas.
RowItem = tuple[int, list[str], frozenset[int]]
# A CSV block on its way to a worker: the line number of its first line, and its bytes (whole
# records only; see `sources.csv_blocks`).
Block = tuple[int, bytes]


@dataclass(frozen=True)
class RowPlan:
    """What a worker needs besides the rows."""

    positions: dict[str, int]
    for_copy: bool  # PostgreSQL COPY text; else tuples for executemany
    places: PlaceResolver
    header_row: int = 0
    encoding: str = "utf-8"
    delimiter: str = ","


@dataclass(frozen=True)
class ChunkResult:
    payload: Any  # bytes (COPY) or a list of tuples
    problems: list[Problem]
    bad_rows: int
    rows: int
    error: tuple[str, str] | None = None  # (message, code) of a SpreadsheetError


class LookupHasher:
    """`core.crypto.lookup_hash` for values already normalised, with the keyed HMAC prepared
    once: the hash is the same, the per-value cost a third. Checked against `lookup_hash` when
    made, so it can never silently drift from it."""

    def __init__(self) -> None:
        key = crypto.parse_lookup_key(settings.CIVICGRID_LOOKUP_KEY)
        prefix = crypto._LOOKUP_PREFIX  # the namespace lookup_hash uses; verified below
        self._bases = {
            kind: hmac.new(key, prefix + kind.encode() + b"\x00", hashlib.sha256)
            for kind in ("id_number", "mobile")
        }
        sample = make_id_number("110101", datetime.date(1990, 3, 7), 447)
        if self("id_number", sample) != crypto.lookup_hash("id_number", sample) or self(
            "mobile", "13800000000"
        ) != crypto.lookup_hash("mobile", "13800000000"):
            raise RuntimeError("LookupHasher no longer matches core.crypto.lookup_hash")

    def __call__(self, kind: str, plain: str) -> str:
        digest = self._bases[kind].copy()
        digest.update(plain.encode())
        return digest.hexdigest()


class Tools:
    """What every row needs, prepared once per process: the look-up hasher, an encryptor per
    kind of number and today's date (birth dates after it are refused)."""

    def __init__(self) -> None:
        self.hash = LookupHasher()
        self.encrypt_id = crypto.Encryptor("id_number")
        self.encrypt_mobile = crypto.Encryptor("mobile")
        self.today = timezone.localdate()


# --- per-process state (set in this process, or in each worker by `worker.init`) -------------

_plan: RowPlan | None = None
_tools: Tools | None = None


def set_plan(plan: RowPlan) -> None:
    global _plan, _tools
    _plan = plan
    _tools = Tools()  # afresh: the keys or the date may have changed since the last import


def worker_setup(plan: RowPlan) -> dict[str, Any]:
    """What a freshly spawned worker needs to apply the rules exactly as this process does
    (`importing.worker.init` sets Django up before unpickling the plan)."""
    return {
        "settings_module": os.environ.get("DJANGO_SETTINGS_MODULE", "civicgrid.settings"),
        "data_keys": settings.CIVICGRID_DATA_KEYS,
        "lookup_key": settings.CIVICGRID_LOOKUP_KEY,
        "language": translation.get_language() or settings.LANGUAGE_CODE,
        "time_zone": settings.TIME_ZONE,
        "plan": pickle.dumps(plan),
    }


# --- the rules ------------------------------------------------------------------------------


@functools.lru_cache(maxsize=200_000)
def _initials(name: str) -> str:
    return name_initials(name)


def household_key(text: str) -> int:
    """A household's grouping key (its head's ID hash, or its full address) as a signed 64-bit
    integer, which the databases group and join several times faster than text. Two households
    share a key with odds of about 1 in 10^7 for a million-household file."""
    return int.from_bytes(
        hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True
    )


def _shown(key: str, raw: str) -> str:
    """A cell as reports show it: whole ID and mobile numbers masked, anything shorter (damaged
    values such as `1.30102E+17`) as typed."""
    digits = sum(ch.isdigit() for ch in raw)
    if key in ("id_number", "head_id_number") and digits >= 15:
        return mask_id_number(raw)
    if key == "mobile" and digits >= 11:
        return mask_mobile(raw)
    return raw[:100]


def _text(value: str) -> str:
    """Text for COPY: backslash, tab and line breaks escaped (rare in a register)."""
    return value.translate(_COPY_ESCAPES) if _NEEDS_ESCAPE.search(value) else value


def _copy_line(r: tuple[Any, ...]) -> str:
    """One staging record as a line of COPY text. Free text is escaped; the other fields are
    digits, codes, hashes and base64url tokens, which never need it."""
    if _NEEDS_ESCAPE.search(f"{r[2]}{r[3]}{r[8]}{r[16]}{r[17]}{r[18]}"):  # rare: one test
        r = (*r[:2], _text(r[2]), _text(r[3]), *r[4:8], _text(r[8]), *r[9:16],
             _text(r[16]), _text(r[17]), _text(r[18]), *r[19:])  # fmt: skip
    return (
        f"{r[0]}\t{r[1]}\t{r[2]}\t{r[3]}\t{r[4]}\t{r[5] or NULL}\t{r[6]}\t{r[7]}\t"
        f"{r[8]}\t{r[9]}\t{r[10]}\t{r[11]}\t{r[12]}\t{r[13]}\t{r[14]}\t{r[15]}\t"
        f"{r[16]}\t{r[17]}\t{r[18]}\t{NULL if r[19] is None else r[19]}\t"
        f"{r[20]}\t{r[21]}\t{NULL if r[22] is None else r[22]}\n"
    )


def validate_chunk(items: Sequence[RowItem]) -> ChunkResult:
    """Apply the row rules to `items`; the plan must have been set (`set_plan`/`worker.init`)."""
    plan, tools = _plan, _tools
    if plan is None or tools is None:
        raise RuntimeError("validate_chunk called before set_plan")
    records: list[Any] = []
    problems: list[Problem] = []
    bad_rows = 0
    for item in items:
        record, row_problems = _validate_row(item, plan, tools)
        if row_problems:
            bad_rows += 1
            problems.extend(row_problems)
        records.append(record)
    if plan.for_copy:
        payload: Any = "".join(map(_copy_line, records)).encode()
    else:
        payload = records
    return ChunkResult(payload, problems, bad_rows, len(items))


def validate_block(block: Block) -> ChunkResult:
    """Parse a CSV block (whole records) and apply the row rules to its data rows."""
    from civicgrid.core.spreadsheets import SpreadsheetError
    from civicgrid.population.importing.sources import parse_block

    plan = _plan
    if plan is None:
        raise RuntimeError("validate_block called before set_plan")
    try:
        items = [
            item for item in parse_block(block, plan.encoding, plan.delimiter)
            if item[0] > plan.header_row
        ]  # fmt: skip
    except SpreadsheetError as exc:
        # Exceptions with keyword arguments do not survive the trip between processes.
        return ChunkResult(b"" if plan.for_copy else [], [], 0, 0, error=(str(exc), exc.code))
    return validate_chunk(items)


def _validate_row(
    item: RowItem, plan: RowPlan, tools: Tools
) -> tuple[tuple[Any, ...], list[Problem]]:
    number, cells, formulas = item
    width = len(cells)
    values = {key: cells[pos] if pos < width else "" for key, pos in plan.positions.items()}
    places = plan.places
    community_code, found_places = places.community(
        values.get("division_code", ""), values.get("community", "")
    )
    found: list[tuple[str, str, str]] = list(found_places)
    grid_id = None
    if grid_cell := values.get("grid", ""):
        grid_id, found_grid = places.grid(community_code, grid_cell)
        found.extend(found_grid)
    if formulas:
        for key, pos in plan.positions.items():
            if pos in formulas:
                found.append(
                    (
                        key,
                        values[key],
                        _(
                            "该单元格是公式，不能导入公式的计算结果。请复制该列后“选择性粘贴 → 数值”，再上传。"
                        ),
                    )
                )

    raw_name = values.get("name", "")
    try:
        name = clean_name(raw_name)
    except CellError as exc:
        name = raw_name[:50]
        found.append(("name", raw_name, exc.message))

    raw_id = values.get("id_number", "")
    id_enc = id_hash = id_masked = sex = ""
    birth: datetime.date | None = None
    try:
        number_text, sex, birth = read_id_number(raw_id, today=tools.today)
    except ValidationError as exc:
        found.append(("id_number", raw_id, exc.messages[0]))
        id_masked = _shown("id_number", raw_id)
    else:
        id_hash = tools.hash("id_number", number_text)
        id_enc = tools.encrypt_id(number_text)
        id_masked = mask_id_number(number_text)

    mobile_enc = mobile_hash = mobile_last4 = ""
    if raw_mobile := values.get("mobile", ""):
        try:
            mobile = normalize_mobile(raw_mobile)
        except ValidationError as exc:
            found.append(("mobile", raw_mobile, exc.messages[0]))
        else:
            mobile_enc = tools.encrypt_mobile(mobile)
            mobile_hash = tools.hash("mobile", mobile)
            mobile_last4 = mobile[-4:]

    relationship = ""
    if raw := values.get("relationship", ""):
        relationship = parse_choice(Relationship, raw) or ""
        if not relationship:
            found.append(
                ("relationship", raw,
                 _("无法识别“%(value)s”，可填写：%(choices)s。") % {"value": raw, "choices": choice_labels(Relationship)})
            )  # fmt: skip
    residence_type = ""
    if raw := values.get("residence_type", ""):
        residence_type = parse_choice(ResidenceType, raw) or ""
        if not residence_type:
            found.append(
                ("residence_type", raw,
                 _("无法识别“%(value)s”，可填写：%(choices)s。") % {"value": raw, "choices": choice_labels(ResidenceType)})
            )  # fmt: skip
    tags = -1  # not given: the person's tags stay as they are
    if raw := values.get("tags", ""):
        tags, unknown = parse_tags(raw)
        if unknown:
            from civicgrid.population.choices import PersonTag

            found.append(
                ("tags", raw,
                 _("无法识别标签“%(value)s”，可填写：%(choices)s（多个标签用顿号分隔）。")
                 % {"value": "、".join(unknown), "choices": choice_labels(PersonTag)})
            )  # fmt: skip

    parts = {"building": "", "unit": "", "room": ""}
    for key, limit in _PART_LIMITS:
        try:
            parts[key] = clean_part(values.get(key, ""), limit, key)
        except CellError as exc:
            found.append((key, values.get(key, ""), exc.message))
    building, unit, room = parts["building"], parts["unit"], parts["room"]
    if not (building or unit or room) and (raw := values.get("address", "")):
        split = split_address(raw)
        try:
            building = clean_part(split[0], BUILDING_MAX_LENGTH, "building")
            unit = clean_part(split[1], UNIT_MAX_LENGTH, "unit")
            room = clean_part(split[2], ROOM_MAX_LENGTH, "room")
        except CellError:
            found.append(
                (
                    "address",
                    raw,
                    _(
                        "住址无法拆分为楼栋、单元、门牌/房号（门牌/房号不超过 30 个字），请分列填写。"
                    ),
                )
            )

    head_hash = ""
    if raw_head_id := values.get("head_id_number", ""):
        try:
            head_hash = tools.hash("id_number", normalize_id_number(raw_head_id, today=tools.today))
        except ValidationError as exc:
            found.append(("head_id_number", raw_head_id, exc.messages[0]))
    raw_head_name = values.get("head_name", "").strip()
    head_flag = raw_head_name.casefold() in _YES
    if head_flag or raw_head_name.casefold() in _NO:
        raw_head_name = ""  # a yes/no column ("户主：是"), not the head's name
    is_head = relationship == Relationship.HEAD
    if not relationship and (
        head_flag
        or (head_hash and head_hash == id_hash)
        or (raw_head_name and raw_head_name == name)
    ):
        is_head, relationship = True, Relationship.HEAD.value
    if is_head and head_hash and id_hash and head_hash != id_hash:
        found.append(
            (
                "relationship",
                values.get("relationship", ""),
                _("本行为户主，但“户主身份证号”不是本人的号码，请核对。"),
            )
        )

    hh = None
    if head_hash:
        hh = household_key("H" + head_hash)
    elif building or unit or room:
        hh = household_key(KEY_SEPARATOR.join(("A" + community_code, building, unit, room)))
    elif not any(key == "address" for key, _v, _m in found):
        found.append(
            (
                "address",
                values.get("address", ""),
                _("无法确定所属住户：请填写住址（楼栋、单元、门牌/房号）或户主身份证号。"),
            )
        )

    bad = 1 if found else 0
    record = (
        number, bad, name, _initials(name) if name else "", sex,
        birth.isoformat() if birth else None, id_enc, id_hash, id_masked,
        mobile_enc, mobile_hash, mobile_last4, relationship, residence_type, tags,
        community_code, building, unit, room, grid_id, head_hash, 1 if is_head else 0, hh,
    )  # fmt: skip
    problems = [
        (number, key, _shown(key, value), message, name, id_masked) for key, value, message in found
    ]
    return record, problems


def problem_text(problem: Sequence[Any]) -> str:
    """`第 12 行「公民身份号码」：…` for terminals and logs."""
    return _("第 %(row)d 行“%(column)s”：%(message)s") % {
        "row": problem[0],
        "column": column_label(problem[1]),
        "message": problem[3],
    }
