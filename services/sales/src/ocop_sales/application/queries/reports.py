"""Revenue by the dimensions organizers report on."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ocop_sales.application.ports import ReportDimension, Repositories, RevenueReport
from ocop_sales.application.queries.sales import check_fair_in_reach
from ocop_sales.domain.access import Viewer
from ocop_sales.domain.sales import VN


async def revenue_report(
    repos: Repositories, *, fair_id: UUID, by: ReportDimension, viewer: Viewer
) -> RevenueReport:
    """Revenue by fair, day, booth, exhibitor, producer, product, group, star or province.
    An exhibitor gets only its own figures, at a fair it sells at; an organizer its own
    fair's. Any other fair answers 404."""
    await check_fair_in_reach(repos, viewer, fair_id)
    # An exhibitor: its own sales, and (a delegation's member holder) its own lines sold at
    # other exhibitors' booths (issue 15: domain/access.py, revenue_scope).
    exhibitor = UUID(viewer.subject) if viewer.role == "exhibitor" else None
    rows = await repos.reports.revenue(fair_id, by, exhibitor)
    return RevenueReport(
        fair_id=fair_id,
        by=by,
        rows=rows,
        total_net_vnd=sum(r.net_vnd for r in rows),
        generated_at=datetime.now(VN),
        total_ocop_net_vnd=sum(r.ocop_net_vnd for r in rows),
        total_local_goods_net_vnd=sum(r.local_goods_net_vnd for r in rows),
    )
