"""pytest fixtures for tests against the real stack: Kafka and PostgreSQL from deploy/local.

The session starts the local stack (idempotent), creates a fresh test database, and gives
each test run its own topic prefix, so runs never see each other's messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from ocop_shared.settings import CommonSettings

REPO = Path(__file__).resolve().parents[3]  # testkit/src/ocop_testkit
STACK = REPO / "deploy" / "local" / "stack.sh"
TEST_DATABASE = os.environ.get("OCOP_TEST_DATABASE", "ocop_test")


def stack(*args: str) -> None:
    subprocess.run(["bash", str(STACK), *args], check=True)


# Every topic prefix this test session made: its topics are deleted when the session ends, so
# a long-lived local broker does not collect thousands of partitions run after run.
_PREFIXES: set[str] = set()


@pytest.fixture(scope="session")
def stack_settings() -> Iterator[CommonSettings]:
    if os.environ.get("OCOP_TEST_STACK", "start") == "start":
        stack("start")
    settings = CommonSettings(env="test", pg_database=TEST_DATABASE, topic_prefix=new_prefix())
    yield settings
    if _PREFIXES:
        with contextlib.suppress(Exception):
            asyncio.run(_delete_topics(settings, sorted(_PREFIXES)))


async def _delete_topics(settings: CommonSettings, prefixes: list[str]) -> None:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    try:
        doomed = [t for t in await admin.list_topics() if t.startswith(tuple(prefixes))]
        if doomed:
            await admin.delete_topics(doomed)
    finally:
        await admin.close()


@pytest.fixture(scope="session")
async def test_database(stack_settings: CommonSettings) -> str:
    conn = await asyncpg.connect(stack_settings.admin_dsn("postgres"))
    try:
        await conn.execute(f'drop database if exists "{TEST_DATABASE}" with (force)')
        await conn.execute(f'create database "{TEST_DATABASE}"')
    finally:
        await conn.close()
    return TEST_DATABASE


def new_prefix() -> str:
    prefix = f"t{uuid.uuid4().hex[:10]}."
    _PREFIXES.add(prefix)
    return prefix


async def read_topic(
    bootstrap: str,
    topic: str,
    *,
    until: Callable[[list[Any]], bool],
    timeout: float = 60.0,
) -> list[Any]:
    """Reads a topic from the beginning (no group) until ``until(records)`` or the timeout."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    records: list[Any] = []
    try:
        partitions = await _partitions(consumer, topic)
        consumer.assign([TopicPartition(topic, p) for p in partitions])
        await consumer.seek_to_beginning()
        deadline = asyncio.get_running_loop().time() + timeout
        while not until(records):
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            batch = await consumer.getmany(
                timeout_ms=int(min(remaining, 0.5) * 1000), max_records=5000
            )
            for recs in batch.values():
                records.extend(recs)
    finally:
        await consumer.stop()
    return records


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[int]:
    for _ in range(100):
        parts = consumer.partitions_for_topic(topic)
        if parts:
            return sorted(parts)
        await consumer._client.force_metadata_update()
        await asyncio.sleep(0.1)
    raise AssertionError(f"topic {topic} does not exist")


async def wait_for(
    check: Callable[[], Any], *, timeout: float = 30.0, interval: float = 0.1
) -> Any:
    """Polls an async or sync check until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(interval)


@pytest.fixture
async def admin_conn(
    stack_settings: CommonSettings, test_database: str
) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(stack_settings.admin_dsn(test_database))
    yield conn
    await conn.close()


def valid_tax_code() -> str:
    """A random 10-digit tax code with a correct check digit."""
    import random

    from stdnum.vn import mst

    while True:
        base = f"{random.randint(1, 99):02d}{random.randint(0, 9999999):07d}"
        try:
            code = base + mst.calc_check_digit(base)
        except Exception:
            continue
        if mst.is_valid(code):
            return code


def valid_gtin(prefix: str = "893") -> str:
    import random

    from stdnum import ean

    body = prefix + "".join(random.choice("0123456789") for _ in range(12 - len(prefix)))
    return body + ean.calc_check_digit(body)


@contextlib.asynccontextmanager
async def running_app(app: Any) -> AsyncIterator[Any]:
    """Runs a service's FastAPI app in-process, lifespan included, behind an httpx client."""
    import httpx

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def publish_events(
    settings: CommonSettings, events: list[Any], *, producer_name: str = "test"
) -> None:
    """Publishes events as their producing service's relay would: envelope, topic, key."""
    from aiokafka import AIOKafkaProducer

    from ocop_shared.events import encode_event

    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap, enable_idempotence=True, linger_ms=5
    )
    await producer.start()
    try:
        futures = []
        for event in events:
            _, raw = encode_event(event, producer=producer_name, correlation_id="test")
            futures.append(
                await producer.send(
                    settings.topic_prefix + event.topic.name,
                    raw,
                    key=event.partition_key().encode(),
                )
            )
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


def certified_product(
    holder_id: uuid.UUID,
    name: str,
    price: int,
    *,
    star: int = 4,
    group: int = 1,
    gtin: str | None = None,
) -> Any:
    """A product snapshot with a valid certificate, as registration's events carry it."""
    from datetime import date

    from ocop_shared.contracts.registration import CertificateSnapshot, ProductSnapshot

    cert = CertificateSnapshot(
        certificate_id=uuid.uuid4(), number=f"C-{uuid.uuid4().hex[:8]}", star=star, issuing_level="province", issuing_body="UBND",
        decision_number="1/QĐ", decision_date=date(2025, 1, 1), valid_from=date(2025, 1, 1), valid_to=date(2027, 12, 31), status="valid",
    )  # fmt: skip
    return ProductSnapshot(
        product_id=uuid.uuid4(),
        holder_id=holder_id,
        name=name,
        group=group,
        taxonomy="2023",
        gtin=gtin,
        unit="gói",
        list_price_vnd=price,
        certificate=cert,
        ocop_until=cert.valid_to,
    )
