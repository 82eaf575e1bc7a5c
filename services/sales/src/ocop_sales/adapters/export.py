"""Revenue rows as files: CSV (UTF-8 with a BOM, so spreadsheet apps read Vietnamese right)
and XLSX (money formatted in dong)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from ocop_sales.application.ports import RevenueRow

COLUMNS = ["sales", "quantity", "gross_vnd", "refunds_vnd", "net_vnd"]


def _cells(r: RevenueRow) -> list[str | int]:
    return [r.key, r.sales, r.quantity, r.gross_vnd, r.refunds_vnd, r.net_vnd]


def to_csv(rows: Sequence[RevenueRow], by: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([by, *COLUMNS])
    for r in rows:
        writer.writerow(_cells(r))
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(rows: Sequence[RevenueRow], by: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"revenue by {by}"[:31]
    sheet.append([by, *COLUMNS])
    for r in rows:
        sheet.append(_cells(r))
    for column in ("D", "E", "F"):
        for cell in sheet[column][1:]:
            cell.number_format = '#,##0" ₫"'
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
