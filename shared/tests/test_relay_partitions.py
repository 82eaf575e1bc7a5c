"""Partitioned topics and relay replicas (issue 16): a topic created with the count
``OCOP_TOPIC_PARTITIONS`` gives it; several relays on one schema (one per service replica)
publish every event once in per-key order, one of them at a time, each key on the partition
Kafka's default partitioner gives it."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator

import asyncpg
import orjson
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.partitioner import murmur2

from ocop_shared.contracts.platform import ProbeHappened
from ocop_shared.kafka import ensure_topics
from ocop_shared.outbox import Causation, OutboxRelay, RelaySettings, append
from ocop_shared.settings import CommonSettings, ServiceSettings
from ocop_shared.topics import PLATFORM_PROBES
from ocop_testkit import kafka_options, new_prefix, read_topic, wait_for

CAUSE = Causation(correlation_id="test-partitions")
PARTITIONS = 24


@pytest.fixture
async def wide_prefix(stack_settings: CommonSettings, monkeypatch: pytest.MonkeyPatch) -> str:
    """A prefix whose probes topic was created while OCOP_TOPIC_PARTITIONS asked for 24."""
    p = new_prefix()
    monkeypatch.setenv("OCOP_TOPIC_PARTITIONS", f"platform.probes={PARTITIONS}")
    await ensure_topics(stack_settings, p, [PLATFORM_PROBES])
    monkeypatch.delenv("OCOP_TOPIC_PARTITIONS")
    return p


@pytest.fixture
async def relay_dsn(probe_pool: asyncpg.Pool, probe_schema: ServiceSettings) -> str:
    await probe_pool.execute(
        "update outbox_relay_state set holder = null, expires_at = null, waiting = false"
    )
    return probe_schema.dsn()


async def partition_count(settings: CommonSettings, topic: str) -> int:
    admin = AIOKafkaAdminClient(**kafka_options(settings))
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return len(described["partitions"])


async def test_a_topic_is_created_with_the_configured_partition_count(
    stack_settings: CommonSettings, wide_prefix: str
) -> None:
    assert PLATFORM_PROBES.partitions == PLATFORM_PROBES.default_partitions == 6
    topic = PLATFORM_PROBES.physical(wide_prefix)
    assert await partition_count(stack_settings, topic) == PARTITIONS
    # Created already: a later start with another count leaves it as it is.
    await ensure_topics(stack_settings, wide_prefix, [PLATFORM_PROBES])
    assert await partition_count(stack_settings, topic) == PARTITIONS


@contextlib.asynccontextmanager
async def replicas(
    dsn: str, settings: CommonSettings, prefix: str, count: int
) -> AsyncIterator[list[OutboxRelay]]:
    relays = [
        OutboxRelay(
            dsn,
            schema="probe",
            kafka=settings,
            topic_prefix=prefix,
            settings=RelaySettings(poll_seconds=0.2, standby_poll_seconds=0.2, batch_size=300),
        )
        for _ in range(count)
    ]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(r.run(stop)) for r in relays]
    try:
        yield relays
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)


async def test_three_relay_replicas_publish_every_event_once_in_key_order_on_its_partition(
    probe_pool: asyncpg.Pool, stack_settings: CommonSettings, wide_prefix: str, relay_dsn: str
) -> None:
    keys = [f"terminal-{i}" for i in range(40)]
    per_key = 60

    async def writer(my_keys: list[str]) -> None:
        # Each key's events from one writer, one transaction at a time: commit order per key.
        for seq in range(per_key):
            async with probe_pool.acquire() as conn, conn.transaction():
                await append(
                    conn,
                    [ProbeHappened(key=k, seq=seq) for k in my_keys],
                    producer="platform",
                    cause=CAUSE,
                )

    total = len(keys) * per_key
    async with replicas(relay_dsn, stack_settings, wide_prefix, 3) as relays:
        # Writers commit while the relays run: batches are claimed with others in flight.
        await asyncio.gather(*(writer(keys[i::8]) for i in range(8)))
        records = await read_topic(
            stack_settings.kafka_bootstrap,
            PLATFORM_PROBES.physical(wide_prefix),
            until=lambda r: len(r) >= total,
        )
        await asyncio.sleep(0.5)  # a second copy, if any, has time to be marked
        published = [r.published for r in relays]

    assert len(records) == total
    assert len({dict(r.headers)["event_id"] for r in records}) == total
    by_key: dict[str, list[int]] = defaultdict(list)
    for record in records:
        body = orjson.loads(record.value)
        by_key[body["key"]].append(body["payload"]["seq"])
        expected = (murmur2(record.key) & 0x7FFFFFFF) % PARTITIONS
        assert record.partition == expected, f"{body['key']} on the wrong partition"
    assert {k: v for k, v in by_key.items()} == {k: list(range(per_key)) for k in keys}
    assert len({r.partition for r in records}) > PARTITIONS // 2  # the keys spread out
    # One leader published everything; the other two stood by.
    assert sorted(published) == [0, 0, total]
    assert await probe_pool.fetchval("select count(*) from outbox where published_at is null") == 0


async def test_a_relay_under_continuous_load_stops_when_asked_with_all_it_sent_marked(
    probe_pool: asyncpg.Pool, stack_settings: CommonSettings, wide_prefix: str, relay_dsn: str
) -> None:
    writing = True

    async def writer() -> None:
        seq = 0
        while writing:
            async with probe_pool.acquire() as conn, conn.transaction():
                await append(
                    conn,
                    [ProbeHappened(key=f"k{i}", seq=seq) for i in range(50)],
                    producer="platform",
                    cause=CAUSE,
                )
            seq += 1

    relay = OutboxRelay(
        relay_dsn,
        schema="probe",
        kafka=stack_settings,
        topic_prefix=wide_prefix,
        settings=RelaySettings(poll_seconds=0.2, batch_size=100),
    )
    stop = asyncio.Event()
    writers = [asyncio.create_task(writer()) for _ in range(3)]
    task = asyncio.create_task(relay.run(stop))
    await wait_for(lambda: relay.published >= 2000)
    stop.set()  # while the writers keep the outbox full
    await asyncio.wait_for(task, timeout=10)
    writing = False
    await asyncio.gather(*writers)

    marked = {
        str(r["event_id"]).encode()
        for r in await probe_pool.fetch(
            "select event_id from outbox where published_at is not null"
        )
    }
    assert len(marked) == relay.published
    records = await read_topic(
        stack_settings.kafka_bootstrap,
        PLATFORM_PROBES.physical(wide_prefix),
        until=lambda r: len(r) >= len(marked),
        timeout=20,
    )
    await asyncio.sleep(0.5)
    sent = {dict(r.headers)["event_id"] for r in records}
    # Nothing on the topic is left unmarked, and nothing marked is missing from it.
    assert sent == marked
    assert await probe_pool.fetchval("select count(*) from outbox where published_at is null") > 0
