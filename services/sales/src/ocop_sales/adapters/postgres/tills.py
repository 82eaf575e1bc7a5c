"""The sale's fast path: two statements per attempt, no transaction around them.

``read`` fetches the till, its fair (and its till rules' discount limit), its booth's holder and
catalog, the sales already stored under the request's ids or receipt numbers and the database's
clock, in one statement and without a lock.
``record`` writes the decided sales, their lines, the till's next receipt number and the
outbox rows in one statement (data-modifying CTEs run together; the lines' foreign key is
checked at its end), and only if what the decision rests on still holds when it writes: the
till's receipt counter is still the one read (and the till active), the booth still held by
the same exhibitor, and every product sold still admitted and not blocked at the sale's
moment. Otherwise nothing is written and the caller reads and decides again. Each sale takes
the till's open session from the till's row as the write updates it (``returning``): a close
holds that row, so a sale lands either before it, in its Z-report, or after it.

``serialised`` is the path under contention: a transaction in which ``read(lock=True)`` locks
the till's row until the write commits, so the write cannot lose to another request of the
till.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime, time
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from ocop_sales.domain.sales import CatalogItem, SalesDecision, StoredSale, Till
from ocop_shared.db import NamedQuery
from ocop_shared.errors import NotFound
from ocop_shared.outbox import OUTBOX_INSERT_NAMED, Causation, outbox_params

PRODUCER = "sales"

_READ = """
select t.terminal_id, t.fair_id, t.booth_id, t.status, t.next_receipt_no, f.status as fair_status,
       f.starts_at, f.ends_at, f.opening_hours, b.exhibitor_id, statement_timestamp() as clock,
       greatest(t.last_online_at, t.created_at) as last_contact,
       (select coalesce(json_agg(json_build_object(
                   'product_id', c.product_id, 'producer_id', c.producer_id, 'gtin', c.gtin,
                   'product_group', c.product_group, 'star', c.star, 'list_price_vnd', c.list_price_vnd,
                   'blocked_at', least(c.blocked_at, (select s.suspended_at from fair_suspensions s
                                                     where s.fair_id = c.fair_id and s.product_id = c.product_id)),
                   'ocop_until', c.ocop_until, 'taxonomy', c.taxonomy,
                   'product_group_name', c.product_group_name, 'ocop', c.ocop)), '[]')
          from catalog c
         where c.fair_id = t.fair_id and c.exhibitor_id = b.exhibitor_id and not c.withdrawn) as catalog,
       (select coalesce(json_agg(json_build_object(
                   'sale_id', s.sale_id, 'terminal_id', s.terminal_id, 'payload_hash', encode(s.payload_hash, 'hex'),
                   'receipt_no', s.receipt_no, 'total_vnd', s.total_vnd, 'recorded_at', s.recorded_at,
                   'review', s.review)), '[]')
          from sales s where s.sale_id = any($2::uuid[])) as stored,
       (select coalesce(json_object_agg(s.receipt_no, s.sale_id), '{}')
          from sales s where s.terminal_id = t.terminal_id and s.receipt_no = any($3::int[])) as taken,
       (select r.max_discount_percent from till_rules r where r.fair_id = t.fair_id) as max_discount_percent,
       -- issue 15 (stock.py): on hand per product tracked at the booth; none: '{}'
       (select coalesce(json_object_agg(sl.product_id, sl.on_hand), '{}') from stock_levels sl
         where sl.fair_id = t.fair_id and sl.booth_id = t.booth_id) as stock
  from terminals t join fairs f using (fair_id)
  left join booth_holders b on b.booth_id = t.booth_id and b.fair_id = t.fair_id
 where t.terminal_id = $1"""
_READ_LOCKED = _READ + " for update of t"
# One sale (online, or a batch of one), with at most one receipt number of its own: the same
# read with scalar parameters. Postgres plans the array form afresh at every call (a custom plan
# always looks cheaper than a generic one for arrays of unknown length: 0.4 ms planning for
# 0.14 ms executing); the scalar form settles on its generic plan after five calls (a read
# 0.24 ms instead of 0.72 ms). A null receipt number matches no sale, as an empty array.
_READ_ONE = _READ.replace("= any($2::uuid[])", "= $2::uuid").replace(
    "= any($3::int[])", "= $3::int"
)
_READ_ONE_LOCKED = _READ_ONE + " for update of t"
assert _READ_ONE.count("$2::uuid") == _READ_ONE.count("$3::int") == 1

# Compiled once, at import. Every array holds one element per new sale (sales) or per line
# of the new sales (lines); the outbox's arrays one per event.
_RECORD_TEMPLATE = """with {guard}bumped as (
           -- Optimistic: claims the receipt numbers only if no other request of this till
           -- got there first (and the till is still active), the booth is still the
           -- exhibitor's and no product sold was blocked or taken off sale since the read;
           -- otherwise nothing is written. Returns the till's open session as of this write.
           -- An online sale is the till's confirmed online contact (offline sales long before
           -- it are flagged).
           update terminals set next_receipt_no = :next_receipt_no,
                  last_online_at = case when :online::bool then :recorded_at::timestamptz else last_online_at end
            where terminal_id = :terminal_id and next_receipt_no = :read_receipt_no and status = 'active'
{guarded}              and exists (select 1 from booth_holders b
                           where b.booth_id = :booth_id and b.fair_id = :fair_id and b.exhibitor_id = :exhibitor_id)
              and not exists (
                  select 1 from unnest(:product_id::uuid[], :line_moment::timestamptz[]) as l(product_id, moment)
                    left join catalog c
                      on c.fair_id = :fair_id and c.exhibitor_id = :exhibitor_id and c.product_id = l.product_id
                   where c.product_id is null or c.withdrawn or c.blocked_at <= l.moment
                      -- issue 15: suspended at this fair by its inspectors
                      or exists (select 1 from fair_suspensions s where s.fair_id = :fair_id
                                    and s.product_id = l.product_id and s.suspended_at <= l.moment)
                      or (l.moment at time zone 'Asia/Ho_Chi_Minh')::date > c.ocop_until)
           returning session_id),
       new_sales as (
           insert into sales (sale_id, fair_id, terminal_id, booth_id, exhibitor_id, receipt_no, device_time,
                              business_date, total_vnd, payments, payload_hash, offline, recorded_at, session_id,
                              review)
           select s.sale_id, :fair_id, :terminal_id, :booth_id, :exhibitor_id, s.receipt_no, s.device_time,
                  s.business_date, s.total_vnd, s.payments::jsonb, s.payload_hash, s.offline, :recorded_at,
                  bumped.session_id, s.review
             from unnest(:sale_id::uuid[], :receipt_no::int[], :device_time::timestamptz[], :business_date::date[],
                         :sale_total_vnd::bigint[], :payments::text[], :payload_hash::bytea[], :offline::bool[],
                         :review::text[])
                  as s(sale_id, receipt_no, device_time, business_date, total_vnd, payments, payload_hash, offline,
                       review),
                  bumped
           returning 1),
       new_lines as (
           insert into sale_lines (sale_id, line_no, product_id, producer_id, quantity, unit_price_vnd,
                                   discount_vnd, total_vnd, product_group, star, discount_reason, taxonomy, ocop)
           select l.* from unnest(:line_sale_id::uuid[], :line_no::int[], :product_id::uuid[], :producer_id::uuid[],
                                  :quantity::int[], :unit_price_vnd::bigint[], :discount_vnd::bigint[],
                                  :line_total_vnd::bigint[], :product_group::int[], :star::int[],
                                  :discount_reason::text[], :line_taxonomy::text[], :line_ocop::bool[]) as l,
                         bumped
           returning 1),
{transfer_ctes}{stock_ctes}       outboxed as ({outbox}, bumped)
    select count(*) from bumped"""


# With VietQR transfers (domain/transfers.py) the write also inserts them, marks the kept bank
# notifications the decision matched, and holds only if no notification that could confirm a
# new pending transfer arrived since the read (else read and decide again). A sale without
# transfers (most) runs the statement without these parts: its cost is as before.
_BANK_GUARD = """bank_guard as (
           -- VietQR (transfers.py): no bank notification that could confirm one of the new
           -- pending transfers arrived since the read, and none the decision matched was
           -- matched elsewhere meanwhile (else read and decide again). Empty arrays: no work.
           select not exists (
                      select 1 from unnest(:pending_code::text[], :pending_amount_vnd::bigint[])
                                    as p(payment_code, amount_vnd)
                        join bank_notifications n
                          on n.exhibitor_id = :exhibitor_id and n.payment_code is null
                         and n.amount_vnd = p.amount_vnd and position(p.payment_code in n.match_text) > 0
                       where n.notification_id <> all(:seen_notification_id::bigint[]))
                  and not exists (
                      select 1 from unnest(:transfer_notification_id::bigint[]) as c(notification_id)
                        join bank_notifications n using (notification_id)
                       where n.payment_code is not null) as ok),
