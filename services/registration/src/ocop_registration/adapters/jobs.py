"""Scheduled work: announce certificates that are about to expire, then those that expired."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from ocop_registration.adapters.postgres import repositories
from ocop_registration.application.commands.certificates import announce_expiry
from ocop_registration.application.ports import Repositories
from ocop_shared.logging import get_logger
from ocop_shared.outbox import Causation
from ocop_shared.service import BackgroundJob, Service
from ocop_shared.uow import UnitOfWorkFactory

log = get_logger(__name__)


async def announce_certificate_expiry(service: Service) -> int:
    """One scan: each certificate is announced once as expiring and once as expired; returns
    how many were announced."""
    uow: UnitOfWorkFactory[Repositories] = UnitOfWorkFactory(
        service.pool, repositories, producer=service.name
    )
    return await uow.run(announce_expiry, cause=Causation(f"expiry-scan-{uuid.uuid4()}"))


def expiry_scheduler(every_seconds: float) -> BackgroundJob:
    async def expiry_scheduler(service: Service, stop: asyncio.Event) -> None:
        while not stop.is_set():
            announced = await announce_certificate_expiry(service)
            if announced:
                log.info("certificate expiry announced", certificates=announced)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every_seconds)

    return expiry_scheduler
