"""The broker authenticates every client (SASL/SCRAM-SHA-512) and authorizes it by the ACL
table (``ocop_shared.kafka_acl``); consumers check the envelope's producer against the
topic's owner as a second line. Against the real broker of the local stack.

The forged event is the one that mattered most: a ``credential_issued`` with any subject,
which booths and sales would install as a working login."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    TopicAuthorizationFailedError,
)

from ocop_shared import kafka_acl
from ocop_shared.contracts.identity import CredentialIssued
from ocop_shared.events import encode_event
from ocop_shared.inbox import Delivery, InboxConsumer
from ocop_shared.kafka import client_options, ensure_topics, kafka_broker
from ocop_shared.settings import CommonSettings
from ocop_shared.topics import REGISTRATION_CREDENTIALS, SALES_SALES
from ocop_testkit import new_prefix, read_topic, wait_for


@pytest.fixture(scope="module")
def secured(stack_settings: CommonSettings) -> CommonSettings:
    assert stack_settings.kafka_security_protocol != "PLAINTEXT", (
        "the test stack's broker does not authenticate clients: it predates SASL; restart it "
        "(deploy/local/stack.sh stop kafka && deploy/local/stack.sh start kafka)"
    )
    return stack_settings


@pytest.fixture
async def prefix(secured: CommonSettings) -> str:
    """A topic prefix of the test's own (its ACLs granted), so that the forged records meet
    no other test's consumers."""
    p = new_prefix()
    await ensure_topics(secured, p, [REGISTRATION_CREDENTIALS, SALES_SALES])
    return p


def credential(subject: str) -> CredentialIssued:
    return CredentialIssued(
        credential_id=uuid.uuid4(),
        kind="api_key",
        role="organizer",
        subject=subject,
        user_id=None,
        org_role="owner",
        token_sha256=uuid.uuid4().hex + uuid.uuid4().hex,
        expires_at=datetime.now(UTC) + timedelta(days=1),
    )


async def produce_as(
    settings: CommonSettings, user: str, topic: str, event: CredentialIssued, *, producer: str
) -> None:
    """One record, sent with ``user``'s credentials, its envelope naming ``producer``."""
    _, raw = encode_event(event, producer=producer, correlation_id="forgery")
    client = AIOKafkaProducer(
        **client_options(settings.kafka_as(user)),
        enable_idempotence=True,
        request_timeout_ms=10_000,
    )
    await client.start()
    try:
        await client.send_and_wait(topic, raw, key=event.partition_key().encode())
    finally:
        await client.stop()


class Recorder:
    """An inbox consumer of registration.credentials, as booths (its principal and a group of
    its own), that records what reached its handler."""

    def __init__(self, pool: asyncpg.Pool, settings: CommonSettings, prefix: str) -> None:
        self.name = f"booths.acl-{uuid.uuid4().hex[:8]}"
        self.handled: dict[uuid.UUID, str] = {}
        self.consumer = InboxConsumer(pool, self.name, {CredentialIssued: self.record})
        self.broker = kafka_broker(settings.kafka_as("booths"), logger=None)
        self.consumer.subscribe(self.broker, [REGISTRATION_CREDENTIALS], prefix=prefix)

    async def record(self, _conn: Any, event: CredentialIssued, delivery: Delivery) -> None:
        self.handled[delivery.envelope.event_id] = event.subject

    async def __aenter__(self) -> Recorder:
        await self.broker.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.broker.stop()


async def test_a_service_cannot_write_a_topic_it_does_not_own(
    secured: CommonSettings, prefix: str
) -> None:
    topic = REGISTRATION_CREDENTIALS.physical(prefix)
    for intruder in ("sales", "booths"):
        with pytest.raises(TopicAuthorizationFailedError):
            await produce_as(
                secured, intruder, topic, credential("org-victim"), producer="registration"
            )
    # Its own topic it may write; the owner writes its own.
    await produce_as(
        secured,
        "sales",
        SALES_SALES.physical(prefix),
        credential("x"),
        producer="sales",
    )
    await produce_as(
        secured, "registration", topic, credential("org-legit"), producer="registration"
    )


