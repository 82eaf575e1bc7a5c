from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest

from ocop_shared.contracts.platform import ProbeHappened
from ocop_shared.db import create_pool
from ocop_shared.inbox import Delivery, InboxConsumer
from ocop_shared.kafka import ensure_topics, kafka_broker
from ocop_shared.migrations import ServiceSchema, migrate
from ocop_shared.settings import CommonSettings, ServiceSettings
from ocop_shared.topics import PLATFORM_PROBES
from ocop_testkit import new_prefix, wait_for

PROBE = ServiceSchema("probe", "probe-dev-password", Path(__file__).parent / "probe_migrations")


@pytest.fixture(scope="session")
async def probe_schema(stack_settings: CommonSettings, test_database: str) -> ServiceSettings:
    await migrate(stack_settings.admin_dsn(test_database), PROBE)
    return ServiceSettings(
        service="probe",
        env="test",
        pg_database=test_database,
        db_password=PROBE.password,
        kafka_username="admin",  # the probes' topic is the foundation's: the admin writes it
    )


@pytest.fixture
async def probe_pool(probe_schema: ServiceSettings) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(probe_schema.dsn(), min_size=2, max_size=12)
    await pool.execute("truncate outbox, inbox, dead_letters, probe_effects")
    yield pool
    await pool.close()


@pytest.fixture
async def prefix(stack_settings: CommonSettings) -> str:
    p = new_prefix()
    await ensure_topics(stack_settings, p, [PLATFORM_PROBES])
    return p


ConsumeProbes = Callable[[str, int], Awaitable[None]]


async def record_probe(conn: asyncpg.Connection, event: ProbeHappened, delivery: Delivery) -> None:
    if event.key == "explode":
        raise ValueError("this probe can never be handled")
    await conn.execute(
        "insert into probe_effects (event_id, key, seq) values ($1, $2, $3)",
        delivery.envelope.event_id,
        event.key,
        event.seq,
    )


@pytest.fixture
def probe_consumer(probe_pool: asyncpg.Pool) -> InboxConsumer:
    return InboxConsumer(probe_pool, "probe-effects", {ProbeHappened: record_probe})


@pytest.fixture
def consume_probes(probe_pool: asyncpg.Pool, stack_settings: CommonSettings) -> ConsumeProbes:
    """Runs an inbox consumer over the probes topic until ``expected`` distinct effects exist."""

    async def run(prefix: str, expected: int) -> None:
        broker = kafka_broker(stack_settings, logger=None)
        InboxConsumer(probe_pool, "probe-effects", {ProbeHappened: record_probe}).subscribe(
            broker, [PLATFORM_PROBES], prefix=prefix
        )
        await broker.start()
        try:
            await wait_for(
                lambda: probe_pool.fetchval(
                    "select count(distinct event_id) >= $1 from probe_effects", expected
                ),
                timeout=120,
            )
        finally:
            await broker.stop()

    return run
