"""Sales at a fair's tills: what a sale must satisfy, and what it adds up to. Pure Python.

Money is integer VND throughout. The terminal's totals are a claim: the server recomputes
every line and the sale and refuses a sale whose claim differs, naming the field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from ocop_shared.contracts.sales import PaymentMethod, SoldLine
from ocop_shared.errors import Conflict, InvalidField, LimitExceeded

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True, slots=True)
class Limits:
    max_lines: int = 100
    max_quantity: int = 10_000
    max_sale_vnd: int = 2_000_000_000
    max_batch: int = 1000


@dataclass(frozen=True, slots=True)
class CatalogItem:
    product_id: UUID
    producer_id: UUID
    gtin: str | None
    product_group: int
    star: int
    list_price_vnd: int
    blocked_at: datetime | None  # certificate revoked or expired: no sale after this instant


@dataclass(frozen=True, slots=True)
class LineIn:
    product_id: UUID | None
    gtin: str | None
    quantity: int
    unit_price_vnd: int
    discount_vnd: int
    total_vnd: int | None


@dataclass(frozen=True, slots=True)
class PaymentIn:
    method: PaymentMethod
    amount_vnd: int
    reference: str | None


@dataclass(frozen=True, slots=True)
class SaleIn:
    sale_id: UUID
    device_time: datetime
    lines: Sequence[LineIn]
    payments: Sequence[PaymentIn]
    total_vnd: int
    payload_hash: bytes


@dataclass(frozen=True, slots=True)
class TillContext:
    """What the server knows about the till when a sale arrives."""

    terminal_active: bool
    fair_starts_at: datetime
    fair_ends_at: datetime
    fair_status: str
    booth_exhibitor: UUID | None
    catalog: Mapping[UUID, CatalogItem]
    by_gtin: Mapping[str, UUID]
    grace: timedelta
    offline_upload_window: timedelta


@dataclass(frozen=True, slots=True)
class PricedSale:
    sale: SaleIn
    lines: list[SoldLine]
    total_vnd: int
    payments: dict[PaymentMethod, int]
    business_date: date


def payload_hash(canonical_json: bytes) -> bytes:
    return hashlib.sha256(canonical_json).digest()


def check_till(ctx: TillContext, now: datetime) -> None:
    """Refusals that apply to every sale from this till right now."""
    if not ctx.terminal_active:
        raise Conflict("this terminal is suspended", field="terminal_id")
    if ctx.booth_exhibitor is None:
        raise Conflict("this terminal's booth has no exhibitor now", field="terminal_id")
    if ctx.fair_status in ("draft", "open", "closed") and now < ctx.fair_starts_at - ctx.grace:
        raise Conflict("the fair has not started", field="device_time")
    if now > ctx.fair_ends_at + ctx.grace + ctx.offline_upload_window:
        raise Conflict("the fair is over and its upload window has closed", field="device_time")


def price_sale(
    sale: SaleIn, ctx: TillContext, limits: Limits, *, now: datetime, offline: bool
) -> PricedSale:
    """Checks one sale against the till's catalog and recomputes its totals."""
    moment = sale.device_time if offline else now
    if not ctx.fair_starts_at - ctx.grace <= moment <= ctx.fair_ends_at + ctx.grace:
        raise InvalidField("device_time", "outside the fair's selling hours")
    if sale.device_time > now + timedelta(minutes=10):
        raise InvalidField("device_time", "is in the future: check the terminal's clock")
    if not sale.lines:
        raise InvalidField("lines", "a sale has at least one line")
    if len(sale.lines) > limits.max_lines:
        raise LimitExceeded(
            f"at most {limits.max_lines} lines per sale (limit max_lines)", field="lines"
        )
    sold: list[SoldLine] = []
    for i, line in enumerate(sale.lines):
        item = _catalog_item(line, ctx, i)
        if item.blocked_at is not None and moment >= item.blocked_at:
            raise InvalidField(
                f"lines.{i}.product_id",
                "this product's OCOP certificate is no longer valid: it cannot be sold",
            )
        if not 1 <= line.quantity <= limits.max_quantity:
            raise InvalidField(
                f"lines.{i}.quantity", f"between 1 and {limits.max_quantity} (limit max_quantity)"
            )
        if line.unit_price_vnd < 0:
            raise InvalidField(f"lines.{i}.unit_price_vnd", "cannot be negative")
        gross = line.quantity * line.unit_price_vnd
        if not 0 <= line.discount_vnd <= gross:
            raise InvalidField(f"lines.{i}.discount_vnd", f"between 0 and the line's {gross} VND")
        total = gross - line.discount_vnd
        if line.total_vnd is not None and line.total_vnd != total:
            raise InvalidField(
                f"lines.{i}.total_vnd",
                f"is {line.total_vnd}, but {line.quantity} × {line.unit_price_vnd} − {line.discount_vnd} = {total}",
            )
        sold.append(
            # Values computed here from validated integers: no need to validate them again.
            SoldLine.model_construct(
                product_id=item.product_id,
                producer_id=item.producer_id,
                quantity=line.quantity,
                unit_price_vnd=line.unit_price_vnd,
                discount_vnd=line.discount_vnd,
                total_vnd=total,
                product_group=item.product_group,
                star=item.star,
            )
        )
    total = sum(line.total_vnd for line in sold)
    if total > limits.max_sale_vnd:
        raise LimitExceeded(
            f"a sale is at most {limits.max_sale_vnd} VND (limit max_sale_vnd)", field="total_vnd"
        )
    if sale.total_vnd != total:
        raise InvalidField("total_vnd", f"is {sale.total_vnd}, but the lines add up to {total}")
    payments: dict[PaymentMethod, int] = {}
    for i, payment in enumerate(sale.payments):
        if payment.amount_vnd <= 0:
            raise InvalidField(f"payments.{i}.amount_vnd", "must be positive")
        payments[payment.method] = payments.get(payment.method, 0) + payment.amount_vnd
    paid = sum(payments.values())
    if paid != total:
        raise InvalidField("payments", f"add up to {paid}, but the sale is {total}")
    return PricedSale(sale, sold, total, payments, sale.device_time.astimezone(VN).date())


