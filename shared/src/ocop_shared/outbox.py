"""Transactional outbox: append events in the caller's transaction; a relay publishes them.

The relay claims *unpublished rows* in id order rather than "ids above the last one sent", so
a row whose transaction committed after a higher id is never skipped. Rows of one aggregate
are ordered by the aggregate's row lock (its state change precedes its outbox insert), so id
order is commit order per key. Only one relay per schema publishes at a time: the leader
holds a *lease* (``outbox_relay_state``: holder, epoch, expires_at), taken and renewed on a
connection of its own with TCP keepalives and timeouts. A leader that cannot renew in time
stops publishing before its lease can expire; another relay takes the expired lease and
starts again from the oldest unpublished row. A crash between send and mark repeats a few
events, and the consumers' inbox absorbs them.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from aiokafka.partitioner import murmur2
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ocop_shared.events import Event
from ocop_shared.events.envelope import envelope_json
from ocop_shared.kafka import reliable_producer
from ocop_shared.logging import get_logger
from ocop_shared.settings import CommonSettings

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
    """The events as the outbox's seven columns, one array each (each value as
    ``encode_event`` gives it, without building its ``Envelope``)."""
    ids: list[uuid.UUID] = []
    topics: list[str] = []
    keys: list[str] = []
    types: list[str] = []
    versions: list[int] = []
    values: list[bytes] = []
    correlation_id, causation_id = cause.correlation_id, cause.causation_id
    for event in events:
        event_id, key = uuid.uuid4(), event.partition_key()
        ids.append(event_id)
        topics.append(event.topic.name)
        keys.append(key)
        types.append(event.event_type)
        versions.append(event.version)
        values.append(
            envelope_json(
                event,
                event_id=event_id,
                occurred_at=datetime.now(UTC),
                producer=producer,
                correlation_id=correlation_id,
                causation_id=causation_id,
                key=key,
            )
        )
    return [ids, topics, keys, types, versions, [correlation_id] * len(events), values]


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


class RelaySettings(BaseSettings):
    """How the relay holds its leadership (environment: ``OCOP_RELAY_*``).

    With the defaults a dead or hung leader is replaced within lease + standby poll (~9 s):
    the leader renews every 2 s; a renewal or claim that takes longer than 3 s counts as a
    hung connection; TCP keepalives (idle 5 s, then 3 probes 2 s apart) let both ends see a
    silent peer in ~11 s and free the server's backend."""

    model_config = SettingsConfigDict(env_prefix="OCOP_RELAY_", extra="ignore")

    lease_seconds: float = 8.0
    renew_seconds: float = 2.0
    standby_poll_seconds: float = 1.0
    command_timeout_seconds: float = 3.0
    connect_timeout_seconds: float = 5.0
    keepalive_idle_seconds: int = 5
    keepalive_interval_seconds: int = 2
    keepalive_count: int = 3
    batch_size: int = 2000
    # Batches handed to the producer and not yet marked: 2 claims and sends the next batch
    # while one waits for its acknowledgement and mark; 1 is one batch at a time.
    pipeline_batches: int = Field(default=2, ge=1)
    poll_seconds: float = 1.0  # the idle leader's look at the outbox when no NOTIFY came

    @model_validator(mode="after")
    def _renewal_fits_in_the_lease(self) -> RelaySettings:
        if self.renew_seconds + self.command_timeout_seconds >= self.lease_seconds:
            raise ValueError(
                "relay lease: renew_seconds + command_timeout_seconds must be below lease_seconds"
            )
        return self


class LeaseLost(Exception):
    """The relay is no longer sure it leads: it stops publishing at once."""


class _DatabaseTrouble(Exception):
    """The relay's connection failed or hung: drop it and start over."""


T = TypeVar("T")

_ACQUIRE = """
update outbox_relay_state
   set holder = $1, epoch = epoch + 1, waiting = false,
       expires_at = now() + make_interval(secs => $2)
 where holder is null or holder = $1 or expires_at is null or expires_at <= now()
returning epoch"""

_RENEW = """
update outbox_relay_state set expires_at = now() + make_interval(secs => $3)
 where holder = $1 and epoch = $2 and expires_at > now()
returning true"""

_RELEASE = """
update outbox_relay_state set holder = null, expires_at = null, waiting = false
 where holder = $1 and epoch = $2"""

_CLAIM = """
select id, topic, key, event_type, event_version::text, correlation_id, event_id::text, value
  from outbox where published_at is null order by id limit $1"""