"""
_TRANSFER_CTES = """       new_transfers as (
           insert into transfers (exhibitor_id, payment_code, sale_id, fair_id, terminal_id, payment_no, amount_vnd,
                                  status, confirmed_by, notification_id, bank_transaction_id, created_at,
                                  confirmed_at)
           select :exhibitor_id, t.payment_code, t.sale_id, :fair_id, :terminal_id, t.payment_no, t.amount_vnd,
                  case when t.confirmed_by is null then 'pending' else 'confirmed' end, t.confirmed_by,
                  t.notification_id, t.bank_transaction_id, :recorded_at,
                  case when t.confirmed_by is not null then :recorded_at::timestamptz end
             from unnest(:transfer_code::text[], :transfer_sale_id::uuid[], :transfer_payment_no::int[],
                         :transfer_amount_vnd::bigint[], :transfer_confirmed_by::text[],
                         :transfer_notification_id::bigint[], :transfer_bank_id::text[])
                  as t(payment_code, sale_id, payment_no, amount_vnd, confirmed_by, notification_id,
                       bank_transaction_id),
                  bumped
           returning 1),
       matched_notifications as (
           update bank_notifications n set payment_code = t.payment_code, matched_at = :recorded_at
             from unnest(:transfer_notification_id::bigint[], :transfer_code::text[]) as t(notification_id, payment_code),
                  bumped
            where n.notification_id = t.notification_id
           returning 1),
