"""Consignment settlement per producer (issue 15), and who reaches a fair's stock and
settlement. Pure Python.

Over a period (the whole fair; a month for a showroom), per producer: stock received and
returned, sold (quantity and amount, net of refunds, the fair's tills and the host retailer's
imported sales alike), the commission (the fair's ``commission_percent`` of the amount,
rounded half up to the dong) and the amount due to the producer (amount less commission).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from ocop_sales.domain.access import Viewer
from ocop_shared.errors import InvalidField, NotFound

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, slots=True)
class ConsignmentFair:
    """A fair as stock and settlement need it."""

    fair_id: UUID
    organizer_id: str
    name: str
    kind: str
    commission_percent: int
    host_retailer_id: UUID | None
    stores: Mapping[str, str]  # store code -> name
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class ProducerFigures:
    producer_id: UUID
    producer_name: str | None
    received: int
    returned: int
    sold_quantity: int
    sold_vnd: int


@dataclass(frozen=True, slots=True)
class SettlementRow:
    producer_id: UUID
    producer_name: str | None
    received: int
    sold_quantity: int
    sold_vnd: int
    returned: int
    amount_vnd: int
    commission_vnd: int
    amount_due_vnd: int


@dataclass(frozen=True, slots=True)
class Settlement:
    fair_id: UUID
    period: str  # "fair" or "YYYY-MM"
    start: date | None
    end: date | None
    commission_percent: int
    rows: list[SettlementRow]
    amount_vnd: int
    commission_vnd: int
    amount_due_vnd: int


def commission(amount_vnd: int, percent: int) -> int:
    """``percent`` of the amount, rounded half up to the dong (a refund-heavy negative amount
    gives a negative commission, rounded the same way)."""
    sign = -1 if amount_vnd < 0 else 1
    return sign * ((abs(amount_vnd) * percent * 2 + 100) // 200)


def month_bounds(month: str | None) -> tuple[date | None, date | None]:
    """``YYYY-MM`` -> its first and last day; None -> the whole fair. Anything else: 422
    naming ``month``."""
    if month is None:
        return None, None
    found = _MONTH.match(month)
    if not found or not 1 <= int(found.group(2)) <= 12 or not 2000 <= int(found.group(1)) <= 2100:
        raise InvalidField("month", "a month as YYYY-MM, e.g. 2026-11")
    year, number = int(found.group(1)), int(found.group(2))
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def settle(
    fair: ConsignmentFair, figures: Sequence[ProducerFigures], month: str | None
) -> Settlement:
    start, end = month_bounds(month)
    rows = [
        SettlementRow(
            producer_id=f.producer_id,
            producer_name=f.producer_name,
            received=f.received,
            sold_quantity=f.sold_quantity,
            sold_vnd=f.sold_vnd,
            returned=f.returned,
            amount_vnd=f.sold_vnd,
            commission_vnd=(c := commission(f.sold_vnd, fair.commission_percent)),
            amount_due_vnd=f.sold_vnd - c,
        )
        for f in figures
    ]
    return Settlement(
        fair_id=fair.fair_id,
        period=month or "fair",
        start=start,
        end=end,
        commission_percent=fair.commission_percent,
        rows=rows,
        amount_vnd=sum(r.amount_vnd for r in rows),
        commission_vnd=sum(r.commission_vnd for r in rows),
        amount_due_vnd=sum(r.amount_due_vnd for r in rows),
    )


def stock_reach(viewer: Viewer, fair: ConsignmentFair | None, *, exhibits: bool) -> UUID | None:
    """Who reaches a fair's stock, its stock report and its settlement: the admin and the
    fair's organizer (everything), the host retailer (everything at its promotion week), an
    exhibitor that takes part (its own booths and producers: the answer is its id). Anyone
    else: 404, like a fair that does not exist."""
    if fair is None:
        raise NotFound("no such fair", field="fair_id")
    if viewer.is_admin:
        return None
    if viewer.role == "organizer" and viewer.subject == fair.organizer_id:
        return None
    if viewer.role == "retailer" and viewer.subject == str(fair.host_retailer_id):
        return None
    if viewer.role == "exhibitor" and exhibits:
        return UUID(viewer.subject)
    raise NotFound("no such fair", field="fair_id")
