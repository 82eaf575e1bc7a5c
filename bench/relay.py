"""Outbox relay throughput (commit to topic) beside raw aiokafka and raw asyncpg, same run.

1. raw asyncpg: the same outbox INSERTs, one event per transaction, 8 connections;
2. raw produce: an idempotent aiokafka producer (acks=all) sending the same encoded events;
3. relay: events already committed to the outbox, then the relay publishes them all; the
   clock runs from the relay's start to the last row marked published.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import asyncpg

from bench.common import save
from ocop_shared.contracts.platform import ProbeHappened
from ocop_shared.db import create_pool
from ocop_shared.events import encode_event
from ocop_shared.kafka import ensure_topics, reliable_producer
from ocop_shared.migrations import ServiceSchema, ensure_database, migrate
from ocop_shared.outbox import Causation, OutboxRelay, append
from ocop_shared.settings import CommonSettings, ServiceSettings
from ocop_shared.topics import PLATFORM_PROBES
from ocop_testkit import new_prefix

N_EVENTS = 50_000
N_KEYS = 200
DATABASE = "ocop_bench"
CAUSE = Causation(correlation_id="bench")


async def raw_asyncpg_inserts(pool: asyncpg.Pool, n: int, connections: int = 8) -> float:
    events = [ProbeHappened(key=f"k{i % N_KEYS}", seq=i) for i in range(n)]

    async def worker(part: list[ProbeHappened]) -> None:
        async with pool.acquire() as conn:
            for event in part:
                async with conn.transaction():
                    await append(conn, [event], producer="platform", cause=CAUSE)

    start = time.perf_counter()
    await asyncio.gather(*(worker(events[i::connections]) for i in range(connections)))
    return n / (time.perf_counter() - start)


async def raw_produce(kafka: CommonSettings, topic: str, n: int) -> float:
    values = [
        (
            f"k{i % N_KEYS}".encode(),
            encode_event(
                ProbeHappened(key=f"k{i % N_KEYS}", seq=i), producer="platform", correlation_id="b"
            )[1],
        )
        for i in range(n)
    ]
    producer = reliable_producer(kafka, "bench-raw")
    await producer.start()
    try:
        start = time.perf_counter()
        futures = [await producer.send(topic, value=v, key=k) for k, v in values]
        await asyncio.gather(*futures)
        return n / (time.perf_counter() - start)
    finally:
        await producer.stop()


async def relay_throughput(
    pool: asyncpg.Pool, dsn: str, kafka: CommonSettings, prefix: str, n: int
) -> float:
    await pool.execute("truncate outbox")
    events = [ProbeHappened(key=f"k{i % N_KEYS}", seq=i) for i in range(n)]
    async with pool.acquire() as conn:
        for i in range(0, n, 1000):
            async with conn.transaction():
                await append(conn, events[i : i + 1000], producer="platform", cause=CAUSE)
    relay = OutboxRelay(dsn, schema="probe", kafka=kafka, topic_prefix=prefix)
    stop = asyncio.Event()
    start = time.perf_counter()
    task = asyncio.create_task(relay.run(stop))
    while relay.published < n:
        await asyncio.sleep(0.01)
    elapsed = time.perf_counter() - start
    stop.set()
    await task
    return n / elapsed


async def main() -> None:
    # The probes' topic is the foundation's: the benchmark writes it as the admin.
    common = CommonSettings(pg_database=DATABASE, kafka_username="admin")
    await ensure_database(common.admin_dsn("postgres"), DATABASE)
    schema = ServiceSchema(
        "probe", "probe-dev-password", Path(__file__).parents[1] / "shared/tests/probe_migrations"
    )
    await migrate(common.admin_dsn(), schema)
    settings = ServiceSettings(service="probe", pg_database=DATABASE, db_password=schema.password)
    pool = await create_pool(settings.dsn(), min_size=8, max_size=10)
    prefix = new_prefix()
    await ensure_topics(common, prefix, [PLATFORM_PROBES])
    topic = PLATFORM_PROBES.physical(prefix)
    try:
        await pool.execute("truncate outbox")
        insert_rate = await raw_asyncpg_inserts(pool, 10_000)
        produce_rate = await raw_produce(common, topic, N_EVENTS)
        relay_rate = await relay_throughput(pool, settings.dsn(), common, prefix, N_EVENTS)
    finally:
        await pool.execute("truncate outbox")
        await pool.close()
    save(
        "relay",
        {
            "events": N_EVENTS,
            "keys": N_KEYS,
            "raw_asyncpg_insert_tx_per_s_8_conns": round(insert_rate),
            "raw_aiokafka_idempotent_produce_per_s": round(produce_rate),
            "relay_commit_to_topic_per_s": round(relay_rate),
            "relay_over_raw_produce": round(relay_rate / produce_rate, 3),
            "relay_over_raw_insert": round(relay_rate / insert_rate, 3),
            "goal": "relay >= 0.5 x raw produce",
            "goal_met": relay_rate >= 0.5 * produce_rate,
        },
    )
