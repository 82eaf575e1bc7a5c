"""A till's session, from opening cash to the Z-report (closing totals). Pure Python."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from ocop_sales.domain.sales import PaymentMethod
from ocop_shared.contracts.sales import SessionClosed
from ocop_shared.errors import Conflict, NotFound


@dataclass(frozen=True, slots=True)
class Session:
    session_id: UUID
    terminal_id: UUID
    opened_at: datetime
    opening_cash_vnd: int
    closed_at: datetime | None
    z_report: Mapping[str, Any] | None  # as answered when it closed

    def answer(self) -> dict[str, Any]:
        """A closed session's Z-report, as answered when it closed."""
        return dict(self.z_report or {})


@dataclass(frozen=True, slots=True)
class Takings:
    """What the till recorded while the session was open."""

    sales: Sequence[tuple[int, Mapping[str, int]]]  # (total, amount by payment method)
    refunds: Sequence[tuple[int, str]]  # (total, method)
    receipt_nos: Sequence[int] = ()  # the sales' receipt numbers
    # The sales' VietQR transfers still waiting for the bank when the session closes.
    pending_transfers: int = 0
    pending_transfers_vnd: int = 0


@dataclass(frozen=True, slots=True)
class Closing:
    report: dict[str, Any]
    event: SessionClosed


def already_open() -> Conflict:
    return Conflict("this terminal already has an open session", field="terminal_id")


def z_report(
    opening_cash: int,
    counted_cash: int,
    sales: Sequence[tuple[int, Mapping[str, int]]],
    refunds: Sequence[tuple[int, str]],
    receipt_nos: Sequence[int] = (),
) -> dict[str, Any]:
    """Closing totals of one session: count, gross, refunds, net by method, cash variance,
    and the first and last receipt numbers of its sales (None without sales)."""
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
        "first_receipt_no": min(receipt_nos, default=None),
        "last_receipt_no": max(receipt_nos, default=None),
    }


def found(session: Session | None) -> Session:
    """A terminal reaches only its own sessions."""
    if session is None:
        raise NotFound("no such session at this terminal")
    return session


def close_session(
    session: Session,
    *,
    fair_id: UUID,
    counted_cash_vnd: int,
    closed_at: datetime,
    takings: Takings,
) -> Closing:
    """Closes an open session with the cash counted: its Z-report and the event."""
    if session.closed_at is not None:
        raise Conflict("this session is closed", field="session_id")
    report = z_report(
        session.opening_cash_vnd,
        counted_cash_vnd,
        takings.sales,
        takings.refunds,
        takings.receipt_nos,
    )
    report |= {
        "session_id": str(session.session_id),
        "terminal_id": str(session.terminal_id),
        "opened_at": session.opened_at.isoformat(),
        "closed_at": closed_at.isoformat(),
        "opening_cash_vnd": session.opening_cash_vnd,
    }
    report |= {
        "pending_transfers": takings.pending_transfers,
        "pending_transfers_vnd": takings.pending_transfers_vnd,
    }
    net_by_method: dict[PaymentMethod, int] = report["net_by_method"]
    event = SessionClosed(
        session_id=session.session_id,
        fair_id=fair_id,
        terminal_id=session.terminal_id,
        opened_at=session.opened_at,
        closed_at=closed_at,
        sales=report["sales"],
        gross_vnd=report["gross_vnd"],
        refunds_vnd=report["refunds_vnd"],
        net_by_method=net_by_method,
        cash_expected_vnd=report["cash_expected_vnd"],
        cash_counted_vnd=counted_cash_vnd,
        cash_variance_vnd=report["cash_variance_vnd"],
    )
    return Closing(report, event)
