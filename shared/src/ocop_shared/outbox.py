"""Transactional outbox: append events in the caller's transaction; a relay publishes them.

The relay claims *unpublished rows* in id order rather than "ids above the last one sent", so
a row whose transaction committed after a higher id is never skipped. Rows of one aggregate
are ordered by the aggregate's row lock (its state change precedes its outbox insert), so id
order is commit order per key. Only one relay per schema publishes at a time (a Postgres
advisory lock), which keeps that order on the topic; a crash between send and mark repeats
a few events, and the consumers' inbox absorbs them.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from ocop_shared.events import Event, encode_event
from ocop_shared.kafka import reliable_producer
from ocop_shared.logging import get_logger

log = get_logger(__name__)

_INSERT = """
insert into outbox (event_id, topic, key, event_type, event_version, correlation_id, value)
values ($1, $2, $3, $4, $5, $6, $7)
"""


@dataclass(frozen=True, slots=True)
class Causation:
    """Where an event comes from: the request or the event that caused it."""

    correlation_id: str
    causation_id: str | None = None


# The outbox insert for column arrays: services may embed it in a statement of their own
# (as a data-modifying CTE) to save a round trip; $N are the seven arrays of outbox_columns.
# ``only_if`` names a CTE that must return a row for the events to be written.
OUTBOX_INSERT_FROM_ARRAYS = """insert into outbox (event_id, topic, key, event_type, event_version, correlation_id, value)
    select u.* from unnest(${0}::uuid[], ${1}::text[], ${2}::text[], ${3}::text[], ${4}::int[], ${5}::text[], ${6}::bytea[]) as u"""


def outbox_columns(events: Sequence[Event], *, producer: str, cause: Causation) -> list[list[Any]]:
    """The events as the outbox's seven columns, one array each."""
    columns: list[list[Any]] = [[] for _ in range(7)]
    for event in events:
        envelope, value = encode_event(
            event,
            producer=producer,
            correlation_id=cause.correlation_id,
            causation_id=cause.causation_id,
        )
        for column, item in zip(
            columns,
            (
                envelope.event_id,
                event.topic.name,
                envelope.key,
                envelope.type,
                envelope.version,
                envelope.correlation_id,
                value,
            ),
            strict=True,
        ):
            column.append(item)
    return columns


# The same insert with named parameters (``:outbox_event_id`` ...), for a statement written
# as a ``NamedQuery``; ``outbox_params`` gives the matching values.
OUTBOX_COLUMN_NAMES = (
    "outbox_event_id",
    "outbox_topic",
    "outbox_key",
    "outbox_event_type",
    "outbox_event_version",
    "outbox_correlation_id",
    "outbox_value",
)
OUTBOX_INSERT_NAMED = """insert into outbox (event_id, topic, key, event_type, event_version, correlation_id, value)
    select u.* from unnest(:outbox_event_id::uuid[], :outbox_topic::text[], :outbox_key::text[],
                           :outbox_event_type::text[], :outbox_event_version::int[],
                           :outbox_correlation_id::text[], :outbox_value::bytea[]) as u"""


def outbox_params(events: Sequence[Event], *, producer: str, cause: Causation) -> dict[str, Any]:
    """The events as named parameters for ``OUTBOX_INSERT_NAMED``."""
    return dict(
        zip(
            OUTBOX_COLUMN_NAMES,
            outbox_columns(events, producer=producer, cause=cause),
            strict=True,
        )
    )


def outbox_insert_sql(first_param: int, *, only_if: str | None = None) -> str:
    sql = OUTBOX_INSERT_FROM_ARRAYS.format(*range(first_param, first_param + 7))
    return f"{sql}, {only_if}" if only_if else sql


async def append(
    conn: asyncpg.Connection,
    events: Sequence[Event],
    *,
    producer: str,
    cause: Causation,
) -> list[uuid.UUID]:
    """Writes events to the outbox; call inside the transaction that changes the state."""
    if not events:
        return []
    columns = outbox_columns(events, producer=producer, cause=cause)
    if len(events) == 1:
        await conn.execute(_INSERT, *(c[0] for c in columns))
    else:
        await conn.execute(outbox_insert_sql(1), *columns)
    ids: list[uuid.UUID] = columns[0]
    return ids


