"""Events the sales service publishes."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from ocop_shared.events import Event
from ocop_shared.topics import SALES_SALES, SALES_SESSIONS, Topic

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


class SaleRefunded(Event):
    event_type: ClassVar[str] = "sales.sale_refunded"
    topic: ClassVar[Topic] = SALES_SALES
    refund_id: UUID
    sale_id: UUID
    fair_id: UUID
    terminal_id: UUID
    exhibitor_id: UUID
    lines: list[SoldLine]
    total_vnd: int
    method: PaymentMethod

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
