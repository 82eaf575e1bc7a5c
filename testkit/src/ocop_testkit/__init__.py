"""pytest fixtures for tests against the real stack: Kafka and PostgreSQL from deploy/local.

The session starts the local stack (idempotent), creates a fresh test database, and gives
each test run its own topic prefix, so runs never see each other's messages. Tests run in
the ``test`` environment with the local stack's secrets (``OCOP_SECRETS_FILE``, by default
``$OCOP_STATE_DIR/secrets.env`` or ``.local/secrets.env``). The services' own code connects
to Kafka as the service's principal; the kit's helpers read as ``admin`` and publish as the
topic's owner, and the session grants the ACL table for its topic prefix
(``ocop_shared.kafka_acl``), taking it away at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from ocop_shared import kafka_acl
from ocop_shared.kafka import client_options
from ocop_shared.settings import CommonSettings

REPO = Path(__file__).resolve().parents[3]  # testkit/src/ocop_testkit
STACK = REPO / "deploy" / "local" / "stack.sh"
TEST_DATABASE = os.environ.get("OCOP_TEST_DATABASE", "ocop_test")
STATE = Path(os.environ.get("OCOP_STATE_DIR") or REPO / ".local")


def pytest_configure(config: pytest.Config) -> None:
    # Fail closed stays the default everywhere else: the tests say where they run.
    os.environ.setdefault("OCOP_ENV", "test")
    os.environ.setdefault("OCOP_SECRETS_FILE", str(STATE / "secrets.env"))


# Topic prefixes whose ACLs this session granted on the test stack's broker.
_granted: list[str] = []


def _admin_settings(prefix: str = "") -> CommonSettings:
    return CommonSettings(env="test", kafka_username=kafka_acl.ADMIN, topic_prefix=prefix)


def _run_apart(work: Callable[[], Any]) -> Any:
    """Runs a coroutine function to completion on a loop of its own thread (callers may be
    inside a running loop)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = asyncio.run(work())
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="ocop-testkit-acls")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def grant_prefix(prefix: str) -> None:
    """Grants the ACL table (``ocop_shared.kafka_acl``) for a topic prefix on the test
    stack's broker, so the services' principals can use that prefix's topics and groups;
    taken away when the session ends. Nothing to do on a broker without authentication."""
    admin = _admin_settings(prefix)
    if admin.kafka_security_protocol == "PLAINTEXT" or prefix in _granted:
        return
    _run_apart(lambda: kafka_acl.apply(admin, prefix))
    _granted.append(prefix)


def pytest_sessionfinish(session: pytest.Session) -> None:
    async def remove_all() -> None:
        while _granted:
            prefix = _granted.pop()
            with contextlib.suppress(Exception):
                await kafka_acl.remove(_admin_settings(prefix), prefix)

    _run_apart(remove_all)


def stack(*args: str) -> None:
    subprocess.run(["bash", str(STACK), *args], check=True)


# Every topic prefix this test session made: its topics are deleted when the session ends, so
# a long-lived local broker does not collect thousands of partitions run after run.
_PREFIXES: set[str] = set()


@pytest.fixture(scope="session")
def stack_settings() -> Iterator[CommonSettings]:
    if os.environ.get("OCOP_TEST_STACK", "start") == "start":
        stack("start")
    settings = CommonSettings(
        env="test",
        pg_database=TEST_DATABASE,
        topic_prefix=new_prefix(),
        kafka_username=kafka_acl.ADMIN,
    )
    yield settings
    if _PREFIXES:
        with contextlib.suppress(Exception):
            asyncio.run(_delete_topics(settings, sorted(_PREFIXES)))


async def _delete_topics(settings: CommonSettings, prefixes: list[str]) -> None:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(**kafka_options(settings))
    await admin.start()
    try:
        doomed = [t for t in await admin.list_topics() if t.startswith(tuple(prefixes))]
        if doomed:
            await admin.delete_topics(doomed)
    finally:
        await admin.close()


def kafka_options(kafka: CommonSettings | str, user: str = kafka_acl.ADMIN) -> dict[str, Any]:
    """aiokafka's connection arguments for the test stack's broker (or settings) as ``user``
    (by default the admin, a super user)."""
    settings = kafka if isinstance(kafka, CommonSettings) else CommonSettings(
        env="test", kafka_bootstrap=kafka
    )  # fmt: skip
    return client_options(settings.kafka_as(user))


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
    """A fresh topic prefix: its ACLs granted (``grant_prefix``), its topics deleted and its
    ACLs taken away when the session ends."""
    prefix = f"t{uuid.uuid4().hex[:10]}."
    _PREFIXES.add(prefix)
    grant_prefix(prefix)
    return prefix


async def read_topic(
    bootstrap: str | CommonSettings,
    topic: str,
    *,
    until: Callable[[list[Any]], bool],
    timeout: float = 60.0,
) -> list[Any]:
    """Reads a topic from the beginning (no group, as the admin) until ``until(records)`` or
    the timeout."""
    consumer = AIOKafkaConsumer(
        **kafka_options(bootstrap), enable_auto_commit=False, auto_offset_reset="earliest"
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
    settings: CommonSettings, events: list[Any], *, producer_name: str | None = None
) -> None:
    """Publishes events as their producing service's relay would: envelope, topic, key, and
    the owner's Kafka principal (``producer_name`` names another producer in the envelope)."""
    from aiokafka import AIOKafkaProducer

    from ocop_shared.events import encode_event

    owners = list(dict.fromkeys(e.topic.producer for e in events))
    for owner in owners:
        producer = AIOKafkaProducer(
            **kafka_options(settings, owner), enable_idempotence=True, linger_ms=5
        )
        await producer.start()
        try:
            futures = []
            for event in events:
                if event.topic.producer != owner:
                    continue
                _, raw = encode_event(event, producer=producer_name or owner, correlation_id="test")
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