"""
_RECORD = NamedQuery(
    _RECORD_TEMPLATE.format(
        guard="", guarded="", transfer_ctes="", stock_ctes="", outbox=OUTBOX_INSERT_NAMED
    )
)
_RECORD_TRANSFERS = NamedQuery(
    _RECORD_TEMPLATE.format(
        guard=_BANK_GUARD,
        guarded="              and (select ok from bank_guard)\n",
        transfer_ctes=_TRANSFER_CTES,
        stock_ctes="",
        outbox=OUTBOX_INSERT_NAMED,
    )
)


class PostgresTills:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    @asynccontextmanager
    async def serialised(self) -> AsyncIterator[None]:
        """A transaction: ``read`` in it locks the till's row until it ends."""
        async with self._conn.transaction():
            yield

    async def read(
        self,
        terminal_id: UUID,
        sale_ids: Sequence[UUID],
        receipt_nos: Sequence[int] = (),
        *,
        lock: bool = False,
    ) -> Till:
        if len(sale_ids) == 1 and len(receipt_nos) <= 1:
            row = await self._conn.fetchrow(
                _READ_ONE_LOCKED if lock else _READ_ONE,
                terminal_id,
                sale_ids[0],
                receipt_nos[0] if receipt_nos else None,
            )
        else:
            row = await self._conn.fetchrow(
                _READ_LOCKED if lock else _READ, terminal_id, list(sale_ids), list(receipt_nos)
            )
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
                ocop_until=date.fromisoformat(c["ocop_until"]) if c["ocop_until"] else None,
                taxonomy=c["taxonomy"],
                product_group_name=c["product_group_name"],
                ocop=c["ocop"],
            )
            catalog[item.product_id] = item
            if item.gtin:
                by_gtin[item.gtin] = item.product_id
        stored = {
            UUID(s["sale_id"]): StoredSale(
                UUID(s["terminal_id"]),
                bytes.fromhex(s["payload_hash"]),
                s["receipt_no"],
                s["total_vnd"],
                datetime.fromisoformat(s["recorded_at"]),
                s["review"],
            )
            for s in row["stored"]
        }
        return Till(
            terminal_id=row["terminal_id"],
            fair_id=row["fair_id"],
            booth_id=row["booth_id"],
            exhibitor_id=row["exhibitor_id"],
            active=row["status"] == "active",
            next_receipt_no=row["next_receipt_no"],
            fair_status=row["fair_status"],
            fair_starts_at=row["starts_at"],
            fair_ends_at=row["ends_at"],
            clock=row["clock"],
            catalog=catalog,
            by_gtin=by_gtin,
            stored=stored,
            last_contact=row["last_contact"],
            taken={int(no): UUID(sale_id) for no, sale_id in row["taken"].items()},
            max_discount_percent=row["max_discount_percent"],
            stock=_stock_of(row["stock"]),
            opening_hours=_hours_of(row["opening_hours"]),
        )

    async def record(self, till: Till, decision: SalesDecision, cause: Causation) -> bool:
        sales: dict[str, list[Any]] = {
            k: []
            for k in ("sale_id", "receipt_no", "device_time", "business_date", "sale_total_vnd",
                      "payments", "payload_hash", "offline", "review")
        }  # fmt: skip
        lines: dict[str, list[Any]] = {
            k: []
            for k in ("line_sale_id", "line_no", "product_id", "producer_id", "quantity", "unit_price_vnd",
                      "discount_vnd", "line_total_vnd", "product_group", "star", "discount_reason",
                      "line_moment", "line_taxonomy", "line_ocop")
        }  # fmt: skip
        for new in decision.new_sales:
            priced, sale = new.priced, new.priced.sale
            sales["sale_id"].append(sale.sale_id)
            sales["receipt_no"].append(new.receipt_no)
            sales["device_time"].append(sale.device_time)
            sales["business_date"].append(priced.business_date)
            sales["sale_total_vnd"].append(priced.total_vnd)
            sales["payments"].append(orjson.dumps(priced.payments).decode())
            sales["payload_hash"].append(sale.payload_hash)
            sales["offline"].append(decision.offline)
            sales["review"].append(priced.review)
            moment = priced.judged_at
            reasons = priced.discount_reasons or [None] * len(priced.lines)
            for n, line in enumerate(priced.lines):
                lines["line_sale_id"].append(sale.sale_id)
                lines["line_no"].append(n)
                lines["product_id"].append(line.product_id)
                lines["producer_id"].append(line.producer_id)
                lines["quantity"].append(line.quantity)
                lines["unit_price_vnd"].append(line.unit_price_vnd)
                lines["discount_vnd"].append(line.discount_vnd)
                lines["line_total_vnd"].append(line.total_vnd)
                lines["product_group"].append(line.product_group)
                lines["star"].append(line.star)
                lines["discount_reason"].append(reasons[n])
                lines["line_moment"].append(moment)
                lines["line_taxonomy"].append(line.taxonomy)  # issue 15
                lines["line_ocop"].append(line.ocop)
        query = _RECORD_TRANSFERS if decision.transfers else _RECORD
        if decision.stock_moves:  # issue 15: tracked products (stock.py); others cost nothing
            query = _STOCK_RECORD[query is _RECORD_TRANSFERS]
        args = query.args(
            next_receipt_no=decision.next_receipt_no,
            read_receipt_no=till.next_receipt_no,
            terminal_id=till.terminal_id,
            fair_id=till.fair_id,
            booth_id=till.booth_id,
            exhibitor_id=till.exhibitor_id,
            recorded_at=decision.recorded_at,
            online=not decision.offline,
            **sales,
            **lines,
            **(_transfer_params(decision) if decision.transfers else {}),
            **(_stock_params(decision) if decision.stock_moves else {}),
            **outbox_params(
                [*decision.events, *decision.transfer_events], producer=PRODUCER, cause=cause
            ),
        )
        try:
            if self._conn.is_in_transaction():  # the serialised path: a savepoint keeps it usable
                async with self._conn.transaction():
                    applied = await self._conn.fetchval(query.sql, *args)
            else:
                applied = await self._conn.fetchval(query.sql, *args)
        except asyncpg.UniqueViolationError:
            # A twin request stored this sale id first, or another sale took a receipt number
            # the till gave (below the counter, so the guard let both through): read again.
            return False
        except (asyncpg.CheckViolationError, asyncpg.DeadlockDetectedError):
            # Issue 15: another till of the booth sold a tracked product since the read, so
            # this online sale would take it below zero (stock_short), or two booth tills'
            # stock rows crossed: nothing written, read and judge again.
            return False
        return bool(applied)


