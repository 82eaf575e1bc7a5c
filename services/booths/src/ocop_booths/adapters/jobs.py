"""Scheduled jobs: the deadline sweeper releases holds and unpaid assignments past their
deadline (each booth in a unit of work of its own), through the application's handlers."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from functools import partial

from ocop_booths.application.commands import deadlines as commands
from ocop_booths.application.ports import Repositories
from ocop_booths.application.queries import deadlines as queries
from ocop_booths.domain.booths import Terms
from ocop_shared.logging import get_logger
from ocop_shared.outbox import Causation
from ocop_shared.service import Service
from ocop_shared.uow import UnitOfWorkFactory

log = get_logger(__name__)


async def sweep_deadlines(uow: UnitOfWorkFactory[Repositories], terms: Terms) -> int:
    """Releases each booth whose hold or payment deadline has passed; returns how many."""
    due = await uow.read(queries.booths_past_deadline)
    released = 0
    for booth_id in due:
        release = partial(commands.release_at_deadline, booth_id=booth_id, terms=terms)
        if await uow.run(release, cause=Causation(f"deadline-{uuid.uuid4()}")):
            released += 1
    return released


def deadline_sweeper(
    uow: UnitOfWorkFactory[Repositories], terms: Terms, every_seconds: float
) -> Callable[[Service, asyncio.Event], Awaitable[None]]:
    async def run(_service: Service, stop: asyncio.Event) -> None:
        while not stop.is_set():
            count = await sweep_deadlines(uow, terms)
            if count:
                log.info("booths released at their deadline", booths=count)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every_seconds)

    run.__name__ = "deadline_sweeper"
    return run
