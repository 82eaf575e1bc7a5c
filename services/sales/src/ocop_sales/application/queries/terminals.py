"""The tills enrolled at a fair (its organizer), and at an exhibitor's own booths."""

from __future__ import annotations

from uuid import UUID

from ocop_sales.application.ports import Repositories, TerminalRow
from ocop_sales.application.queries.sales import check_fair_in_reach
from ocop_sales.domain.access import Viewer, check_organizer


async def list_terminals(repos: Repositories, *, fair_id: UUID, by: Viewer) -> list[TerminalRow]:
    """The fair's tills, for its organizer (another's fair answers 404)."""
    check_organizer(by, await repos.fairs.organizer_of(fair_id))
    return await repos.terminals.listing(fair_id)


async def my_terminals(repos: Repositories, *, fair_id: UUID, by: Viewer) -> list[TerminalRow]:
    """The tills at the booths an exhibitor holds at a fair it sells at (another fair: 404)."""
    await check_fair_in_reach(repos, by, fair_id)
    return await repos.terminals.listing(fair_id, exhibitor_id=UUID(by.subject))
