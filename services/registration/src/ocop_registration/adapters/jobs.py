"""Scheduled work: announce certificates that are about to expire, then those that expired."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import asyncpg

from ocop_registration.adapters import repository as repo
from ocop_registration.domain.products import EXPIRY_NOTICE_DAYS
from ocop_shared.contracts.registration import CertificateExpired, CertificateExpiring
from ocop_shared.db import transact
from ocop_shared.events import Event
from ocop_shared.logging import get_logger
from ocop_shared.outbox import Causation, append
from ocop_shared.service import Service

log = get_logger(__name__)


async def announce_certificate_expiry(service: Service) -> int:
    """Each certificate is announced once as expiring and once as expired; returns how many."""

    async def work(conn: asyncpg.Connection) -> int:
        on = repo.today()
        events: list[Event] = []
        for row in await repo.certificates_to_announce(conn, on, EXPIRY_NOTICE_DAYS):
            expired = row["valid_to"] < on
            if not expired and row["expiring_announced"]:
                continue
            product = await repo.get_product(conn, row["product_id"])
            if (
                product is None
                or product.certificate is None
                or product.certificate.certificate_id != row["certificate_id"]
            ):
                # A newer certificate replaced this one: nothing for the fairs to act on.
                await repo.mark_announced(conn, row["certificate_id"], expired=True)
                continue
            events.append(
                CertificateExpired(product=product)
                if expired
                else CertificateExpiring(product=product)
            )
            await repo.mark_announced(conn, row["certificate_id"], expired=expired)
        if events:
            await append(
                conn,
                events,
                producer="registration",
                cause=Causation(f"expiry-scan-{uuid.uuid4()}"),
            )
        return len(events)

    return await transact(service.pool, work)


async def expiry_scheduler(service: Service, stop: asyncio.Event) -> None:
    interval = float(getattr(service.settings, "expiry_scan_seconds", 3600))
    while not stop.is_set():
        announced = await announce_certificate_expiry(service)
        if announced:
            log.info("certificate expiry announced", certificates=announced)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
