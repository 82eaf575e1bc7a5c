"""Listing VietQR transfers, and an exhibitor's webhook keys."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ocop_sales.application.ports import Repositories
from ocop_sales.application.queries.sales import check_fair_in_reach
from ocop_sales.domain.access import Viewer, sales_scope
from ocop_sales.domain.transfers import StoredTransfer


async def list_transfers(
    repos: Repositories, *, by: Viewer, fair_id: UUID | None, status: str | None
) -> list[StoredTransfer]:
    """Whose transfers as whose sales (``GET /sales``): a till its own, an exhibitor its own,
    an organizer one fair's of its own (``fair_id``); a fair out of reach answers 404."""
    scope = sales_scope(by, fair_id)
    if scope.fair_id is not None:
        await check_fair_in_reach(repos, by, scope.fair_id)
    return await repos.transfers.listing(scope, status)


async def list_keys(repos: Repositories, *, exhibitor_id: UUID) -> list[Any]:
    return await repos.transfers.keys(exhibitor_id)
