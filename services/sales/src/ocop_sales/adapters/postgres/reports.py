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
    # issue 15: answered by its Vietnamese name, with its number and taxonomy (GROUP_COLUMNS)
    "product_group": (
        "coalesce(n.name_vi, l.product_group::text)",
        "l.product_group, coalesce(l.taxonomy, c.taxonomy), n.name_vi",
    ),
    "star": ("l.star::text", "l.star"),
    "province": ("coalesce(pr.province, '?')", "coalesce(pr.province, '?')"),
    # issue 15: the fair's tills, or the host retailer's imported sales
    "source": ("s.source", "s.source"),
    # issue 15: OCOP products apart from ordinary local goods
    "ocop": ("case when l.ocop then 'OCOP' else 'Hàng địa phương (không OCOP)' end", "l.ocop"),
}

# Issue 15: the group's number and taxonomy beside its name (other dimensions: none).
GROUP_COLUMNS = "l.product_group as code, coalesce(l.taxonomy, c.taxonomy) as taxonomy"
NO_GROUP_COLUMNS = "null::int as code, null::text as taxonomy"
# The net split between OCOP products and local goods, and the row's flag (local goods only).
_NET = "(l.total_vnd - coalesce(r.refunded_vnd, 0))"
SPLIT_COLUMNS = f"""coalesce(sum({_NET}) filter (where l.ocop), 0)::bigint as ocop_net_vnd,
                    coalesce(sum({_NET}) filter (where not l.ocop), 0)::bigint as local_goods_net_vnd,
                    bool_and(not l.ocop) as local_goods"""


class PostgresReports:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def revenue(
        self, fair_id: UUID, by: ReportDimension, exhibitor_id: UUID | None
    ) -> list[RevenueRow]:
        label, group = DIMENSIONS[by]
        group_columns = GROUP_COLUMNS if by == "product_group" else NO_GROUP_COLUMNS
        rows = await self._conn.fetch(
            f"""with refunded as (
                    select rl.sale_id, rl.line_no, sum(rl.total_vnd)::bigint as refunded_vnd
                      from refund_lines rl join sales s2 on s2.sale_id = rl.sale_id where s2.fair_id = $1
                     group by rl.sale_id, rl.line_no)
                select {label} as key, count(distinct s.sale_id) as sales, sum(l.quantity)::bigint as quantity,
                       sum(l.total_vnd)::bigint as gross_vnd, coalesce(sum(r.refunded_vnd), 0)::bigint as refunds_vnd,
                       (sum(l.total_vnd) - coalesce(sum(r.refunded_vnd), 0))::bigint as net_vnd,
                       {group_columns}, {SPLIT_COLUMNS}
                  from sales s
                  join sale_lines l on l.sale_id = s.sale_id
                  left join refunded r on r.sale_id = l.sale_id and r.line_no = l.line_no
                  left join booth_holders bh on bh.booth_id = s.booth_id
                  left join exhibitors ex on ex.exhibitor_id = s.exhibitor_id
                  left join exhibitors pr on pr.exhibitor_id = l.producer_id
                  left join catalog c on c.fair_id = s.fair_id and c.exhibitor_id = s.exhibitor_id
                                     and c.product_id = l.product_id
                  left join product_group_names n on n.taxonomy = coalesce(l.taxonomy, c.taxonomy)
                                                 and n.code = l.product_group
                 where s.fair_id = $1 and ($2::uuid is null or s.exhibitor_id = $2
                       -- issue 15: a delegation's member holder, its own lines at the
                       -- delegation's booths (its products in their catalog at this fair)
                       or (l.producer_id = $2 and s.exhibitor_id in (
                               select m.exhibitor_id from catalog m
                                where m.fair_id = $1 and m.producer_id = $2)))
                 group by {group} order by net_vnd desc, key""",
            fair_id,
            exhibitor_id,
        )
        return [RevenueRow(**r) for r in rows]