def _transfer_params(decision: SalesDecision) -> dict[str, list[Any]]:
    """The new sales' VietQR transfers (domain/transfers.py) as the write's arrays; empty for
    the sales that have none (most)."""
    params: dict[str, list[Any]] = {
        k: []
        for k in ("transfer_code", "transfer_sale_id", "transfer_payment_no", "transfer_amount_vnd",
                  "transfer_confirmed_by", "transfer_notification_id", "transfer_bank_id",
                  "pending_code", "pending_amount_vnd")
    }  # fmt: skip
    for t in decision.transfers:
        note = t.notification
        params["transfer_code"].append(t.payment_code)
        params["transfer_sale_id"].append(t.sale_id)
        params["transfer_payment_no"].append(t.payment_no)
        params["transfer_amount_vnd"].append(t.amount_vnd)
        params["transfer_confirmed_by"].append(t.confirmed_by)
        params["transfer_notification_id"].append(note.notification_id if note else None)
        params["transfer_bank_id"].append(note.provider_id if note else None)
        if t.confirmed_by is None:
            params["pending_code"].append(t.payment_code)
            params["pending_amount_vnd"].append(t.amount_vnd)
    return {**params, "seen_notification_id": list(decision.seen_notifications)}


# Issue 15 (domain/stock.py): a sale of tracked products moves their stock at the booth in its
# own write, once per product, after the till's row (``bumped``): the same lock order as a
# refund. An online sale that would take one below zero (another till of the booth sold it
# since the read) raises ``stock_short``: the statement rolls back and the sale is read and
# judged again (then refused, 409 out_of_stock). An offline sale already happened: it moves
# stock below zero and counts the units sold with none on hand as ``oversold``.
_STOCK_CTES = """       stock_sold as (
           update stock_levels sl
              set sold = sl.sold + m.quantity, on_hand = sl.on_hand - m.quantity,
                  oversold = sl.oversold + greatest(0, m.quantity - greatest(sl.on_hand, 0)),
                  updated_at = :recorded_at
             from unnest(:stock_product_id::uuid[], :stock_quantity::int[]) as m(product_id, quantity), bumped
            where sl.fair_id = :fair_id and sl.booth_id = :booth_id and sl.product_id = m.product_id
              and case when not :online::bool or sl.on_hand >= m.quantity then true
                       else stock_short(m.product_id, sl.on_hand - m.quantity) end
           returning 1),
"""


