"""Spreadsheets in and out, shared by every import and export.

Reading (`read_sheet`, `read_table`): `.xlsx`, `.xlsm`, `.xls` and `.ods` through
python-calamine, `.csv` as UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode
text") or GB18030 (what Excel on a Chinese Windows saves). The format is recognised by the
content, not trusted from the name: a text file or a PDF renamed `.xlsx` is refused, an `.xlsx`
renamed `.csv` is read as what it is. Every refusal is a `SpreadsheetError` whose message is
Chinese and fit to show the person who uploaded the file.

Cells come back as stripped strings with the sheet's own 1-based row numbers, so an error
report can say "第 12 行" and mean the row the person sees. Numbers that a spreadsheet holds as
floats are given back as their digits when exact (`13812345678.0` → `13812345678`); anything
else keeps a form that says what happened (`1.5`, `1e+20`), so that a validator such as
`core.mobile.normalize_mobile` recognises scientific-notation damage instead of accepting a
number whose last digits are gone.

    COLUMNS = [
        Column("name", _("姓名"), ("姓名", "name")),
        Column("mobile", _("手机号码"), ("手机号", "手机号码", "联系电话", "mobile")),
        Column("note", _("备注"), ("备注",), required=False),
    ]
    table = read_table(upload.read(), upload.name, COLUMNS)   # or SpreadsheetError
    for record in table.records:
        record.number, record["name"], record["mobile"]
    table.unknown_headers                                     # columns nobody asked for

Headers are matched loosely: case, spaces, `_`/`-`, full-width forms, a leading `*` (the
"required" marker of many templates) and a trailing note in brackets (`手机号（必填）`) do not
matter. The header row is the row among the first few that names the most known columns, so a
title row above it ("阜城县工作人员名单") is skipped. A missing required column, or two
columns meaning the same thing, refuses the file with a message listing the accepted names.

Writing (`write_report`, `write_report_to`): openpyxl in write-only mode, so rows stream
through and a 100,000-row export does not build a workbook in memory; bold header, frozen
header row, column widths fitted to the header and the first rows (CJK characters count
double). Text that starts like a formula (`=`, `+`, `-`, `@`) is written as text, never
evaluated: uploaded names end up in reports and must not become formulas.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# An .xlsx is a zip of XML and compresses about tenfold; more than this much XML per byte of
# upload is a decompression bomb, not a staff list.
MAX_UNCOMPRESSED_RATIO = 40
# How many leading non-blank rows are searched for the header row.
HEADER_SEARCH_ROWS = 10
# Rows sampled to fit column widths when writing.
WIDTH_SAMPLE_ROWS = 200
MAX_COLUMN_WIDTH = 60

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and .doc, sadly)
_PDF_MAGIC = b"%PDF"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Floats are exact integers up to 2**53; beyond, the digits a spreadsheet shows are not the
# digits it holds.
_EXACT_FLOAT_LIMIT = 2**53
_HEADER_NOTE = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]$")
_HEADER_NOISE = re.compile(r"[\s_\-*＊:：]")
_FORMULA_START = ("=", "+", "-", "@")
# Characters XML 1.0 cannot carry; openpyxl refuses them.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class SpreadsheetError(ValueError):
    """The file cannot be used; `str(error)` is a Chinese message for the uploader.

    `code` says which problem for code and tests: empty, too_large, unsupported_type,
    not_a_spreadsheet, unreadable, encoding, no_data, missing_columns, duplicate_columns.
    """

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class SheetRow:
    """One non-blank row: its number as the spreadsheet shows it, and its cells as text."""

    number: int
    cells: list[str]


@dataclass(frozen=True)
class Sheet:
    """The non-blank rows of the first sheet that has any, and how the file was read."""

    rows: list[SheetRow]
    format: str  # xlsx, xls, ods or csv
    sheet_name: str = ""
    encoding: str = ""  # csv only


@dataclass(frozen=True)
class Column:
    """A column an import understands: its key in code, its name in messages, its aliases."""

    key: str
    label: str | Promise
    aliases: tuple[str, ...]
    required: bool = True


@dataclass(frozen=True)
class Record:
    """One data row of a table: `record["mobile"]` is the cell text ("" when absent)."""

    number: int
    values: Mapping[str, str]

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass(frozen=True)
class Table:
    """The data rows of a sheet under known columns (see `read_table`)."""

    records: list[Record]
    columns: dict[str, int]  # key -> 0-based position in the sheet
    header_row: int
    unknown_headers: list[str] = field(default_factory=list)
    format: str = ""
    sheet_name: str = ""


def max_upload_bytes() -> int:
    """`SPREADSHEET_MAX_BYTES` from settings, else 20 MiB."""
    return int(getattr(settings, "SPREADSHEET_MAX_BYTES", DEFAULT_MAX_BYTES))


def format_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


def check_upload_size(size: int, *, max_bytes: int | None = None) -> None:
    """Refuse empty and oversize files; forms call this before reading an upload."""
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    if size == 0:
        raise SpreadsheetError(_("文件是空的，请选择填好数据的表格文件。"), code="empty")
    if size > limit:
        raise SpreadsheetError(
            _("文件大小为 %(size)s，超过了 %(limit)s 的上限。请拆分成几个文件分别上传。")
            % {"size": format_size(size), "limit": format_size(limit)},
            code="too_large",
        )


# --- reading -------------------------------------------------------------------------------


def read_sheet(data: bytes, filename: str, *, max_bytes: int | None = None) -> Sheet:
    """The non-blank rows of the first non-empty sheet of `data`, or SpreadsheetError."""
    check_upload_size(len(data), max_bytes=max_bytes)
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in SPREADSHEET_SUFFIXES:
        shown = suffix or _("（无扩展名）")
        raise SpreadsheetError(
            _("不支持“%(suffix)s”类型的文件，请上传 .xlsx、.xls、.ods 或 .csv 表格。")
            % {"suffix": shown},
            code="unsupported_type",
        )
    if data.startswith(_PDF_MAGIC):
        raise SpreadsheetError(
            _("这是 PDF 文件，不是表格。请上传 Excel（.xlsx、.xls）、.ods 或 .csv 文件。"),
            code="not_a_spreadsheet",
        )
    if data.startswith(_ZIP_MAGIC):
        return _read_workbook(data, _zip_format(data, max_bytes=max_bytes))
    if data.startswith(_OLE_MAGIC):
        return _read_workbook(data, "xls")
    if suffix == ".csv":
        return _read_csv(data)
    raise SpreadsheetError(
        _(
            "文件扩展名是“%(suffix)s”，但内容不是表格（可能是改了扩展名的文本或其他文件）。"
            "请在表格软件中打开后“另存为” .xlsx 再上传。"
        )
        % {"suffix": suffix},
        code="not_a_spreadsheet",
    )


def _zip_format(data: bytes, *, max_bytes: int | None) -> str:
    """xlsx or ods for a zip upload; anything else zipped (a .docx, an archive) is refused."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise SpreadsheetError(
            _("表格文件已损坏，无法打开。请在表格软件中重新保存后再上传。"), code="unreadable"
        ) from exc
    limit = (max_upload_bytes() if max_bytes is None else max_bytes) * MAX_UNCOMPRESSED_RATIO
    if sum(info.file_size for info in infos) > limit:
        raise SpreadsheetError(
            _("表格解压后过大，无法处理。请删除多余的工作表或拆分文件后再上传。"),
            code="too_large",
        )
    if "xl/workbook.xml" in names:
        return "xlsx"
    if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        return "ods"
    raise SpreadsheetError(
        _("文件内容不是表格（可能是 Word 文档或压缩包）。请上传 .xlsx、.xls、.ods 或 .csv 表格。"),
        code="not_a_spreadsheet",
    )


