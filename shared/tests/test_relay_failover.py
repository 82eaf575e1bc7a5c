"""Relay leadership is a lease: when the leader dies, or its database connection hangs, another
relay takes over within 15 s and every event still arrives, in order per key.

Both failover tests run with the production lease settings (``RelaySettings()``), so the
15 s they check is the deployed bound, not a test's."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import orjson
import pytest

from ocop_shared.contracts.platform import ProbeHappened
from ocop_shared.outbox import Causation, OutboxRelay, RelaySettings, append
from ocop_shared.settings import CommonSettings, ServiceSettings
from ocop_shared.topics import PLATFORM_PROBES
from ocop_testkit import read_topic, wait_for

CAUSE = Causation(correlation_id="failover-test")
KEYS = [f"fair-{i}" for i in range(10)]
TAKEOVER_BOUND = 15.0
FAST = RelaySettings(
    lease_seconds=3.0, renew_seconds=0.5, standby_poll_seconds=0.2, command_timeout_seconds=1.5
)


class FreezableProxy:
    """A TCP proxy to Postgres that can freeze: it stops forwarding in both directions but
    keeps every socket open, as a hung network path or a stalled peer would."""

    def __init__(self, host: str, port: int) -> None:
        self._upstream = (host, port)
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._writers: list[asyncio.StreamWriter] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    def freeze(self) -> None:
        self._flowing.clear()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in self._writers:
            writer.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        self._writers.append(client_w)
        await self._flowing.wait()  # a frozen proxy accepts, and then says nothing
        up_r, up_w = await asyncio.open_connection(*self._upstream)
        self._writers.append(up_w)
        for src, dst in ((client_r, up_w), (up_r, client_w)):
            task = asyncio.create_task(self._pump(src, dst))
            self._tasks.add(task)

    async def _pump(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await src.read(65536):
                await self._flowing.wait()
                dst.write(data)
                await dst.drain()
        dst.close()


@pytest.fixture
async def lease_free(probe_pool: asyncpg.Pool) -> AsyncIterator[None]:
    """No lease left over from an earlier test's relay."""
    free = "update outbox_relay_state set holder = null, expires_at = null, waiting = false"
    await probe_pool.execute(free)
    yield
    await probe_pool.execute(free)


async def commit_round(pool: asyncpg.Pool, seq: int) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await append(
            conn, [ProbeHappened(key=k, seq=seq) for k in KEYS], producer="platform", cause=CAUSE
        )


class Writer:
    """Commits one event per key, round after round, while the relays fail over."""

    def __init__(self, pool: asyncpg.Pool, first_seq: int) -> None:
        self.pool = pool
        self.seq = first_seq
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while not self._stop.is_set():
            await commit_round(self.pool, self.seq)
            self.seq += 1
            await asyncio.sleep(0.02)  # pacing: a steady load, not a synchronisation

    async def stop(self) -> int:
        self._stop.set()
        assert self._task is not None
        await self._task
        return self.seq


async def all_published(pool: asyncpg.Pool) -> bool:
    return bool(await pool.fetchval("select count(*) = 0 from outbox where published_at is null"))


async def assert_every_event_arrived_in_key_order(
    pool: asyncpg.Pool, settings: CommonSettings, prefix: str, rounds: int
) -> list[Any]:
    total = rounds * len(KEYS)
    assert await pool.fetchval("select count(*) from outbox") == total
    records = await read_topic(
        settings.kafka_bootstrap,
        PLATFORM_PROBES.physical(prefix),
        until=lambda r: len({dict(x.headers)["event_id"] for x in r}) >= total,
    )
    first_seen: dict[str, list[int]] = defaultdict(list)
    ids: set[str] = set()
    for record in records:
        body = orjson.loads(record.value)
        if body["event_id"] in ids:
            continue  # a repeat from the crash window: the consumers' inbox absorbs it
        ids.add(body["event_id"])
        first_seen[body["key"]].append(body["payload"]["seq"])
    assert len(ids) == total, f"{total - len(ids)} events never reached the topic"
    for key in KEYS:
        assert first_seen[key] == list(range(rounds)), f"{key}: events skipped or out of order"
    return records


