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

from ocop_sales.domain.model import (
    CatalogItem,
    Limits,
    PricedSale,
    SaleIn,
    TillContext,
    check_till,
    price_sale,
)
from ocop_shared.contracts.sales import SaleRecorded
from ocop_shared.errors import DomainError, NotFound
from ocop_shared.outbox import Causation, outbox_columns, outbox_insert_sql

Status = Literal["recorded", "replayed", "conflict", "rejected"]


# Sales, their lines, the till's next receipt number and the outbox rows: one statement, one
# round trip (data-modifying CTEs run together; the lines' foreign key is checked at its end).
_RECORD_SQL = (
    """with bumped as (
               -- Optimistic: claims receipt numbers only if no other sale of this till got
               -- there first (and the till is still active); otherwise nothing is written.
               update terminals set next_receipt_no = $24
                where terminal_id = $10 and next_receipt_no = $25 and status = 'active'
               returning 1),
           new_sales as (
               insert into sales (sale_id, fair_id, terminal_id, booth_id, exhibitor_id, receipt_no, device_time,
                                  business_date, total_vnd, payments, payload_hash, offline, recorded_at)
               select s.sale_id, $9, $10, $11, $12, s.receipt_no, s.device_time, s.business_date, s.total_vnd,
                      s.payments::jsonb, s.payload_hash, s.offline, $13
                 from unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::date[], $5::bigint[], $6::text[],
                             $7::bytea[], $8::bool[])
                      as s(sale_id, receipt_no, device_time, business_date, total_vnd, payments, payload_hash, offline),
                      bumped
               returning 1),
           new_lines as (
               insert into sale_lines (sale_id, line_no, product_id, producer_id, quantity, unit_price_vnd,
                                       discount_vnd, total_vnd, product_group, star)
               select l.* from unnest($14::uuid[], $15::int[], $16::uuid[], $17::uuid[], $18::int[], $19::bigint[],
                                      $20::bigint[], $21::bigint[], $22::int[], $23::int[]) as l, bumped
               returning 1),
           outboxed as ({outbox})
    select count(*) from bumped"""
).replace("{outbox}", outbox_insert_sql(26, only_if="bumped"))


class Raced(Exception):
    """Another request of the same till wrote first: read again and decide again."""


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
    existing: dict[UUID, Prior]


_READ_TILL = """
select t.terminal_id, t.fair_id, t.booth_id, t.status, t.next_receipt_no, f.status as fair_status,
       f.starts_at, f.ends_at, b.exhibitor_id,
       (select coalesce(json_agg(json_build_object(
                   'product_id', c.product_id, 'producer_id', c.producer_id, 'gtin', c.gtin,
                   'product_group', c.product_group, 'star', c.star, 'list_price_vnd', c.list_price_vnd,
                   'blocked_at', c.blocked_at)), '[]')
          from catalog c
         where c.fair_id = t.fair_id and c.exhibitor_id = b.exhibitor_id and not c.withdrawn) as catalog,
       (select coalesce(json_agg(json_build_object(
                   'sale_id', s.sale_id, 'terminal_id', s.terminal_id, 'payload_hash', encode(s.payload_hash, 'hex'),
                   'receipt_no', s.receipt_no, 'total_vnd', s.total_vnd, 'recorded_at', s.recorded_at)), '[]')
          from sales s where s.sale_id = any($2::uuid[])) as existing
  from terminals t join fairs f using (fair_id)
  left join booth_holders b on b.booth_id = t.booth_id and b.fair_id = t.fair_id
 where t.terminal_id = $1"""


@dataclass(frozen=True)
class Prior:
    """A sale already stored under an id the request uses."""

    terminal_id: UUID
    payload_hash: bytes
    receipt_no: int
    total_vnd: int
    recorded_at: datetime


async def read_till(
    conn: asyncpg.Connection,
    terminal_id: UUID,
    grace: timedelta,
    upload_window: timedelta,
    sale_ids: Sequence[UUID] = (),
) -> Till:
    """Reads the till, its booth's catalog and any sales already stored under the request's
    sale ids, in one statement and without a lock: the write that follows succeeds only if
    the till's receipt counter has not moved since (see _RECORD_SQL)."""
    row = await conn.fetchrow(_READ_TILL, terminal_id, list(sale_ids))
    if row is None:
        raise NotFound("no such terminal")
    catalog: dict[UUID, CatalogItem] = {}
    by_gtin: dict[str, UUID] = {}
    for c in row["catalog"]:
        item = CatalogItem(
            product_id=UUID(c["product_id"]),
            producer_id=UUID(c["producer_id"]),
            gtin=c["gtin"],
            product_group=c["product_group"],
            star=c["star"],
            list_price_vnd=c["list_price_vnd"],
            blocked_at=datetime.fromisoformat(c["blocked_at"]) if c["blocked_at"] else None,
        )
        catalog[item.product_id] = item
        if item.gtin:
            by_gtin[item.gtin] = item.product_id
    existing = {
        UUID(e["sale_id"]): Prior(
            UUID(e["terminal_id"]),
            bytes.fromhex(e["payload_hash"]),
            e["receipt_no"],
            e["total_vnd"],
            datetime.fromisoformat(e["recorded_at"]),
        )
        for e in row["existing"]
    }
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
        existing,
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
    existing = till.existing
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
                    prior.terminal_id == till.terminal_id
                    and prior.payload_hash == sale.payload_hash,
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
        await _insert(
            conn, till, accepted, next_receipt=receipt_no, now=now, offline=offline, cause=cause
        )
    return outcomes


def _replay(sale: SaleIn, same: bool, prior: Prior) -> Outcome:
    if not same:
        return _conflict(sale.sale_id)
    return Outcome(sale.sale_id, "replayed", prior.receipt_no, prior.total_vnd, prior.recorded_at)


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
    next_receipt: int,
    now: datetime,
    offline: bool,
    cause: Causation,
) -> None:
    assert till.exhibitor_id is not None
    exhibitor_id: UUID = till.exhibitor_id
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
            SaleRecorded.model_construct(
                sale_id=s.sale_id,
                fair_id=till.fair_id,
                terminal_id=till.terminal_id,
                booth_id=till.booth_id,
                exhibitor_id=exhibitor_id,
                receipt_no=receipt,
                device_time=s.device_time,
                business_date=priced.business_date,
                lines=priced.lines,
                total_vnd=priced.total_vnd,
                payments=priced.payments,
            )
        )
    try:
        applied = await conn.fetchval(
            _RECORD_SQL,
            *sale_cols, till.fair_id, till.terminal_id, till.booth_id, till.exhibitor_id, now, *line_cols, next_receipt,
            till.next_receipt_no, *outbox_columns(events, producer="sales", cause=cause),
        )  # fmt: skip
    except asyncpg.UniqueViolationError:
        raise Raced from None  # a twin request stored this sale id first
    if not applied:
        raise Raced
