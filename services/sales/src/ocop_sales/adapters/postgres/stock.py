"""Stock at the booth (issue 15): movements, levels, the stock report and the consignment
settlement. A sale's own movement is written by the sale's statement (postgres/tills.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

import asyncpg

from ocop_sales.domain.settlement import ConsignmentFair, ProducerFigures
from ocop_sales.domain.stock import (
    BoothStock,
    MovementDecision,
    MovementIn,
    StockLevel,
    StoredMovement,
)

_COLUMN = {"received": "received", "returned": "returned", "adjusted": "adjusted"}


class PostgresStock:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def fair(self, fair_id: UUID) -> ConsignmentFair | None:
        row = await self._conn.fetchrow(
            """select fair_id, organizer_id, name, kind, commission_percent, host_retailer_id, stores,
                      starts_at, ends_at
                 from fairs where fair_id = $1""",
            fair_id,
        )
        if row is None:
            return None
        return ConsignmentFair(
            fair_id=row["fair_id"],
            organizer_id=row["organizer_id"],
            name=row["name"],
            kind=row["kind"],
            commission_percent=row["commission_percent"],
            host_retailer_id=row["host_retailer_id"],
            stores={s["store_code"]: s["name"] for s in row["stores"]},
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
        )

    async def booth(self, fair_id: UUID, booth_id: UUID) -> BoothStock | None:
        """The booth's holder at the fair, the products admitted to it there, and their levels
        at the booth, locked until the movement commits (a sale's write waits for it)."""
        holder = await self._conn.fetchval(
            "select exhibitor_id from booth_holders where booth_id = $1 and fair_id = $2",
            booth_id,
            fair_id,
        )
        if holder is None:
            return None
        admitted = await self._conn.fetch(
            """select product_id, producer_id from catalog
                where fair_id = $1 and exhibitor_id = $2 and not withdrawn""",
            fair_id,
            holder,
        )
        levels = await self._conn.fetch(
            """select product_id, on_hand from stock_levels where fair_id = $1 and booth_id = $2
                order by product_id for update""",
            fair_id,
            booth_id,
        )
        return BoothStock(
            fair_id,
            booth_id,
            holder,
            {r["product_id"]: r["producer_id"] for r in admitted},
            {r["product_id"]: r["on_hand"] for r in levels},
        )

    async def movement(self, movement_id: UUID) -> StoredMovement | None:
        row = await self._conn.fetchrow(
            """select movement_id, fair_id, kind, payload_hash, recorded_at from stock_movements
                where movement_id = $1""",
            movement_id,
        )
        return StoredMovement(**row) if row else None

    async def record(
        self, movement: MovementIn, exhibitor_id: UUID, decision: MovementDecision, by: str
    ) -> None:
        m = movement
        await self._conn.execute(
            """insert into stock_movements (movement_id, fair_id, booth_id, exhibitor_id, kind, reason,
                                            payload_hash, recorded_by, recorded_at)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
            m.movement_id, m.fair_id, m.booth_id, exhibitor_id, m.kind, m.reason, m.payload_hash, by,
            decision.recorded_at,
        )  # fmt: skip
        await self._conn.executemany(
            """insert into stock_movement_lines (movement_id, line_no, product_id, producer_id, quantity)
               values ($1, $2, $3, $4, $5)""",
            [
                (m.movement_id, n, line.product_id, line.producer_id, line.quantity)
                for n, line in enumerate(decision.lines)
            ],
        )
        column = _COLUMN[m.kind]
        # received and adjusted add their signed quantity; returned counts what left (positive).
        await self._conn.executemany(
            f"""insert into stock_levels (fair_id, booth_id, product_id, exhibitor_id, producer_id,
                                          {column}, on_hand, updated_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8)
                on conflict (fair_id, booth_id, product_id) do update
                   set {column} = stock_levels.{column} + excluded.{column},
                       on_hand = stock_levels.on_hand + excluded.on_hand,
                       exhibitor_id = excluded.exhibitor_id, updated_at = excluded.updated_at""",
            [
                (
                    m.fair_id, m.booth_id, line.product_id, exhibitor_id, line.producer_id,
                    -line.quantity if m.kind == "returned" else line.quantity, line.quantity,
                    decision.recorded_at,
                )
                for line in decision.lines
            ],
        )  # fmt: skip

    async def refunded(self, sale_id: UUID, lines: Sequence[tuple[int, int]]) -> None:
        """A refund puts its quantities back at the sale's booth (tracked products only)."""
        await self._conn.execute(
            """update stock_levels sl
                  set sold = sl.sold - r.quantity, on_hand = sl.on_hand + r.quantity, updated_at = now()
                 from (select s.fair_id, s.booth_id, l.product_id, sum(x.quantity)::bigint as quantity
                         from unnest($2::int[], $3::int[]) as x(line_no, quantity)
                         join sale_lines l on l.sale_id = $1 and l.line_no = x.line_no
                         join sales s on s.sale_id = $1
                        group by s.fair_id, s.booth_id, l.product_id) r
                where sl.fair_id = r.fair_id and sl.booth_id = r.booth_id and sl.product_id = r.product_id""",
            sale_id,
            [n for n, _ in lines],
            [q for _, q in lines],
        )

    async def levels(self, fair_id: UUID, exhibitor_id: UUID | None) -> list[StockLevel]:
        rows = await self._conn.fetch(
            """select sl.booth_id, bh.booth_code, sl.product_id, c.name as product_name, sl.producer_id,
                      p.name as producer_name, sl.received, sl.sold, sl.returned, sl.adjusted, sl.on_hand,
                      sl.oversold
                 from stock_levels sl
                 left join booth_holders bh on bh.booth_id = sl.booth_id
                 left join catalog c on c.fair_id = sl.fair_id and c.exhibitor_id = sl.exhibitor_id
                                    and c.product_id = sl.product_id
                 left join exhibitors p on p.exhibitor_id = sl.producer_id
                where sl.fair_id = $1 and ($2::uuid is null or sl.exhibitor_id = $2)
                order by p.name nulls last, c.name nulls last, sl.product_id, bh.booth_code""",
            fair_id,
            exhibitor_id,
        )
        return [StockLevel(**r) for r in rows]

    async def settlement(
        self, fair_id: UUID, start: date | None, end: date | None, exhibitor_id: UUID | None
    ) -> list[ProducerFigures]:
        """Per producer over [start, end] (Viet Nam days; None: the whole fair): stock received
        and returned, and sales (till and retailer) net of refunds, quantity and amount."""
        rows = await self._conn.fetch(
            """with moved as (
                    select ml.producer_id,
                           sum(case when m.kind = 'received' then ml.quantity else 0 end)::bigint as received,
                           sum(case when m.kind = 'returned' then -ml.quantity else 0 end)::bigint as returned
                      from stock_movements m join stock_movement_lines ml using (movement_id)
                     where m.fair_id = $1 and ($4::uuid is null or m.exhibitor_id = $4)
                       and ($2::date is null or (m.recorded_at at time zone 'Asia/Ho_Chi_Minh')::date >= $2)
                       and ($3::date is null or (m.recorded_at at time zone 'Asia/Ho_Chi_Minh')::date <= $3)
                     group by ml.producer_id),
                sold as (
                    select l.producer_id,
                           (sum(l.quantity) - coalesce(sum(r.quantity), 0))::bigint as sold_quantity,
                           (sum(l.total_vnd) - coalesce(sum(r.total_vnd), 0))::bigint as sold_vnd
                      from sales s join sale_lines l on l.sale_id = s.sale_id
                      left join (select rl.sale_id, rl.line_no, sum(rl.quantity) as quantity,
                                        sum(rl.total_vnd) as total_vnd
                                   from refund_lines rl join sales s2 on s2.sale_id = rl.sale_id
                                  where s2.fair_id = $1 group by rl.sale_id, rl.line_no) r
                             on r.sale_id = l.sale_id and r.line_no = l.line_no
                     where s.fair_id = $1 and ($4::uuid is null or s.exhibitor_id = $4)
                       and ($2::date is null or s.business_date >= $2)
                       and ($3::date is null or s.business_date <= $3)
                     group by l.producer_id)
                select coalesce(moved.producer_id, sold.producer_id) as producer_id, p.name as producer_name,
                       coalesce(moved.received, 0) as received, coalesce(moved.returned, 0) as returned,
                       coalesce(sold.sold_quantity, 0) as sold_quantity, coalesce(sold.sold_vnd, 0) as sold_vnd
                  from moved full join sold on sold.producer_id = moved.producer_id
                  left join exhibitors p on p.exhibitor_id = coalesce(moved.producer_id, sold.producer_id)
                 order by p.name nulls last, 1""",
            fair_id,
            start,
            end,
            exhibitor_id,
        )
        return [ProducerFigures(**r) for r in rows]

    async def exhibits(self, fair_id: UUID, exhibitor_id: UUID) -> bool:
        found: bool = await self._conn.fetchval(
            """select exists (select 1 from catalog where fair_id = $1 and exhibitor_id = $2)
                   or exists (select 1 from booth_holders where fair_id = $1 and exhibitor_id = $2)""",
            fair_id,
            exhibitor_id,
        )
        return found
