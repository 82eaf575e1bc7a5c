"""The idempotent consumer against the real broker: dead letters and redelivered events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg
import orjson
import pytest
from aiokafka import AIOKafkaProducer

from ocop_shared.contracts.platform import ProbeHappened
from ocop_shared.events import encode_event
from ocop_shared.inbox import Delivery, InboxConsumer
from ocop_shared.kafka import client_options
from ocop_shared.settings import CommonSettings
from ocop_shared.topics import PLATFORM_PROBES
from ocop_testkit import read_topic

from .conftest import record_probe

ConsumeProbes = Callable[[str, int], Awaitable[None]]


async def produce(
    settings: CommonSettings, topic: str, messages: list[tuple[bytes, bytes]]
) -> None:
    producer = AIOKafkaProducer(**client_options(settings), enable_idempotence=True)
    await producer.start()
    try:
        for key, value in messages:
            await producer.send_and_wait(topic, value=value, key=key)
    finally:
        await producer.stop()


def probe(key: str, seq: int) -> bytes:
    return encode_event(ProbeHappened(key=key, seq=seq), producer="platform", correlation_id="c")[1]


async def test_poison_messages_are_dead_lettered_and_the_partition_moves_on(
    probe_pool: asyncpg.Pool,
    stack_settings: CommonSettings,
    prefix: str,
    consume_probes: ConsumeProbes,
) -> None:
    key = b"fair-7"  # one key, so all of these share one partition, in this order
    _, valid = encode_event(
        ProbeHappened(key="fair-7", seq=1), producer="platform", correlation_id="c"
    )
    future_version = orjson.loads(valid)
    future_version["version"] = 99
    bad_payload = orjson.loads(valid)
    bad_payload["payload"] = {"key": "fair-7", "seq": "not a number"}
    await produce(
        stack_settings,
        PLATFORM_PROBES.physical(prefix),
        [
            (key, b"\x00 not json at all"),
            (key, orjson.dumps(future_version)),
            (key, orjson.dumps(bad_payload)),
            (key, probe("explode", 0)),  # decodes, but its handler always fails
            (key, valid),
        ],
    )

    await consume_probes(prefix, 1)

    effects = await probe_pool.fetch("select key, seq from probe_effects")
    assert [(r["key"], r["seq"]) for r in effects] == [("fair-7", 1)]
    letters = await probe_pool.fetch('select "offset", reason from dead_letters order by "offset"')
    assert [r["offset"] for r in letters] == [0, 1, 2, 3]
    reasons = [r["reason"] for r in letters]
    assert "invalid envelope" in reasons[0]
    assert "platform.probe_happened v99" in reasons[1] and "known versions [1]" in reasons[1]
    assert "payload.seq" in reasons[2] or "seq" in reasons[2]
    assert "handler failed" in reasons[3] and "never be handled" in reasons[3]


async def test_a_redelivered_event_has_no_second_effect(
    probe_pool: asyncpg.Pool,
    stack_settings: CommonSettings,
    prefix: str,
    consume_probes: ConsumeProbes,
    probe_consumer: InboxConsumer,
) -> None:
    first = probe("fair-1", 1)
    second = probe("fair-1", 2)
    # The same event three times (a relay that resent it), spread around another one.
    await produce(
        stack_settings,
        PLATFORM_PROBES.physical(prefix),
        [(b"fair-1", v) for v in (first, first, second, first)],
    )
    await consume_probes(prefix, 2)
    # Read it all again from the topic, as after lost offsets or a rebalance: no new effect.
    records = await read_topic(
        stack_settings.kafka_bootstrap,
        PLATFORM_PROBES.physical(prefix),
        until=lambda r: len(r) >= 4,
    )
    await probe_consumer.process(records)
    await probe_consumer.process(records)
    rows = await probe_pool.fetch(
        "select seq, count(*) as n from probe_effects group by seq order by seq"
    )
    assert [(r["seq"], r["n"]) for r in rows] == [(1, 1), (2, 1)]


async def test_a_transient_database_error_is_retried_not_dead_lettered(
    probe_pool: asyncpg.Pool, stack_settings: CommonSettings, prefix: str
) -> None:
    """An admin shutdown (a Postgres restart), a statement timeout or a read-only replica
    after failover says nothing about the event: the batch is read again, and the event takes
    effect once the database serves again."""
    failures = [
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout"),
        asyncpg.exceptions.ReadOnlySQLTransactionError("cannot execute INSERT in a read-only transaction"),
    ]  # fmt: skip

    async def flaky(conn: asyncpg.Connection, event: ProbeHappened, delivery: Delivery) -> None:
        if failures:
            raise failures.pop(0)
        await record_probe(conn, event, delivery)

    await produce(stack_settings, PLATFORM_PROBES.physical(prefix), [(b"k", probe("fair-9", 1))])
    records = await read_topic(
        stack_settings.kafka_bootstrap,
        PLATFORM_PROBES.physical(prefix),
        until=lambda r: len(r) >= 1,
    )
    consumer = InboxConsumer(probe_pool, "probe-effects", {ProbeHappened: flaky})
    for _ in range(3):
        with pytest.raises(asyncpg.PostgresError):
            await consumer.process(records)  # the subscriber NACKs: the batch comes again
        assert await probe_pool.fetchval("select count(*) from dead_letters") == 0
    await consumer.process(records)
    rows = await probe_pool.fetch("select key, seq from probe_effects")
    assert [(r["key"], r["seq"]) for r in rows] == [("fair-9", 1)]
    assert await probe_pool.fetchval("select count(*) from dead_letters") == 0