class OutboxRelay:
    """Publishes a schema's outbox to Kafka with the event's key, in id order."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        schema: str,
        bootstrap: str,
        topic_prefix: str = "",
        batch_size: int = 2000,
        poll_interval: float = 1.0,
        retention_hours: int = 72,
    ) -> None:
        self._pool = pool
        self._schema = schema
        self._bootstrap = bootstrap
        self._prefix = topic_prefix
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._retention_hours = retention_hours
        self._wake = asyncio.Event()
        self.published = 0
        self._last_purge = time.monotonic()

    async def run(self, stop: asyncio.Event) -> None:
        async with self._pool.acquire() as conn:
            await self._become_leader(conn, stop)
            if stop.is_set():
                return
            channel = f"{self._schema}_outbox"
            await conn.add_listener(channel, self._on_notify)
            producer: AIOKafkaProducer | None = None
            backoff = 0.2
            try:
                while not stop.is_set():
                    try:
                        if producer is None:
                            producer = reliable_producer(
                                self._bootstrap, f"{self._schema}-outbox-relay"
                            )
                            await producer.start()
                        sent = await self._publish_batch(conn, producer)
                        backoff = 0.2
                    except (TimeoutError, KafkaError, OSError) as exc:
                        # Broker away: start a fresh producer session later and resend from
                        # the oldest unpublished row (idempotence holds within one session).
                        log.warning(
                            "outbox relay cannot publish; will retry",
                            schema=self._schema,
                            error=repr(exc),
                        )
                        if producer is not None:
                            with contextlib.suppress(Exception):
                                await producer.stop()
                            producer = None
                        await _sleep_or_stop(stop, backoff)
                        backoff = min(backoff * 2, 5.0)
                        continue
                    if sent == 0:
                        await self._idle(stop)
                        if time.monotonic() - self._last_purge > 3600:
                            self._last_purge = time.monotonic()
                            await self.purge_published()
            finally:
                with contextlib.suppress(Exception):
                    await conn.remove_listener(channel, self._on_notify)
                if producer is not None:
                    with contextlib.suppress(Exception):
                        await producer.stop()
                await conn.execute("select pg_advisory_unlock_all()")

    async def _become_leader(self, conn: asyncpg.Connection, stop: asyncio.Event) -> None:
        lock_key = f"outbox-relay:{self._schema}"
        while not stop.is_set():
            if await conn.fetchval("select pg_try_advisory_lock(hashtext($1))", lock_key):
                log.info("outbox relay is leader", schema=self._schema)
                return
            await _sleep_or_stop(stop, self._poll_interval)

    async def _publish_batch(self, conn: asyncpg.Connection, producer: AIOKafkaProducer) -> int:
        self._wake.clear()
        rows = await conn.fetch(
            """select id, topic, key, event_type, event_version, correlation_id, event_id, value
                 from outbox where published_at is null order by id limit $1""",
            self._batch_size,
        )
        if not rows:
            return 0
        futures = []
        for r in rows:
            headers = [
                ("event_type", r["event_type"].encode()),
                ("event_version", str(r["event_version"]).encode()),
                ("event_id", str(r["event_id"]).encode()),
                ("correlation_id", r["correlation_id"].encode()),
            ]
            futures.append(
                await producer.send(
                    self._prefix + r["topic"],
                    value=r["value"],
                    key=r["key"].encode(),
                    headers=headers,
                )
            )
        await asyncio.gather(*futures)
        await conn.execute(
            "update outbox set published_at = now() where id = any($1::bigint[])",
            [r["id"] for r in rows],
        )
        self.published += len(rows)
        return len(rows)

    async def _idle(self, stop: asyncio.Event) -> None:
        """Sleeps until a writer notifies, or the poll interval passes. Writers notify only
        while the relay says it waits; a row committed just before the flag was seen is
        caught by the second look, or at worst by the next poll."""
        await self._pool.execute("update outbox_relay_state set waiting = true")
        try:
            if await self._pool.fetchval(
                "select exists (select 1 from outbox where published_at is null)"
            ):
                return
            await self._sleep(stop)
        finally:
            await self._pool.execute("update outbox_relay_state set waiting = false")

    async def _sleep(self, stop: asyncio.Event) -> None:
        waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
        _done, pending = await asyncio.wait(
            waiters, timeout=self._poll_interval, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()

    def _on_notify(self, *_args: object) -> None:
        self._wake.set()

    async def purge_published(self) -> int:
        """Deletes rows published longer ago than the retention (the topic keeps them)."""
        status = await self._pool.execute(
            "delete from outbox where published_at < now() - make_interval(hours => $1)",
            self._retention_hours,
        )
        return int(status.split()[-1])


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
