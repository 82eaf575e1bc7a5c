"""Files for spreadsheets (CSV and XLSX), safe to open: no cell a user wrote (a product's or an
exhibitor's name) is ever run as a formula.

* CSV: text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed
  with a single quote (OWASP's advice against CSV injection), so ``=HYPERLINK(...)`` shows as
  ``'=HYPERLINK(...)``; numbers are written as numbers.
* XLSX: text is always a typed string cell (openpyxl would otherwise store text beginning with
  ``=`` as a formula); numbers stay numbers.

Every exporter writes through ``csv_file`` and ``append_row``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | bool | date | datetime | None


def neutralise(text: str) -> str:
    """Text a spreadsheet app would take for a formula, made plain text (CSV)."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_row(values: Iterable[Cell]) -> list[Cell]:
    return [neutralise(v) if isinstance(v, str) else v for v in values]


def csv_file(header: Sequence[str], rows: Iterable[Iterable[Cell]]) -> bytes:
    """A CSV in UTF-8 with a BOM (so spreadsheet apps read Vietnamese right), every text cell
    neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(csv_row(header))
    for row in rows:
        writer.writerow(csv_row(row))
    return out.getvalue().encode("utf-8-sig")


def append_row(sheet: Any, values: Iterable[Cell]) -> None:
    """Appends a row to an openpyxl worksheet: each text value a string cell (never a formula,
    whatever it begins with; characters XML cannot hold removed), other values as they are."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # openpyxl made text beginning with "=" a formula