# Fenced: marks only while this relay's term (holder, epoch) is the current one.
_MARK = """
update outbox set published_at = now()
 where id = any($1::bigint[])
   and exists (select 1 from outbox_relay_state where holder = $2 and epoch = $3)"""

_DB_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)


class OutboxRelay:
    """Publishes a schema's outbox to Kafka with the event's key, in id order, while it holds
    the schema's relay lease. It uses a connection of its own (``dsn``), never the pool's."""

    def __init__(
        self,
        dsn: str,
        *,
        schema: str,
        bootstrap: str | None = None,
        kafka: CommonSettings | None = None,
        topic_prefix: str = "",
        settings: RelaySettings | None = None,
        holder: str | None = None,
    ) -> None:
        self._dsn = dsn
        self._schema = schema
        # The broker: settings (with its security), or a bare PLAINTEXT address.
        if (kafka is None) == (bootstrap is None):
            raise ValueError("OutboxRelay: give either kafka (settings) or bootstrap")
        self._kafka: CommonSettings | str = kafka if kafka is not None else str(bootstrap)
        self._prefix = topic_prefix
        self.settings = settings or RelaySettings()
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._wake = asyncio.Event()
        self._hashes: dict[bytes, int] = {}
        self._stop: asyncio.Event | None = None
        self.published = 0
        self.epoch: int | None = None  # the term this relay leads, if it does
        self._valid_until = 0.0  # monotonic; the lease may outlive it, never the reverse
        self.leader_since: float | None = None  # monotonic, start of the current term
        self.last_send_at: float | None = None  # monotonic, last event handed to Kafka

    @property
    def is_leader(self) -> bool:
        return self.epoch is not None and time.monotonic() < self._valid_until

    async def run(self, stop: asyncio.Event) -> None:
        """Leads when it can, stands by otherwise, until ``stop``. A failed or hung
        connection is dropped and a fresh one made; the loop itself never gives up."""
        while not stop.is_set():
            try:
                conn = await self._connect()
            except _DB_ERRORS as exc:
                log.warning("outbox relay cannot connect", schema=self._schema, error=repr(exc))
                await _sleep_or_stop(stop, self.settings.standby_poll_seconds)
                continue
            clean = False
            try:
                await self._serve(conn, stop)
                clean = True
            except (_DatabaseTrouble, LeaseLost, *_DB_ERRORS) as exc:
                log.warning(
                    "outbox relay stops publishing and starts over",
                    schema=self._schema,
                    holder=self.holder,
                    error=repr(exc),
                )
            finally:
                await self._drop(conn, clean=clean)
            if not clean:
                await _sleep_or_stop(stop, self.settings.standby_poll_seconds)

    async def _connect(self) -> asyncpg.Connection:
        s = self.settings
        conn = await asyncpg.connect(
            self._dsn,
            timeout=s.connect_timeout_seconds,
            command_timeout=s.command_timeout_seconds,
            server_settings={
                "application_name": f"outbox-relay {self._schema}"[:63],
                "statement_timeout": str(int(s.command_timeout_seconds * 1000)),
                "idle_in_transaction_session_timeout": str(int(s.lease_seconds * 1000)),
                "tcp_keepalives_idle": str(s.keepalive_idle_seconds),
                "tcp_keepalives_interval": str(s.keepalive_interval_seconds),
                "tcp_keepalives_count": str(s.keepalive_count),
                "tcp_user_timeout": str(self._silent_peer_ms()),
            },
        )
        _client_keepalive(conn, s, self._silent_peer_ms())
        return conn

    def _silent_peer_ms(self) -> int:
        s = self.settings
        return (s.keepalive_idle_seconds + s.keepalive_interval_seconds * s.keepalive_count) * 1000

    async def _drop(self, conn: asyncpg.Connection, *, clean: bool) -> None:
        term = self.epoch
        self.epoch = None
        self._valid_until = 0.0
        if clean and term is not None:
            # Hand over at once rather than at expiry.
            with contextlib.suppress(*_DB_ERRORS):
                await conn.execute(_RELEASE, self.holder, term)
                log.info("outbox relay released its lease", schema=self._schema)
        if clean:
            with contextlib.suppress(*_DB_ERRORS):
                await asyncio.wait_for(conn.close(), timeout=self.settings.command_timeout_seconds)
        if not conn.is_closed():
            conn.terminate()  # a hung connection is not asked anything more

    async def _serve(self, conn: asyncpg.Connection, stop: asyncio.Event) -> None:
        while not await self._acquire(conn):
            if await _sleep_or_stop(stop, self.settings.standby_poll_seconds):
                return
        log.info(
            "outbox relay is leader", schema=self._schema, holder=self.holder, epoch=self.epoch
        )
        lock = asyncio.Lock()  # one statement at a time on the connection
        channel = f"{self._schema}_outbox"
        await conn.add_listener(channel, self._on_notify)
        publish = asyncio.create_task(self._publish(conn, lock, stop), name="relay-publish")
        keep = asyncio.create_task(self._keep_lease(conn, lock), name="relay-lease")
        try:
            done, _ = await asyncio.wait({publish, keep}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (publish, keep):
                task.cancel()
            await asyncio.gather(publish, keep, return_exceptions=True)
        for task in done:
            task.result()  # the reason the term ended, if it was not ``stop``
        with contextlib.suppress(*_DB_ERRORS):
            await conn.remove_listener(channel, self._on_notify)

    async def _acquire(self, conn: asyncpg.Connection) -> bool:
        started = time.monotonic()
        epoch = await conn.fetchval(_ACQUIRE, self.holder, self.settings.lease_seconds)
        if epoch is None:
            return False
        self.epoch = int(epoch)
        self._valid_until = started + self.settings.lease_seconds
        self.leader_since = started
        return True

    async def _keep_lease(self, conn: asyncpg.Connection, lock: asyncio.Lock) -> None:
        """Renews the lease; returns nothing, raises ``LeaseLost`` when it cannot. The local
        deadline counts from before each renewal is sent, so it passes before the lease the
        database holds: this relay stops before another may start."""
        s = self.settings
        while True:
            await asyncio.sleep(s.renew_seconds)
            started = time.monotonic()
            remaining = self._valid_until - started
            try:
                async with asyncio.timeout(remaining), lock:
                    renewed = await conn.fetchval(_RENEW, self.holder, self.epoch, s.lease_seconds)
            except TimeoutError:
                raise LeaseLost("the lease could not be renewed in time") from None
            except _DB_ERRORS as exc:
                raise LeaseLost(f"the lease could not be renewed: {exc!r}") from exc
            if not renewed:
                raise LeaseLost("the lease was taken over")
            self._valid_until = started + s.lease_seconds

    async def _db(self, lock: asyncio.Lock, call: Callable[[], Awaitable[T]]) -> T:
        async with lock:
            try:
                return await call()
            except _DB_ERRORS as exc:
                raise _DatabaseTrouble(repr(exc)) from exc

    async def _publish(
        self, conn: asyncpg.Connection, lock: asyncio.Lock, stop: asyncio.Event
    ) -> None:
        producer: AIOKafkaProducer | None = None
        backoff = 0.2
        self._stop = stop
        try:
            while not stop.is_set():
                try:
                    if producer is None:
                        producer = reliable_producer(self._kafka, f"{self._schema}-outbox-relay")
                        await producer.start()
                    sent = await self._publish_batch(conn, lock, producer)
                    backoff = 0.2
                except (TimeoutError, KafkaError, OSError) as exc:
                    # Broker away: start a fresh producer session later and resend from the
                    # oldest unpublished row (idempotence holds within one session).
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
                    await self._idle(conn, lock, stop)
        finally:
            if producer is not None:
                with contextlib.suppress(Exception):
                    await producer.stop()

    async def _publish_batch(
        self, conn: asyncpg.Connection, lock: asyncio.Lock, producer: AIOKafkaProducer
    ) -> int:
        """Publishes until a claim finds nothing new (or ``stop`` is set), ``pipeline_batches``
        batches at a time: batch N+1 is claimed and handed to the producer while batch N
        waits for the broker's acknowledgement and is marked. Returns how many events it
        handed to the producer; on ``stop``, once every one of them is marked.

        Each claim takes the oldest unpublished rows in id order and leaves out the ones in
        flight (sent, not yet marked), so it is the claim a one-batch relay would make once
        those were marked: a key's earlier rows are either in flight (handed to the producer
        before) or earlier in the same claim. Batches are marked in order, each only after
        every event in it was acknowledged (acks=all); the mark is fenced by the term."""
        s = self.settings
        in_flight: set[int] = set()
        settling: collections.deque[asyncio.Task[None]] = collections.deque()
        handed = 0
        try:
            while True:
                if self._stop is not None and self._stop.is_set():
                    while settling:  # what was handed over is marked before it returns
                        await settling.popleft()
                    return handed
                self._wake.clear()
                rows = await self._db(
                    lock, functools.partial(conn.fetch, _CLAIM, s.batch_size + len(in_flight))
                )
                if in_flight:
                    rows = [r for r in rows if r[0] not in in_flight][: s.batch_size]
                if not rows:
                    if not settling:
                        return handed
                    await settling.popleft()  # its rows are marked now: look again
                    continue
                futures = await self._send(producer, rows)
                ids = [r[0] for r in rows]
                in_flight.update(ids)
                previous = settling[-1] if settling else None
                settling.append(
                    asyncio.create_task(
                        self._settle(conn, lock, futures, ids, previous, in_flight),
                        name="relay-settle",
                    )
                )
                handed += len(rows)
                while len(settling) >= s.pipeline_batches:
                    await settling.popleft()
        finally:
            for task in settling:
                task.cancel()
            await asyncio.gather(*settling, return_exceptions=True)

    async def _send(
        self, producer: AIOKafkaProducer, rows: Sequence[asyncpg.Record]
    ) -> list[asyncio.Future[Any]]:
        """Hands the rows to the producer in id order (the claim's columns, by position), as
        record batches per partition: the partition the producer's default partitioner gives
        the key (murmur2, as Kafka's own clients), each partition's rows in id order, its
        batches submitted in order. Returns a future per batch."""
        futures: list[asyncio.Future[Any]] = []
        building: dict[tuple[str, int], Any] = {}  # (topic, partition) -> its open batch
        partitions: dict[str, list[int]] = {}
        for _id, topic, key, event_type, version, correlation_id, event_id, value in rows:
            if not self.is_leader:
                raise LeaseLost("the lease ran out before it was renewed")
            topic = self._prefix + topic
            known = partitions.get(topic)
            if known is None:
                known = partitions[topic] = sorted(await producer.partitions_for(topic))
            key_bytes = key.encode()
            where = (topic, known[self._key_hash(key_bytes) % len(known)])
            headers = [
                ("event_type", event_type.encode()),
                ("event_version", version.encode()),
                ("event_id", event_id.encode()),
                ("correlation_id", correlation_id.encode()),
            ]
            batch = building.get(where)
            if batch is None:
                batch = building[where] = producer.create_batch()
            if batch.append(key=key_bytes, value=value, timestamp=None, headers=headers) is None:
                # Full: submit it and start the partition's next one.
                futures.append(await self._submit(producer, batch, where))
                batch = building[where] = producer.create_batch()
                if (
                    batch.append(key=key_bytes, value=value, timestamp=None, headers=headers)
                    is None
                ):
                    raise ValueError(f"outbox row {_id} is larger than a record batch")
            self.last_send_at = time.monotonic()
        for where, batch in building.items():
            futures.append(await self._submit(producer, batch, where))
        return futures

    @staticmethod
    async def _submit(
        producer: AIOKafkaProducer, batch: Any, where: tuple[str, int]
    ) -> asyncio.Future[Any]:
        batch.close()
        future: asyncio.Future[Any] = await producer.send_batch(batch, where[0], partition=where[1])
        return future

    def _key_hash(self, key: bytes) -> int:
        """murmur2 of the key, as the default partitioner takes it (remembered: keys are
        aggregates, seen again and again)."""
        found = self._hashes.get(key)
        if found is None:
            if len(self._hashes) >= 100_000:
                self._hashes.clear()
            found = self._hashes[key] = murmur2(key) & 0x7FFFFFFF
        return found

    async def _settle(
        self,
        conn: asyncpg.Connection,
        lock: asyncio.Lock,
        futures: list[asyncio.Future[Any]],
        ids: list[int],
        previous: asyncio.Task[None] | None,
        in_flight: set[int],
    ) -> None:
        """Marks one batch once the batch before it is marked and the broker acknowledged
        every event in it."""
        if previous is not None:
            await previous
        await asyncio.gather(*futures)
        status = await self._db(lock, lambda: conn.execute(_MARK, ids, self.holder, self.epoch))
        if int(status.split()[-1]) == 0:
            raise LeaseLost("fenced: another relay holds the lease")
        in_flight.difference_update(ids)
        self.published += len(ids)

    async def _idle(
        self, conn: asyncpg.Connection, lock: asyncio.Lock, stop: asyncio.Event
    ) -> None:
        """Sleeps until a writer notifies, or the poll interval passes. Writers notify only
        while the relay says it waits; a row committed just before the flag was seen is
        caught by the second look, or at worst by the next poll. (A leader that loses its
        term here may leave the flag set: the next leader clears it when it takes over.)"""
        await self._db(
            lock,
            lambda: conn.execute(
                "update outbox_relay_state set waiting = true where holder = $1 and epoch = $2",
                self.holder,
                self.epoch,
            ),
        )
        pending = await self._db(
            lock,
            lambda: conn.fetchval(
                "select exists (select 1 from outbox where published_at is null)"
            ),
        )
        if not pending:
            await self._sleep(stop)
        await self._db(
            lock,
            lambda: conn.execute(
                "update outbox_relay_state set waiting = false where holder = $1 and epoch = $2",
                self.holder,
                self.epoch,
            ),
        )

    async def _sleep(self, stop: asyncio.Event) -> None:
        waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
        _done, pending = await asyncio.wait(
            waiters, timeout=self.settings.poll_seconds, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()

    def _on_notify(self, *_args: object) -> None:
        self._wake.set()


def _client_keepalive(conn: asyncpg.Connection, s: RelaySettings, user_timeout_ms: int) -> None:
    """TCP keepalives on the client's end too, where the platform has them (Linux does)."""
    transport = getattr(conn, "_transport", None)
    sock = transport.get_extra_info("socket") if transport is not None else None
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    options = [
        (socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1),
        (socket.IPPROTO_TCP, getattr(socket, "TCP_KEEPIDLE", None), s.keepalive_idle_seconds),
        (socket.IPPROTO_TCP, getattr(socket, "TCP_KEEPINTVL", None), s.keepalive_interval_seconds),
        (socket.IPPROTO_TCP, getattr(socket, "TCP_KEEPCNT", None), s.keepalive_count),
        (socket.IPPROTO_TCP, getattr(socket, "TCP_USER_TIMEOUT", None), user_timeout_ms),
    ]
    for level, option, value in options:
        if option is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(level, option, value)


# --- backlog and purge --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Backlog:
    """Events not yet on their topic: how many, and how long the oldest has waited."""

    rows: int
    oldest_seconds: float


async def backlog(db: asyncpg.Pool | asyncpg.Connection) -> Backlog:
    row = await db.fetchrow(
        """select count(*) as rows,
                  coalesce(extract(epoch from now() - min(created_at)), 0) as oldest
             from outbox where published_at is null"""
    )
    return Backlog(rows=int(row["rows"]), oldest_seconds=float(row["oldest"]))


class BacklogWatch:
    """Logs a warning once each time the backlog crosses its bound (rows or age), and a note
    when it is back under it. The alert proper is a Prometheus rule on the backlog gauge."""

    def __init__(
        self, schema: str, *, max_rows: int, max_seconds: float, logger: Any = None
    ) -> None:
        # The logger is a parameter so a test can read what was said: structlog caches
        # loggers on first use, which escapes capture_logs() depending on test order.
        self.log = logger if logger is not None else log
        self.schema = schema
        self.max_rows = max_rows
        self.max_seconds = max_seconds
        self.over = False
        self.crossings = 0

    def observe(self, current: Backlog) -> None:
        over = current.rows > self.max_rows or current.oldest_seconds > self.max_seconds
        if over and not self.over:
            self.crossings += 1
            self.log.warning(
                "outbox backlog over its bound: events are not reaching Kafka",
                schema=self.schema,
                backlog_rows=current.rows,
                oldest_seconds=round(current.oldest_seconds, 1),
                max_rows=self.max_rows,
                max_seconds=self.max_seconds,
            )
        elif self.over and not over:
            self.log.info(
                "outbox backlog back under its bound", schema=self.schema, backlog_rows=current.rows
            )
        self.over = over


async def purge_published(
    db: asyncpg.Pool | asyncpg.Connection,
    *,
    older_than: timedelta,
    batch_size: int = 5000,
    deadline: float | None = None,
) -> int:
    """Deletes rows published longer ago than ``older_than`` (the topic keeps them), oldest
    first, ``batch_size`` rows per statement so no purge holds many locks or a long
    transaction; stops at ``deadline`` (monotonic) and leaves the rest for the next round.
    Never touches an unpublished row."""
    total = 0
    while True:
        status = await db.execute(
            """delete from outbox where id in (
                   select id from outbox
                    where published_at is not null and published_at < now() - $1::interval
                    order by published_at limit $2)""",
            older_than,
            batch_size,
        )
        deleted = int(status.split()[-1])
        total += deleted
        if deleted < batch_size or (deadline is not None and time.monotonic() > deadline):
            return total


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> bool:
    """Waits ``seconds`` unless ``stop`` comes first; says whether it did."""
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    return stop.is_set()
