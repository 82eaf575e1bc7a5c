"""The stock report and the consignment settlement as XLSX (``ocop_shared.exports``: names
written by people are text cells, never formulas). Vietnamese headers first."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from ocop_sales.application.queries.stock import StockReport
from ocop_sales.domain.settlement import Settlement
from ocop_shared.exports import Cell, append_row

MONEY = '#,##0" ₫"'
STOCK_HEADER = ["Nhập (received)", "Đã bán (sold)", "Trả lại (returned)", "Điều chỉnh (adjusted)",
                "Còn lại (on hand)", "Bán vượt (oversold)"]  # fmt: skip


def _sheet(book: Any, title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Any:
    sheet = book.create_sheet(title[:31])
    append_row(sheet, header)
    for row in rows:
        append_row(sheet, row)
    return sheet


def stock_xlsx(report: StockReport) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    figures = ("received", "sold", "returned", "adjusted", "on_hand", "oversold")
    _sheet(
        book,
        "Tồn kho theo sản phẩm",
        ["Sản phẩm (product)", "Nhà sản xuất (producer)", *STOCK_HEADER],
        ([p.product_name or str(p.product_id), p.producer_name or str(p.producer_id),
          *(getattr(p, f) for f in figures)] for p in report.products),
    )  # fmt: skip
    _sheet(
        book,
        "Theo nhà sản xuất",
        ["Nhà sản xuất (producer)", *STOCK_HEADER],
        ([p.producer_name or str(p.producer_id), *(getattr(p, f) for f in figures)]
         for p in report.producers),
    )  # fmt: skip
    _sheet(
        book,
        "Theo gian hàng",
        ["Gian hàng (booth)", "Sản phẩm (product)", "Nhà sản xuất (producer)", *STOCK_HEADER],
        ([b.booth_code or str(b.booth_id), b.product_name or str(b.product_id),
          b.producer_name or str(b.producer_id), *(getattr(b, f) for f in figures)]
         for b in report.booths),
    )  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def settlement_xlsx(s: Settlement) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    header = ["Nhà sản xuất (producer)", "Nhập (received)", "Số lượng bán (sold)",
              "Tiền bán (sold, ₫)", "Trả lại (returned)", "Thành tiền (amount, ₫)",
              f"Hoa hồng {s.commission_percent} % (commission, ₫)", "Phải trả (amount due, ₫)"]  # fmt: skip
    rows: list[list[Cell]] = [
        [r.producer_name or str(r.producer_id), r.received, r.sold_quantity, r.sold_vnd,
         r.returned, r.amount_vnd, r.commission_vnd, r.amount_due_vnd]
        for r in s.rows
    ]  # fmt: skip
    rows.append(["Tổng (total)", None, None, None, None, s.amount_vnd, s.commission_vnd,
                 s.amount_due_vnd])  # fmt: skip
    title = "Quyết toán " + ("cả kỳ" if s.period == "fair" else s.period)
    sheet = _sheet(book, title, header, rows)
    for column in ("D", "F", "G", "H"):
        for cell in sheet[column][1:]:
            cell.number_format = MONEY
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
