"""Recording sales: one transaction per request, whether it carries one sale or a batch.

The terminal's row is locked first, which serializes that till's requests: two identical
requests in flight become one effect (the second finds the first's row and replays it), and
receipt numbers are handed out without gaps (a rolled-back sale gives its number back).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID

import asyncpg
import orjson
from ocop_shared.contracts.sales import SaleRecorded
from ocop_shared.errors import DomainError, NotFound
from ocop_shared.outbox import Causation, append

from ocop_sales.domain.model import (
    CatalogItem,
    Limits,
    PricedSale,
    SaleIn,
    TillContext,
    check_till,
    price_sale,
)

Status = Literal["recorded", "replayed", "conflict", "rejected"]


@dataclass
class Outcome:
    sale_id: UUID
    status: Status
    receipt_no: int | None = None
    total_vnd: int | None = None
    recorded_at: datetime | None = None
    error: dict[str, Any] | None = None

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"sale_id": str(self.sale_id), "status": self.status}
        if self.receipt_no is not None:
            out |= {
                "receipt_no": self.receipt_no,
                "total_vnd": self.total_vnd,
                "recorded_at": self.recorded_at.isoformat() if self.recorded_at else None,
            }
        if self.error:
            out["error"] = self.error
        return out


@dataclass(frozen=True)
class Till:
    terminal_id: UUID
    fair_id: UUID
    booth_id: UUID
    exhibitor_id: UUID | None
    next_receipt_no: int
    context: TillContext


async def lock_till(
    conn: asyncpg.Connection, terminal_id: UUID, grace: timedelta, upload_window: timedelta
) -> Till:
    row = await conn.fetchrow(
        """select t.terminal_id, t.fair_id, t.booth_id, t.status, t.next_receipt_no, f.status as fair_status,
                  f.starts_at, f.ends_at, b.exhibitor_id
             from terminals t join fairs f using (fair_id)
             left join booth_holders b on b.booth_id = t.booth_id and b.fair_id = t.fair_id
            where t.terminal_id = $1 for update of t""",
        terminal_id,
    )
    if row is None:
        raise NotFound("no such terminal")
    catalog: dict[UUID, CatalogItem] = {}
    by_gtin: dict[str, UUID] = {}
    if row["exhibitor_id"] is not None:
        for c in await conn.fetch(
            """select product_id, producer_id, gtin, product_group, star, list_price_vnd, blocked_at
                 from catalog where fair_id = $1 and exhibitor_id = $2 and not withdrawn""",
            row["fair_id"],
            row["exhibitor_id"],
        ):
            catalog[c["product_id"]] = CatalogItem(**dict(c))
            if c["gtin"]:
                by_gtin[c["gtin"]] = c["product_id"]
    ctx = TillContext(
        terminal_active=row["status"] == "active",
        fair_starts_at=row["starts_at"],
        fair_ends_at=row["ends_at"],
        fair_status=row["fair_status"],
        booth_exhibitor=row["exhibitor_id"],
        catalog=catalog,
        by_gtin=by_gtin,
        grace=grace,
        offline_upload_window=upload_window,
    )
    return Till(
        row["terminal_id"],
        row["fair_id"],
        row["booth_id"],
        row["exhibitor_id"],
        row["next_receipt_no"],
        ctx,
    )


async def record(
    conn: asyncpg.Connection,
    till: Till,
    sales: Sequence[SaleIn],
    *,
    now: datetime,
    offline: bool,
    limits: Limits,
    cause: Causation,
) -> list[Outcome]:
    """Records what is new, replays what was already recorded, refuses the rest: per sale."""
    existing = {
        r["sale_id"]: r
        for r in await conn.fetch(
            "select sale_id, terminal_id, payload_hash, receipt_no, total_vnd, recorded_at from sales where sale_id = any($1::uuid[])",
            [s.sale_id for s in sales],
        )
    }
    outcomes: list[Outcome] = []
    accepted: list[tuple[PricedSale, int]] = []
    fresh: dict[UUID, SaleIn] = {}
    first_outcome: dict[UUID, Outcome] = {}
    receipt_no = till.next_receipt_no
    till_error: DomainError | None = None
    try:
        check_till(till.context, now)
    except DomainError as exc:
        till_error = exc
    for sale in sales:
        prior = existing.get(sale.sale_id)
        if prior is not None:
            outcomes.append(
                _replay(
                    sale,
                    prior["terminal_id"] == till.terminal_id
                    and prior["payload_hash"] == sale.payload_hash,
                    prior,
                )
            )
            continue
        if sale.sale_id in fresh:  # the same sale twice in one batch
            first = first_outcome[sale.sale_id]
            if fresh[sale.sale_id].payload_hash != sale.payload_hash:
                outcomes.append(_conflict(sale.sale_id))
            elif first.status == "recorded":
                outcomes.append(
                    Outcome(
                        sale.sale_id,
                        "replayed",
                        first.receipt_no,
                        first.total_vnd,
                        first.recorded_at,
                    )
                )
            else:
                outcomes.append(Outcome(sale.sale_id, first.status, error=first.error))
            continue
        fresh[sale.sale_id] = sale
        try:
            if till_error is not None:
                raise till_error
            priced = price_sale(sale, till.context, limits, now=now, offline=offline)
        except DomainError as exc:
            outcomes.append(Outcome(sale.sale_id, "rejected", error=_error(exc)))
            first_outcome[sale.sale_id] = outcomes[-1]
            continue
        accepted.append((priced, receipt_no))
        outcomes.append(Outcome(sale.sale_id, "recorded", receipt_no, priced.total_vnd, now))
        first_outcome[sale.sale_id] = outcomes[-1]
        receipt_no += 1
    if accepted:
        assert till.exhibitor_id is not None
        await _insert(conn, till, accepted, now=now, offline=offline, cause=cause)
        await conn.execute(
            "update terminals set next_receipt_no = $2 where terminal_id = $1",
            till.terminal_id,
            receipt_no,
        )
    return outcomes


def _replay(sale: SaleIn, same: bool, prior: asyncpg.Record) -> Outcome:
    if not same:
        return _conflict(sale.sale_id)
    return Outcome(
        sale.sale_id, "replayed", prior["receipt_no"], prior["total_vnd"], prior["recorded_at"]
    )


def _conflict(sale_id: UUID) -> Outcome:
    return Outcome(
        sale_id,
        "conflict",
        error={
            "field": "sale_id",
            "code": "conflict",
            "message": f"sale {sale_id} was already recorded with a different content",
        },
    )


def _error(exc: DomainError) -> dict[str, Any]:
    return {"field": exc.field, "code": exc.code, "message": exc.message, "status": exc.status_code}


async def _insert(
    conn: asyncpg.Connection,
    till: Till,
    accepted: list[tuple[PricedSale, int]],
    *,
    now: datetime,
    offline: bool,
    cause: Causation,
) -> None:
    sale_cols: list[list[Any]] = [[] for _ in range(8)]
    line_cols: list[list[Any]] = [[] for _ in range(10)]
    events = []
    for priced, receipt in accepted:
        s = priced.sale
        for col, value in zip(
            sale_cols,
            (
                s.sale_id,
                receipt,
                s.device_time,
                priced.business_date,
                priced.total_vnd,
                orjson.dumps(priced.payments).decode(),
                s.payload_hash,
                offline,
            ),
            strict=True,
        ):
            col.append(value)
        for n, line in enumerate(priced.lines):
            for col, value in zip(
                line_cols,
                (
                    s.sale_id,
                    n,
                    line.product_id,
                    line.producer_id,
                    line.quantity,
                    line.unit_price_vnd,
                    line.discount_vnd,
                    line.total_vnd,
                    line.product_group,
                    line.star,
                ),
                strict=True,
            ):
                col.append(value)
        events.append(
            SaleRecorded(
                sale_id=s.sale_id,
                fair_id=till.fair_id,
                terminal_id=till.terminal_id,
                booth_id=till.booth_id,
                exhibitor_id=till.exhibitor_id,
                receipt_no=receipt,
                device_time=s.device_time,
                business_date=priced.business_date,
                lines=priced.lines,
                total_vnd=priced.total_vnd,
                payments=priced.payments,
            )
        )
    await conn.execute(
        """insert into sales (sale_id, fair_id, terminal_id, booth_id, exhibitor_id, receipt_no, device_time, business_date,
                              total_vnd, payments, payload_hash, offline, recorded_at)
           select s.sale_id, $9, $10, $11, $12, s.receipt_no, s.device_time, s.business_date, s.total_vnd, s.payments::jsonb,
                  s.payload_hash, s.offline, $13
             from unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::date[], $5::bigint[], $6::text[], $7::bytea[], $8::bool[])
                  as s(sale_id, receipt_no, device_time, business_date, total_vnd, payments, payload_hash, offline)""",
        *sale_cols, till.fair_id, till.terminal_id, till.booth_id, till.exhibitor_id, now,
    )  # fmt: skip
    await conn.execute(
        """insert into sale_lines (sale_id, line_no, product_id, producer_id, quantity, unit_price_vnd, discount_vnd,
                                   total_vnd, product_group, star)
           select * from unnest($1::uuid[], $2::int[], $3::uuid[], $4::uuid[], $5::int[], $6::bigint[], $7::bigint[],
                                $8::bigint[], $9::int[], $10::int[])""",
        *line_cols,
    )
    await append(conn, events, producer="sales", cause=cause)
