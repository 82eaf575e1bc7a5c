"""Revenue by the dimensions organizers report on."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ocop_sales.application.ports import ReportDimension, Repositories, RevenueReport
from ocop_sales.domain.access import Viewer, check_organizer
from ocop_sales.domain.sales import VN


async def revenue_report(
    repos: Repositories, *, fair_id: UUID, by: ReportDimension, viewer: Viewer
) -> RevenueReport:
    """Revenue by fair, day, booth, exhibitor, producer, product, group, star or province.
    An exhibitor gets only its own figures; an organizer its own fair's."""
    exhibitor: UUID | None = None
    if viewer.role == "exhibitor":
        exhibitor = UUID(viewer.subject)
    else:
        check_organizer(viewer, await repos.fairs.organizer_of(fair_id))
    rows = await repos.reports.revenue(fair_id, by, exhibitor)
    return RevenueReport(
        fair_id=fair_id,
        by=by,
        rows=rows,
        total_net_vnd=sum(r.net_vnd for r in rows),
        generated_at=datetime.now(VN),
    )
