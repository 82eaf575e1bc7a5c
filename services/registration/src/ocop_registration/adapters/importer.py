"""Bulk import of a province's OCOP product register (CSV or XLSX).

Every row is checked with the same domain rules as the API. The answer is a per-row report.
A file with any bad row changes nothing, unless the caller asked for the valid rows only;
what is imported is imported in one transaction, with its events.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import asyncpg

from ocop_registration.adapters import repository as repo
from ocop_registration.domain import exhibitors, products
from ocop_registration.domain.text import fold, nfc
from ocop_shared.contracts.registration import (
    CertificateIssued,
    CertificateSnapshot,
    ExhibitorRegistered,
    ExhibitorSnapshot,
    ProductRegistered,
    ProductSnapshot,
)
from ocop_shared.errors import DomainError, InvalidField
from ocop_shared.events import Event

COLUMNS = (
    "holder_name", "holder_kind", "tax_code", "province", "commune", "phone",
    "product_name", "taxonomy", "group", "gtin", "unit", "list_price_vnd",
    "certificate_number", "star", "issuing_level", "issuing_body", "decision_number",
    "decision_date", "valid_from", "valid_to",
)  # fmt: skip
REQUIRED = ("holder_name", "holder_kind", "province", "product_name", "group", "unit", "list_price_vnd",
            "certificate_number", "star", "issuing_level", "issuing_body", "decision_number", "decision_date", "valid_from")  # fmt: skip
MAX_ROWS = 20_000

Emit = Callable[[asyncpg.Connection, Sequence[Event]], Awaitable[None]]


@dataclass
class Row:
    line: int
    holder: ExhibitorSnapshot | None = None
    product: ProductSnapshot | None = None
    certificate: CertificateSnapshot | None = None
    gtin_vietnamese: bool | None = None
    errors: list[dict[str, str]] = field(default_factory=list)


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


def parse_row(line: int, raw: dict[str, str], on: date) -> Row:
    row = Row(line)

    def attempt(fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except DomainError as exc:
            row.errors.append({"field": exc.field or "row", "message": exc.message})
        except ValueError as exc:
            row.errors.append({"field": "row", "message": str(exc)})
        return None

    for col in REQUIRED:
        if not raw.get(col):
            row.errors.append({"field": col, "message": "required"})
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
        row.errors.append(
            {"field": "holder_kind", "message": "a register lists holders, not delegations"}
        )
    if row.errors:
        return row
    assert (
        group is not None
        and price is not None
        and star is not None
        and decision_date
        and valid_from
        and valid_to
    )
    row.holder = ExhibitorSnapshot(
        exhibitor_id=uuid.uuid4(), kind=raw["holder_kind"], name=nfc(raw["holder_name"]), tax_code=tax_code,
        province=nfc(raw["province"]), commune=nfc(raw["commune"]) if raw.get("commune") else None, phone=phone,
    )  # fmt: skip
    row.certificate = CertificateSnapshot(
        certificate_id=uuid.uuid4(), number=raw["certificate_number"], star=star, issuing_level=raw["issuing_level"],
        issuing_body=nfc(raw["issuing_body"]), decision_number=raw["decision_number"], decision_date=decision_date,
        valid_from=valid_from, valid_to=valid_to, status=products.certificate_status(valid_to, False, on),
    )  # fmt: skip
    row.product = ProductSnapshot(
        product_id=uuid.uuid4(), holder_id=row.holder.exhibitor_id, name=nfc(raw["product_name"]), group=group,
        taxonomy=taxonomy, gtin=gtin.code if gtin else None, unit=nfc(raw["unit"]), list_price_vnd=price,
        certificate=row.certificate,
    )  # fmt: skip
    row.gtin_vietnamese = gtin.vietnamese if gtin else None
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


async def import_register(
    pool: asyncpg.Pool, filename: str, content: bytes, *, valid_rows_only: bool, emit: Emit
) -> dict[str, Any]:
    on = repo.today()
    rows = [parse_row(i + 2, raw, on) for i, raw in enumerate(read_rows(filename, content))]
    _flag_duplicates(rows)
    async with pool.acquire() as conn:
        await _flag_existing(conn, rows)
        rejected = [r for r in rows if r.errors]
        good = [r for r in rows if not r.errors]
        imported = 0
        if good and (valid_rows_only or not rejected):
            async with conn.transaction():
                imported = await _store(conn, good, emit)
    return {
        "rows": len(rows),
        "imported": imported,
        "rejected": len(rejected),
        "applied": imported > 0,
        "errors": [{"line": r.line, "errors": r.errors} for r in rejected],
    }


def _flag_duplicates(rows: list[Row]) -> None:
    seen_numbers: dict[str, int] = {}
    seen_gtins: dict[str, int] = {}
    for r in rows:
        if r.certificate is None or r.product is None:
            continue
        if r.certificate.number in seen_numbers:
            r.errors.append(
                {
                    "field": "certificate_number",
                    "message": f"also on line {seen_numbers[r.certificate.number]}",
                }
            )
        seen_numbers.setdefault(r.certificate.number, r.line)
        if r.product.gtin:
            if r.product.gtin in seen_gtins:
                r.errors.append(
                    {"field": "gtin", "message": f"also on line {seen_gtins[r.product.gtin]}"}
                )
            seen_gtins.setdefault(r.product.gtin, r.line)


async def _flag_existing(conn: asyncpg.Connection, rows: list[Row]) -> None:
    numbers = [r.certificate.number for r in rows if r.certificate]
    gtins = [r.product.gtin for r in rows if r.product and r.product.gtin]
    taken_numbers = {
        x["number"]
        for x in await conn.fetch(
            "select number from certificates where number = any($1::text[])", numbers
        )
    }
    taken_gtins = {
        x["gtin"]
        for x in await conn.fetch("select gtin from products where gtin = any($1::text[])", gtins)
    }
    for r in rows:
        if r.certificate and r.certificate.number in taken_numbers:
            r.errors.append({"field": "certificate_number", "message": "already recorded"})
        if r.product and r.product.gtin in taken_gtins:
            r.errors.append({"field": "gtin", "message": "already registered to a product"})


async def _store(conn: asyncpg.Connection, rows: list[Row], emit: Emit) -> int:
    events: list[Event] = []
    holders: dict[tuple[str, ...], ExhibitorSnapshot] = {}
    for r in rows:
        assert r.holder and r.product and r.certificate
        key = (
            (r.holder.tax_code,)
            if r.holder.tax_code
            else (fold(r.holder.name), fold(r.holder.province))
        )
        holder = holders.get(key)
        if holder is None:
            holder = await _existing_holder(conn, r.holder)
            if holder is None:
                holder = r.holder
                await repo.upsert_exhibitor(conn, holder, fold(holder.name), "", None)
                events.append(ExhibitorRegistered(exhibitor=holder))
            holders[key] = holder
        product = r.product.model_copy(
            update={"holder_id": holder.exhibitor_id, "certificate": None}
        )
        await repo.insert_product(conn, product, fold(product.name), r.gtin_vietnamese, None)
        await repo.insert_certificate(conn, product.product_id, r.certificate)
        certified = product.model_copy(update={"certificate": r.certificate})
        events += [ProductRegistered(product=product), CertificateIssued(product=certified)]
    await emit(conn, events)
    return len(rows)


async def _existing_holder(
    conn: asyncpg.Connection, holder: ExhibitorSnapshot
) -> ExhibitorSnapshot | None:
    if holder.tax_code:
        return await repo.exhibitor_by_tax_code(conn, holder.tax_code)
    exhibitor_id = await conn.fetchval(
        "select exhibitor_id from exhibitors where name_folded = $1 and lower(province) = lower($2) and kind <> 'delegation' limit 1",
        fold(holder.name),
        holder.province,
    )
    return await repo.get_exhibitor(conn, exhibitor_id) if exhibitor_id else None
