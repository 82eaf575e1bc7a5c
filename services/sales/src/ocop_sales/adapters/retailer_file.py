"""The host retailer's sales file (CSV or XLSX) read into rows: ``store, date, gtin, quantity,
amount`` (header on line 1, names in any case; Vietnamese names accepted too). Reading is CPU
work, done in a worker thread; a file that cannot be read, or that lacks a column, is a 422
naming ``file``; a bad value in a row is a row error in the report (domain/retailer_import.py)."""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from typing import IO, Any

from ocop_sales.domain.retailer_import import MAX_ROWS, RowIn
from ocop_shared.errors import InvalidField

COLUMNS = ("store", "date", "gtin", "quantity", "amount")
ALIASES = {
    "cua_hang": "store",
    "cửa hàng": "store",
    "ma_cua_hang": "store",
    "ngay": "date",
    "ngày": "date",
    "ma_vach": "gtin",
    "mã vạch": "gtin",
    "so_luong": "quantity",
    "số lượng": "quantity",
    "thanh_tien": "amount",
    "thành tiền": "amount",
    "amount_vnd": "amount",
}
MAX_XLSX_UNPACKED = 64 << 20


async def parse_upload(filename: str, content: bytes) -> list[RowIn]:
    return await asyncio.to_thread(parse, filename, content)


def parse(filename: str, content: bytes) -> list[RowIn]:
    name = filename.lower()
    if name.endswith(".xlsx"):
        records = _xlsx(content)
    elif name.endswith(".csv"):
        records = _csv(content)
    else:
        raise InvalidField("file", "send a .csv or .xlsx file")
    header_cells = next(records, None)
    if header_cells is None:
        raise InvalidField("file", "the file is empty")
    header = [ALIASES.get(h, h) for h in (str(c or "").strip().lower() for c in header_cells)]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidField("file", f"missing columns: {', '.join(missing)}")
    at = {c: header.index(c) for c in COLUMNS}
    rows: list[RowIn] = []
    for line, cells in enumerate(records, start=2):
        values = list(cells) + [None] * (len(header) - len(cells))
        if not any(v not in (None, "") and str(v).strip() for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise InvalidField("file", f"at most {MAX_ROWS} rows a file (line {line})")
        rows.append(
            RowIn(
                line=line,
                store=_text(values[at["store"]]),
                date=_date(values[at["date"]]),
                gtin=_text(values[at["gtin"]]),
                quantity=_number(values[at["quantity"]]),
                amount=_number(values[at["amount"]]),
            )
        )
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a GTIN a spreadsheet took for a number
    return str(value).strip()


def _date(value: Any) -> str | date | datetime | None:
    if isinstance(value, datetime | date):
        return value
    return None if value is None else str(value).strip()


def _number(value: Any) -> str | int | float | None:
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    return str(value).strip()


def _csv(content: bytes) -> Iterator[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidField("file", f"not UTF-8 text (byte {exc.start})") from None
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    yield from csv.reader(io.StringIO(text), delimiter=delimiter)


def _xlsx(content: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_XLSX_UNPACKED:
                raise InvalidField("file", "the workbook unpacks to too much")
        book = load_workbook(_stream(content), read_only=True, data_only=True)
    except InvalidField:
        raise
    except Exception:  # not a zip, not a workbook, malformed XML
        raise InvalidField("file", "not an XLSX workbook") from None
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def _stream(content: bytes) -> IO[bytes]:
    return io.BytesIO(content)
