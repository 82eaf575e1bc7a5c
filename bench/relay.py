"""Outbox relay throughput (commit to topic) beside raw aiokafka and raw asyncpg, same run.

1. raw asyncpg: the same outbox INSERTs, one event per transaction, 8 connections;
2. raw produce: an idempotent aiokafka producer (acks=all) sending the same encoded events
   one ``send`` each (the goal's yardstick), and the same records (with the relay's headers)
   built into one batch per partition (``send_batch``, the relay's way: its ceiling);
3. relay: events already committed to the outbox, then the relay publishes them all; the
   clock runs from the relay's start to the last row marked published. Measured twice: the
   relay before issue 16 (``PerMessageRelay``: one batch at a time, one ``send`` per event)
   and the relay as it is (pipelined batches, record batches per partition).

The measurements alternate, ``--rounds`` times (3), and the JSON keeps the medians and each
round's figures: on a shared 2-core machine one round says little. The broker is a private
one (``bench.common.bench_kafka``; ``OCOP_BENCH_KAFKA=shared`` for the running stack's).
``--events N`` (50,000) per measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import murmur2

from bench.common import bench_kafka, save
from ocop_shared.contracts.platform import ProbeHappened
from ocop_shared.db import create_pool
from ocop_shared.events import encode_event
from ocop_shared.kafka import ensure_topics, reliable_producer
from ocop_shared.migrations import ServiceSchema, ensure_database, migrate
from ocop_shared.outbox import (
    _CLAIM,
    _MARK,
    Causation,
    LeaseLost,
    OutboxRelay,
    RelaySettings,
    append,
)
from ocop_shared.settings import CommonSettings, ServiceSettings
from ocop_shared.topics import PLATFORM_PROBES

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


@dataclass(frozen=True)
class Rate:
    per_second: float
    cpu_us_per_event: float  # this process's CPU time (the client's side of the work)


async def raw_produce(kafka: CommonSettings, topic: str, n: int) -> Rate:
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
        cpu = time.process_time()
        start = time.perf_counter()
        futures = [await producer.send(topic, value=v, key=k) for k, v in values]
        await asyncio.gather(*futures)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        return Rate(n / elapsed, cpu / n * 1e6)
    finally:
        await producer.stop()


async def raw_batched_produce(kafka: CommonSettings, topic: str, n: int) -> Rate:
    """The same records the relay produces (key, value, its four headers), built into one
    record batch per partition and handed over with ``send_batch``, as the relay does: the
    ceiling for the relay's way of producing."""
    events = [ProbeHappened(key=f"k{i % N_KEYS}", seq=i) for i in range(n)]
    records = []
    for event in events:
        envelope, value = encode_event(event, producer="platform", correlation_id="b")
        headers = [
            ("event_type", envelope.type.encode()),
            ("event_version", str(envelope.version).encode()),
            ("event_id", str(envelope.event_id).encode()),
            ("correlation_id", envelope.correlation_id.encode()),
        ]
        records.append((envelope.key.encode(), value, headers))
    producer = reliable_producer(kafka, "bench-raw-batched")
    await producer.start()
    try:
        cpu = time.process_time()
        start = time.perf_counter()
        partitions = sorted(await producer.partitions_for(topic))
        futures = []
        for at in range(0, n, 2000):
            batches: dict[int, Any] = {}
            for key, value, headers in records[at : at + 2000]:
                partition = partitions[(murmur2(key) & 0x7FFFFFFF) % len(partitions)]
                batch = batches.get(partition)
                if batch is None:
                    batch = batches[partition] = producer.create_batch()
                if batch.append(key=key, value=value, timestamp=None, headers=headers) is None:
                    batch.close()
                    futures.append(await producer.send_batch(batch, topic, partition=partition))
                    batch = batches[partition] = producer.create_batch()
                    batch.append(key=key, value=value, timestamp=None, headers=headers)
            for partition, batch in batches.items():
                batch.close()
                futures.append(await producer.send_batch(batch, topic, partition=partition))
        await asyncio.gather(*futures)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        return Rate(n / elapsed, cpu / n * 1e6)
    finally:
        await producer.stop()


async def relay_throughput(
    pool: asyncpg.Pool,
    dsn: str,
    kafka: CommonSettings,
    prefix: str,
    n: int,
    settings: RelaySettings | None = None,
    relay: type[OutboxRelay] = OutboxRelay,
) -> Rate:
    await pool.execute("truncate outbox")
    events = [ProbeHappened(key=f"k{i % N_KEYS}", seq=i) for i in range(n)]
    async with pool.acquire() as conn:
        for i in range(0, n, 1000):
            async with conn.transaction():
                await append(conn, events[i : i + 1000], producer="platform", cause=CAUSE)
    relay_ = relay(dsn, schema="probe", kafka=kafka, topic_prefix=prefix, settings=settings)
    stop = asyncio.Event()
    cpu = time.process_time()
    start = time.perf_counter()
    task = asyncio.create_task(relay_.run(stop))
    while relay_.published < n:
        await asyncio.sleep(0.01)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    stop.set()
    await task
    return Rate(n / elapsed, cpu / n * 1e6)


