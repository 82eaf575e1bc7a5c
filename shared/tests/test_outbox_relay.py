"""The outbox and its relay against the real Kafka broker and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import orjson
import pytest

from ocop_shared.contracts.platform import ProbeHappened
from ocop_shared.outbox import Causation, OutboxRelay, append
from ocop_shared.settings import CommonSettings, ServiceSettings
from ocop_shared.topics import PLATFORM_PROBES
from ocop_testkit import read_topic, stack, wait_for

CAUSE = Causation(correlation_id="test")
ConsumeProbes = Callable[[str, int], Awaitable[None]]


async def commit_probes(
    pool: asyncpg.Pool, keys: list[str], per_key: int, *, per_tx: int = 200
) -> int:
    events = [ProbeHappened(key=k, seq=s) for s in range(per_key) for k in keys]
    for i in range(0, len(events), per_tx):
        async with pool.acquire() as conn, conn.transaction():
            await append(conn, events[i : i + per_tx], producer="probe", cause=CAUSE)
    return len(events)


@contextlib.asynccontextmanager
async def running_relay(
    pool: asyncpg.Pool, settings: CommonSettings, prefix: str
) -> AsyncIterator[OutboxRelay]:
    relay = OutboxRelay(
        pool,
        schema="probe",
        bootstrap=settings.kafka_bootstrap,
        topic_prefix=prefix,
        poll_interval=0.5,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        yield relay
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)


def distinct_ids(records: list[Any]) -> set[bytes]:
    return {dict(r.headers)["event_id"] for r in records}


def payloads(records: list[Any]) -> list[dict[str, Any]]:
    return [orjson.loads(r.value) for r in records]


async def test_rolled_back_transaction_publishes_nothing_and_committed_one_is_published_once(
    probe_pool: asyncpg.Pool, stack_settings: CommonSettings, prefix: str
) -> None:
    with contextlib.suppress(RuntimeError):
        async with probe_pool.acquire() as conn, conn.transaction():
            await append(
                conn, [ProbeHappened(key="rolled-back", seq=0)], producer="probe", cause=CAUSE
            )
            raise RuntimeError("the state change failed")
    async with probe_pool.acquire() as conn, conn.transaction():
        [event_id] = await append(
            conn, [ProbeHappened(key="fair-42", seq=1)], producer="probe", cause=CAUSE
        )

    async with running_relay(probe_pool, stack_settings, prefix):
        await wait_for(
            lambda: probe_pool.fetchval(
                "select count(*) = 0 from outbox where published_at is null"
            )
        )
        # Give a wrongly published second copy time to show up before reading.
        await asyncio.sleep(1.0)
    topic = PLATFORM_PROBES.physical(prefix)
    records = await read_topic(
        stack_settings.kafka_bootstrap, topic, until=lambda r: len(r) >= 2, timeout=5
    )

    assert len(records) == 1
    [record] = records
    assert record.key == b"fair-42"
    body = orjson.loads(record.value)
    assert body["event_id"] == str(event_id)
    assert body["type"] == "platform.probe_happened"
    assert body["payload"] == {"key": "fair-42", "seq": 1}
    assert dict(record.headers)["event_type"] == b"platform.probe_happened"
    assert await probe_pool.fetchval("select count(*) from outbox") == 1


async def test_ten_thousand_events_over_fifty_keys_arrive_in_per_key_order(
    probe_pool: asyncpg.Pool, stack_settings: CommonSettings, prefix: str
) -> None:
    keys = [f"fair-{i}" for i in range(50)]
    total = await commit_probes(probe_pool, keys, per_key=200)
    assert total == 10_000

    async with running_relay(probe_pool, stack_settings, prefix):
        records = await read_topic(
            stack_settings.kafka_bootstrap,
            PLATFORM_PROBES.physical(prefix),
            until=lambda r: len(r) >= total,
        )
    assert len(records) == total
    by_key: dict[str, list[int]] = defaultdict(list)
    partition_of: dict[str, set[int]] = defaultdict(set)
    for record, body in zip(records, payloads(records), strict=True):
        by_key[body["key"]].append(body["payload"]["seq"])
        partition_of[body["key"]].add(record.partition)
    assert set(by_key) == set(keys)
    for key in keys:
        assert by_key[key] == list(range(200)), f"{key} out of order"
        assert len(partition_of[key]) == 1


async def test_concurrent_writers_committing_out_of_order_skip_no_event(
    probe_pool: asyncpg.Pool, stack_settings: CommonSettings, prefix: str
) -> None:
    # The slow writer takes its outbox id first, then holds its transaction open while others
    # with higher ids commit and get published.
    slow_has_id = asyncio.Event()
    release_slow = asyncio.Event()

    async def slow_writer() -> None:
        async with probe_pool.acquire() as conn, conn.transaction():
            await append(conn, [ProbeHappened(key="slow", seq=0)], producer="probe", cause=CAUSE)
            slow_has_id.set()
            await release_slow.wait()

    async with running_relay(probe_pool, stack_settings, prefix) as relay:
        slow = asyncio.create_task(slow_writer())
        await slow_has_id.wait()
        await commit_probes(probe_pool, [f"fast-{i}" for i in range(10)], per_key=20, per_tx=10)
        await wait_for(lambda: relay.published >= 200)
        release_slow.set()
        await slow
        records = await read_topic(
            stack_settings.kafka_bootstrap,
            PLATFORM_PROBES.physical(prefix),
            until=lambda r: len(r) >= 201,
        )
    keys = [b["key"] for b in payloads(records)]
    assert len(records) == 201
    assert "slow" in keys
    slow_id = await probe_pool.fetchval("select id from outbox where key = 'slow'")
    assert slow_id == await probe_pool.fetchval("select min(id) from outbox")


async def test_broker_stopped_for_ten_seconds_loses_nothing(
    probe_pool: asyncpg.Pool, stack_settings: CommonSettings, prefix: str
) -> None:
    keys = [f"k{i}" for i in range(5)]
    async with running_relay(probe_pool, stack_settings, prefix):
        await commit_probes(probe_pool, keys, per_key=20)
        await wait_for(
            lambda: probe_pool.fetchval(
                "select count(*) = 0 from outbox where published_at is null"
            )
        )
        await asyncio.to_thread(stack, "stop", "kafka")
        try:
            # Commits go on while the broker is away: the outbox takes them.
            for seq in range(20, 30):
                async with probe_pool.acquire() as conn, conn.transaction():
                    await append(
                        conn,
                        [ProbeHappened(key=k, seq=seq) for k in keys],
                        producer="probe",
                        cause=CAUSE,
                    )
                await asyncio.sleep(1.0)
        finally:
            await asyncio.to_thread(stack, "start", "kafka")
        await wait_for(
            lambda: probe_pool.fetchval(
                "select count(*) = 0 from outbox where published_at is null"
            ),
            timeout=90,
        )
    records = await read_topic(
        stack_settings.kafka_bootstrap,
        PLATFORM_PROBES.physical(prefix),
        until=lambda r: len(r) >= 150,
    )
    seen: dict[str, list[int]] = defaultdict(list)
    for body in payloads(records):
        seen[body["key"]].append(body["payload"]["seq"])
    for key in keys:
        # Every committed event arrived; a resend after the outage may repeat a tail, in order.
        assert sorted(set(seen[key])) == list(range(30))
        assert _dedupe_keep_order(seen[key]) == list(range(30))


def _dedupe_keep_order(values: list[int]) -> list[int]:
    out: list[int] = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


@pytest.mark.slow
async def test_relay_killed_mid_batch_then_restarted_delivers_everything(
    probe_pool: asyncpg.Pool,
    probe_schema: ServiceSettings,
    stack_settings: CommonSettings,
    prefix: str,
    consume_probes: ConsumeProbes,
) -> None:
    total = await commit_probes(
        probe_pool, [f"fair-{i}" for i in range(20)], per_key=1500, per_tx=500
    )
    env = {
        **os.environ,
        "OCOP_ENV": "test",
        "OCOP_PG_DATABASE": probe_schema.pg_database,
        "OCOP_DB_PASSWORD": "probe-dev-password",
        "OCOP_TOPIC_PREFIX": prefix,
        "OCOP_LOG_LEVEL": "WARNING",
    }
    cmd = [sys.executable, "-m", "ocop_shared.relay_main", "probe"]
    first = subprocess.Popen(cmd, env=env)
    try:
        await wait_for(
            lambda: probe_pool.fetchval(
                "select count(*) >= 4000 from outbox where published_at is not null"
            ),
            timeout=60,
        )
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    published_before_kill = await probe_pool.fetchval(
        "select count(*) from outbox where published_at is not null"
    )
    assert published_before_kill < total, "the relay finished before it could be killed"

    second = subprocess.Popen(cmd, env=env)
    try:
        await wait_for(
            lambda: probe_pool.fetchval(
                "select count(*) = 0 from outbox where published_at is null"
            ),
            timeout=120,
        )
    finally:
        second.terminate()
        second.wait(timeout=30)

    topic = PLATFORM_PROBES.physical(prefix)
    records = await read_topic(
        stack_settings.kafka_bootstrap, topic, until=lambda r: len(distinct_ids(r)) >= total
    )
    event_ids = {b["event_id"] for b in payloads(records)}
    assert len(event_ids) == total

    # Fed through the inbox, duplicates have no second effect.
    await consume_probes(prefix, total)
    assert await probe_pool.fetchval("select count(*) from probe_effects") == total
    assert await probe_pool.fetchval("select count(distinct event_id) from probe_effects") == total


async def test_published_rows_older_than_the_retention_are_purged_and_unpublished_kept(
    probe_pool: asyncpg.Pool, stack_settings: CommonSettings, prefix: str
) -> None:
    await commit_probes(probe_pool, ["k"], per_key=3)
    await probe_pool.execute(
        "update outbox set published_at = now() - interval '4 days' where id = (select min(id) from outbox)"
    )
    await probe_pool.execute(
        "update outbox set published_at = now() - interval '1 hour' where id = (select max(id) from outbox)"
    )
    relay = OutboxRelay(
        probe_pool,
        schema="probe",
        bootstrap=stack_settings.kafka_bootstrap,
        topic_prefix=prefix,
        retention_hours=72,
    )
    assert await relay.purge_published() == 1
    assert await probe_pool.fetchval("select count(*) from outbox") == 2
    assert await probe_pool.fetchval("select count(*) from outbox where published_at is null") == 1
