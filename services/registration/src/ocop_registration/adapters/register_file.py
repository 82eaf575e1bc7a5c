"""A province's OCOP product register as a file (CSV or XLSX): its rows read, and each row
parsed into what it asks for (a holder, a product, its certificate) or the reasons it cannot
be imported. Each field is checked with the domain's own rules so the report names every bad
field of a row; the import itself then goes through the application's handlers."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

from ocop_registration.application.commands.imports import RegisterRow
from ocop_registration.domain import exhibitors, products
from ocop_registration.domain.exhibitors import ExhibitorDraft
from ocop_registration.domain.products import CertificateDraft, ProductDraft
from ocop_registration.domain.text import nfc
from ocop_shared.errors import DomainError, InvalidField

T = TypeVar("T")

# Also read when present: tax_code, commune, phone, taxonomy (default 2023), gtin, valid_to.
REQUIRED = ("holder_name", "holder_kind", "province", "product_name", "group", "unit", "list_price_vnd",
            "certificate_number", "star", "issuing_level", "issuing_body", "decision_number", "decision_date", "valid_from")  # fmt: skip
MAX_ROWS = 20_000


def parse(filename: str, content: bytes) -> list[RegisterRow]:
    """Every row of the file (lines numbered as a spreadsheet shows them, header on line 1)."""
    return [parse_row(i + 2, raw) for i, raw in enumerate(read_rows(filename, content))]


def read_rows(filename: str, content: bytes) -> list[dict[str, str]]:
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        assert sheet is not None
        rows = [
            [
                "" if v is None else (v.date().isoformat() if isinstance(v, datetime) else str(v))
                for v in r
            ]
            for r in sheet.iter_rows(values_only=True)
        ]
    elif filename.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidField("file", "a CSV must be UTF-8") from None
        rows = list(csv.reader(io.StringIO(text)))
    else:
        raise InvalidField("file", "send a .csv or .xlsx file")
    if not rows:
        raise InvalidField("file", "the file is empty")
    header = [h.strip().lower() for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InvalidField("file", f"missing columns: {', '.join(missing)}")
    if len(rows) - 1 > MAX_ROWS:
        raise InvalidField("file", f"at most {MAX_ROWS} rows per file")
    return [
        dict(zip(header, (c.strip() for c in r), strict=False))
        for r in rows[1:]
        if any(c.strip() for c in r)
    ]


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
        return (
            int(value.replace(".", "").replace(",", "")) if name == "list_price_vnd" else int(value)
        )
    except ValueError:
        raise InvalidField(name, f"not a whole number: {value!r}") from None


def _date(value: str, name: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value[:10], fmt).date()
        except ValueError:
            continue
    raise InvalidField(name, f"not a date (YYYY-MM-DD or DD/MM/YYYY): {value!r}")
