"""Reading the bank-statement lines no payment was found for."""

from __future__ import annotations

from uuid import UUID

from ocop_booths.application.ports import Repositories, UnmatchedLine
from ocop_booths.domain.applications import check_organizer
from ocop_shared.auth import Principal


async def unmatched_lines(
    repos: Repositories, principal: Principal, fair_id: UUID
) -> list[UnmatchedLine]:
    """The fair's statement lines kept unmatched, oldest import first (a line paid by a
    later statement is gone from them)."""
    check_organizer(await repos.fairs.get(fair_id), principal)
    return await repos.payments.unmatched(fair_id)
