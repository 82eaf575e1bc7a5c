"""Background jobs: the VietQR transfer reconciler."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

from ocop_sales.application.commands.transfers import reconcile
from ocop_sales.application.ports import Repositories
from ocop_shared.service import Service
from ocop_shared.uow import UnitOfWorkFactory

log = structlog.get_logger(__name__)


def transfer_reconciler(
    uow: UnitOfWorkFactory[Repositories], every_seconds: float
) -> Callable[[Service, asyncio.Event], Awaitable[None]]:
    """Every few seconds, matches kept bank notifications with the pending transfers they
    fit: a notification and a sale's write that crossed (each committed while the other was
    in flight, so neither saw the other) meet here; a transfer is never left pending for it."""

    async def run(_service: Service, stop: asyncio.Event) -> None:
        while not stop.is_set():
            count = await reconcile(uow)
            if count:
                log.info("transfers confirmed by the reconciler", transfers=count)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every_seconds)

    run.__name__ = "transfer_reconciler"
    return run
