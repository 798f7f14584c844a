"""Reading national division files: CSV `code,name`, any depth, UTF-8 or GB18030, optionally gzipped."""

import csv
import gzip
import io
from dataclasses import dataclass
from pathlib import Path

PACKAGED_HEBEI = Path(__file__).resolve().parent / "data" / "hebei-divisions-2023.csv.gz"


@dataclass(frozen=True)
class DivisionRow:
    line: int
    code: str
    name: str


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\x1f\x8b"):
        raw = gzip.decompress(raw)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Government spreadsheets exported on Windows are usually GB18030 (a GBK superset).
        return raw.decode("gb18030")


def read_division_rows(raw: bytes) -> list[DivisionRow]:
    """Parse the file's rows; a header line (`code,name` or `代码,名称`) is skipped."""
    rows = []
    for line, record in enumerate(csv.reader(io.StringIO(_decode(raw))), start=1):
        if not record or all(not cell.strip() for cell in record):
            continue
        code = record[0].strip()
        name = record[1].strip() if len(record) > 1 else ""
        if line == 1 and not code.isdigit():
            continue
        rows.append(DivisionRow(line=line, code=code, name=name))
    return rows