def _read_workbook(data: bytes, fmt: str) -> Sheet:
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        try:
            for meta in workbook.sheets_metadata:
                if meta.visible != python_calamine.SheetVisibleEnum.Visible:
                    continue
                try:
                    sheet = workbook.get_sheet_by_name(meta.name)
                except python_calamine.CalamineError:
                    continue  # a chart sheet or macro sheet: no cells
                rows = _sheet_rows(sheet.to_python(skip_empty_area=False))
                if rows:
                    return Sheet(rows=rows, format=fmt, sheet_name=meta.name)
        finally:
            workbook.close()
    except python_calamine.PasswordError as exc:
        raise SpreadsheetError(
            _("表格设置了打开密码，无法读取。请取消密码后再上传。"), code="unreadable"
        ) from exc
    except python_calamine.CalamineError as exc:
        raise SpreadsheetError(
            _("表格文件已损坏或格式不受支持，无法读取。请在表格软件中“另存为” .xlsx 后再上传。"),
            code="unreadable",
        ) from exc
    raise SpreadsheetError(_("表格中没有任何数据。"), code="empty")


def _sheet_rows(values: Iterable[Sequence[Any]]) -> list[SheetRow]:
    rows = []
    for index, raw in enumerate(values, start=1):
        cells = [cell_text(value) for value in raw]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            rows.append(SheetRow(index, cells))
    return rows