class PerMessageRelay(OutboxRelay):
    """The relay as it was before issue 16 (commit ff577fb): one batch at a time, each event
    handed to ``producer.send`` on its own, the next claim only after the batch was
    acknowledged and marked. Kept here to measure before and after in one run."""

    async def _publish_batch(
        self, conn: asyncpg.Connection, lock: asyncio.Lock, producer: AIOKafkaProducer
    ) -> int:
        self._wake.clear()
        rows = await self._db(lock, lambda: conn.fetch(_CLAIM, self.settings.batch_size))
        if not rows:
            return 0
        futures = []
        for r in rows:
            if not self.is_leader:
                raise LeaseLost("the lease ran out before it was renewed")
            headers = [
                ("event_type", r["event_type"].encode()),
                ("event_version", str(r["event_version"]).encode()),
                ("event_id", str(r["event_id"]).encode()),
                ("correlation_id", r["correlation_id"].encode()),
            ]
            futures.append(
                await producer.send(
                    self._prefix + r["topic"], value=r["value"], key=r["key"].encode(),
                    headers=headers,
                )
            )  # fmt: skip
            self.last_send_at = time.monotonic()
        await asyncio.gather(*futures)
        ids = [r["id"] for r in rows]
        status = await self._db(lock, lambda: conn.execute(_MARK, ids, self.holder, self.epoch))
        if int(status.split()[-1]) == 0:
            raise LeaseLost("fenced: another relay holds the lease")
        self.published += len(rows)
        return len(rows)


def _median(values: list[float]) -> float:
    return statistics.median(values)


async def main(argv: Sequence[str] = ()) -> None:
    parser = argparse.ArgumentParser(prog="bench relay", description=__doc__)
    parser.add_argument("--events", type=int, default=N_EVENTS)
    parser.add_argument("--rounds", type=int, default=3, help="each measurement, interleaved")
    args = parser.parse_args(list(argv))
    n = args.events
    common = CommonSettings(pg_database=DATABASE)
    await ensure_database(common.admin_dsn("postgres"), DATABASE)
    schema = ServiceSchema(
        "probe", "probe-dev-password", Path(__file__).parents[1] / "shared/tests/probe_migrations"
    )
    await migrate(common.admin_dsn(), schema)
    settings = ServiceSettings(service="probe", pg_database=DATABASE, db_password=schema.password)
    pool = await create_pool(settings.dsn(), min_size=8, max_size=10)
    prefix = f"b{uuid.uuid4().hex[:10]}."
    rounds: list[dict[str, Rate]] = []
    # The probes' topic is the foundation's: the benchmark writes it as the admin.
    async with bench_kafka(prefix) as kafka:
        await ensure_topics(kafka, prefix, [PLATFORM_PROBES])
        topic = PLATFORM_PROBES.physical(prefix)
        dsn = settings.dsn()
        try:
            await pool.execute("truncate outbox")
            insert_rate = await raw_asyncpg_inserts(pool, 10_000)
            for _ in range(args.rounds):
                rounds.append({
                    "raw_send": await raw_produce(kafka, topic, n),
                    "raw_batched": await raw_batched_produce(kafka, topic, n),
                    "relay_before": await relay_throughput(
                        pool, dsn, kafka, prefix, n, relay=PerMessageRelay
                    ),
                    "relay": await relay_throughput(pool, dsn, kafka, prefix, n),
                })  # fmt: skip
                print({k: round(v.per_second) for k, v in rounds[-1].items()}, flush=True)
        finally:
            await pool.execute("truncate outbox")
            await pool.close()

    def rate(name: str) -> float:
        return _median([r[name].per_second for r in rounds])

    def cpu(name: str) -> float:
        return round(_median([r[name].cpu_us_per_event for r in rounds]), 1)

    def ratio(name: str, over: str) -> float:
        # Per round (each pair measured minutes apart at most), then the median.
        return round(_median([r[name].per_second / r[over].per_second for r in rounds]), 3)

    relay_over_raw = ratio("relay", "raw_send")
    save(
        "relay",
        {
            "events": n,
            "keys": N_KEYS,
            "rounds": args.rounds,
            "broker": os.environ.get("OCOP_BENCH_KAFKA", "private"),
            "raw_asyncpg_insert_tx_per_s_8_conns": round(insert_rate),
            "raw_aiokafka_idempotent_produce_per_s": round(rate("raw_send")),
            "raw_aiokafka_batched_produce_per_s": round(rate("raw_batched")),
            "relay_before_per_message_per_s": round(rate("relay_before")),
            "relay_commit_to_topic_per_s": round(rate("relay")),
            "relay_before_over_raw_produce": ratio("relay_before", "raw_send"),
            "relay_over_raw_produce": relay_over_raw,
            "relay_over_raw_batched_produce": ratio("relay", "raw_batched"),
            "relay_over_relay_before": ratio("relay", "relay_before"),
            "relay_over_raw_insert": round(rate("relay") / insert_rate, 3),
            "client_cpu_us_per_event": {
                name: cpu(name) for name in ("raw_send", "raw_batched", "relay_before", "relay")
            },
            "per_round_per_s": [{k: round(v.per_second) for k, v in r.items()} for r in rounds],
            "goal": "relay >= 0.6 x raw produce (per-message idempotent send, acks=all)",
            "goal_met": relay_over_raw >= 0.6,
        },
    )
