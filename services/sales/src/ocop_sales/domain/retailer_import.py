"""The host retailer's daily sales file (issue 15): each row judged, a per-row report, and
the rows to record as sales of source ``retailer``. Pure Python.

A row is ``store, date, gtin, quantity, amount``. Its errors, each naming its field and with
a code: ``unknown_gtin`` (no product of the fair's admitted products has it), ``negative_quantity``
(or ``invalid_quantity``: not a whole number of at least 1), ``unknown_store`` (not one of the
fair's host retailer's stores: another retailer's), ``duplicate_row`` (the same store, date and
GTIN on an earlier line of the file), ``amount_not_integer`` (not a whole number of dong;
``negative_amount``), ``invalid_date``. Nothing is imported unless every row is valid or
``valid_rows_only`` is asked for. Idempotent twice over: the same file imported again answers
its first report and records nothing, and a (store, date, GTIN) already imported (from any
file) is ``already_imported``, never counted twice: its sale id is derived from the four.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Literal
from uuid import UUID, uuid5

from ocop_sales.domain.sales import VN
from ocop_shared.contracts.sales import StockLine, StockMoved

MAX_ROWS = 20_000
MAX_QUANTITY = 1_000_000
MAX_AMOUNT_VND = 10**12
RowStatus = Literal["imported", "already_imported", "rejected", "valid"]
_INT = re.compile(r"^-?\d+$")
_NAMESPACE = UUID("6f1c7f0e-4c43-4a55-9d6e-0a5a1e5b7c15")


@dataclass(frozen=True, slots=True)
class RowIn:
    """A row as the file has it (text, or what a spreadsheet cell held)."""

    line: int
    store: str
    date: str | date | datetime | None
    gtin: str
    quantity: str | int | float | None
    amount: str | int | float | None


@dataclass(frozen=True, slots=True)
class AdmittedProduct:
    """A product admitted at the fair, found by its GTIN: who sells it and its producer."""

    product_id: UUID
    producer_id: UUID
    exhibitor_id: UUID
    booth_id: UUID | None  # a booth (stand, shelf) its exhibitor holds at the fair
    product_group: int
    star: int


@dataclass(frozen=True, slots=True)
class RowError:
    field: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class RowReport:
    line: int
    status: RowStatus
    store: str
    day: date | None
    gtin: str
    quantity: int | None
    amount_vnd: int | None
    product_id: UUID | None = None
    producer_id: UUID | None = None
    sale_id: UUID | None = None
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RetailerSale:
    """A valid row, to be recorded as a sale of source ``retailer``."""

    sale_id: UUID
    store: str
    day: date
    gtin: str
    quantity: int
    amount_vnd: int
    product: AdmittedProduct

    @property
    def unit_price_vnd(self) -> int:
        return -(-self.amount_vnd // self.quantity)  # rounded up; the rest is a discount

    @property
    def discount_vnd(self) -> int:
        return self.unit_price_vnd * self.quantity - self.amount_vnd

    @property
    def sold_at(self) -> datetime:
        return datetime.combine(self.day, time(12), VN)


@dataclass(frozen=True, slots=True)
class ImportDecision:
    applied: bool
    rows: list[RowReport]
    sales: list[RetailerSale]  # the rows to record (none unless applied)

    @property
    def counts(self) -> dict[str, int]:
        counts = {"imported": 0, "already_imported": 0, "rejected": 0, "valid": 0}
        for r in self.rows:
            counts[r.status] += 1
        return counts


def sale_id_of(fair_id: UUID, store: str, day: date, gtin: str) -> UUID:
    """The sale a (store, date, GTIN) is recorded as: the same whatever file brings it."""
    return uuid5(_NAMESPACE, f"{fair_id}|{store}|{day.isoformat()}|{gtin}")


def _whole(value: str | int | float | None) -> tuple[int | None, str | None]:
    """A whole number, or why not ('missing', 'fraction', 'text')."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, "missing"
    if isinstance(value, bool):
        return None, "text"
    if isinstance(value, int):
        return value, None
    if isinstance(value, float):
        return (int(value), None) if value.is_integer() else (None, "fraction")
    text = value.strip().replace(" ", "")
    if _INT.match(text):
        return int(text), None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None, "text"
    if not number.is_finite():
        return None, "text"
    return (int(number), None) if number == number.to_integral_value() else (None, "fraction")