async def test_a_leader_whose_connection_hangs_is_replaced_within_15_s_and_nothing_is_lost(
    probe_pool: asyncpg.Pool,
    probe_schema: ServiceSettings,
    stack_settings: CommonSettings,
    prefix: str,
    lease_free: None,
) -> None:
    proxy = FreezableProxy(probe_schema.pg_host, probe_schema.pg_port)
    port = await proxy.start()
    through_proxy = probe_schema.model_copy(update={"pg_port": port}).dsn()
    hung = OutboxRelay(
        through_proxy,
        schema="probe",
        kafka=stack_settings,
        topic_prefix=prefix,
        settings=RelaySettings(),
        holder="hung",
    )
    healthy = OutboxRelay(
        probe_schema.dsn(),
        schema="probe",
        kafka=stack_settings,
        topic_prefix=prefix,
        settings=RelaySettings(),
        holder="healthy",
    )
    stop = asyncio.Event()
    tasks = [asyncio.create_task(hung.run(stop))]
    writer = Writer(probe_pool, first_seq=0)
    try:
        await wait_for(lambda: hung.is_leader)
        tasks.append(asyncio.create_task(healthy.run(stop)))
        writer.start()
        await wait_for(lambda: hung.published >= 5 * len(KEYS))

        proxy.freeze()
        frozen_at = time.monotonic()
        await wait_for(lambda: healthy.is_leader, timeout=TAKEOVER_BOUND)
        took_over_in = time.monotonic() - frozen_at
        assert healthy.leader_since is not None
        # The hung leader stopped before the other started: no two relays sent at once.
        assert not hung.is_leader
        assert hung.last_send_at is not None and hung.last_send_at < healthy.leader_since

        published = healthy.published
        await wait_for(lambda: healthy.published >= published + 5 * len(KEYS))
        rounds = await writer.stop()
        await wait_for(lambda: all_published(probe_pool))
    finally:
        if not writer._stop.is_set() and writer._task is not None:
            await writer.stop()
        stop.set()
        await proxy.close()
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=30)
    print(f"hung connection: the other relay led {took_over_in:.1f} s after the freeze")
    assert took_over_in < TAKEOVER_BOUND
    await assert_every_event_arrived_in_key_order(probe_pool, stack_settings, prefix, rounds)


def relay_process(probe_schema: ServiceSettings, prefix: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "OCOP_ENV": "test",
        "OCOP_PG_DATABASE": probe_schema.pg_database,
        "OCOP_DB_PASSWORD": "probe-dev-password",
        "OCOP_KAFKA_USERNAME": "admin",
        "OCOP_TOPIC_PREFIX": prefix,
        "OCOP_LOG_LEVEL": "WARNING",
    }
    env = {k: v for k, v in env.items() if not k.startswith("OCOP_RELAY_")}  # the defaults
    return subprocess.Popen([sys.executable, "-m", "ocop_shared.relay_main", "probe"], env=env)


async def lease_holder_pid(pool: asyncpg.Pool) -> int | None:
    holder = await pool.fetchval(
        "select holder from outbox_relay_state where expires_at > now() and holder is not null"
    )
    return int(holder.split(":")[1]) if holder else None


