"""The catalog: which products each exhibitor may sell at a fair, and each product's newest
certificate decision (``product_blocks``: a revoked or expired certificate stops a product at
every fair from the event's time; a newer certificate puts it on sale again). Every decision
carries its event time and an older one arriving later changes nothing, so the catalog ends
the same whatever order the topics deliver in."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from ocop_sales.domain.catalog import Admission, ProductBlock, ProductDetails, Reinstatement

# A catalog row's block always follows the product's newest certificate decision.
# Issue 15: a row of local goods (``ocop`` false) follows no certificate decision.
_FOLLOW_BLOCK = """update catalog c set blocked_at = b.blocked_at, blocked_reason = b.reason
                     from product_blocks b where b.product_id = c.product_id and c.product_id = $1
                      and c.ocop"""

# Issue 15: the groups' names per taxonomy, as registration's snapshots carry them.
_NAME_GROUP = """insert into product_group_names (taxonomy, code, name_vi) values ($1, $2, $3)
                 on conflict (taxonomy, code) do update set name_vi = excluded.name_vi
                  where product_group_names.name_vi <> excluded.name_vi"""


class PostgresCatalog:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def admit(self, admission: Admission) -> None:
        """Puts the admitted products on sale (again), carrying the product's certificate
        decision already known (its block; its end date and star if newer than the
        approval); takes the application's other products off sale. Local goods (issue 15)
        carry no certificate decision: no block, their own star (0) and last day."""
        a = admission
        await self._conn.executemany(
            """insert into catalog (fair_id, exhibitor_id, product_id, producer_id, name, gtin, product_group, star,
                                    list_price_vnd, ocop_until, blocked_at, blocked_reason, decided_at,
                                    taxonomy, product_group_name, ocop)
               select $1, $2, $3, $4, $5, $6, $7,
                      case when newer then coalesce(b.star, $8) else $8 end, $9,
                      case when newer then b.ocop_until else $10 end,
                      b.blocked_at, b.reason, case when newer then b.decided_at else $11 end, $12, $13, $14
                 from (select 1) one left join product_blocks b on b.product_id = $3 and $14::bool,
                      lateral (select coalesce(b.blocked_at is null and b.ocop_until is not null
                                               and b.decided_at > $11, false) as newer) n
               on conflict (fair_id, exhibitor_id, product_id) do update set withdrawn = false,
                   list_price_vnd = excluded.list_price_vnd,
                   star = case when catalog.decided_at > excluded.decided_at then catalog.star else excluded.star end,
                   ocop_until = case when catalog.decided_at > excluded.decided_at then catalog.ocop_until
                                     else excluded.ocop_until end,
                   decided_at = greatest(catalog.decided_at, excluded.decided_at),
                   taxonomy = excluded.taxonomy, product_group_name = excluded.product_group_name,
                   blocked_at = case when catalog.ocop = excluded.ocop then catalog.blocked_at
                                     else excluded.blocked_at end,
                   blocked_reason = case when catalog.ocop = excluded.ocop then catalog.blocked_reason
                                         else excluded.blocked_reason end,
                   ocop = excluded.ocop""",
            [
                (a.fair_id, a.exhibitor_id, e.product_id, e.producer_id, e.name, e.gtin,
                 e.product_group, e.star, e.list_price_vnd, e.ocop_until, a.decided_at,
                 e.taxonomy, e.product_group_name, e.ocop)
                for e in a.entries
            ],
        )  # fmt: skip
        named = {
            (e.taxonomy, e.product_group, e.product_group_name)
            for e in a.entries
            if e.taxonomy and e.product_group_name
        }
        if named:
            await self._conn.executemany(_NAME_GROUP, sorted(named))
        if a.not_admitted:
            await self._conn.execute(
                """update catalog set withdrawn = true
                    where fair_id = $1 and exhibitor_id = $2 and product_id = any($3::uuid[])""",
                a.fair_id,
                a.exhibitor_id,
                a.not_admitted,
            )

    async def withdraw(self, fair_id: UUID, exhibitor_id: UUID) -> None:
        await self._conn.execute(
            "update catalog set withdrawn = true where fair_id = $1 and exhibitor_id = $2",
            fair_id,
            exhibitor_id,
        )

    async def block(self, block: ProductBlock) -> datetime | None:
        """Blocks the product from ``blocked_at`` unless a newer certificate decision is known
        (the earliest of two blocks wins); every fair's catalog row follows. Answers when the
        block took effect, or None if a newer decision made it moot."""
        applied_at: datetime | None = await self._conn.fetchval(
            """insert into product_blocks (product_id, blocked_at, reason, decided_at, processed_at)
               values ($1, $2, $3, $2, clock_timestamp())
               on conflict (product_id) do update set
                   blocked_at = least(product_blocks.blocked_at, excluded.blocked_at),
                   reason = case when product_blocks.blocked_at <= excluded.blocked_at then product_blocks.reason
                                 else excluded.reason end,
                   processed_at = case when product_blocks.blocked_at <= excluded.blocked_at
                                       then product_blocks.processed_at else excluded.processed_at end,
                   decided_at = excluded.decided_at
                where product_blocks.decided_at <= excluded.decided_at
               returning clock_timestamp()""",
            block.product_id, block.blocked_at, block.reason,
        )  # fmt: skip
        await self._conn.execute(_FOLLOW_BLOCK, block.product_id)
        return applied_at

    async def reinstate(self, reinstatement: Reinstatement) -> None:
        """A certificate in force again, unless a newer block is known: the product sells
        again; its end date and star follow unless a newer approval set them."""
        r = reinstatement
        await self._conn.execute(
            """insert into product_blocks (product_id, blocked_at, reason, decided_at, ocop_until, star, processed_at)
               values ($1, null, null, $4, $3, $2, clock_timestamp())
               on conflict (product_id) do update set blocked_at = null, reason = null,
                   decided_at = excluded.decided_at, ocop_until = excluded.ocop_until, star = excluded.star,
                   processed_at = excluded.processed_at
                where product_blocks.decided_at <= excluded.decided_at""",
            r.product_id, r.star, r.ocop_until, r.decided_at,
        )  # fmt: skip
        await self._conn.execute(
            """update catalog c set blocked_at = b.blocked_at, blocked_reason = b.reason,
                      star = case when c.decided_at > $4 then c.star else coalesce($2, c.star) end,
                      ocop_until = case when c.decided_at > $4 then c.ocop_until else $3 end,
                      decided_at = greatest(c.decided_at, $4)
                 from product_blocks b where b.product_id = c.product_id and c.product_id = $1
                  and c.ocop""",
            r.product_id, r.star, r.ocop_until, r.decided_at,
        )  # fmt: skip

    async def describe(self, product: ProductDetails) -> None:
        p = product
        if p.taxonomy and p.product_group is not None and p.product_group_name:
            await self._conn.execute(_NAME_GROUP, p.taxonomy, p.product_group, p.product_group_name)
        await self._conn.execute(
            "update catalog set name = $2, gtin = $3, list_price_vnd = $4 where product_id = $1",
            p.product_id,
            p.name,
            p.gtin,
            p.list_price_vnd,
        )
