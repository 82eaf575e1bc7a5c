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
    assert rows[0] == ["product", *export.COLUMNS, *export.SPLIT]
    assert rows[1] == ["'" + HYPERLINK, "2", "3", "300000", "100000", "200000", "0", "0", ""]
    assert rows[2] == ["Mật ong bạc hà", "1", "1", "85000", "0", "85000", "0", "0", ""]


def test_the_xlsx_report_holds_a_formula_name_as_a_string_cell() -> None:
    sheet = load_workbook(io.BytesIO(export.to_xlsx(ROWS, "product"))).active
    assert sheet is not None
    first = [(c.value, c.data_type) for c in sheet[2]]
    assert first[0] == (HYPERLINK, "s")
    assert first[1:6] == [(2, "n"), (3, "n"), (300_000, "n"), (100_000, "n"), (200_000, "n")]
    assert sheet["F2"].number_format == '#,##0" ₫"'
    assert [c.value for c in sheet[3]][:6] == ["Mật ong bạc hà", 1, 1, 85_000, 0, 85_000]


# Issue 15: by product group the key is the group's Vietnamese name, its number and taxonomy
# beside it; every row splits OCOP products from ordinary local goods, flagged in words.
GROUPS = [
    RevenueRow("Thực phẩm", 3, 5, 500_000, 0, 500_000, 1, "2023", 500_000, 0, False),
    RevenueRow("Hàng thủ công mỹ nghệ", 1, 2, 90_000, 0, 90_000, 4, "2023", 0, 90_000, True),
    RevenueRow("Thảo dược", 1, 1, 40_000, 0, 40_000, 3, "2019", 40_000, 0, False),
]


def test_the_group_report_files_name_the_groups_with_their_taxonomy_and_flag_local_goods() -> None:
    rows = list(csv.reader(io.StringIO(export.to_csv(GROUPS, "product_group").decode("utf-8-sig"))))
    assert rows[0] == ["product_group", "code", "taxonomy", *export.COLUMNS, *export.SPLIT]
    assert rows[1] == [
        "Thực phẩm",
        "1",
        "2023",
        "3",
        "5",
        "500000",
        "0",
        "500000",
        "500000",
        "0",
        "",
    ]
    assert rows[2][0:3] == ["Hàng thủ công mỹ nghệ", "4", "2023"]
    assert rows[2][-3:] == ["0", "90000", "Hàng địa phương (không OCOP)"]
    assert rows[3][0:3] == ["Thảo dược", "3", "2019"]
    sheet = load_workbook(io.BytesIO(export.to_xlsx(GROUPS, "product_group"))).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["product_group", "code", "taxonomy"]
    local = [c.value for c in sheet[3]]
    assert local[0] == "Hàng thủ công mỹ nghệ" and local[-1] == "Hàng địa phương (không OCOP)"
    money = sheet.cell(row=3, column=header.index("local_goods_net_vnd") + 1)
    assert (money.value, money.number_format) == (90_000, '#,##0" ₫"')
