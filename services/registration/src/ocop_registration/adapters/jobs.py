"""Scheduled work: announce certificates that are about to expire, then those that expired.

The scan runs when something is due: a certificate ends at midnight in Viet Nam after its
last day, and enters its notice period at midnight too; the job wakes at the next such moment,
and at the latest every ``every_seconds`` (certificates are issued meanwhile)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from ocop_registration.application import clock
from ocop_registration.application.commands import sessions
from ocop_registration.application.commands.certificates import announce_expiry
from ocop_registration.application.ports import Repositories
from ocop_registration.application.queries.certificates import next_expiry_scan
from ocop_registration.domain.identity import SessionPolicy
from ocop_shared.auth import Principal, TokenCache
from ocop_shared.logging import get_logger
from ocop_shared.outbox import Causation
from ocop_shared.service import BackgroundJob, Service
from ocop_shared.uow import UnitOfWorkFactory

log = get_logger(__name__)

Clock = Callable[[], datetime]


Uow = UnitOfWorkFactory[Repositories]


async def announce_certificate_expiry(uow: Uow, now: datetime | None = None) -> int:
    """One scan as of ``now`` (the clock's time unless given): each certificate is announced
    once as expiring and once as expired; returns how many were announced."""
    at = now or clock.now()
    return await uow.run(
        lambda uow: announce_expiry(uow, at), cause=Causation(f"expiry-scan-{uuid.uuid4()}")
    )


async def next_scan(uow: Uow, now: datetime, every: timedelta) -> datetime:
    """When the scan is due next: the next certificate's end or notice, at most ``every`` on."""
    return await uow.read(lambda repos: next_expiry_scan(repos, now, every))


def expiry_scheduler(uow: Uow, every_seconds: float, now: Clock = clock.now) -> BackgroundJob:
    every = timedelta(seconds=every_seconds)

    async def expiry_scheduler(_service: Service, stop: asyncio.Event) -> None:
        while not stop.is_set():
            announced = await announce_certificate_expiry(uow, now())
            if announced:
                log.info("certificate expiry announced", certificates=announced)
            due = await next_scan(uow, now(), every)
            wait = max((due - now()).total_seconds(), 0.0)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=wait)

    return expiry_scheduler


# identity (H1): sessions end when idle or past their absolute expiry ---------------------------


async def expire_sessions(
    uow: Uow,
    policy: SessionPolicy,
    now: datetime | None = None,
    tokens: TokenCache | None = None,
) -> int:
    """One round as of ``now`` (the clock's time unless given): every session idle past the
    policy's limit or past its absolute expiry is revoked and announced; returns how many.
    ``tokens``: this replica's cache, emptied at once when any ended."""
    at = now or clock.now()
    ended = 0
    while True:
        batch = await uow.run(
            lambda u: sessions.expire_sessions(u, policy, at),
            cause=Causation(f"session-expiry-{uuid.uuid4()}"),
        )
        ended += batch
        if batch and tokens is not None:
            tokens.clear()
        if batch < 1000:
            return ended


def session_expiry(
    uow: Uow, policy: SessionPolicy, every_seconds: float, now: Clock = clock.now
) -> BackgroundJob:
    """Every ``every_seconds``, ends the sessions that are due (replicas share the work:
    each takes the rows the others have not locked)."""

    async def session_expiry(service: Service, stop: asyncio.Event) -> None:
        while not stop.is_set():
            ended = await expire_sessions(uow, policy, now(), service.tokens)
            if ended:
                log.info("sessions ended", sessions=ended)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every_seconds)

    return session_expiry


def activity_recorder(
    uow: Uow, policy: SessionPolicy, now: Clock = clock.now
) -> Callable[[Principal], Awaitable[None]]:
    """``Service.on_authenticated``: a session's use restarts its idle clock (one cheap update
    a minute at most per session)."""

    async def record(principal: Principal) -> None:
        if principal.credential_id is None or principal.user_id is None:
            return  # not a session
        await uow.read(lambda repos: sessions.record_activity(repos, principal, policy, now()))

    return record
