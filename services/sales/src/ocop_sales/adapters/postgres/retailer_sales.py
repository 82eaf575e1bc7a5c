"""The host retailer's imported sales (issue 15): sales of source ``retailer``, one per
(store, date, GTIN), their stock movements, and each file's import and report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from ocop_sales.domain.retailer_import import AdmittedProduct, MovedStock, RetailerSale


class PostgresRetailerSales:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def admitted_by_gtin(self, fair_id: UUID) -> dict[str, AdmittedProduct]:
        """The fair's admitted products with a GTIN, each with the booth its exhibitor holds
        there (one tracking the product first)."""
        rows = await self._conn.fetch(
            """select c.gtin, c.product_id, c.producer_id, c.exhibitor_id, c.product_group, c.star,
                      (select b.booth_id from booth_holders b
                        where b.fair_id = c.fair_id and b.exhibitor_id = c.exhibitor_id
                        order by exists (select 1 from stock_levels sl where sl.fair_id = c.fair_id
                                            and sl.booth_id = b.booth_id and sl.product_id = c.product_id) desc,
                                 b.booth_code
                        limit 1) as booth_id
                 from catalog c
                where c.fair_id = $1 and not c.withdrawn and c.gtin is not null
                order by c.exhibitor_id""",
            fair_id,
        )
        found: dict[str, AdmittedProduct] = {}
        for r in rows:
            found.setdefault(
                r["gtin"],
                AdmittedProduct(
                    r["product_id"], r["producer_id"], r["exhibitor_id"], r["booth_id"],
                    r["product_group"], r["star"],
                ),
            )  # fmt: skip
        return found

    async def prior(self, fair_id: UUID, file_hash: bytes) -> dict[str, Any] | None:
        report: dict[str, Any] | None = await self._conn.fetchval(
            "select report from retailer_imports where fair_id = $1 and file_hash = $2 and applied",
            fair_id,
            file_hash,
        )
        return report

    async def existing(self, sale_ids: Sequence[UUID]) -> set[UUID]:
        rows = await self._conn.fetch(
            "select sale_id from sales where sale_id = any($1::uuid[])", list(sale_ids)
        )
        return {r["sale_id"] for r in rows}

    async def record(
        self, fair_id: UUID, sales: Sequence[RetailerSale], now: datetime
    ) -> tuple[set[UUID], list[MovedStock]]:
        """Writes the sales not stored yet (a twin upload in flight stores each once) and
        moves the stock of tracked products at their booths; answers the sale ids written and
        the stock rows moved (booth, exhibitor, product, producer, quantity, on hand)."""
        rows = await self._conn.fetch(
            """with new_sales as (
                    insert into sales (sale_id, fair_id, terminal_id, booth_id, exhibitor_id, receipt_no,
                                       device_time, business_date, total_vnd, payments, payload_hash,
                                       offline, recorded_at, source, store_code)
                    select x.sale_id, $1, null, x.booth_id, x.exhibitor_id, null, x.sold_at, x.day, x.amount,
                           '{}'::jsonb, sha256(convert_to(x.sale_id::text || x.quantity || '|' || x.amount, 'UTF8')),
                           false, $2, 'retailer', x.store
                      from unnest($3::uuid[], $4::uuid[], $5::uuid[], $6::timestamptz[], $7::date[],
                                  $8::bigint[], $9::int[], $10::text[])
                           as x(sale_id, booth_id, exhibitor_id, sold_at, day, amount, quantity, store)
                    on conflict (sale_id) do nothing
                    returning sale_id, booth_id),
                lines as (
                    -- What the line was sold as (its group's taxonomy; local goods or OCOP):
                    -- the catalog row that admitted it at this fair, as for a till's line.
                    insert into sale_lines (sale_id, line_no, product_id, producer_id, quantity, unit_price_vnd,
                                            discount_vnd, total_vnd, product_group, star, taxonomy, ocop)
                    select l.sale_id, 0, l.product_id, l.producer_id, l.quantity, l.unit_price, l.discount,
                           l.amount, l.product_group, l.star,
                           (select c.taxonomy from catalog c
                             where c.fair_id = $1 and c.product_id = l.product_id limit 1),
                           coalesce((select c.ocop from catalog c
                                      where c.fair_id = $1 and c.product_id = l.product_id limit 1), true)
                      from unnest($3::uuid[], $11::uuid[], $12::uuid[], $9::int[], $13::bigint[], $14::bigint[],
                                  $8::bigint[], $15::int[], $16::int[])
                           as l(sale_id, product_id, producer_id, quantity, unit_price, discount, amount,
                                product_group, star)
                     where l.sale_id in (select sale_id from new_sales)
                    returning sale_id, product_id, quantity),
                moved as (
                    update stock_levels sl
                       set sold = sl.sold + m.quantity, on_hand = sl.on_hand - m.quantity,
                           oversold = sl.oversold + greatest(0, m.quantity - greatest(sl.on_hand, 0)),
                           updated_at = $2
                      from (select n.booth_id, l.product_id, sum(l.quantity)::bigint as quantity
                              from lines l join new_sales n using (sale_id)
                             where n.booth_id is not null
                             group by n.booth_id, l.product_id) m
                     where sl.fair_id = $1 and sl.booth_id = m.booth_id and sl.product_id = m.product_id
                    returning sl.booth_id, sl.exhibitor_id, sl.product_id, sl.producer_id, m.quantity, sl.on_hand)
               select 'sale' as what, sale_id, null::uuid as booth_id, null::uuid as exhibitor_id,
                      null::uuid as product_id, null::uuid as producer_id, null::bigint as quantity,
                      null::bigint as on_hand
                 from new_sales
               union all
               select 'stock', null, booth_id, exhibitor_id, product_id, producer_id, quantity, on_hand from moved""",
            fair_id,
            now,
            [s.sale_id for s in sales],
            [s.product.booth_id for s in sales],
            [s.product.exhibitor_id for s in sales],
            [s.sold_at for s in sales],
            [s.day for s in sales],
            [s.amount_vnd for s in sales],
            [s.quantity for s in sales],
            [s.store for s in sales],
            [s.product.product_id for s in sales],
            [s.product.producer_id for s in sales],
            [s.unit_price_vnd for s in sales],
            [s.discount_vnd for s in sales],
            [s.product.product_group for s in sales],
            [s.product.star for s in sales],
        )
        written = {r["sale_id"] for r in rows if r["what"] == "sale"}
        moved = [
            MovedStock(
                r["booth_id"], r["exhibitor_id"], r["product_id"], r["producer_id"],
                int(r["quantity"]), int(r["on_hand"]),
            )
            for r in rows
            if r["what"] == "stock"
        ]  # fmt: skip
        return written, moved

    async def keep(
        self,
        import_id: UUID,
        fair_id: UUID,
        file_hash: bytes,
        filename: str,
        by: str,
        applied: bool,
        report: dict[str, Any],
    ) -> None:
        await self._conn.execute(
            """insert into retailer_imports (import_id, fair_id, file_hash, filename, uploaded_by, applied, report)
               values ($1, $2, $3, $4, $5, $6, $7)
               on conflict (fair_id, file_hash) where applied do nothing""",
            import_id, fair_id, file_hash, filename, by, applied, report,
        )  # fmt: skip
