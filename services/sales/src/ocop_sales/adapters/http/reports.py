"""Routes: revenue reports, as JSON, CSV or XLSX."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from fastapi import APIRouter, Response

from ocop_sales.adapters import export
from ocop_sales.adapters.http.deps import Wired
from ocop_sales.adapters.http.schemas import RevenueAnswer
from ocop_sales.application.ports import ReportDimension
from ocop_sales.application.queries import reports
from ocop_shared.authz import Caller

router = APIRouter(tags=["reports"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/fairs/{fair_id}/reports/revenue",
    response_model=RevenueAnswer,
    responses={
        200: {
            "description": "the report; CSV or XLSX when asked with format",
            "content": {"text/csv": {}, XLSX: {}},
        },
    },
)
async def revenue_report(
    fair_id: UUID,
    principal: Caller,
    wired: Wired,
    by: ReportDimension = "product_group",
    format: Literal["json", "csv", "xlsx"] = "json",
) -> RevenueAnswer | Response:
    """Revenue by fair, day, booth, exhibitor, producer, product, group, star or province.
    An exhibitor gets only its own figures, at a fair it sells at; any other fair is 404."""
    report = await wired.uow.read(
        lambda repos: reports.revenue_report(repos, fair_id=fair_id, by=by, viewer=principal)
    )
    if format == "csv":
        return Response(
            export.to_csv(report.rows, by),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="revenue-by-{by}.csv"'},
        )
    if format == "xlsx":
        return Response(
            export.to_xlsx(report.rows, by),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="revenue-by-{by}.xlsx"'},
        )
    return RevenueAnswer.model_validate(report)
