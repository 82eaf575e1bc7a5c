"""Allocation runs and the waitlist."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from ocop_booths.adapters.http.deps import Cause, Service
from ocop_booths.adapters.http.schemas import (
    AllocationRunOut,
    CommittedOut,
    ProposalOut,
    WaitlistRowOut,
)
from ocop_booths.application.commands import allocations as commands
from ocop_booths.application.queries import allocations as queries
from ocop_shared.authz import Caller

router = APIRouter(tags=["allocation"])


@router.post("/fairs/{fair_id}/allocations", status_code=201)
async def propose_allocation(
    fair_id: UUID, principal: Caller, cause: Cause, booths: Service
) -> ProposalOut:
    """Runs the engine over free booths and approved applications without booths; the
    proposal is stored for review and changes nothing until committed."""
    proposal = await booths.uow.run(
        lambda uow: commands.propose_allocation(uow, principal, fair_id), cause=cause
    )
    return ProposalOut.model_validate(proposal)


@router.get("/allocations/{run_id}")
async def allocation_run(run_id: UUID, principal: Caller, booths: Service) -> AllocationRunOut:
    """A run's stored proposal, as its proposal was answered, with when it was made and
    committed: to show it again (after a failed commit, or to review it)."""
    run = await booths.uow.read(lambda repos: queries.allocation_run(repos, principal, run_id))
    return AllocationRunOut.model_validate(
        {**run.proposal, "created_at": run.created_at, "committed_at": run.committed_at}
    )


@router.post("/allocations/{run_id}/commit")
async def commit_allocation(
    run_id: UUID, principal: Caller, cause: Cause, booths: Service
) -> CommittedOut:
    """Assigns the proposal's booths (skipping any taken since) and ranks the waitlist."""
    committed = await booths.uow.run(
        lambda uow: commands.commit_allocation(uow, principal, run_id, booths.terms), cause=cause
    )
    return CommittedOut.model_validate(committed)


@router.get("/fairs/{fair_id}/waitlist")
async def waitlist(fair_id: UUID, principal: Caller, booths: Service) -> list[WaitlistRowOut]:
    """The fair's waitlist, best rank first."""
    rows = await booths.uow.read(lambda repos: queries.waitlist(repos, principal, fair_id))
    return [WaitlistRowOut.model_validate(r) for r in rows]
