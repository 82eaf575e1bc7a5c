"""Events the sales service publishes.

Version 2 of ``sales.sale_refunded`` carries the organizer's approval when a refund goes back
by another method than the sale was paid with (``approval``; ``None`` otherwise). A version 1
message still decodes (no approval: refunds then always went back by any method unapproved).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from ocop_shared.events import Event, register_upcaster
from ocop_shared.topics import SALES_SALES, SALES_SESSIONS, SALES_STOCK, Topic

PaymentMethod = Literal["cash", "vietqr", "card", "ewallet"]


class _Snapshot(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SoldLine(_Snapshot):
    product_id: UUID
    producer_id: UUID  # the holder who made it, also at a delegation's shared booth
    quantity: int
    unit_price_vnd: int
    discount_vnd: int
    total_vnd: int
    product_group: int
    star: int
    # Issue 15, absent in older messages: the group's Vietnamese name and its taxonomy
    # ("2019" or "2023"), and whether the product was sold as OCOP (False: ordinary local
    # goods a fair admits, star 0).
    product_group_name: str | None = None
    taxonomy: str | None = None
    ocop: bool = True


class SaleRecorded(Event):
    event_type: ClassVar[str] = "sales.sale_recorded"
    topic: ClassVar[Topic] = SALES_SALES
    sale_id: UUID
    fair_id: UUID
    terminal_id: UUID
    booth_id: UUID
    exhibitor_id: UUID
    receipt_no: int
    device_time: datetime
    business_date: date
    lines: list[SoldLine]
    total_vnd: int
    payments: dict[PaymentMethod, int]

    def partition_key(self) -> str:
        return str(self.terminal_id)


class RefundApprovalSnapshot(_Snapshot):
    """An organizer of the fair let this sale be refunded by another method than it was paid."""

    approval_id: UUID
    approved_by: str
    reason: str
    approved_at: datetime


class SaleRefunded(Event):
    event_type: ClassVar[str] = "sales.sale_refunded"
    version: ClassVar[int] = 2
    topic: ClassVar[Topic] = SALES_SALES
    refund_id: UUID
    sale_id: UUID
    fair_id: UUID
    terminal_id: UUID
    exhibitor_id: UUID
    lines: list[SoldLine]
    total_vnd: int
    method: PaymentMethod
    approval: RefundApprovalSnapshot | None = None

    def partition_key(self) -> str:
        return str(self.terminal_id)


class TransferConfirmed(Event):
    """A VietQR transfer that was waiting for the bank is confirmed: by the cashier
    (``bank_transaction_id`` None) or by the bank's notification (the provider's transaction
    id). Not published for a transfer the till sent already confirmed (its sale's
    ``sales.sale_recorded`` says it was paid)."""

    event_type: ClassVar[str] = "sales.transfer_confirmed"
    topic: ClassVar[Topic] = SALES_SALES
    sale_id: UUID
    fair_id: UUID
    terminal_id: UUID
    exhibitor_id: UUID
    payment_code: str
    amount_vnd: int
    confirmed_by: Literal["cashier", "bank"]
    bank_transaction_id: str | None
    confirmed_at: datetime

    def partition_key(self) -> str:
        return str(self.terminal_id)


class SessionClosed(Event):
    event_type: ClassVar[str] = "sales.session_closed"
    topic: ClassVar[Topic] = SALES_SESSIONS
    session_id: UUID
    fair_id: UUID
    terminal_id: UUID
    opened_at: datetime
    closed_at: datetime
    sales: int
    gross_vnd: int
    refunds_vnd: int
    net_by_method: dict[PaymentMethod, int]
    cash_expected_vnd: int
    cash_counted_vnd: int
    cash_variance_vnd: int

    def partition_key(self) -> str:
        return str(self.terminal_id)


class StockLine(_Snapshot):
    product_id: UUID
    producer_id: UUID
    quantity: int  # moved: positive in, negative out (an adjustment may be either)
    on_hand: int  # at the booth after the movement


class StockMoved(Event):
    """Stock moved at a booth (issue 15): ``received`` (declared by its exhibitor, or by the
    retailer or showroom receiving consignment), ``returned`` to the producer, ``adjusted`` (a
    count corrected, with the reason), or ``sold`` through the host retailer's tills (an
    imported sales file, ``source`` ``retailer``). A sale at the fair's own tills moves stock
    in its own write: its ``sales.sale_recorded`` is that movement."""

    event_type: ClassVar[str] = "sales.stock_moved"
    topic: ClassVar[Topic] = SALES_STOCK
    movement_id: UUID
    fair_id: UUID
    booth_id: UUID
    exhibitor_id: UUID
    kind: Literal["received", "returned", "adjusted", "sold"]
    source: Literal["booth", "retailer"] = "booth"
    reason: str | None = None
    lines: list[StockLine]
    moved_at: datetime

    def partition_key(self) -> str:
        return str(self.booth_id)


def _upcast_refunded_v1(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "approval": None}


register_upcaster(SaleRefunded.event_type, 1, _upcast_refunded_v1)
