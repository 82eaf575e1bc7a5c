"""The unit of work against the real PostgreSQL: state and events commit together or not at
all, lost races run again, and a consumed event's unit of work joins the inbox's transaction."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest

from ocop_shared.contracts.platform import ProbeHappened
from ocop_shared.events import Envelope, decode_event
from ocop_shared.inbox import Delivery
from ocop_shared.outbox import Causation
from ocop_shared.uow import UnitOfWork, UnitOfWorkFactory

CAUSE = Causation(correlation_id="req-uow")


class ProbeEffects:
    """A stand-in repository on the unit of work's connection."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def record(self, key: str, seq: int) -> None:
        await self.conn.execute(
            "insert into probe_effects (event_id, key, seq) values ($1, $2, $3)",
            uuid.uuid4(),
            key,
            seq,
        )

    async def count(self, key: str) -> int:
        n: int = await self.conn.fetchval("select count(*) from probe_effects where key = $1", key)
        return n


def factory(pool: asyncpg.Pool) -> UnitOfWorkFactory[ProbeEffects]:
    return UnitOfWorkFactory(pool, ProbeEffects, producer="probe")


async def outbox_of(pool: asyncpg.Pool, key: str) -> list[asyncpg.Record]:
    return await pool.fetch(
        "select key, event_type, correlation_id, value from outbox where key = $1 order by id", key
    )


async def test_state_and_emitted_events_commit_together(probe_pool: asyncpg.Pool) -> None:
    async def handler(uow: UnitOfWork[ProbeEffects]) -> str:
        await uow.repos.record("together", 1)
        uow.emit(ProbeHappened(key="together", seq=1), ProbeHappened(key="together", seq=2))
        return "done"

    assert await factory(probe_pool).run(handler, cause=CAUSE) == "done"
    assert await factory(probe_pool).read(lambda repos: repos.count("together")) == 1
    rows = await outbox_of(probe_pool, "together")
    assert [decode_event(r["value"])[1] for r in rows] == [
        ProbeHappened(key="together", seq=1),
        ProbeHappened(key="together", seq=2),
    ]
    assert {r["correlation_id"] for r in rows} == {"req-uow"}


async def test_a_failing_handler_leaves_neither_state_nor_events(probe_pool: asyncpg.Pool) -> None:
    async def handler(uow: UnitOfWork[ProbeEffects]) -> None:
        await uow.repos.record("refused", 1)
        uow.emit(ProbeHappened(key="refused", seq=1))
        raise ValueError("the domain said no")

    with pytest.raises(ValueError, match="the domain said no"):
        await factory(probe_pool).run(handler, cause=CAUSE)
    assert await factory(probe_pool).read(lambda repos: repos.count("refused")) == 0
    assert await outbox_of(probe_pool, "refused") == []


async def test_a_serialization_failure_runs_the_handler_again_from_the_start(
    probe_pool: asyncpg.Pool,
) -> None:
    attempts = 0

    async def handler(uow: UnitOfWork[ProbeEffects]) -> int:
        nonlocal attempts
        attempts += 1
        await uow.repos.record("raced", attempts)
        uow.emit(ProbeHappened(key="raced", seq=attempts))
        if attempts == 1:
            raise asyncpg.SerializationError("could not serialize access")
        return attempts

    assert await factory(probe_pool).run(handler, cause=CAUSE) == 2
    # The first attempt's row and event were rolled back with its transaction.
    assert await factory(probe_pool).read(lambda repos: repos.count("raced")) == 1
    rows = await outbox_of(probe_pool, "raced")
    assert [decode_event(r["value"])[1] for r in rows] == [ProbeHappened(key="raced", seq=2)]


async def test_an_event_handler_joins_the_callers_transaction_and_names_its_cause(
    probe_pool: asyncpg.Pool,
) -> None:
    async def on_probe(uow: UnitOfWork[ProbeEffects], event: ProbeHappened) -> None:
        await uow.repos.record(event.key, event.seq)
        uow.emit(ProbeHappened(key=event.key, seq=event.seq + 1))

    handler = factory(probe_pool).event_handler(on_probe)
    envelope = Envelope(
        event_id=uuid.uuid4(),
        type=ProbeHappened.event_type,
        version=1,
        occurred_at="2026-01-01T00:00:00+00:00",  # type: ignore[arg-type]
        producer="test",
        correlation_id="corr-1",
        key="joined",
        payload={},
    )
    async with probe_pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        await handler(conn, ProbeHappened(key="joined", seq=1), Delivery(envelope))
        await transaction.rollback()  # as the inbox does when a batch fails
    assert await outbox_of(probe_pool, "joined") == []

    async with probe_pool.acquire() as conn, conn.transaction():
        await handler(conn, ProbeHappened(key="joined", seq=1), Delivery(envelope))
    rows = await outbox_of(probe_pool, "joined")
    assert len(rows) == 1 and rows[0]["correlation_id"] == "corr-1"
    emitted_envelope, emitted = decode_event(rows[0]["value"])
    assert emitted == ProbeHappened(key="joined", seq=2)
    assert emitted_envelope.causation_id == str(envelope.event_id)


async def test_concurrent_units_of_work_do_not_share_events(probe_pool: asyncpg.Pool) -> None:
    async def handler_for(seq: int) -> None:
        async def handler(uow: UnitOfWork[ProbeEffects]) -> None:
            await uow.repos.record("many", seq)
            await asyncio.sleep(0)
            uow.emit(ProbeHappened(key="many", seq=seq))

        await factory(probe_pool).run(handler, cause=CAUSE)

    await asyncio.gather(*(handler_for(i) for i in range(20)))
    rows = await outbox_of(probe_pool, "many")
    assert sorted(decode_event(r["value"])[1].seq for r in rows) == list(range(20))  # type: ignore[attr-defined]


async def test_a_timed_event_handler_is_told_when_the_event_happened(
    probe_pool: asyncpg.Pool,
) -> None:
    seen: list[datetime] = []

    async def on_probe(uow: UnitOfWork[ProbeEffects], event: ProbeHappened, at: datetime) -> None:
        seen.append(at)
        await uow.repos.record(event.key, event.seq)

    happened = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    envelope = Envelope(
        event_id=uuid.uuid4(),
        type=ProbeHappened.event_type,
        version=1,
        occurred_at=happened,
        producer="test",
        correlation_id="corr-2",
        key="timed",
        payload={},
    )
    handler = factory(probe_pool).timed_event_handler(on_probe)
    async with probe_pool.acquire() as conn, conn.transaction():
        await handler(conn, ProbeHappened(key="timed", seq=1), Delivery(envelope))
    assert seen == [happened]
    assert await factory(probe_pool).read(lambda repos: repos.count("timed")) == 1
