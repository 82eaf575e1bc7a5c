"""Listing stored sales, and which fairs a viewer reaches."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ocop_sales.application.ports import Repositories, SaleRow
from ocop_sales.domain.access import Viewer, check_fair_reach, check_sale_reach, sales_scope
from ocop_sales.domain.terminals import receipt_label
from ocop_shared.errors import NotFound


async def check_fair_in_reach(repos: Repositories, viewer: Viewer, fair_id: UUID) -> None:
    """The fair is the viewer's to read (its organizer's, or one its exhibitor or till sells
    at), or it answers 404."""
    takes_part = False
    if viewer.role == "exhibitor":
        takes_part = await repos.fairs.exhibits(fair_id, UUID(viewer.subject))
    elif viewer.role == "terminal":
        takes_part = await repos.terminals.fair_of(UUID(viewer.subject)) == fair_id
    check_fair_reach(
        viewer, organizer=await repos.fairs.organizer_of(fair_id), takes_part=takes_part
    )


async def list_sales(
    repos: Repositories,
    *,
    by: Viewer,
    fair_id: UUID | None,
    after_receipt: int,
    limit: int,
    for_review: bool = False,
) -> list[SaleRow]:
    """A terminal sees its own sales, an exhibitor its own, an organizer its fair's; a fair
    named out of the viewer's reach answers 404. ``for_review``: only the sales flagged for a
    person to look at (offline sales backdated beyond the allowed window)."""
    scope = sales_scope(by, fair_id)
    if scope.fair_id is not None:
        await check_fair_in_reach(repos, by, scope.fair_id)
    return await repos.sales.listing(scope, after_receipt, limit, for_review=for_review)


async def sale_detail(repos: Repositories, *, sale_id: UUID, by: Viewer) -> dict[str, Any]:
    """One sale as its receipt shows it (the till that made it, its exhibitor, the fair's
    organizer, the admin; anyone else: 404): receipt, lines with what was refunded of each,
    payments and refunds."""
    sale = await repos.sales.detail(sale_id)
    if sale is None:
        raise NotFound("no such sale")
    check_sale_reach(
        by,
        organizer=sale["organizer_id"],
        terminal_id=sale["terminal_id"],
        exhibitor_id=sale["exhibitor_id"],
    )
    return sale | {"receipt": receipt_label(sale["receipt_prefix"], sale["receipt_no"])}
