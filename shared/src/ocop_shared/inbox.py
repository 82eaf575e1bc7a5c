"""Idempotent consumer: each event's effects and its inbox row commit in one transaction.

Offsets are committed only after that transaction (faststream ``NACK_ON_ERROR``: on an
unhandled error the batch is sought back and read again). An event that can never be
processed (undecodable, unknown version, a handler that fails deterministically) goes to the
``dead_letters`` table with the reason, and the partition moves on. So does an event whose
envelope names a producer other than its topic's owner (``Topic.producer``): the broker's
ACLs let only the owner write a topic, and this check is the second line behind them. Only an unreachable
database makes the consumer stop and retry the same messages.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

import asyncpg
import structlog
from aiokafka.structs import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from ocop_shared import metrics
from ocop_shared.db import is_infrastructure_error, is_retryable
from ocop_shared.events import Envelope, Event, EventDecodeError, decode_event
from ocop_shared.logging import get_logger
from ocop_shared.outbox import Causation
from ocop_shared.topics import CATALOG, Topic

log = get_logger(__name__)


class WrongProducer(EventDecodeError):
    """An event whose envelope names a producer that does not own its topic."""


def topic_owner(topic: str, known: Mapping[str, str] | None = None) -> str | None:
    """The service that owns a topic (physical name, prefixed or not), or None."""
    if known and topic in known:
        return known[topic]
    exact = CATALOG.get(topic)
    if exact is not None:
        return exact.producer
    # A prefixed name: the catalog topic it ends with (no catalog name ends another).
    found = [t.producer for t in CATALOG.values() if topic.endswith(t.name)]
    return found[0] if len(found) == 1 else None


def check_producer(topic: str, envelope: Envelope, known: Mapping[str, str] | None = None) -> None:
    """Raises ``WrongProducer`` unless the envelope's producer owns the topic."""
    owner = topic_owner(topic, known)
    if owner is None:
        raise WrongProducer(f"topic {topic!r} is not in the topic catalog: no owner to check")
    if envelope.producer != owner:
        raise WrongProducer(
            f"producer {envelope.producer!r} does not own topic {topic!r} (its owner: {owner!r})"
        )


@dataclass(frozen=True, slots=True)
class Delivery:
    """What a handler gets besides the event: its envelope, and the cause for events it emits."""

    envelope: Envelope

    @property
    def cause(self) -> Causation:
        return Causation(self.envelope.correlation_id, str(self.envelope.event_id))


Handler = Callable[[asyncpg.Connection, Any, Delivery], Awaitable[None]]
# What replaying a dead letter did (``InboxConsumer.replay``).
ReplayOutcome = Literal["applied", "already_processed", "not_handled"]


@dataclass(slots=True)
class _Item:
    record: ConsumerRecord[Any, Any]
    envelope: Envelope
    event: Event
    handler: Handler