async def test_a_leader_killed_with_sigkill_is_replaced_within_15_s_and_nothing_is_lost(
    probe_pool: asyncpg.Pool,
    probe_schema: ServiceSettings,
    stack_settings: CommonSettings,
    prefix: str,
    lease_free: None,
    consume_probes: Any,
) -> None:
    relays = [relay_process(probe_schema, prefix), relay_process(probe_schema, prefix)]
    writer = Writer(probe_pool, first_seq=0)
    writer.start()
    try:
        leader_pid = await wait_for(lambda: lease_holder_pid(probe_pool))
        [leader] = [p for p in relays if p.pid == leader_pid]
        [standby] = [p for p in relays if p.pid != leader_pid]
        await wait_for(
            lambda: probe_pool.fetchval(
                "select count(*) >= 100 from outbox where published_at is not null"
            )
        )
        leader.send_signal(signal.SIGKILL)
        leader.wait()
        killed_at = time.monotonic()
        await wait_for(lambda: _led_by(probe_pool, standby.pid), timeout=TAKEOVER_BOUND)
        took_over_in = time.monotonic() - killed_at
        # The new leader publishes what the writer keeps committing.
        before = await probe_pool.fetchval("select max(id) from outbox")
        await wait_for(
            lambda: probe_pool.fetchval(
                "select count(*) = 0 from outbox where published_at is null and id <= $1", before
            )
        )
        rounds = await writer.stop()
        await wait_for(lambda: all_published(probe_pool))
        assert standby.poll() is None
    finally:
        if writer._task is not None and not writer._task.done():
            await writer.stop()
        for p in relays:
            if p.poll() is None:
                p.terminate()
                p.wait(timeout=30)
    print(f"SIGKILL: the standby led {took_over_in:.1f} s after the leader died")
    assert took_over_in < TAKEOVER_BOUND
    await assert_every_event_arrived_in_key_order(probe_pool, stack_settings, prefix, rounds)
    # Fed through the inbox, the repeats of the crash window have no second effect.
    total = rounds * len(KEYS)
    await consume_probes(prefix, total)
    assert await probe_pool.fetchval("select count(*) from probe_effects") == total


async def _led_by(pool: asyncpg.Pool, pid: int) -> bool:
    return await lease_holder_pid(pool) == pid


async def test_a_relay_whose_lease_was_taken_marks_nothing_and_stops_publishing(
    probe_pool: asyncpg.Pool,
    probe_schema: ServiceSettings,
    stack_settings: CommonSettings,
    prefix: str,
    lease_free: None,
) -> None:
    relay = OutboxRelay(
        probe_schema.dsn(),
        schema="probe",
        kafka=stack_settings,
        topic_prefix=prefix,
        settings=FAST,
        holder="fenced",
    )
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        await wait_for(lambda: relay.is_leader)
        # Another holder takes the lease (as after a pause longer than the lease).
        await probe_pool.execute(
            """update outbox_relay_state set holder = 'intruder', epoch = epoch + 1,
                      expires_at = now() + interval '1 hour'"""
        )
        await commit_round(probe_pool, 0)
        await wait_for(lambda: not relay.is_leader, timeout=FAST.lease_seconds + 1)
        assert (
            await probe_pool.fetchval("select count(*) from outbox where published_at is not null")
            == 0
        ), "a relay without the lease marked events as published"
        assert await probe_pool.fetchval("select holder from outbox_relay_state") == "intruder"
        # The intruder's lease ends: the relay takes it again and publishes everything.
        await probe_pool.execute("update outbox_relay_state set expires_at = now()")
        await wait_for(lambda: all_published(probe_pool))
        assert relay.is_leader
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)
    await assert_every_event_arrived_in_key_order(probe_pool, stack_settings, prefix, 1)


async def test_a_relay_stopped_cleanly_hands_over_at_once(
    probe_pool: asyncpg.Pool,
    probe_schema: ServiceSettings,
    stack_settings: CommonSettings,
    prefix: str,
    lease_free: None,
) -> None:
    def relay(holder: str) -> OutboxRelay:
        return OutboxRelay(
            probe_schema.dsn(),
            schema="probe",
            kafka=stack_settings,
            topic_prefix=prefix,
            settings=RelaySettings(),  # an 8 s lease: handing over must not wait for it
            holder=holder,
        )

    first, second = relay("first"), relay("second")
    stop_first, stop_second = asyncio.Event(), asyncio.Event()
    task_first = asyncio.create_task(first.run(stop_first))
    await wait_for(lambda: first.is_leader)
    task_second = asyncio.create_task(second.run(stop_second))
    try:
        stop_first.set()
        await asyncio.wait_for(task_first, timeout=30)
        # Released: free, or already taken by the standby (it may look in between).
        holder = await probe_pool.fetchval("select holder from outbox_relay_state")
        assert holder in (None, "second")
        await wait_for(lambda: second.is_leader, timeout=RelaySettings().lease_seconds / 2)
    finally:
        stop_first.set()
        stop_second.set()
        await asyncio.wait_for(asyncio.gather(task_first, task_second), timeout=30)
