"""A service's housekeeping, a background job of every replica: the outbox's published rows
and the inbox's old rows are purged on a timer whatever the load (one replica per round, in
batches), and the outbox backlog is watched against its bound.

Settings (environment, ``OCOP_`` prefix): ``OUTBOX_RETENTION_HOURS`` (72: published rows are
kept that long; the topic has them anyway), ``INBOX_RETENTION_DAYS`` (7: keep it longer than
any redelivery can come, i.e. at least the topics' retention, 7 days here: an event
redelivered after its inbox row is gone would take effect again), ``PURGE_INTERVAL_SECONDS``,
``PURGE_BATCH_SIZE``, ``OUTBOX_BACKLOG_WARN_ROWS`` and ``OUTBOX_BACKLOG_WARN_SECONDS`` (a
warning is logged once each time the backlog passes either).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from datetime import timedelta

import asyncpg
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ocop_shared import ratelimit
from ocop_shared.db import is_infrastructure_error
from ocop_shared.inbox import purge_processed
from ocop_shared.logging import get_logger
from ocop_shared.outbox import BacklogWatch, backlog, purge_published

log = get_logger(__name__)


class HousekeepingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OCOP_", extra="ignore")

    outbox_retention_hours: float = Field(default=72.0, ge=0)
    inbox_retention_days: float = Field(default=7.0, gt=0)
    purge_interval_seconds: float = Field(default=300.0, gt=0)
    purge_batch_size: int = Field(default=5000, ge=1)
    outbox_backlog_warn_rows: int = Field(default=10_000, ge=0)
    outbox_backlog_warn_seconds: float = Field(default=60.0, ge=0)
    backlog_check_seconds: float = Field(default=15.0, gt=0)


_CLAIM = """
insert into housekeeping_runs (job, holder, started_at) values ($1, $2, now())
on conflict (job) do update set holder = excluded.holder, started_at = excluded.started_at
 where housekeeping_runs.started_at <= now() - make_interval(secs => $3)
returning true"""


async def claim_round(pool: asyncpg.Pool, job: str, holder: str, interval: float) -> bool:
    """Takes this round of ``job`` for this replica unless another took one less than
    ~an interval ago. A round lasts at most half an interval, so rounds never overlap."""
    return bool(await pool.fetchval(_CLAIM, job, holder, interval * 0.8))


async def purge_round(
    pool: asyncpg.Pool, schema: str, holder: str, s: HousekeepingSettings
) -> bool:
    """One purge round, if this replica gets it: published outbox rows past their retention,
    then inbox rows past theirs."""
    if not await claim_round(pool, "purge", holder, s.purge_interval_seconds):
        return False
    deadline = time.monotonic() + s.purge_interval_seconds / 2
    outbox_rows = await purge_published(
        pool,
        older_than=timedelta(hours=s.outbox_retention_hours),
        batch_size=s.purge_batch_size,
        deadline=deadline,
    )
    inbox_rows = await purge_processed(
        pool,
        older_than=timedelta(days=s.inbox_retention_days),
        batch_size=s.purge_batch_size,
        deadline=deadline,
    )
    await ratelimit.purge(pool)
    if outbox_rows or inbox_rows:
        log.info("purged", schema=schema, outbox_rows=outbox_rows, inbox_rows=inbox_rows)
    return True


async def run(
    pool: asyncpg.Pool,
    schema: str,
    holder: str,
    settings: HousekeepingSettings,
    stop: asyncio.Event,
) -> None:
    """Purges every ``purge_interval_seconds`` and watches the backlog every
    ``backlog_check_seconds`` until ``stop``. The database away is waited out, not fatal."""
    watch = BacklogWatch(
        schema,
        max_rows=settings.outbox_backlog_warn_rows,
        max_seconds=settings.outbox_backlog_warn_seconds,
    )
    next_purge = time.monotonic()
    while not stop.is_set():
        try:
            if time.monotonic() >= next_purge:
                next_purge = time.monotonic() + settings.purge_interval_seconds
                await purge_round(pool, schema, holder, settings)
            watch.observe(await backlog(pool))
        except Exception as exc:
            if not is_infrastructure_error(exc):
                raise
            log.warning("housekeeping waits for the database", schema=schema, error=repr(exc))
        wait = min(settings.backlog_check_seconds, max(next_purge - time.monotonic(), 0.0))
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=max(wait, 0.01))
