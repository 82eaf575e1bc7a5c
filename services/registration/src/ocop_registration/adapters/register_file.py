"""A province's OCOP product register as a file (CSV or XLSX): its rows read, and each row
parsed into what it asks for (a holder, a product, its certificate) or the reasons it cannot
be imported. Each field is checked with the domain's own rules so the report names every bad
field of a row; the import itself then goes through the application's handlers.

Reading is CPU work (an XLSX of 20,000 rows takes seconds), so a request parses its upload in
a worker thread (``parse_upload``), never on the event loop. Both readers stream: the CSV is
decoded and split record by record, the XLSX read with openpyxl's read-only iteration, and
each stops at the row limit instead of reading the rest of a file that is refused anyway.
A file that cannot be read (not UTF-8, not a workbook, malformed XML, unpacking to too much,
too many rows or columns, a field over ``MAX_FIELD_CHARS``) is a 422 naming ``file`` and the
line; a bad value in a readable row is a row error in the report."""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from collections.abc import Callable, Generator
from datetime import date, datetime, time
from typing import IO, TypeVar

from ocop_registration.application.commands.imports import RegisterRow
from ocop_registration.domain import exhibitors, products
from ocop_registration.domain.exhibitors import ExhibitorDraft
from ocop_registration.domain.products import CertificateDraft, ProductDraft
from ocop_registration.domain.text import nfc
from ocop_shared.errors import DomainError, InvalidField
from ocop_shared.inputs import EARLIEST_DAY, INT32_MAX, LATEST_DAY, has_control_characters

T = TypeVar("T")

# Also read when present: tax_code, commune, phone, taxonomy (default 2023), gtin, valid_to.
REQUIRED = ("holder_name", "holder_kind", "province", "product_name", "group", "unit", "list_price_vnd",
            "certificate_number", "star", "issuing_level", "issuing_body", "decision_number", "decision_date", "valid_from")  # fmt: skip
MAX_ROWS = 20_000  # rows with data; blank rows are skipped
MAX_BLANK_ROWS = 10_000  # a sheet "used" far below its data is read no further than this
MAX_COLUMNS = 64
MAX_FIELD_CHARS = 1_000  # a name, an issuing body, a decision number: far less
# An XLSX is a zip: what its parts may unpack to (a 10 MB upload could hold gigabytes).
# openpyxl loads the shared strings whole; a sheet is streamed and stops at the row limit.
MAX_XLSX_UNPACKED = 256 << 20
MAX_XLSX_SHARED_STRINGS = 32 << 20


async def parse_upload(filename: str, content: bytes | IO[bytes]) -> list[RegisterRow]:
    """``parse`` in a worker thread: the event loop goes on answering while a file is read."""
    return await asyncio.to_thread(parse, filename, content)


def parse(filename: str, content: bytes | IO[bytes]) -> list[RegisterRow]:
    """Every row of the file, numbered as a spreadsheet shows them (header on line 1)."""
    return [parse_row(line, raw) for line, raw in read_rows(filename, content)]


def read_rows(filename: str, content: bytes | IO[bytes]) -> list[tuple[int, dict[str, str]]]:
    """The file's rows with data, each with its line, as column -> text (trimmed)."""
    stream = io.BytesIO(content) if isinstance(content, bytes) else content
    name = filename.lower()
    if name.endswith(".xlsx"):
        records = _xlsx_records(stream)
    elif name.endswith(".csv"):
        records = _csv_records(stream)
    else:
        raise InvalidField("file", "send a .csv or .xlsx file")
    try:
        header_cells = next(records, None)
        if header_cells is None:
            raise InvalidField("file", "the file is empty")
        header = [h.strip().lower() for h in header_cells]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise InvalidField("file", f"missing columns: {', '.join(missing)}")
        rows: list[tuple[int, dict[str, str]]] = []
        blank = 0
        for line, cells in enumerate(records, start=2):
            values = [c.strip() for c in cells]
            if not any(values):
                blank += 1
                if blank > MAX_BLANK_ROWS:
                    raise InvalidField("file", f"more than {MAX_BLANK_ROWS} empty rows")
                continue
            if len(rows) == MAX_ROWS:
                raise InvalidField("file", f"at most {MAX_ROWS} rows per file")
            rows.append((line, dict(zip(header, values, strict=False))))
        return rows
    finally:
        records.close()  # the reader's own cleanup now, while the file is open


def _checked(line: int, cells: list[str]) -> list[str]:
    if len(cells) > MAX_COLUMNS:
        raise InvalidField("file", f"line {line}: more than {MAX_COLUMNS} columns")
    for column, value in enumerate(cells, start=1):
        if len(value) > MAX_FIELD_CHARS:
            raise InvalidField(
                "file", f"line {line}, column {column}: longer than {MAX_FIELD_CHARS} characters"
            )
    return cells


def _csv_records(stream: IO[bytes]) -> Generator[list[str], None, None]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise InvalidField("file", "a CSV must be UTF-8") from None
            except csv.Error as exc:
                # csv's own bound (131,072 characters) is looser than ours: the same refusal.
                line = reader.line_num
                if "field larger than field limit" in str(exc):
                    raise InvalidField(
                        "file", f"line {line}: a field longer than {MAX_FIELD_CHARS} characters"
                    ) from None
                raise InvalidField("file", f"line {line}: not valid CSV ({exc})") from None
            yield _checked(reader.line_num, cells)
    finally:
        text.detach()  # the caller's file stays open


