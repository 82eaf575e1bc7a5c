"""Reading a register file (adapters/register_file.py): whatever the file holds, a file that
cannot be read is a refusal naming ``file`` (a 422), never an exception of the parser's; the
readers stream and stop at the row limit."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

import pytest

from ocop_registration.adapters import register_file
from ocop_shared.errors import InvalidField

HEADER = [*register_file.REQUIRED, "tax_code", "gtin"]


def good_row(i: int, **overrides: str) -> list[str]:
    row = dict(
        holder_name=f"HTX Mật ong {i}", holder_kind="household_business", province="Lào Cai",
        product_name=f"Mật ong bạc hà {i}", group="1", unit="hũ", list_price_vnd="85.000",
        certificate_number=f"OCOP-T-{i}", star="4", issuing_level="province",
        issuing_body="UBND tỉnh Lào Cai", decision_number=f"QD-{i}", decision_date="2024-01-02",
        valid_from="2024-01-02", tax_code="", gtin="",
    )  # fmt: skip
    row.update(overrides)
    return [row[c] for c in HEADER]


def csv_bytes(rows: Sequence[Sequence[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def xlsx_bytes(rows: Sequence[Sequence[object]], *, sheet_xml: str | None = None) -> bytes:
    """A minimal workbook written directly (openpyxl's writer takes a minute for 120,000
    rows), inline strings, with the dimension element real spreadsheet apps write."""
    columns = [chr(ord("A") + i) for i in range(26)]

    def cell(ref: str, value: object) -> str:
        if isinstance(value, int | float):
            return f'<c r="{ref}"><v>{value}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'

    body = "".join(
        f'<row r="{r}">'
        + "".join(cell(f"{columns[c]}{r}", v) for c, v in enumerate(row))
        + "</row>"
        for r, row in enumerate(rows, start=1)
    )
    width = max((len(r) for r in rows), default=1)
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    if sheet_xml is None:
        sheet_xml = (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}">'
            f'<dimension ref="A1:{columns[width - 1]}{max(len(rows), 1)}"/>'
            f"<sheetData>{body}</sheetData></worksheet>"
        )
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{pkg}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}" xmlns:r="{rel}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


def refused(filename: str, content: bytes, message: str) -> None:
    with pytest.raises(InvalidField, match=message) as caught:
        register_file.parse(filename, content)
    assert caught.value.field == "file"


def test_a_good_csv_and_a_good_xlsx_read_alike() -> None:
    rows = [HEADER, good_row(1), [""] * len(HEADER), good_row(2)]
    from_csv = register_file.parse("r.csv", csv_bytes(rows))
    from_xlsx = register_file.parse("r.XLSX", xlsx_bytes(rows))
    for parsed in (from_csv, from_xlsx):
        assert [r.line for r in parsed] == [2, 4]  # the blank line 3 keeps its number
        assert all(not r.errors for r in parsed), parsed
        assert parsed[0].product is not None and parsed[0].product.list_price_vnd == 85_000


def test_numbers_and_dates_from_a_spreadsheet_are_read_as_written() -> None:
    row: list[object] = list(good_row(1))
    row[HEADER.index("list_price_vnd")] = 85000.0
    row[HEADER.index("star")] = 4
    [parsed] = register_file.parse("r.xlsx", xlsx_bytes([HEADER, row]))
    assert not parsed.errors and parsed.product and parsed.product.list_price_vnd == 85_000


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04 not really a zip", "not an XLSX workbook"),
        (b"holder_name,province\nx,y\n", "not an XLSX workbook"),
        (b"", "not an XLSX workbook"),
    ],
)
def test_a_file_that_is_no_workbook_is_refused(content: bytes, message: str) -> None:
    refused("register.xlsx", content, message)


def test_malformed_workbooks_are_refused_naming_the_file() -> None:
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    broken_sheets = [
        "<worksheet><sheetData><row r='1'><c r='A1' t='inlineStr'>",  # truncated XML
        f"<worksheet xmlns='{ns}'><sheetData><row r='x'/></sheetData></worksheet>",
        f"<worksheet xmlns='{ns}'><sheetData><row r='1'><c r='A1' t='s'><v>7</v></c></row>"
        "</sheetData></worksheet>",  # a shared string that is not there
        f"<worksheet xmlns='{ns}'><sheetData><row r='1'><c r='??'><v>1</v></c></row>"
        "</sheetData></worksheet>",
        f"<worksheet xmlns='{ns}'><sheetData><row r='1'><c r='A1' t='n'><v>abc</v></c></row>"
        "</sheetData></worksheet>",
        "not xml at all",
    ]
    for sheet in broken_sheets:
        refused("register.xlsx", xlsx_bytes([], sheet_xml=sheet), "XLSX")
    # A workbook without its parts.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hello.txt", "hi")
    refused("register.xlsx", buffer.getvalue(), "XLSX")


def test_a_workbook_unpacking_to_too_much_is_refused_before_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(register_file, "MAX_XLSX_UNPACKED", 10_000)
    rows = [HEADER, *(good_row(i) for i in range(200))]
    refused("register.xlsx", xlsx_bytes(rows), "unpacks to more")


def test_over_long_csv_fields_are_refused_naming_the_file_and_line() -> None:
    long_name = good_row(1, holder_name="x" * (register_file.MAX_FIELD_CHARS + 1))
    refused("r.csv", csv_bytes([HEADER, good_row(0), long_name]), "line 3, column 1: longer")
    # Beyond the csv module's own bound (131,072 characters): the same refusal, not csv.Error.
    huge = good_row(1, holder_name="x" * 200_000)
    refused("r.csv", csv_bytes([HEADER, huge]), "longer than 1000 characters")
    huge_xlsx = good_row(1, holder_name="x" * 5_000)
    refused("r.xlsx", xlsx_bytes([HEADER, huge_xlsx]), "line 2, column 1: longer")


def test_unreadable_csv_is_refused_naming_the_file() -> None:
    refused("r.csv", "holder_name\nM\xe9t\n".encode("latin-1"), "UTF-8")
    refused("r.csv", b"", "empty")
    refused("r.csv", csv_bytes([["a", "b"], ["1", "2"]]), "missing columns")
    refused("r.txt", b"a,b\n", "send a .csv or .xlsx")
    refused("r.csv", csv_bytes([HEADER, ["x"] * 100]), "more than 64 columns")


def test_the_readers_stop_at_the_row_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(register_file, "MAX_ROWS", 50)
    rows = [HEADER, *(good_row(i) for i in range(51))]
    refused("r.csv", csv_bytes(rows), "at most 50 rows")
    refused("r.xlsx", xlsx_bytes(rows), "at most 50 rows")
    assert len(register_file.parse("r.csv", csv_bytes(rows[:51]))) == 50


def test_row_values_with_control_characters_or_far_dates_are_row_errors() -> None:
    rows = [
        HEADER,
        good_row(1, holder_name="HTX\x00 Mật ong"),
        good_row(2, decision_date="0001-01-01"),
        good_row(3, valid_from="31/12/9999"),
        good_row(4, group="18446744073709551616"),
    ]
    parsed = register_file.parse("r.csv", csv_bytes(rows))
    fields = [{e.field for e in r.errors} for r in parsed]
    assert fields == [{"holder_name"}, {"decision_date"}, {"valid_from"}, {"group"}]


def test_an_upload_is_read_from_its_file_in_a_worker_thread_and_left_open() -> None:
    rows = [HEADER, good_row(1)]
    for name, content in (("r.csv", csv_bytes(rows)), ("r.xlsx", xlsx_bytes(rows))):
        with tempfile.SpooledTemporaryFile(max_size=1024) as spooled:
            spooled.write(content)
            spooled.seek(0)
            import asyncio

            parsed = asyncio.run(register_file.parse_upload(name, spooled))
            assert [r.line for r in parsed] == [2] and not parsed[0].errors
            assert not spooled.closed
