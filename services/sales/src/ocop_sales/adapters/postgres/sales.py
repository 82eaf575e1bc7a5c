"""Stored sales: one with its lines for a refund, and listings."""

from __future__ import annotations

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
            "select * from sale_lines where sale_id = $1 order by line_no", sale_id
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
        rows = await self._conn.fetch(
            f"""select sale_id, fair_id, terminal_id, booth_id, exhibitor_id, receipt_no, device_time, total_vnd,
                       payments, offline, recorded_at, review
                  from sales where {where} and receipt_no > $1
                 order by terminal_id, receipt_no limit $2""",
            after_receipt, limit, *(value for _, value in filters),
        )  # fmt: skip
        return [SaleRow(**r) for r in rows]