def _day(value: str | date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not value:
        return None
    text = value.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def judge_rows(
    fair_id: UUID,
    rows: Sequence[RowIn],
    *,
    stores: Collection[str],
    by_gtin: Mapping[str, AdmittedProduct],
    already: Collection[UUID],
    valid_rows_only: bool,
    first_day: date | None = None,
    last_day: date | None = None,
) -> ImportDecision:
    """Every row judged and reported; the valid ones recorded only if all are valid or
    ``valid_rows_only``. ``already``: the sale ids of (store, date, GTIN) imported before.
    ``first_day``/``last_day``: the fair's days (a date outside them is ``invalid_date``)."""
    reports: list[RowReport] = []
    seen: dict[tuple[str, date, str], int] = {}
    for row in rows:
        errors: list[RowError] = []
        store = (row.store or "").strip()
        gtin = (row.gtin or "").strip()
        if store not in stores:
            errors.append(
                RowError(
                    "store",
                    "unknown_store",
                    f"'{store}' is not one of this fair's host retailer's stores",
                )
            )
        day = _day(row.date)
        if day is None:
            errors.append(RowError("date", "invalid_date", "a date as YYYY-MM-DD or DD/MM/YYYY"))
        elif (first_day and day < first_day) or (last_day and day > last_day):
            errors.append(RowError("date", "invalid_date", "not a day of this fair"))
        product = by_gtin.get(gtin)
        if product is None:
            errors.append(
                RowError("gtin", "unknown_gtin", "no product admitted at this fair has this GTIN")
            )
        quantity, why = _whole(row.quantity)
        if quantity is not None and quantity < 0:
            errors.append(RowError("quantity", "negative_quantity", "cannot be negative"))
        elif quantity is None or not 1 <= quantity <= MAX_QUANTITY:
            errors.append(
                RowError(
                    "quantity",
                    "invalid_quantity",
                    f"a whole number between 1 and {MAX_QUANTITY}" + (f" ({why})" if why else ""),
                )
            )
        amount, why = _whole(row.amount)
        if why == "fraction":
            errors.append(
                RowError("amount", "amount_not_integer", "a whole number of dong (₫), no fraction")
            )
        elif amount is None:
            errors.append(RowError("amount", "amount_not_integer", "a whole number of dong (₫)"))
        elif not 0 <= amount <= MAX_AMOUNT_VND:
            errors.append(
                RowError("amount", "negative_amount", f"between 0 and {MAX_AMOUNT_VND} ₫")
            )
        sale_id = None
        if day is not None and not any(e.field in ("store", "gtin") for e in errors):
            key = (store, day, gtin)
            earlier = seen.get(key)
            if earlier is not None:
                errors.append(
                    RowError(
                        "row",
                        "duplicate_row",
                        f"the same store, date and GTIN as line {earlier}",
                    )
                )
            else:
                seen[key] = row.line
            sale_id = sale_id_of(fair_id, store, day, gtin)
        status: RowStatus = "rejected" if errors else "valid"
        if not errors and sale_id in already:
            status = "already_imported"
        reports.append(
            RowReport(
                line=row.line,
                status=status,
                store=store,
                day=day,
                gtin=gtin,
                quantity=quantity,
                amount_vnd=amount,
                product_id=product.product_id if product else None,
                producer_id=product.producer_id if product else None,
                sale_id=sale_id,
                errors=errors,
            )
        )
    clean = all(r.status != "rejected" for r in reports)
    applied = bool(reports) and (clean or valid_rows_only)
    sales: list[RetailerSale] = []
    final: list[RowReport] = []
    for r in reports:
        if r.status == "valid" and applied:
            assert r.sale_id and r.day and r.quantity and r.amount_vnd is not None
            sales.append(
                RetailerSale(
                    r.sale_id, r.store, r.day, r.gtin, r.quantity, r.amount_vnd, by_gtin[r.gtin]
                )
            )
            r = replace(r, status="imported")
        final.append(r)
    return ImportDecision(applied, final, sales)


@dataclass(frozen=True, slots=True)
class MovedStock:
    """A tracked product's stock taken at a booth by an import's sales."""

    booth_id: UUID
    exhibitor_id: UUID
    product_id: UUID
    producer_id: UUID
    quantity: int
    on_hand: int  # after


def sold_events(
    import_id: UUID, fair_id: UUID, moved: Sequence[MovedStock], now: datetime
) -> list[StockMoved]:
    """``sales.stock_moved`` (``sold``, source ``retailer``), one per booth an import moved."""
    by_booth: dict[tuple[UUID, UUID], list[StockLine]] = {}
    for m in moved:
        by_booth.setdefault((m.booth_id, m.exhibitor_id), []).append(
            StockLine(
                product_id=m.product_id,
                producer_id=m.producer_id,
                quantity=-m.quantity,
                on_hand=m.on_hand,
            )
        )
    return [
        StockMoved(
            movement_id=uuid5(import_id, str(booth_id)),
            fair_id=fair_id,
            booth_id=booth_id,
            exhibitor_id=exhibitor_id,
            kind="sold",
            source="retailer",
            lines=lines,
            moved_at=now,
        )
        for (booth_id, exhibitor_id), lines in by_booth.items()
    ]
