"""Revenue by the dimensions organizers report on. Every figure comes from one SQL query over
the stored sale lines and refund lines, so each reconciles to the dong with the sales table."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from ocop_sales.application.ports import ReportDimension, RevenueRow

# dimension -> (label expression, group-by expression)
DIMENSIONS: dict[ReportDimension, tuple[str, str]] = {
    "fair": ("s.fair_id::text", "s.fair_id"),
    "day": ("s.business_date::text", "s.business_date"),
    "booth": (
        "coalesce(bh.booth_code, s.booth_id::text)",
        "coalesce(bh.booth_code, s.booth_id::text)",
    ),
    "exhibitor": (
        "coalesce(ex.name, s.exhibitor_id::text)",
        "coalesce(ex.name, s.exhibitor_id::text)",
    ),
    "producer": (
        "coalesce(pr.name, l.producer_id::text)",
        "coalesce(pr.name, l.producer_id::text)",
    ),
    "product": ("coalesce(c.name, l.product_id::text)", "coalesce(c.name, l.product_id::text)"),
    "product_group": ("l.product_group::text", "l.product_group"),
    "star": ("l.star::text", "l.star"),
    "province": ("coalesce(pr.province, '?')", "coalesce(pr.province, '?')"),
    # issue 15: the fair's tills, or the host retailer's imported sales
    "source": ("s.source", "s.source"),
}


class PostgresReports:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def revenue(
        self, fair_id: UUID, by: ReportDimension, exhibitor_id: UUID | None
    ) -> list[RevenueRow]:
        label, group = DIMENSIONS[by]
        rows = await self._conn.fetch(
            f"""with refunded as (
                    select rl.sale_id, rl.line_no, sum(rl.total_vnd)::bigint as refunded_vnd
                      from refund_lines rl join sales s2 on s2.sale_id = rl.sale_id where s2.fair_id = $1
                     group by rl.sale_id, rl.line_no)
                select {label} as key, count(distinct s.sale_id) as sales, sum(l.quantity)::bigint as quantity,
                       sum(l.total_vnd)::bigint as gross_vnd, coalesce(sum(r.refunded_vnd), 0)::bigint as refunds_vnd,
                       (sum(l.total_vnd) - coalesce(sum(r.refunded_vnd), 0))::bigint as net_vnd
                  from sales s
                  join sale_lines l on l.sale_id = s.sale_id
                  left join refunded r on r.sale_id = l.sale_id and r.line_no = l.line_no
                  left join booth_holders bh on bh.booth_id = s.booth_id
                  left join exhibitors ex on ex.exhibitor_id = s.exhibitor_id
                  left join exhibitors pr on pr.exhibitor_id = l.producer_id
                  left join catalog c on c.fair_id = s.fair_id and c.exhibitor_id = s.exhibitor_id
                                     and c.product_id = l.product_id
                 where s.fair_id = $1 and ($2::uuid is null or s.exhibitor_id = $2)
                 group by {group} order by net_vnd desc, key""",
            fair_id,
            exhibitor_id,
        )
        return [RevenueRow(**r) for r in rows]
