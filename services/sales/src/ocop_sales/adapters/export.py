"""Revenue rows as files: CSV (UTF-8 with a BOM, so spreadsheet apps read Vietnamese right)
and XLSX (money formatted in dong). Both through ``ocop_shared.exports``: a product or an
exhibitor named ``=HYPERLINK(...)`` is text in either, never a formula."""

from __future__ import annotations

import io
from collections.abc import Sequence

from ocop_sales.application.ports import RevenueRow
from ocop_shared.exports import Cell, append_row, csv_file

COLUMNS = ["sales", "quantity", "gross_vnd", "refunds_vnd", "net_vnd"]


def _cells(r: RevenueRow) -> list[Cell]:
    return [r.key, r.sales, r.quantity, r.gross_vnd, r.refunds_vnd, r.net_vnd]


def to_csv(rows: Sequence[RevenueRow], by: str) -> bytes:
    return csv_file([by, *COLUMNS], (_cells(r) for r in rows))


def to_xlsx(rows: Sequence[RevenueRow], by: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"revenue by {by}"[:31]
    append_row(sheet, [by, *COLUMNS])
    for r in rows:
        append_row(sheet, _cells(r))
    for column in ("D", "E", "F"):
        for cell in sheet[column][1:]:
            cell.number_format = '#,##0" ₫"'
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
