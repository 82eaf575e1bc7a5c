"""Revenue rows as files: CSV (UTF-8 with a BOM, so spreadsheet apps read Vietnamese right)
and XLSX (money formatted in dong). Both through ``ocop_shared.exports``: a product or an
exhibitor named ``=HYPERLINK(...)`` is text in either, never a formula."""

from __future__ import annotations

import io
from collections.abc import Sequence

from ocop_sales.application.ports import RevenueRow
from ocop_shared.exports import Cell, append_row, csv_file

COLUMNS = ["sales", "quantity", "gross_vnd", "refunds_vnd", "net_vnd"]
# Issue 15: the net of OCOP products and of ordinary local goods, and the row's flag.
SPLIT = ["ocop_net_vnd", "local_goods_net_vnd", "local_goods"]
# Issue 15: by product group, the group's name is the key, its number and taxonomy beside it.
GROUP = ["code", "taxonomy"]
LOCAL_GOODS = "Hàng địa phương (không OCOP)"


def _header(by: str) -> list[str]:
    return [by, *(GROUP if by == "product_group" else []), *COLUMNS, *SPLIT]


def _cells(r: RevenueRow, by: str) -> list[Cell]:
    group: list[Cell] = [r.code, r.taxonomy] if by == "product_group" else []
    money = [r.sales, r.quantity, r.gross_vnd, r.refunds_vnd, r.net_vnd]
    flag = LOCAL_GOODS if r.local_goods else ""
    return [r.key, *group, *money, r.ocop_net_vnd, r.local_goods_net_vnd, flag]


def to_csv(rows: Sequence[RevenueRow], by: str) -> bytes:
    return csv_file(_header(by), (_cells(r, by) for r in rows))


def to_xlsx(rows: Sequence[RevenueRow], by: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"revenue by {by}"[:31]
    header = _header(by)
    append_row(sheet, header)
    for r in rows:
        append_row(sheet, _cells(r, by))
    money = ("gross_vnd", "refunds_vnd", "net_vnd", "ocop_net_vnd", "local_goods_net_vnd")
    for name in money:
        for cell in sheet[get_column_letter(header.index(name) + 1)][1:]:
            cell.number_format = '#,##0" ₫"'
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