async def test_a_record_from_a_principal_without_write_never_reaches_a_consumer(
    secured: CommonSettings, prefix: str, probe_pool: asyncpg.Pool
) -> None:
    topic = REGISTRATION_CREDENTIALS.physical(prefix)
    forged = credential("org-victim")
    with pytest.raises(TopicAuthorizationFailedError):
        await produce_as(secured, "sales", topic, forged, producer="registration")
    marker = credential("org-marker")
    await produce_as(secured, "registration", topic, marker, producer="registration")
    async with Recorder(probe_pool, secured, prefix) as recorder:
        await wait_for(lambda: "org-marker" in recorder.handled.values(), timeout=60)
    assert "org-victim" not in recorder.handled.values()
    # Not in the topic at all: the broker refused it.
    records = await read_topic(secured, topic, until=lambda rs: len(rs) >= 1, timeout=5)
    assert [r for r in records if b"org-victim" in r.value] == []
    assert await probe_pool.fetchval("select count(*) from dead_letters") == 0


async def test_an_event_whose_producer_does_not_own_its_topic_is_dead_lettered(
    secured: CommonSettings, prefix: str, probe_pool: asyncpg.Pool
) -> None:
    """Were the ACLs ever wrong (here: the admin, who may write anything), a record whose
    envelope names another producer still never reaches the handler."""
    topic = REGISTRATION_CREDENTIALS.physical(prefix)
    forged = credential("org-victim")
    marker = credential("org-victim")  # same key, so it comes after the forged one
    await produce_as(secured, kafka_acl.ADMIN, topic, forged, producer="sales")
    await produce_as(secured, kafka_acl.ADMIN, topic, marker, producer="registration")
    async with Recorder(probe_pool, secured, prefix) as recorder:
        await wait_for(lambda: len(recorder.handled) >= 1, timeout=60)
        letter = await wait_for(
            lambda: probe_pool.fetchrow(
                "select reason, value from dead_letters where consumer = $1", recorder.name
            ),
            timeout=30,
        )
    assert list(recorder.handled.values()) == ["org-victim"]
    assert "producer 'sales' does not own topic" in letter["reason"]
    assert b'"producer":"sales"' in letter["value"].replace(b" ", b"")


async def test_every_client_must_authenticate(secured: CommonSettings, prefix: str) -> None:
    topic = REGISTRATION_CREDENTIALS.physical(prefix)
    anonymous = AIOKafkaConsumer(
        topic, bootstrap_servers=secured.kafka_bootstrap, request_timeout_ms=5000
    )
    # A client without SASL is disconnected (a SASL listener takes nothing else first).
    with pytest.raises(KafkaConnectionError):
        await asyncio.wait_for(anonymous.start(), timeout=15)
    await anonymous.stop()
    wrong = secured.kafka_as("registration").model_copy(
        update={"kafka_password": secured.kafka_as("sales").kafka_password}
    )
    impostor = AIOKafkaProducer(**client_options(wrong))
    # aiokafka logs the broker's SaslAuthenticationFailed and cannot bootstrap.
    with pytest.raises(KafkaConnectionError):
        await impostor.start()
    await impostor.stop()


async def test_a_service_reads_only_with_its_own_groups(
    secured: CommonSettings, prefix: str
) -> None:
    topic = REGISTRATION_CREDENTIALS.physical(prefix)
    # sales consumes registration.credentials, but not under booths' group names.
    consumer = AIOKafkaConsumer(
        topic,
        **client_options(secured.kafka_as("sales")),
        group_id=f"{prefix}booths.credentials",
        auto_offset_reset="earliest",
    )
    try:
        with pytest.raises(GroupAuthorizationFailedError):
            await consumer.start()
            await asyncio.wait_for(consumer.getone(), timeout=15)
    finally:
        await consumer.stop()
