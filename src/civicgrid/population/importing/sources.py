"""Reading a register sheet: its heading row, then its data rows as a stream.

CSV files are streamed: a million-row file is read row by row in constant memory, from a path
(the command line) or from bytes (an upload). Their encoding is UTF-8 (with or without BOM),
UTF-16 with BOM or GB18030, decided from the first 64 KB as `core.spreadsheets` does. Excel's
trick for keeping long numbers as text in a CSV (`="130102199001011234"`) is undone; any other
cell starting with `=` is a formula that a CSV cannot evaluate and is reported as one.

Workbooks (.xlsx, .xls, .ods) are read by `core.spreadsheets.read_sheet` (python-calamine; a
workbook has to be parsed whole). For .xlsx the sheet's XML is also scanned for what calamine
does not say: formula cells (reported per cell; their cached value is not trusted) and merged
cells (a merged heading is refused; merged data cells take the value the person sees, with a
warning).

Every refusal is a `SpreadsheetError` with a Chinese message, as in `core.spreadsheets`.
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from civicgrid.core.spreadsheets import (
    SpreadsheetError,
    check_upload_size,
    format_size,
    read_sheet,
)
from civicgrid.population.importing.columns import (
    COLUMNS,
    HEADER_SEARCH_ROWS,
    find_header_row,
)

# Uploads through the page are kept in the database until imported.
DEFAULT_UPLOAD_MAX_BYTES = 50 * 1024 * 1024
# A workbook is parsed whole; beyond this, a CSV export is the way.
WORKBOOK_MAX_BYTES = 100 * 1024 * 1024
SNIFF_BYTES = 64 * 1024
# The size of the CSV blocks sent to worker processes: 1 MiB (about 9,000 register rows) for
# large files; smaller files are cut finer so that both workers stay busy to the end.
BLOCK_BYTES = 1024 * 1024
MIN_BLOCK_BYTES = 128 * 1024


def block_size(rows: int) -> int:
    """Blocks of about a fortieth of the file (at ~120 bytes a row), within the bounds."""
    return max(MIN_BLOCK_BYTES, min(BLOCK_BYTES, rows * 120 // 40))


_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PDF_MAGIC = b"%PDF"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_TEXT_NUMBER = re.compile(r'^="(.*)"$', re.DOTALL)
_NO_FORMULAS: frozenset[int] = frozenset()


def upload_max_bytes() -> int:
    """`POPULATION_IMPORT_MAX_BYTES` from settings, else 50 MiB."""
    return int(getattr(settings, "POPULATION_IMPORT_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES))


@dataclass(frozen=True)
class SourceRow:
    """A non-blank data row: its number as the sheet shows it, its cells, and the positions of
    cells that hold formulas."""

    number: int
    cells: list[str]
    formulas: frozenset[int] = frozenset()


@dataclass
class SheetSource:
    """A sheet ready to import: heading row found, data rows streamed by `rows()`."""

    file_name: str
    format: str
    header_row: int
    headers: list[str]
    estimated_rows: int
    warnings: list[str] = field(default_factory=list)
    encoding: str = ""  # csv only
    delimiter: str = ","
    _path: Path | None = None
    _data: bytes | None = None
    _rows: list[SourceRow] | None = None  # workbooks: already in memory
    _generate: Callable[[], Iterable[list[str]]] | None = None  # generated rows

    def rows(self) -> Iterator[SourceRow]:
        """The data rows below the heading row, in order; blank rows are left out."""
        if self._rows is not None:
            yield from self._rows
            return
        if self._generate is not None:
            for number, cells in enumerate(self._generate(), start=self.header_row + 1):
                yield SourceRow(number, cells)
            return
        for row in _csv_rows(self._open(), self.encoding, self.delimiter):
            if row.number > self.header_row:
                yield row

    @property
    def streams_blocks(self) -> bool:
        """Whether `blocks()` can feed worker processes (CSV in UTF-8 or GB18030, in which a
        newline byte is never part of another character)."""
        return self.format == "csv" and self.encoding in ("utf-8-sig", "gb18030")

    def blocks(self) -> Iterator[tuple[int, bytes]]:
        """The file as blocks of whole records: (line number of the block's first line, bytes).
        Rows are parsed where the block goes (`parse_block`); the heading row is in the first
        block and is skipped by whoever parses it."""
        with self._open() as stream:
            yield from csv_blocks(stream, block_size(self.estimated_rows))

    def sample(self, count: int = 5) -> list[SourceRow]:
        rows = []
        for row in self.rows():
            rows.append(row)
            if len(rows) >= count:
                break
        return rows

    def _open(self) -> IO[bytes]:
        if self._path is not None:
            return self._path.open("rb")
        return io.BytesIO(self._data or b"")


def generated_source(
    file_name: str,
    headers: list[str],
    generate: Callable[[], Iterable[list[str]]],
    estimated_rows: int,
) -> SheetSource:
    """Rows made by a program (the demo register) instead of read from a file."""
    return SheetSource(
        file_name=file_name,
        format="generated",
        header_row=1,
        headers=headers,
        estimated_rows=estimated_rows,
        _generate=generate,
    )


def open_source(
    *,
    file_name: str,
    data: bytes | None = None,
    path: Path | None = None,
    max_bytes: int | None = None,
) -> SheetSource:
    """Open an upload (`data`) or a file (`path`) and find its heading row.

    `max_bytes` limits any file (uploads); without it a CSV may be any size (it is streamed) and
    a workbook up to `WORKBOOK_MAX_BYTES`. Raises SpreadsheetError for a file that cannot be
    imported at all: empty, too large, not a spreadsheet, unreadable, no heading row, a merged
    heading, no data rows.
    """
    if (data is None) == (path is None):
        raise TypeError("give either data or path")
    size = len(data) if data is not None else path.stat().st_size  # type: ignore[union-attr]
    check_upload_size(size, max_bytes=max_bytes if max_bytes is not None else 1 << 62)
    head = data[:SNIFF_BYTES] if data is not None else _read_head(path)  # type: ignore[arg-type]
    suffix = PurePath(file_name or "").suffix.lower()
    workbook = head.startswith((_ZIP_MAGIC, _OLE_MAGIC, _PDF_MAGIC)) or suffix != ".csv"
    if workbook:
        limit = max_bytes if max_bytes is not None else WORKBOOK_MAX_BYTES
        if size > limit and max_bytes is None:
            raise SpreadsheetError(
                _(
                    "表格文件为 %(size)s，超过了 %(limit)s。请在表格软件中另存为 CSV（UTF-8）后再导入。"
                )
                % {"size": format_size(size), "limit": format_size(limit)},
                code="too_large",
            )
        if data is None:
            data = path.read_bytes()  # type: ignore[union-attr]
        return _workbook_source(file_name, data, limit)
    encoding, delimiter = _sniff_csv(head)
    source = SheetSource(
        file_name=file_name,
        format="csv",
        header_row=0,
        headers=[],
        estimated_rows=0,
        _path=path,
        _data=data,
        encoding=encoding,
        delimiter=delimiter,
    )
    leading = []
    for row in _csv_rows(source._open(), encoding, delimiter):
        leading.append(row)
        if len(leading) >= HEADER_SEARCH_ROWS:
            break
    if not leading:
        raise SpreadsheetError(_("表格中没有任何数据。"), code="empty")
    header = leading[_header_index([row.cells for row in leading])]
    source.header_row, source.headers = header.number, header.cells
    if not any(row.number > header.number for row in leading) and not source.sample(1):
        raise _no_data(header.number)
    source.estimated_rows = max(1, _count_lines(source._open()) - header.number)
    return source


def _read_head(path: Path) -> bytes:
    with path.open("rb") as stream:
        return stream.read(SNIFF_BYTES)


def _count_lines(stream: IO[bytes]) -> int:
    """Physical lines (an upper bound of the data rows; quoted cells may span lines)."""
    count, last = 0, b"\n"
    with stream:
        while block := stream.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def _header_index(rows: list[list[str]]) -> int:
    index = find_header_row(rows)
    if index is None:
        names = "、".join(str(c.label) for c in COLUMNS[:4])
        raise SpreadsheetError(
            _(
                "在前 %(n)d 行中找不到表头：没有一行包含“%(names)s”等可识别的列名。请确认第一张工作表是人口登记表，并在数据上方保留一行列名。"
            )
            % {"n": HEADER_SEARCH_ROWS, "names": names},
            code="no_header",
        )
    return index


def _no_data(header_row: int) -> SpreadsheetError:
    return SpreadsheetError(
        _("表格只有表头（第 %(row)d 行），没有数据行。") % {"row": header_row}, code="no_data"
    )


# --- CSV ------------------------------------------------------------------------------------


def _sniff_csv(head: bytes) -> tuple[str, str]:
    """(encoding, delimiter) from the first bytes; SpreadsheetError when it is not text."""
    if head.startswith(_UTF16_BOMS):
        encoding = "utf-16"
        text = head.decode("utf-16", errors="ignore")
    else:
        if b"\x00" in head:
            raise SpreadsheetError(
                _("文件内容不是文本表格，无法按 CSV 读取。请上传 .xlsx、.xls、.ods 或 .csv 表格。"),
                code="not_a_spreadsheet",
            )
        try:
            # An incremental decoder tolerates a character cut off at the end of the sample.
            text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
            encoding = "utf-8-sig"
        except UnicodeDecodeError:
            try:
                text = codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
                encoding = "gb18030"
            except UnicodeDecodeError as exc:
                raise SpreadsheetError(
                    _("无法识别 CSV 文件的文字编码。请另存为“CSV UTF-8”格式后再上传。"),
                    code="encoding",
                ) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count) if first_line else ","
    return encoding, delimiter


def _csv_rows(stream: IO[bytes], encoding: str, delimiter: str) -> Iterator[SourceRow]:
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=delimiter, strict=False)
    previous = 0  # a record is numbered by its first line
    try:
        for record in reader:
            if record:
                cells, formulas = _csv_cells(record)
                if cells:
                    yield SourceRow(previous + 1, cells, formulas)
            previous = reader.line_num
    except UnicodeDecodeError as exc:
        raise SpreadsheetError(
            _(
                "CSV 文件第 %(line)d 行附近的文字编码与文件开头不一致，无法读取。请另存为“CSV UTF-8”格式后再上传。"
            )
            % {"line": reader.line_num + 1},
            code="encoding",
        ) from exc
    except csv.Error as exc:
        raise SpreadsheetError(
            _("CSV 文件第 %(line)d 行格式有误：%(error)s")
            % {"line": reader.line_num, "error": exc},
            code="unreadable",
        ) from exc
    finally:
        text.close()


def csv_blocks(stream: IO[bytes], size: int = BLOCK_BYTES) -> Iterator[tuple[int, bytes]]:
    """Cut a CSV byte stream into blocks that end at a record boundary: a newline outside
    quotes, i.e. after an even number of `"` (doubled quotes inside a cell keep the count even).
    A UTF-8 byte-order mark is dropped."""
    line = 1
    carry = b""
    first = True
    while True:
        data = stream.read(size)
        buffer = carry + data
        if first:
            buffer = buffer.removeprefix(codecs.BOM_UTF8)
            first = False
        if not data:
            if buffer:
                yield line, buffer
            return
        cut = buffer.rfind(b"\n")
        if b'"' in buffer:
            while cut >= 0 and buffer.count(b'"', 0, cut) % 2:
                cut = buffer.rfind(b"\n", 0, cut)
        if cut < 0:
            carry = buffer  # no record ends here yet (a huge quoted cell): read on
            continue
        block, carry = buffer[: cut + 1], buffer[cut + 1 :]
        yield line, block
        line += block.count(b"\n")


def parse_block(
    block: tuple[int, bytes], encoding: str, delimiter: str
) -> Iterator[tuple[int, list[str], frozenset[int]]]:
    """The non-blank rows of a block from `csv_blocks`, numbered as the file's lines."""
    first_line, data = block
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise SpreadsheetError(
            _(
                "CSV 文件第 %(line)d 行附近的文字编码与文件开头不一致，无法读取。请另存为“CSV UTF-8”格式后再上传。"
            )
            % {"line": first_line + data.count(b"\n", 0, exc.start)},
            code="encoding",
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    start = first_line - 1
    previous = 0  # a record is numbered by its first line
    try:
        for record in reader:
            if record:
                cells, formulas = _csv_cells(record)
                if cells:
                    yield start + previous + 1, cells, formulas
            previous = reader.line_num
    except csv.Error as exc:
        raise SpreadsheetError(
            _("CSV 文件第 %(line)d 行格式有误：%(error)s")
            % {"line": start + reader.line_num, "error": exc},
            code="unreadable",
        ) from exc


def _csv_cells(record: list[str]) -> tuple[list[str], frozenset[int]]:
    cells = [cell.strip() for cell in record]
    while cells and not cells[-1]:
        cells.pop()
    joined = "\x00".join(cells)
    if not (joined.startswith("=") or "\x00=" in joined):
        return cells, _NO_FORMULAS
    formulas: set[int] = set()
    for position, cell in enumerate(cells):
        if cell.startswith("="):
            if match := _TEXT_NUMBER.match(cell):
                cells[position] = match.group(1).strip()
            else:
                formulas.add(position)
    return cells, frozenset(formulas)


# --- workbooks ------------------------------------------------------------------------------


def _workbook_source(file_name: str, data: bytes, max_bytes: int) -> SheetSource:
    sheet = read_sheet(data, file_name, max_bytes=max_bytes)
    merged: list[tuple[int, int, int, int]] = []
    formulas: dict[int, set[int]] = {}
    if sheet.format == "xlsx":
        xml = _xlsx_sheet_xml(data, sheet.sheet_name)
        merged = _merged_ranges(xml)
        formulas = _formula_cells(xml)
    rows = sheet.rows
    header_index = _header_index([row.cells for row in rows[:HEADER_SEARCH_ROWS]])
    header = rows[header_index]
    warnings = []
    for top, left, bottom, right in merged:
        if top <= header.number <= bottom:
            raise SpreadsheetError(
                _(
                    "表头（第 %(row)d 行）中有合并单元格 %(ref)s。请取消合并，让每一列都有自己的列名后再上传。"
                )
                % {"row": header.number, "ref": _range_ref(top, left, bottom, right)},
                code="merged_header",
            )
    data_merged = [m for m in merged if m[0] > header.number]
    if data_merged:
        _fill_merged(rows, data_merged)
        refs = "、".join(_range_ref(*m) for m in data_merged[:5])
        warnings.append(
            _(
                "数据区有 %(n)d 处合并单元格（如 %(refs)s），已按合并后显示的内容填入每一行，请核对结果。"
            )
            % {"n": len(data_merged), "refs": refs}
        )
    data_rows = [
        SourceRow(row.number, row.cells, frozenset(formulas.get(row.number, ())))
        for row in rows[header_index + 1 :]
    ]
    if not data_rows:
        raise _no_data(header.number)
    return SheetSource(
        file_name=file_name,
        format=sheet.format,
        header_row=header.number,
        headers=header.cells,
        estimated_rows=len(data_rows),
        warnings=warnings,
        _rows=data_rows,
    )


def _xlsx_sheet_xml(data: bytes, sheet_name: str) -> bytes:
    """The worksheet XML of the sheet `read_sheet` chose (b"" when it cannot be located)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            rel_id = None
            for match in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)/?>", workbook):
                attrs = dict(re.findall(r'([\w:]+)="([^"]*)"', match.group(1)))
                if html.unescape(attrs.get("name", "")) == sheet_name:
                    rel_id = next((v for k, v in attrs.items() if k.endswith(":id")), None)
                    break
            if rel_id is None:
                return b""
            for match in re.finditer(r"<Relationship\b([^>]*)/?>", rels):
                attrs = dict(re.findall(r'([\w:]+)="([^"]*)"', match.group(1)))
                if attrs.get("Id") == rel_id:
                    target = attrs.get("Target", "")
                    path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                    return archive.read(path)
    except (KeyError, zipfile.BadZipFile, OSError):
        pass
    return b""


def _column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number - 1  # 0-based


def _column_letters(position: int) -> str:
    letters, position = "", position + 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _range_ref(top: int, left: int, bottom: int, right: int) -> str:
    return f"{_column_letters(left)}{top}:{_column_letters(right)}{bottom}"


def _merged_ranges(xml: bytes) -> list[tuple[int, int, int, int]]:
    """(top row, left column, bottom row, right column): rows 1-based, columns 0-based."""
    ranges = []
    for match in re.finditer(
        rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"', xml
    ):
        left, top, right, bottom = (g.decode() for g in match.groups())
        ranges.append((int(top), _column_number(left), int(bottom), _column_number(right)))
    return ranges


def _formula_cells(xml: bytes) -> dict[int, set[int]]:
    """Row number -> 0-based positions of cells holding a formula."""
    if not re.search(rb"<(?:\w+:)?f[\s>/]", xml):
        return {}
    cells: dict[int, set[int]] = {}
    for match in re.finditer(
        rb'<(?:\w+:)?c\b[^>]*\br="([A-Z]+)([0-9]+)"[^>]*>\s*<(?:\w+:)?f[\s>/]', xml
    ):
        cells.setdefault(int(match.group(2)), set()).add(_column_number(match.group(1).decode()))
    return cells


def _fill_merged(rows: list, ranges: list[tuple[int, int, int, int]]) -> None:
    by_number = {row.number: row for row in rows}
    for top, left, bottom, right in ranges:
        origin = by_number.get(top)
        value = origin.cells[left] if origin is not None and left < len(origin.cells) else ""
        for number in range(top, bottom + 1):
            row = by_number.get(number)
            if row is None:
                continue
            cells = row.cells
            if len(cells) <= right:
                cells.extend([""] * (right + 1 - len(cells)))
            for position in range(left, right + 1):
                cells[position] = value
