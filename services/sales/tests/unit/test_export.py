"""The revenue report's files: a product named as a formula is text in CSV and XLSX; the
money columns stay numbers."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from ocop_sales.adapters import export
from ocop_sales.application.ports import RevenueRow

HYPERLINK = '=HYPERLINK("http://x","y")'
ROWS = [
    RevenueRow(HYPERLINK, 2, 3, 300_000, 100_000, 200_000),
    RevenueRow("Mật ong bạc hà", 1, 1, 85_000, 0, 85_000),
]


def test_the_csv_report_holds_a_formula_name_as_text() -> None:
    rows = list(csv.reader(io.StringIO(export.to_csv(ROWS, "product").decode("utf-8-sig"))))
    assert rows[0] == ["product", *export.COLUMNS]
    assert rows[1] == ["'" + HYPERLINK, "2", "3", "300000", "100000", "200000"]
    assert rows[2] == ["Mật ong bạc hà", "1", "1", "85000", "0", "85000"]


def test_the_xlsx_report_holds_a_formula_name_as_a_string_cell() -> None:
    sheet = load_workbook(io.BytesIO(export.to_xlsx(ROWS, "product"))).active
    assert sheet is not None
    first = [(c.value, c.data_type) for c in sheet[2]]
    assert first[0] == (HYPERLINK, "s")
    assert first[1:] == [(2, "n"), (3, "n"), (300_000, "n"), (100_000, "n"), (200_000, "n")]
    assert sheet["F2"].number_format == '#,##0" ₫"'
    assert [c.value for c in sheet[3]] == ["Mật ong bạc hà", 1, 1, 85_000, 0, 85_000]
