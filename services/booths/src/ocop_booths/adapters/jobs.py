"""Deadlines: holds that expire and assigned booths left unpaid go back, and to the waitlist."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import asyncpg

from ocop_booths.adapters import occupancy
from ocop_shared.db import transact
from ocop_shared.logging import get_logger
from ocop_shared.outbox import Causation
from ocop_shared.service import Service

log = get_logger(__name__)


async def sweep_deadlines(service: Service) -> int:
    """Releases each booth whose hold or payment deadline has passed; returns how many."""
    due = await service.pool.fetch(
        """select booth_id, status from occupancy
            where (status = 'held' and hold_expires_at < now()) or (status = 'assigned' and payment_due_at < now())
            order by booth_id limit 500"""
    )
    released = 0
    for row in due:
        reason = "hold expired" if row["status"] == "held" else "payment deadline passed"

        async def work(
            conn: asyncpg.Connection,
            booth_id: uuid.UUID = row["booth_id"],
            status: str = row["status"],
            why: str = reason,
        ) -> bool:
            now = await conn.fetchval("select now()")
            done = await occupancy.release(
                conn,
                booth_id,
                reason=why,
                actor="deadline",
                cause=Causation(f"deadline-{uuid.uuid4()}"),
                only_status=(status,),
                expired_before=now,
            )
            return done is not None

        released += await transact(service.pool, work)
    return released


async def deadline_sweeper(service: Service, stop: asyncio.Event) -> None:
    interval = float(getattr(service.settings, "sweep_seconds", 5.0))
    while not stop.is_set():
        count = await sweep_deadlines(service)
        if count:
            log.info("booths released at their deadline", booths=count)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