def _stock_query(transfers: bool) -> NamedQuery:
    return NamedQuery(
        _RECORD_TEMPLATE.format(
            guard=_BANK_GUARD if transfers else "",
            guarded="              and (select ok from bank_guard)\n" if transfers else "",
            transfer_ctes=_TRANSFER_CTES if transfers else "",
            stock_ctes=_STOCK_CTES,
            outbox=OUTBOX_INSERT_NAMED,
        )
    )


_STOCK_RECORD = {False: _stock_query(False), True: _stock_query(True)}


def _hours_of(hours: list[dict[str, Any]]) -> tuple[tuple[int, time, time], ...]:
    """A showroom's weekly opening hours as the fair events gave them (empty: none)."""
    return tuple(
        (int(h["weekday"]), time.fromisoformat(h["opens"]), time.fromisoformat(h["closes"]))
        for h in hours
    )


def _stock_of(levels: dict[str, int]) -> dict[UUID, int]:
    return {UUID(product_id): on_hand for product_id, on_hand in levels.items()}


def _stock_params(decision: SalesDecision) -> dict[str, list[Any]]:
    """The new sales' movements of tracked products, one per product, in product order."""
    return {
        "stock_product_id": [product_id for product_id, _ in decision.stock_moves],
        "stock_quantity": [quantity for _, quantity in decision.stock_moves],
    }