def _xlsx_records(stream: IO[bytes]) -> Generator[list[str], None, None]:
    _check_archive(stream)
    from openpyxl import load_workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    unreadable = "not a readable XLSX workbook"
    # openpyxl raises whatever its parsers raise on a malformed file (zip, XML, key, value,
    # type errors): any of them means the file cannot be read, a 422, never a 500.
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception:
        raise InvalidField("file", unreadable) from None
    try:
        sheet = book.active
        if not isinstance(sheet, ReadOnlyWorksheet):
            raise InvalidField("file", "the workbook's first sheet is not a worksheet")
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        line = 0
        while True:
            line += 1
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception:
                raise InvalidField("file", f"line {line}: {unreadable}") from None
            yield _checked(line, [_cell_text(v) for v in values])
    finally:
        book.close()


def _check_archive(stream: IO[bytes]) -> None:
    try:
        with zipfile.ZipFile(stream) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise InvalidField("file", "not an XLSX workbook (not a zip archive)") from None
    stream.seek(0)
    unpacked = sum(p.file_size for p in parts)
    shared = sum(p.file_size for p in parts if p.filename.lower().endswith("sharedstrings.xml"))
    if unpacked > MAX_XLSX_UNPACKED or shared > MAX_XLSX_SHARED_STRINGS:
        raise InvalidField("file", "the workbook unpacks to more than this import reads")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 85000.0 is the number 85000
    return str(value)


def parse_row(line: int, raw: dict[str, str]) -> RegisterRow:
    row = RegisterRow(line)

    def attempt(fn: Callable[[], T]) -> T | None:
        try:
            return fn()
        except DomainError as exc:
            row.refuse(exc.field or "row", exc.message)
        except ValueError as exc:
            row.refuse("row", str(exc))
        return None

    for col in REQUIRED:
        if not raw.get(col):
            row.refuse(col, "required")
    for col, value in raw.items():
        if has_control_characters(value):
            row.refuse(col, "must not contain control characters")
    if row.errors:
        return row
    tax_code = (
        attempt(lambda: exhibitors.parse_tax_code(raw["tax_code"])) if raw.get("tax_code") else None
    )
    phone = attempt(lambda: exhibitors.parse_phone(raw["phone"])) if raw.get("phone") else None
    attempt(lambda: exhibitors.check_kind(raw["holder_kind"], tax_code or raw.get("tax_code")))
    group = attempt(lambda: _int(raw["group"], "group"))
    taxonomy = raw.get("taxonomy") or "2023"
    if group is not None:
        attempt(lambda: products.check_group(taxonomy, group))
    price = attempt(lambda: _int(raw["list_price_vnd"], "list_price_vnd"))
    if price is not None:
        attempt(lambda: products.check_price(price))
    gtin = attempt(lambda: products.parse_gtin(raw["gtin"])) if raw.get("gtin") else None
    star = attempt(lambda: _int(raw["star"], "star"))
    decision_date = attempt(lambda: _date(raw["decision_date"], "decision_date"))
    valid_from = attempt(lambda: _date(raw["valid_from"], "valid_from"))
    valid_to = (
        attempt(lambda: _date(raw["valid_to"], "valid_to"))
        if raw.get("valid_to")
        else (products.default_valid_to(valid_from) if valid_from else None)
    )
    if star is not None and valid_from and valid_to:
        attempt(
            lambda: products.check_certificate(star, raw["issuing_level"], valid_from, valid_to)
        )
    if raw["holder_kind"] == "delegation":
        row.refuse("holder_kind", "a register lists holders, not delegations")
    if row.errors:
        return row
    assert group is not None and price is not None and star is not None
    assert decision_date and valid_from and valid_to
    row.holder = ExhibitorDraft(
        kind=exhibitors.parse_kind(raw["holder_kind"]), name=nfc(raw["holder_name"]), tax_code=tax_code,
        province=nfc(raw["province"]), commune=nfc(raw["commune"]) if raw.get("commune") else None, phone=phone,
    )  # fmt: skip
    row.product = ProductDraft(
        name=nfc(raw["product_name"]), group=group, taxonomy=taxonomy, gtin=gtin.code if gtin else None,
        unit=nfc(raw["unit"]), list_price_vnd=price,
    )  # fmt: skip
    row.certificate = CertificateDraft(
        number=raw["certificate_number"], star=star, issuing_level=raw["issuing_level"],
        issuing_body=nfc(raw["issuing_body"]), decision_number=raw["decision_number"],
        decision_date=decision_date, valid_from=valid_from, valid_to=valid_to,
    )  # fmt: skip
    return row


def _int(value: str, name: str) -> int:
    try:
        number = (
            int(value.replace(".", "").replace(",", "")) if name == "list_price_vnd" else int(value)
        )
    except ValueError:
        raise InvalidField(name, f"not a whole number: {value[:40]!r}") from None
    if name != "list_price_vnd" and abs(number) > INT32_MAX:
        raise InvalidField(name, "out of range")
    return number


def _date(value: str, name: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.strptime(value[:10], fmt).date()
        except ValueError:
            continue
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            raise InvalidField(
                name, f"must be between {EARLIEST_DAY:%d/%m/%Y} and {LATEST_DAY:%d/%m/%Y}"
            )
        return day
    raise InvalidField(name, f"not a date (YYYY-MM-DD or DD/MM/YYYY): {value[:40]!r}")
