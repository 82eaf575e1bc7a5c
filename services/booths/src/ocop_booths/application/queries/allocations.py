"""Reading a fair's waitlist and a stored allocation run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from ocop_booths.application.ports import Repositories, WaitlistRow
from ocop_booths.domain.applications import check_organizer, check_run_organizer
from ocop_booths.domain.refusals import RunNotFound
from ocop_shared.auth import Principal


@dataclass(frozen=True, slots=True)
class StoredRun:
    """A run's proposal as ``POST /fairs/{fair_id}/allocations`` answered it, and when it
    was made and committed (None while it is not)."""

    proposal: dict[str, Any]
    created_at: datetime | None
    committed_at: datetime | None


async def waitlist(repos: Repositories, principal: Principal, fair_id: UUID) -> list[WaitlistRow]:
    check_organizer(await repos.fairs.get(fair_id), principal)
    return await repos.waitlist.of_fair(fair_id)


async def allocation_run(repos: Repositories, principal: Principal, run_id: UUID) -> StoredRun:
    """The stored proposal of a run of the principal's fair (another organizer's: 404, as a
    missing one), so it can be shown again (after a failed commit, or to review it)."""
    run = await repos.allocations.get(run_id)
    if run is None:
        raise RunNotFound("no such allocation run", field="run_id")
    check_run_organizer(await repos.fairs.get(run.fair_id), principal)
    return StoredRun(run.proposal, run.created_at, run.committed_at)
