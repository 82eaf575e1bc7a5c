"""The catalog: which products each exhibitor may sell at a fair, and product blocks (a
certificate revoked or expired stops a product at every fair, from the event's time)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from ocop_sales.domain.catalog import Admission, ProductBlock, ProductDetails, Reinstatement


class PostgresCatalog:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def admit(self, admission: Admission) -> None:
        """Puts the admitted products on sale (again), carrying any block already known;
        takes the application's other products off sale."""
        a = admission
        await self._conn.executemany(
            """insert into catalog (fair_id, exhibitor_id, product_id, producer_id, name, gtin, product_group, star,
                                    list_price_vnd, ocop_until, blocked_at, blocked_reason)
               select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, b.blocked_at, b.reason
                 from (select 1) one left join product_blocks b on b.product_id = $3
               on conflict (fair_id, exhibitor_id, product_id) do update set withdrawn = false,
                   list_price_vnd = excluded.list_price_vnd, star = excluded.star, ocop_until = excluded.ocop_until""",
            [
                (a.fair_id, a.exhibitor_id, e.product_id, e.producer_id, e.name, e.gtin,
                 e.product_group, e.star, e.list_price_vnd, e.ocop_until)
                for e in a.entries
            ],
        )  # fmt: skip
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

    async def block(self, block: ProductBlock) -> None:
        """The earliest block of a product wins; every fair's catalog row follows it."""
        await self._conn.execute(
            """insert into product_blocks (product_id, blocked_at, reason) values ($1, $2, $3)
               on conflict (product_id) do update set blocked_at = least(product_blocks.blocked_at, excluded.blocked_at)""",
            block.product_id, block.blocked_at, block.reason,
        )  # fmt: skip
        await self._conn.execute(
            """update catalog c set blocked_at = b.blocked_at, blocked_reason = b.reason
                 from product_blocks b where b.product_id = c.product_id and c.product_id = $1""",
            block.product_id,
        )

    async def reinstate(self, reinstatement: Reinstatement) -> None:
        r = reinstatement
        await self._conn.execute("delete from product_blocks where product_id = $1", r.product_id)
        await self._conn.execute(
            """update catalog set blocked_at = null, blocked_reason = null, star = coalesce($2, star),
                      ocop_until = $3
                where product_id = $1""",
            r.product_id,
            r.star,
            r.ocop_until,
        )

    async def describe(self, product: ProductDetails) -> None:
        p = product
        await self._conn.execute(
            "update catalog set name = $2, gtin = $3, list_price_vnd = $4 where product_id = $1",
            p.product_id,
            p.name,
            p.gtin,
            p.list_price_vnd,
        )
