"""Allocation runs: the engine proposes (nothing changes), the organizer commits."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from ocop_booths.application import occupancy
from ocop_booths.application.ports import AllocationRun, Repositories, WaitlistEntry
from ocop_booths.domain import allocation, floorplan, reasons
from ocop_booths.domain import booths as lifecycle
from ocop_booths.domain.applications import check_organizer, check_run_organizer
from ocop_booths.domain.booths import Claimant, Terms
from ocop_booths.domain.refusals import (
    BoothNotFound,
    NoFloorPlan,
    RunAlreadyCommitted,
    RunNotFound,
)
from ocop_shared.auth import Principal
from ocop_shared.contracts.booths import AllocationCommitted
from ocop_shared.errors import DomainError
from ocop_shared.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Proposal:
    run_id: UUID
    fair_id: UUID
    solver: str
    objective: int
    greedy_objective: int
    seconds: float
    placements: list[allocation.Placement]
    waitlist: list[allocation.Waitlisted]
    method: str | None = None
    quality: int | None = None
    quality_bound: int | None = None
    quality_gap: float | None = None
    greedy_quality: int | None = None


@dataclass(frozen=True, slots=True)
class Committed:
    run_id: UUID
    assigned: int
    skipped_taken_booths: list[str]
    waitlisted: int
    payment_due_at: datetime


def _as_json(p: Proposal) -> dict[str, Any]:
    """The proposal as stored for review (and read back at commit)."""
    return {
        "run_id": str(p.run_id), "fair_id": str(p.fair_id), "solver": p.solver, "objective": p.objective,
        "greedy_objective": p.greedy_objective, "seconds": p.seconds,
        "method": p.method, "quality": p.quality, "quality_bound": p.quality_bound,
        "quality_gap": p.quality_gap, "greedy_quality": p.greedy_quality,
        "placements": [
            {**placement.__dict__, "application_id": str(placement.application_id), "exhibitor_id": str(placement.exhibitor_id),
             "booth_ids": [str(b) for b in placement.booth_ids]}
            for placement in p.placements
        ],
        "waitlist": [{**w.__dict__, "application_id": str(w.application_id)} for w in p.waitlist],
    }  # fmt: skip


async def propose_allocation(
    uow: UnitOfWork[Repositories], principal: Principal, fair_id: UUID
) -> Proposal:
    """Runs the engine over free booths and approved applications without booths; the
    proposal is stored for review and changes nothing until committed."""
    repos = uow.repos
    fair = check_organizer(await repos.fairs.get(fair_id), principal)
    zones, booths = await repos.floorplans.zones(fair_id), await repos.floorplans.booths(fair_id)
    if not booths:
        raise NoFloorPlan("load the floor plan first", field="fair_id")
    taken = {o.booth_id for o in await repos.booths.occupancy_of_fair(fair_id)}
    free = [
        allocation.Slot(b.booth_id, b.code, b.zone, b.booth_type, b.x, b.y)
        for b in booths
        if not b.blocked and b.booth_id not in taken
    ]
    choices = await repos.choices.of_fair(fair_id)  # ranked fairs' choices, best first
    applicants = allocation.with_choices(
        [
            a.applicant([c.booth_id for c in choices.get(a.application_id, [])])
            for a in await repos.applications.approved_without_booths(fair_id)
        ],
        free,
    )
    engine_zones = [allocation.Zone(z.code, z.kind, frozenset(z.product_groups)) for z in zones]
    max_booths = fair.rules.max_booths_per_holder
    # The engine runs for up to ~2 s of CPU at 5,000 booths: in a worker thread, so the
    # service's event loop keeps answering other requests (health, sales of other fairs)
    # meanwhile instead of stalling behind it.
    found = await asyncio.to_thread(
        allocation.allocate,
        applicants,
        engine_zones,
        free,
        floorplan.adjacency(booths),
        max_booths=max_booths,
    )
    baseline = allocation.objective_of(
        allocation.greedy(applicants, engine_zones, free, max_booths), applicants, engine_zones
    )
    proposal = Proposal(
        uuid.uuid4(), fair_id, found.solver, found.objective, baseline, found.seconds,
        found.placements, found.waitlist, found.method, found.quality, found.quality_bound,
        found.quality_gap, found.greedy_quality,
    )  # fmt: skip
    await repos.allocations.save(
        AllocationRun(
            run_id=proposal.run_id,
            fair_id=fair_id,
            solver=found.solver,
            objective=found.objective,
            greedy_objective=baseline,
            seconds=found.seconds,
            proposal=_as_json(proposal),
            created_by=principal.subject,
        )
    )
    return proposal


async def commit_allocation(
    uow: UnitOfWork[Repositories], principal: Principal, run_id: UUID, terms: Terms
) -> Committed:
    """Assigns the proposal's booths (skipping any taken or blocked since), to be paid within
    the payment days, and ranks the waitlist."""
    repos = uow.repos
    run = await repos.allocations.get_for_update(run_id)
    if run is None:
        raise RunNotFound("no such allocation run", field="run_id")
    fair_id = run.fair_id
    check_run_organizer(await repos.fairs.get(fair_id), principal)
    if run.committed:
        raise RunAlreadyCommitted("this allocation was already committed", field="run_id")
    placements, waitlist = run.proposal["placements"], run.proposal["waitlist"]
    due = await repos.now() + timedelta(days=terms.payment_days)
    booths = await repos.booths.get_many([UUID(b) for p in placements for b in p["booth_ids"]])
    assigned, skipped = 0, []
    for p in placements:
        claimant = Claimant(UUID(p["application_id"]), UUID(p["exhibitor_id"]))
        for booth_id in p["booth_ids"]:
            booth = booths.get(UUID(booth_id))
            try:
                if booth is None or booth.fair_id != fair_id:
                    raise BoothNotFound("no such booth at this fair")
                decision = lifecycle.assign(
                    booth, claimant, payment_due_at=due, actor=principal.subject,
                    reason=reasons.allocated(str(run_id), p["explanation"], p.get("reasons", [])),
                )  # fmt: skip
            except DomainError:
                skipped.append(booth_id)
                continue
            if not await repos.booths.occupy(decision.booth):
                skipped.append(booth_id)
                continue
            await occupancy.record(uow, decision)
            assigned += 1
    await repos.waitlist.rank(
        fair_id,
        [
            WaitlistEntry(
                UUID(w["application_id"]),
                w["rank"],
                w["reason"],
                w.get("reason_code"),  # a run proposed before codes were kept has none
                w.get("reason_params", {}),
            )
            for w in waitlist
        ],
    )
    await repos.allocations.mark_committed(run_id)
    waitlisted = [UUID(w["application_id"]) for w in waitlist]
    uow.emit(
        AllocationCommitted(
            fair_id=fair_id,
            run_id=run_id,
            assigned=assigned,
            waitlisted=waitlisted,
            solver=run.solver,
            objective=run.objective,
            method=run.proposal.get("method"),
            quality_gap=run.proposal.get("quality_gap"),
        )
    )
    return Committed(run_id, assigned, skipped, len(waitlisted), due)
