"""Listing stored sales."""

from __future__ import annotations

from uuid import UUID

from ocop_sales.application.ports import Repositories, SaleRow
from ocop_sales.domain.access import Viewer, check_organizer, sales_scope


async def list_sales(
    repos: Repositories, *, by: Viewer, fair_id: UUID | None, after_receipt: int, limit: int
) -> list[SaleRow]:
    """A terminal sees its own sales, an exhibitor its own, an organizer its fair's."""
    scope = sales_scope(by, fair_id)
    if scope.fair_id is not None:
        check_organizer(by, await repos.fairs.organizer_of(scope.fair_id))
    return await repos.sales.listing(scope, after_receipt, limit)
