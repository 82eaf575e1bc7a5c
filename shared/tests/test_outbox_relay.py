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
from datetime import timedelta
from typing import Any

import asyncpg
import orjson
import pytest

from ocop_shared import housekeeping
from ocop_shared.contracts.platform import ProbeHappened
from ocop_shared.housekeeping import HousekeepingSettings
from ocop_shared.inbox import purge_processed
from ocop_shared.outbox import (
    Backlog,
    BacklogWatch,
    Causation,
    OutboxRelay,
    RelaySettings,
    append,
    backlog,
    purge_published,
)
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
            await append(conn, events[i : i + per_tx], producer="platform", cause=CAUSE)
    return len(events)


@pytest.fixture
async def relay_dsn(probe_pool: asyncpg.Pool, probe_schema: ServiceSettings) -> str:
    """The relay's own connection string; no lease left over from an earlier test."""
    await probe_pool.execute(
        "update outbox_relay_state set holder = null, expires_at = null, waiting = false"
    )
    await probe_pool.execute("truncate housekeeping_runs")
    return probe_schema.dsn()


@contextlib.asynccontextmanager
async def running_relay(
    dsn: str, settings: CommonSettings, prefix: str, *, batch_size: int = 2000
) -> AsyncIterator[OutboxRelay]:
    relay = OutboxRelay(
        dsn,
        schema="probe",
        kafka=settings,
        topic_prefix=prefix,
        settings=RelaySettings(poll_seconds=0.5, batch_size=batch_size),
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
    probe_pool: asyncpg.Pool, stack_settings: CommonSettings, prefix: str, relay_dsn: str
) -> None:
    with contextlib.suppress(RuntimeError):
        async with probe_pool.acquire() as conn, conn.transaction():
            await append(
                conn, [ProbeHappened(key="rolled-back", seq=0)], producer="platform", cause=CAUSE
            )
            raise RuntimeError("the state change failed")
    async with probe_pool.acquire() as conn, conn.transaction():
        [event_id] = await append(
            conn, [ProbeHappened(key="fair-42", seq=1)], producer="platform", cause=CAUSE
        )

    async with running_relay(relay_dsn, stack_settings, prefix):
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
    probe_pool: asyncpg.Pool, stack_settings: CommonSettings, prefix: str, relay_dsn: str
) -> None:
    keys = [f"fair-{i}" for i in range(50)]
    total = await commit_probes(probe_pool, keys, per_key=200)
    assert total == 10_000

    async with running_relay(relay_dsn, stack_settings, prefix):
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
    probe_pool: asyncpg.Pool, stack_settings: CommonSettings, prefix: str, relay_dsn: str
) -> None:
    # The slow writer takes its outbox id first, then holds its transaction open while others
    # with higher ids commit and get published.
    slow_has_id = asyncio.Event()
    release_slow = asyncio.Event()

    async def slow_writer() -> None:
        async with probe_pool.acquire() as conn, conn.transaction():
            await append(conn, [ProbeHappened(key="slow", seq=0)], producer="platform", cause=CAUSE)
            slow_has_id.set()
            await release_slow.wait()

    async with running_relay(relay_dsn, stack_settings, prefix) as relay:
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
    probe_pool: asyncpg.Pool, stack_settings: CommonSettings, prefix: str, relay_dsn: str
) -> None:
    keys = [f"k{i}" for i in range(5)]
    async with running_relay(relay_dsn, stack_settings, prefix):
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
                        producer="platform",
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
    relay_dsn: str,
) -> None:
    total = await commit_probes(
        probe_pool, [f"fair-{i}" for i in range(20)], per_key=1500, per_tx=500
    )
    env = {
        **os.environ,
        "OCOP_ENV": "test",
        "OCOP_PG_DATABASE": probe_schema.pg_database,
        "OCOP_DB_PASSWORD": "probe-dev-password",
        "OCOP_KAFKA_USERNAME": "admin",
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


async def test_published_rows_past_the_retention_are_purged_in_batches_and_unpublished_kept(
    probe_pool: asyncpg.Pool,
) -> None:
    await commit_probes(probe_pool, ["k"], per_key=7)
    ids = [r["id"] for r in await probe_pool.fetch("select id from outbox order by id")]
    await probe_pool.execute(
        "update outbox set published_at = now() - interval '4 days' where id = any($1::bigint[])",
        ids[:5],
    )
    await probe_pool.execute(
        "update outbox set published_at = now() - interval '1 hour' where id = $1", ids[5]
    )
    # Old but never published: it must stay whatever its age.
    await probe_pool.execute(
        "update outbox set created_at = now() - interval '10 days' where id = $1", ids[6]
    )
    purged = await purge_published(probe_pool, older_than=timedelta(hours=72), batch_size=2)
    assert purged == 5
    assert [r["id"] for r in await probe_pool.fetch("select id from outbox order by id")] == ids[5:]


async def test_published_rows_are_purged_on_a_timer_while_writers_keep_the_relay_busy(
    probe_pool: asyncpg.Pool, stack_settings: CommonSettings, prefix: str, relay_dsn: str
) -> None:
    settings = HousekeepingSettings(
        outbox_retention_hours=1 / 3600, purge_interval_seconds=0.5, purge_batch_size=100
    )
    stop_writing, stop_housekeeping = asyncio.Event(), asyncio.Event()
    committed = 0

    async def write() -> None:
        nonlocal committed
        while not stop_writing.is_set():
            committed += await commit_probes(probe_pool, [f"k{i}" for i in range(10)], per_key=1)
            await asyncio.sleep(0.005)  # pacing: a steady load

    async def purged() -> bool:
        rows = await probe_pool.fetchval("select count(*) from outbox")
        return committed - rows >= 1000

    async with running_relay(relay_dsn, stack_settings, prefix):
        writer = asyncio.create_task(write())
        job = asyncio.create_task(
            housekeeping.run(probe_pool, "probe", "replica-1", settings, stop_housekeeping)
        )
        try:
            await wait_for(purged, timeout=60)
        finally:
            stop_writing.set()
            stop_housekeeping.set()
            await asyncio.gather(writer, job)
        await wait_for(
            lambda: probe_pool.fetchval(
                "select count(*) = 0 from outbox where published_at is null"
            )
        )
    # The purge took only published rows: every committed event reached the topic.
    records = await read_topic(
        stack_settings.kafka_bootstrap,
        PLATFORM_PROBES.physical(prefix),
        until=lambda r: len(distinct_ids(r)) >= committed,
    )
    assert len(distinct_ids(records)) == committed


async def test_the_inbox_is_purged_past_its_retention_and_recent_rows_stay(
    probe_pool: asyncpg.Pool,
) -> None:
    ages = {timedelta(days=8): 3, timedelta(days=6, hours=23): 2, timedelta(0): 2}
    for age, n in ages.items():
        await probe_pool.execute(
            """insert into inbox (consumer, event_id, processed_at)
               select 'probe-effects', gen_random_uuid(), now() - $1::interval
                 from generate_series(1, $2)""",
            age,
            n,
        )
    assert await purge_processed(probe_pool, batch_size=1) == 3  # the default: 7 days
    assert await probe_pool.fetchval("select count(*) from inbox") == 4
    assert (
        await probe_pool.fetchval(
            "select count(*) from inbox where processed_at < now() - interval '7 days'"
        )
        == 0
    )
    with pytest.raises(ValueError):
        await purge_processed(probe_pool, older_than=timedelta(0))
    # The housekeeping round applies the configured retention the same way.
    await probe_pool.execute("truncate housekeeping_runs")
    assert await housekeeping.purge_round(probe_pool, "probe", "r1", HousekeepingSettings())
    assert await probe_pool.fetchval("select count(*) from inbox") == 4
    one_day = HousekeepingSettings(inbox_retention_days=1)
    await probe_pool.execute("truncate housekeeping_runs")
    assert await housekeeping.purge_round(probe_pool, "probe", "r1", one_day)
    assert await probe_pool.fetchval("select count(*) from inbox") == 2


async def test_one_replica_purges_per_round(probe_pool: asyncpg.Pool) -> None:
    await probe_pool.execute("truncate housekeeping_runs")
    s = HousekeepingSettings(purge_interval_seconds=3600)
    assert await housekeeping.purge_round(probe_pool, "probe", "replica-1", s)
    assert not await housekeeping.purge_round(probe_pool, "probe", "replica-2", s)
    assert not await housekeeping.purge_round(probe_pool, "probe", "replica-1", s)
    await probe_pool.execute("update housekeeping_runs set started_at = now() - interval '1 hour'")
    assert await housekeeping.purge_round(probe_pool, "probe", "replica-2", s)


async def test_the_backlog_counts_unpublished_rows_and_the_oldest_ones_age(
    probe_pool: asyncpg.Pool,
) -> None:
    assert await backlog(probe_pool) == Backlog(rows=0, oldest_seconds=0.0)
    await commit_probes(probe_pool, ["k"], per_key=4)
    await probe_pool.execute(
        "update outbox set created_at = now() - interval '90 seconds' where id = (select min(id) from outbox)"
    )
    await probe_pool.execute(
        "update outbox set published_at = now() where id = (select max(id) from outbox)"
    )
    current = await backlog(probe_pool)
    assert current.rows == 3
    assert 90 <= current.oldest_seconds < 120


class RecordingLogger:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def warning(self, event: str, **fields: Any) -> None:
        self.events.append({"log_level": "warning", "event": event, **fields})

    def info(self, event: str, **fields: Any) -> None:
        self.events.append({"log_level": "info", "event": event, **fields})


def test_a_backlog_over_its_bound_warns_once_per_crossing() -> None:
    logger = RecordingLogger()
    watch = BacklogWatch("probe", max_rows=5, max_seconds=60, logger=logger)
    for rows, age in [(3, 1), (6, 1), (7, 2), (9, 3), (2, 1), (1, 90), (1, 95), (0, 0)]:
        watch.observe(Backlog(rows=rows, oldest_seconds=age))
    warnings = [e for e in logger.events if e["log_level"] == "warning"]
    assert watch.crossings == 2
    assert [(w["backlog_rows"], w["oldest_seconds"]) for w in warnings] == [(6, 1), (1, 90)]
    assert not watch.over
