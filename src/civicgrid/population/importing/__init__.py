"""Bulk import of the population register from spreadsheets (issue 4, part 2).

    sources   reading: the heading row, then the data rows as a stream (CSV of any size)
    columns   the columns, heading recognition and the mapping step, non-numeric cell rules
    rows      the rules for one row (run in worker processes for large files)
    places    the importer's scope; communities and grids named in cells
    run       one run: validate, analyse, report, write (`import_people`)
    batches   the page's upload → mapping → check → import flow (`ImportBatch`)

The write path itself is `population.bulk`.
"""

from typing import Any

# Imported lazily: `population.bulk` imports `columns` and `rows` from this package, and `run`
# imports `population.bulk`.
_EXPORTS = {
    "COLUMNS": "columns",
    "check_mapping": "columns",
    "propose_mapping": "columns",
    "ImportReport": "run",
    "import_people": "run",
    "SheetSource": "sources",
    "open_source": "sources",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(name)
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{_EXPORTS[name]}"), name)
