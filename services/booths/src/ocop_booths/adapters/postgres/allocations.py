"""Allocation runs: the engine's proposals, kept for review until committed
(``allocation_runs``)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from ocop_booths.application.ports import AllocationRun
from ocop_shared.db import NamedQuery

SAVE = NamedQuery(
    """insert into allocation_runs (run_id, fair_id, solver, objective, greedy_objective, seconds, proposal, created_by)
       values (:run_id, :fair_id, :solver, :objective, :greedy_objective, :seconds, :proposal, :created_by)"""
)


class PostgresAllocations:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def save(self, run: AllocationRun) -> None:
        await self.conn.execute(
            SAVE.sql,
            *SAVE.args(
                run_id=run.run_id,
                fair_id=run.fair_id,
                solver=run.solver,
                objective=run.objective,
                greedy_objective=run.greedy_objective,
                seconds=run.seconds,
                proposal=run.proposal,
                created_by=run.created_by,
            ),
        )

    async def get_for_update(self, run_id: UUID) -> AllocationRun | None:
        return await self.get(run_id, lock=True)

    async def get(self, run_id: UUID, *, lock: bool = False) -> AllocationRun | None:
        r = await self.conn.fetchrow(
            "select * from allocation_runs where run_id = $1" + (" for update" if lock else ""),
            run_id,
        )
        if r is None:
            return None
        return AllocationRun(
            run_id=r["run_id"],
            fair_id=r["fair_id"],
            solver=r["solver"],
            objective=r["objective"],
            greedy_objective=r["greedy_objective"],
            seconds=float(r["seconds"]),
            proposal=r["proposal"],
            created_by=r["created_by"],
            committed=r["committed_at"] is not None,
            created_at=r["created_at"],
            committed_at=r["committed_at"],
        )

    async def mark_committed(self, run_id: UUID) -> None:
        await self.conn.execute(
            "update allocation_runs set committed_at = now() where run_id = $1", run_id
        )