def cell_text(value: object) -> str:
    """A cell as the text a person would type into it; see the module docstring for floats."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _EXACT_FLOAT_LIMIT:
            return str(int(value))
        return repr(value)  # 1.5, 1e+20: never silently rounded into "digits"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value).strip()


def _decode_csv(data: bytes) -> tuple[str, str]:
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise SpreadsheetError(
            _("无法识别 CSV 文件的文字编码。请另存为“CSV UTF-8”格式后再上传。"), code="encoding"
        ) from exc


def _read_csv(data: bytes) -> Sheet:
    text, encoding = _decode_csv(data)
    if "\x00" in text:
        raise SpreadsheetError(
            _("文件内容不是文本表格，无法按 CSV 读取。请上传 .xlsx、.xls、.ods 或 .csv 表格。"),
            code="not_a_spreadsheet",
        )
    first_line = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows = []
    try:
        for record in reader:
            cells = [cell.strip() for cell in record]
            while cells and not cells[-1]:
                cells.pop()
            if cells:
                # line_num counts physical lines, so a quoted multi-line cell keeps numbering true.
                rows.append(SheetRow(reader.line_num, cells))
    except csv.Error as exc:
        raise SpreadsheetError(
            _("CSV 文件第 %(line)d 行格式有误：%(error)s")
            % {"line": reader.line_num, "error": exc},
            code="unreadable",
        ) from exc
    if not rows:
        raise SpreadsheetError(_("表格中没有任何数据。"), code="empty")
    return Sheet(rows=rows, format="csv", encoding=encoding)


def header_key(text: str) -> str:
    """The form in which headers and aliases are compared (see the module docstring)."""
    key = unicodedata.normalize("NFKC", text or "").strip()
    key = _HEADER_NOTE.sub("", key)
    return _HEADER_NOISE.sub("", key).casefold()


def _alias_index(columns: Sequence[Column]) -> dict[str, str]:
    index: dict[str, str] = {}
    for column in columns:
        for alias in (column.key, str(column.label), *column.aliases):
            index.setdefault(header_key(alias), column.key)
    return index


def map_headers(
    headers: Sequence[str], columns: Sequence[Column]
) -> tuple[dict[str, int], list[str]]:
    """Column key -> position for a header row, and the headers no column claims.

    Raises SpreadsheetError when a required column is missing or two headers mean one column.
    """
    aliases = _alias_index(columns)
    found: dict[str, int] = {}
    unknown: list[str] = []
    clashes: list[str] = []
    for position, header in enumerate(headers):
        key = aliases.get(header_key(header))
        if key is None:
            if header.strip():
                unknown.append(header.strip())
            continue
        if key in found:
            clashes.append(
                _("“%(a)s”和“%(b)s”都表示“%(column)s”，请只保留一列。")
                % {"a": headers[found[key]], "b": header, "column": _label(columns, key)}
            )
            continue
        found[key] = position
    if clashes:
        raise SpreadsheetError("".join(clashes), code="duplicate_columns")
    missing = [c for c in columns if c.required and c.key not in found]
    if missing:
        parts = [
            _("“%(column)s”（可用列名：%(aliases)s）")
            % {"column": c.label, "aliases": "、".join(_shown_aliases(c))}
            for c in missing
        ]
        message = _("表格缺少必填列：%(columns)s。") % {"columns": "；".join(parts)}
        if unknown:
            message += _("表头中未能识别的列：%(unknown)s。") % {
                "unknown": "、".join(f"“{h}”" for h in unknown)
            }
        raise SpreadsheetError(message, code="missing_columns")
    return found, unknown


def _label(columns: Sequence[Column], key: str) -> str:
    return next(str(c.label) for c in columns if c.key == key)


def _shown_aliases(column: Column) -> list[str]:
    shown = [str(column.label)]
    for alias in column.aliases:
        if header_key(alias) not in {header_key(s) for s in shown}:
            shown.append(alias)
    return shown


def _find_header(rows: list[SheetRow], columns: Sequence[Column]) -> int:
    """Index (in `rows`) of the row naming the most known columns; the first row if none does."""
    aliases = _alias_index(columns)
    best, best_score = 0, 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = len({aliases[k] for k in map(header_key, row.cells) if k in aliases})
        if score > best_score:
            best, best_score = index, score
    return best


def read_table(
    data: bytes, filename: str, columns: Sequence[Column], *, max_bytes: int | None = None
) -> Table:
    """Read a file and map its header row to `columns`; see the module docstring.

    Raises SpreadsheetError for every file-level problem, including a file with a header row
    but no data rows.
    """
    sheet = read_sheet(data, filename, max_bytes=max_bytes)
    header_index = _find_header(sheet.rows, columns)
    header = sheet.rows[header_index]
    positions, unknown = map_headers(header.cells, columns)
    records = []
    for row in sheet.rows[header_index + 1 :]:
        values = {
            key: row.cells[position] if position < len(row.cells) else ""
            for key, position in positions.items()
        }
        if any(values.values()):
            records.append(Record(row.number, values))
    if not records:
        raise SpreadsheetError(
            _("表格只有表头（第 %(row)d 行），没有数据行。") % {"row": header.number},
            code="no_data",
        )
    return Table(
        records=records,
        columns=positions,
        header_row=header.number,
        unknown_headers=unknown,
        format=sheet.format,
        sheet_name=sheet.sheet_name,
    )


# --- writing -------------------------------------------------------------------------------


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _width_of(value: object) -> int:
    text = cell_text(value) if not isinstance(value, str) else value
    return max((_display_width(line) for line in text.splitlines()), default=0)


def write_report_to(
    target: IO[bytes],
    rows: Iterable[Sequence[object]],
    headers: Sequence[str | Promise],
    *,
    title: str | Promise = "",
) -> None:
    """Stream `rows` under a bold `headers` row into an .xlsx written to `target`."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(title or _("报告"))[:31])
    header_texts = [str(h) for h in headers]
    iterator = iter(rows)
    sample = list(itertools.islice(iterator, WIDTH_SAMPLE_ROWS))
    for position, header in enumerate(header_texts):
        width = max(
            [_display_width(header)]
            + [_width_of(row[position]) for row in sample if position < len(row)]
        )
        sheet.column_dimensions[get_column_letter(position + 1)].width = min(
            MAX_COLUMN_WIDTH, width + 2
        )
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def header_cell(text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=_text_cell_value(text))
        cell.font = bold
        return cell

    sheet.append([header_cell(h) for h in header_texts])
    for row in itertools.chain(sample, iterator):
        sheet.append([_cell(sheet, value) for value in row])
    workbook.save(target)


def write_report(
    rows: Iterable[Sequence[object]],
    headers: Sequence[str | Promise],
    *,
    title: str | Promise = "",
) -> bytes:
    """The .xlsx bytes of `rows` under `headers`; see `write_report_to`."""
    buffer = io.BytesIO()
    write_report_to(buffer, rows, headers, title=title)
    return buffer.getvalue()


def _text_cell_value(text: str) -> str:
    return _ILLEGAL_XML.sub("", text)


def _cell(sheet: Any, value: object) -> object:
    if isinstance(value, Promise):
        value = str(value)
    if not isinstance(value, str):
        return value
    value = _text_cell_value(value)
    if value.startswith(_FORMULA_START):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text, never a formula
        return cell
    return value
