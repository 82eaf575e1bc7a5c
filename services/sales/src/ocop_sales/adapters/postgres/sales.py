"""Stored sales: one with its lines for a refund, one as a receipt shows it, and listings."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from ocop_sales.application.ports import SaleRow
from ocop_sales.domain.access import SalesScope
from ocop_sales.domain.refunds import RefundApproval, SoldSale
from ocop_sales.domain.sales import SaleLine

_LINE_FIELDS = (
    "product_id",
    "producer_id",
    "quantity",
    "unit_price_vnd",
    "discount_vnd",
    "total_vnd",
    "product_group",
    "star",
    "taxonomy",  # issue 15: the group named and versioned, local goods flagged
    "product_group_name",
    "ocop",
)


class PostgresSales:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def sold(self, sale_id: UUID) -> SoldSale | None:
        sale = await self._conn.fetchrow(
            """select sale_id, fair_id, terminal_id, exhibitor_id, payments from sales
                where sale_id = $1 for update""",
            sale_id,
        )
        if sale is None:
            return None
        lines = await self._conn.fetch(
            """select l.*, n.name_vi as product_group_name from sale_lines l
                 left join product_group_names n on n.taxonomy = l.taxonomy and n.code = l.product_group
                where l.sale_id = $1 order by l.line_no""",
            sale_id,
        )
        refunded = await self._conn.fetch(
            """select line_no, sum(quantity)::int as quantity from refund_lines
                where sale_id = $1 group by line_no""",
            sale_id,
        )
        by_method = await self._conn.fetch(
            """select method, sum(total_vnd)::bigint as total_vnd from refunds
                where sale_id = $1 group by method""",
            sale_id,
        )
        approvals = await self._conn.fetch(
            """select approval_id, sale_id, fair_id, method, reason, approved_by, approved_at
                 from refund_approvals where sale_id = $1""",
            sale_id,
        )
        return SoldSale(
            sale_id=sale["sale_id"],
            fair_id=sale["fair_id"],
            terminal_id=sale["terminal_id"],
            exhibitor_id=sale["exhibitor_id"],
            lines=[SaleLine(**{k: r[k] for k in _LINE_FIELDS}) for r in lines],
            refunded={r["line_no"]: r["quantity"] for r in refunded},
            payments=sale["payments"],
            refunded_by_method={r["method"]: r["total_vnd"] for r in by_method},
            approvals={a["approval_id"]: RefundApproval(**a) for a in approvals},
        )

    async def detail(self, sale_id: UUID) -> dict[str, Any] | None:
        """The sale as its receipt shows it: the till's receipt prefix, booth, exhibitor, the
        lines with product and producer names and what was refunded of each, payments and
        refunds; and the fair's organizer (who may read it)."""
        sale = await self._conn.fetchrow(
            """select s.sale_id, s.fair_id, f.organizer_id, s.terminal_id, t.receipt_prefix, s.receipt_no,
                      s.booth_id, h.booth_code, s.exhibitor_id, e.name as exhibitor_name, s.device_time,
                      s.recorded_at, s.business_date, s.total_vnd, s.payments, s.offline, s.review, s.session_id
                 from sales s join terminals t on t.terminal_id = s.terminal_id
                 join fairs f on f.fair_id = s.fair_id
                 left join booth_holders h on h.booth_id = s.booth_id and h.fair_id = s.fair_id
                 left join exhibitors e on e.exhibitor_id = s.exhibitor_id
                where s.sale_id = $1""",
            sale_id,
        )
        if sale is None:
            return None
        lines = await self._conn.fetch(
            """select l.line_no, l.product_id, c.name, c.gtin, l.producer_id, p.name as producer_name, l.star,
                      l.product_group, l.taxonomy, n.name_vi as product_group_name, l.ocop, l.quantity, l.unit_price_vnd, l.discount_vnd, l.discount_reason, l.total_vnd,
                      coalesce((select sum(r.quantity) from refund_lines r
                                 where r.sale_id = l.sale_id and r.line_no = l.line_no), 0)::int as refunded_quantity
                 from sale_lines l
                 left join catalog c on c.fair_id = $2 and c.exhibitor_id = $3 and c.product_id = l.product_id
                 left join exhibitors p on p.exhibitor_id = l.producer_id
                 left join product_group_names n on n.taxonomy = l.taxonomy and n.code = l.product_group
                where l.sale_id = $1 order by l.line_no""",
            sale_id, sale["fair_id"], sale["exhibitor_id"],
        )  # fmt: skip
        refunds = await self._conn.fetch(
            """select refund_id, total_vnd, method, reason, approval_id, recorded_at
                 from refunds where sale_id = $1 order by recorded_at, refund_id""",
            sale_id,
        )
        return {
            **dict(sale),
            "lines": [dict(r) for r in lines],
            "refunds": [dict(r) for r in refunds],
        }

    async def listing(
        self, scope: SalesScope, after_receipt: int, limit: int, *, for_review: bool = False
    ) -> list[SaleRow]:
        # Only the filters given (fixed fragments, so each shape keeps its index plan).
        filters = [
            (column, value)
            for column, value in (
                ("fair_id", scope.fair_id),
                ("terminal_id", scope.terminal_id),
                ("exhibitor_id", scope.exhibitor_id),
            )
            if value is not None
        ]
        assert filters, "a listing is always scoped"
        where = " and ".join(f"{column} = ${i}" for i, (column, _) in enumerate(filters, start=3))
        if for_review:
            where += " and review is not null"
        total, payments = "total_vnd", "payments"
        if scope.exhibitor_id is not None and scope.terminal_id is None:
            # Issue 15: an exhibitor's listing holds, besides its own sales, the sales made at
            # a delegation's booths of products it made (a member holder): each with its own
            # lines' total only and no payments (the delegation's and other members' are not
            # its to see).
            mine = len(filters) + 2  # the exhibitor's parameter
            where = where.replace(
                f"exhibitor_id = ${mine}",
                f"""(exhibitor_id = ${mine} or (exhibitor_id in (
                         select m.exhibitor_id from catalog m where m.producer_id = ${mine}
                            and m.exhibitor_id <> ${mine})
                     and exists (select 1 from sale_lines l where l.sale_id = sales.sale_id
                                    and l.producer_id = ${mine})))""",
            )
            total = f"""case when exhibitor_id = ${mine} then total_vnd
                            else (select sum(l.total_vnd) from sale_lines l
                                   where l.sale_id = sales.sale_id and l.producer_id = ${mine})::bigint
                        end as total_vnd"""
            payments = (
                f"case when exhibitor_id = ${mine} then payments else '{{}}'::jsonb end as payments"
            )
        rows = await self._conn.fetch(
            f"""select sale_id, fair_id, terminal_id, booth_id, exhibitor_id, receipt_no, device_time, {total},
                       {payments}, offline, recorded_at, review
                  from sales where {where} and receipt_no > $1
                 order by terminal_id, receipt_no limit $2""",
            after_receipt, limit, *(value for _, value in filters),
        )  # fmt: skip
        return [SaleRow(**r) for r in rows]
