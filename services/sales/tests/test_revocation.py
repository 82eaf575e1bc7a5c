"""A revoked credential is refused at sales at once, on every replica, even just after it was
accepted and cached: a session revoked by registration's ``CredentialsRevoked`` on the very
next request once sales has processed the event, and a till suspended or unpaired here on the
very next request to the replica that did it. Two replicas share the schema; the one that did
not consume the event (or take the suspension) learns of it through Postgres NOTIFY, which
empties its token cache as the notification lands: a few milliseconds, polled (never slept)
and bounded by the issue's 1 s, far below the cache's own 5 s."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from ocop_sales.app import SalesSettings, build
from ocop_shared.contracts.identity import CredentialsRevoked
from ocop_shared.events import Event, encode_event
from ocop_shared.service import Service
from ocop_shared.settings import CommonSettings
from ocop_testkit import kafka_options, running_app, wait_for

Upstream = Any
Replica = tuple[Service, httpx.AsyncClient]


@pytest.fixture
async def second_replica(sales_settings: SalesSettings) -> AsyncIterator[Replica]:
    """Another sales instance on the same schema that consumes nothing and relays nothing:
    all it knows of a revocation it did not make is the NOTIFY."""
    service, app = build(sales_settings)
    service.consumers = lambda _service: ()
    service.run_relay = False
    async with running_app(app) as client:
        await wait_for(lambda: service.tokens.listening, timeout=30, interval=0.02)
        yield service, client


async def publish_one(settings: CommonSettings, event: Event) -> uuid.UUID:
    """Publishes as registration's relay would; answers the envelope's id (the inbox's key)."""
    event_id = uuid.uuid4()
    _, raw = encode_event(event, producer="registration", correlation_id="test", event_id=event_id)
    producer = AIOKafkaProducer(**kafka_options(settings, "registration"))
    await producer.start()
    try:
        await producer.send_and_wait(
            settings.topic_prefix + event.topic.name, raw, key=event.partition_key().encode()
        )
    finally:
        await producer.stop()
    return event_id


async def processed(service: Service, event_id: uuid.UUID) -> None:
    """Polls sales' inbox until the credentials consumer has committed the event."""

    async def done() -> bool:
        return bool(
            await service.pool.fetchval(
                "select true from inbox where consumer = 'sales.credentials' and event_id = $1",
                event_id,
            )
        )

    await wait_for(done, timeout=30, interval=0.01)


def token_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


async def refused_soon(call: Any, since: float) -> tuple[float, int]:
    """Calls until answered 401; answers the seconds since ``since`` (the notification's
    delivery to another replica), which must be under a second, and how many calls were
    still let in before. Nothing may succeed meanwhile but an accepted read."""
    let_in = 0
    while True:
        response = await call()
        elapsed = time.perf_counter() - since
        if response.status_code == 401:
            return elapsed, let_in
        let_in += 1
        assert response.status_code in (200, 409), response.text  # never a sale (201)
        assert elapsed < 1.0, "the other replica still accepts the revoked credential"


async def test_a_revoked_session_is_refused_on_the_next_request_after_the_event_on_both_replicas(
    upstream: Upstream,
    sales_app: Replica,
    second_replica: Replica,
    stack_settings: CommonSettings,
) -> None:
    (service, client), (other, other_client) = sales_app, second_replica
    await wait_for(lambda: service.tokens.listening, timeout=30, interval=0.02)
    session, credential = await upstream.credential("organizer", upstream.organizer)
    kept, _ = await upstream.credential("organizer", upstream.organizer, org_role="staff")
    url = f"/fairs/{upstream.fair_id}/terminals"
    for replica, c in ((service, client), (other, other_client)):
        assert (await c.get(url, headers=session)).status_code == 200
        assert replica.tokens.get(token_of(session)) is not None  # accepted and cached

    event_id = await publish_one(
        stack_settings,
        CredentialsRevoked(
            role="organizer",
            subject=upstream.organizer,
            credential_ids=[credential.credential_id],
            reason="signed_out",
        ),
    )
    published = time.perf_counter()
    await processed(service, event_id)
    # The very next request to the replica that consumed the event is refused; the other
    # replica refuses as soon as the NOTIFY lands.
    processed_at = time.perf_counter()
    assert (await client.get(url, headers=session)).status_code == 401
    notified, let_in = await refused_soon(
        lambda: other_client.get(url, headers=session), processed_at
    )
    lag = time.perf_counter() - published
    print(
        f"revocation: published -> refused on both replicas {lag * 1000:.0f} ms "
        f"(the other replica {notified * 1000:.1f} ms after processing, {let_in} let in before)"
    )
    assert lag < 1.0
    # Only that session ended: another of the same organizer still works on both.
    assert (await client.get(url, headers=kept)).status_code == 200
    assert (await other_client.get(url, headers=kept)).status_code == 200


async def test_a_suspended_or_unpaired_till_is_refused_at_once_on_both_replicas(
    upstream: Upstream, sales_app: Replica, second_replica: Replica, sale: Any
) -> None:
    (service, client), (other, other_client) = sales_app, second_replica
    await wait_for(lambda: service.tokens.listening, timeout=30, interval=0.02)
    for how in ("suspend", "unpair"):
        booth = await upstream.exhibitor_at_booth([("Mật ong", 200_000)])
        till = booth["headers"]
        terminal = booth["terminal"]["terminal_id"]
        for replica, c in ((service, client), (other, other_client)):
            sold = await c.post("/sales", headers=till, json=sale(booth["products"]))
            assert sold.status_code == 201, sold.text
            assert replica.tokens.get(token_of(till)) is not None  # accepted and cached
        # Suspended through one replica, unpaired through the other.
        by = client if how == "suspend" else other_client
        if how == "suspend":
            stopped = await by.post(
                f"/terminals/{terminal}/suspend", headers=upstream.organizer_headers
            )
        else:
            stopped = await by.delete(f"/terminals/{terminal}", headers=upstream.organizer_headers)
        assert stopped.status_code in (200, 204), stopped.text
        # The very next request to the replica that did it; the other as its NOTIFY lands.
        at = time.perf_counter()
        refused = await by.post("/sales", headers=till, json=sale(booth["products"]))
        assert refused.status_code == 401, (how, refused.text)
        peer = other_client if by is client else client
        body = sale(booth["products"])  # one sale id: a retry that must never be recorded

        async def sell(
            peer: httpx.AsyncClient = peer, till: dict[str, str] = till, body: Any = body
        ) -> Any:
            return await peer.post("/sales", headers=till, json=body)

        await refused_soon(sell, at)
        assert (
            await service.pool.fetchval(
                "select count(*) from sales where terminal_id = $1", uuid.UUID(terminal)
            )
            == 2
        )