def _catalog_item(line: LineIn, ctx: TillContext, i: int) -> CatalogItem:
    product_id = line.product_id
    if product_id is None:
        if line.gtin is None:
            raise InvalidField(f"lines.{i}.product_id", "give the product id or its GTIN")
        product_id = ctx.by_gtin.get(line.gtin)
        if product_id is None:
            raise InvalidField(f"lines.{i}.gtin", "no product with this GTIN is sold at this booth")
    item = ctx.catalog.get(product_id)
    if item is None:
        raise InvalidField(
            f"lines.{i}.product_id", "this product is not approved for sale at this booth"
        )
    return item


@dataclass(frozen=True, slots=True)
class RefundLineIn:
    line_no: int
    quantity: int


def price_refund(
    sale_lines: Sequence[SoldLine],
    already_refunded: Mapping[int, int],
    lines: Sequence[RefundLineIn],
) -> list[tuple[int, SoldLine]]:
    """A refund names lines of the original sale; together with earlier refunds it never
    exceeds what was sold. The refunded amount is pro rata of the line's net total."""
    if not lines:
        raise InvalidField("lines", "a refund has at least one line")
    out: list[tuple[int, SoldLine]] = []
    seen: set[int] = set()
    for i, line in enumerate(lines):
        if not 0 <= line.line_no < len(sale_lines):
            raise InvalidField(
                f"lines.{i}.line_no", f"the sale has lines 0 to {len(sale_lines) - 1}"
            )
        if line.line_no in seen:
            raise InvalidField(f"lines.{i}.line_no", "listed twice")
        seen.add(line.line_no)
        original = sale_lines[line.line_no]
        left = original.quantity - already_refunded.get(line.line_no, 0)
        if not 1 <= line.quantity <= left:
            raise InvalidField(f"lines.{i}.quantity", f"at most {left} left to refund on this line")
        # Exact pro rata in integer dong; the last unit refunded takes the remainder.
        refunded_before = already_refunded.get(line.line_no, 0)
        amount = _share(
            original.total_vnd, original.quantity, refunded_before + line.quantity
        ) - _share(original.total_vnd, original.quantity, refunded_before)
        out.append(
            (
                line.line_no,
                original.model_copy(
                    update={"quantity": line.quantity, "total_vnd": amount, "discount_vnd": 0}
                ),
            )
        )
    return out


def _share(total: int, quantity: int, units: int) -> int:
    return total * units // quantity


def z_report(
    opening_cash: int,
    counted_cash: int,
    sales: Sequence[tuple[int, Mapping[str, int]]],
    refunds: Sequence[tuple[int, str]],
) -> dict[str, object]:
    """Closing totals of one session: count, gross, refunds, net by method, cash variance."""
    by_method: dict[str, int] = {}
    for _total, payments in sales:
        for method, amount in payments.items():
            by_method[method] = by_method.get(method, 0) + amount
    refunded = 0
    for amount, method in refunds:
        by_method[method] = by_method.get(method, 0) - amount
        refunded += amount
    gross = sum(total for total, _ in sales)
    expected_cash = opening_cash + by_method.get("cash", 0)
    return {
        "sales": len(sales),
        "gross_vnd": gross,
        "refunds_vnd": refunded,
        "net_vnd": gross - refunded,
        "net_by_method": dict(sorted(by_method.items())),
        "cash_expected_vnd": expected_cash,
        "cash_counted_vnd": counted_cash,
        "cash_variance_vnd": counted_cash - expected_cash,
    }


def utcnow() -> datetime:
    return datetime.now(UTC)