class InboxConsumer:
    def __init__(
        self,
        pool: asyncpg.Pool | Callable[[], asyncpg.Pool],
        name: str,
        handlers: Mapping[type[Event], Handler],
        *,
        max_attempts: int = 5,
    ) -> None:
        # A getter lets a service declare its consumers (and document them) before it connects.
        self._pool = pool
        self.name = name
        self.handlers = dict(handlers)
        self.max_attempts = max_attempts
        # Physical topic name -> the service that owns it, for the topics subscribed to.
        self._owners: dict[str, str] = {}

    @property
    def pool(self) -> asyncpg.Pool:
        return self._pool if isinstance(self._pool, asyncpg.Pool) else self._pool()

    def subscribe(
        self,
        broker: KafkaBroker,
        topics: Sequence[Topic],
        *,
        prefix: str = "",
        max_records: int = 500,
    ) -> None:
        self._owners.update({t.physical(prefix): t.producer for t in topics})
        subscriber = broker.subscriber(
            *[t.physical(prefix) for t in topics],
            group_id=prefix + self.name,
            auto_offset_reset="earliest",
            batch=True,
            max_records=max_records,
            batch_timeout_ms=50,
            ack_policy=AckPolicy.NACK_ON_ERROR,
            title=f"{self.name}",
            description=f"{self.name}: handles {', '.join(sorted(e.event_type for e in self.handlers))}",
        )

        async def on_batch(message: KafkaMessage) -> None:
            raw = message.raw_message
            await self.process(raw if isinstance(raw, tuple) else (raw,))

        subscriber(on_batch)

    async def process(self, records: Sequence[ConsumerRecord[Any, Any]]) -> None:
        items: list[_Item] = []
        for record in records:
            try:
                envelope, event = decode_event(record.value)
                check_producer(record.topic, envelope, self._owners)
            except EventDecodeError as exc:
                await self._dead_letter(record, str(exc))
                continue
            handler = self.handlers.get(type(event))
            if handler is not None:
                items.append(_Item(record, envelope, event, handler))
        if not items:
            return
        try:
            await self._run_together(items)
        except Exception as exc:
            if is_infrastructure_error(exc):
                await _pause_before_redelivery(exc, self.name)
                raise
            # One event spoiled the batch: run them one by one so only that one is set aside.
            for item in items:
                await self._run_alone(item)

    async def _run_together(self, items: list[_Item]) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                """insert into inbox (consumer, event_id) select $1, unnest($2::uuid[])
                   on conflict do nothing returning event_id""",
                self.name,
                [i.envelope.event_id for i in items],
            )
            fresh: set[uuid.UUID] = {r["event_id"] for r in rows}
            for item in items:
                if item.envelope.event_id in fresh:
                    fresh.discard(item.envelope.event_id)  # a duplicate within the batch too
                    await self._call(conn, item)

    async def _run_alone(self, item: _Item) -> None:
        for attempt in range(1, self.max_attempts + 1):
            try:
                async with self.pool.acquire() as conn, conn.transaction():
                    claimed = await conn.fetchval(
                        "insert into inbox (consumer, event_id) values ($1, $2) on conflict do nothing returning true",
                        self.name,
                        item.envelope.event_id,
                    )
                    if claimed:
                        await self._call(conn, item)
                return
            except Exception as exc:
                if is_infrastructure_error(exc):
                    await _pause_before_redelivery(exc, self.name)
                    raise
                if is_retryable(exc) and attempt < self.max_attempts:
                    await asyncio.sleep(0.05 * attempt)
                    continue
                log.error(
                    "event handler failed; dead-lettered",
                    consumer=self.name,
                    event_type=item.envelope.type,
                    event_id=str(item.envelope.event_id),
                    error=repr(exc),
                )
                await self._dead_letter(item.record, f"handler failed: {exc!r}")
                return

    async def _call(self, conn: asyncpg.Connection, item: _Item) -> None:
        env = item.envelope
        with structlog.contextvars.bound_contextvars(
            correlation_id=env.correlation_id,
            event_type=env.type,
            event_id=str(env.event_id),
            key=env.key,
        ):
            started = time.perf_counter()
            await item.handler(conn, item.event, Delivery(env))
            metrics.observe_handler(self.name, env.type, time.perf_counter() - started)

    async def replay(
        self, conn: asyncpg.Connection, record: ConsumerRecord[Any, Any]
    ) -> ReplayOutcome:
        """Runs a dead-lettered message again, on ``conn`` and in the caller's transaction,
        through the same path as a consumed one: its inbox row, then its handler. "applied":
        it took effect now; "already_processed": its inbox row exists (no second effect);
        "not_handled": this consumer has no handler for its type. An undecodable message
        raises ``EventDecodeError`` (as does one whose producer does not own its topic:
        ``WrongProducer``); a failing handler raises its error (the caller rolls back)."""
        envelope, event = decode_event(record.value)
        check_producer(record.topic, envelope, self._owners)
        handler = self.handlers.get(type(event))
        if handler is None:
            return "not_handled"
        claimed = await conn.fetchval(
            "insert into inbox (consumer, event_id) values ($1, $2) on conflict do nothing returning true",
            self.name,
            envelope.event_id,
        )
        if not claimed:
            return "already_processed"
        await self._call(conn, _Item(record, envelope, event, handler))
        return "applied"

    async def _dead_letter(self, record: ConsumerRecord[Any, Any], reason: str) -> None:
        log.warning(
            "dead letter",
            consumer=self.name,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            reason=reason,
        )
        await self.pool.execute(
            """insert into dead_letters (consumer, topic, partition, "offset", key, value, reason)
               values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing""",
            self.name,
            record.topic,
            record.partition,
            record.offset,
            record.key.decode(errors="replace") if isinstance(record.key, bytes) else record.key,
            record.value,
            reason,
        )


async def _pause_before_redelivery(exc: BaseException, consumer: str) -> None:
    log.warning(
        "database unavailable; the batch will be read again", consumer=consumer, error=repr(exc)
    )
    await asyncio.sleep(1.0)


# How long inbox rows are kept: as long as a redelivery can come, the topics' retention (7
# days, log.retention.hours=168; a group whose offsets are gone reads from the earliest).
# Never less: an event redelivered after its inbox row is purged would take effect again.
INBOX_RETENTION = timedelta(days=7)


async def purge_processed(
    db: asyncpg.Pool | asyncpg.Connection,
    *,
    older_than: timedelta = INBOX_RETENTION,
    batch_size: int = 5000,
    deadline: float | None = None,
) -> int:
    """Deletes inbox rows processed longer ago than ``older_than``, oldest first, in batches
    of ``batch_size`` (short statements, few locks), until none is left or ``deadline``
    (monotonic) passes. Returns how many went."""
    if older_than <= timedelta(0):
        raise ValueError("the inbox retention must be positive")
    total = 0
    while True:
        status = await db.execute(
            """delete from inbox where (consumer, event_id) in (
                   select consumer, event_id from inbox
                    where processed_at < now() - $1::interval
                    order by processed_at limit $2)""",
            older_than,
            batch_size,
        )
        deleted = int(status.split()[-1])
        total += deleted
        if deleted < batch_size or (deadline is not None and time.monotonic() > deadline):
            return total
