"""Which booths have passed their deadline."""

from __future__ import annotations

from uuid import UUID

from ocop_booths.application.ports import Repositories


async def booths_past_deadline(repos: Repositories, limit: int = 500) -> list[UUID]:
    """Holds past their expiry and assigned booths past their payment deadline (each is then
    released in a unit of work of its own, which checks the deadline again)."""
    return await repos.booths.past_deadline(limit)
