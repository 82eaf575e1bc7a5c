"""Safe exports (ocop_shared.exports): text a spreadsheet would run as a formula is plain text
in CSV (a leading quote) and a string cell in XLSX; numbers stay numbers."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from ocop_shared.exports import append_row, csv_file, neutralise

HYPERLINK = '=HYPERLINK("http://x","y")'


@pytest.mark.parametrize(
    "text", [HYPERLINK, "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"]
)
def test_text_a_spreadsheet_would_run_is_prefixed_in_csv(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Mật ong bạc hà", "Trà 5=5", "", "a-b", "'quoted"])
def test_other_text_is_left_alone(text: str) -> None:
    assert neutralise(text) == text


def test_a_csv_file_neutralises_text_and_keeps_numbers() -> None:
    data = csv_file(["product", "net_vnd"], [[HYPERLINK, -5000], ["Trà", 12000]])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["product", "net_vnd"], ["'" + HYPERLINK, "-5000"], ["Trà", "12000"]]


def test_an_xlsx_row_holds_text_as_string_cells_and_numbers_as_numbers() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    append_row(sheet, ["product", "net_vnd"])
    append_row(sheet, [HYPERLINK, -5000])
    append_row(sheet, ["#N/A", 1.5])
    append_row(sheet, ["tab\x01bell", 0])  # a character XML cannot hold is dropped
    buffer = io.BytesIO()
    book.save(buffer)
    reread = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert reread is not None
    cells = [[(c.value, c.data_type) for c in row] for row in reread.iter_rows()]
    assert cells[1] == [(HYPERLINK, "s"), (-5000, "n")]
    assert cells[2] == [("#N/A", "s"), (1.5, "n")]
    assert cells[3] == [("tabbell", "s"), (0, "n")]
    # And in the file itself: no formula element anywhere.
    with zipfile.ZipFile(buffer) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")
