"""A revoked credential stops working at booths as soon as the revocation is processed, even
one used a moment before (and so cached): the revoking transaction notifies every replica,
which empties its cache; nothing waits for the cache's few seconds to pass."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from ocop_shared.contracts.identity import CredentialsRevoked
from ocop_shared.events import Event, encode_event
from ocop_shared.service import Service
from ocop_shared.settings import CommonSettings
from ocop_testkit import kafka_options, publish_events, wait_for
from ocop_testkit.identity import issued_credential

BoothFair = Any


async def _publish(settings: CommonSettings, event: Event) -> uuid.UUID:
    """Publishes one event as registration's relay would; its envelope's id."""
    envelope, raw = encode_event(event, producer="registration", correlation_id="test")
    producer = AIOKafkaProducer(**kafka_options(settings, "registration"), enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(
            settings.topic_prefix + event.topic.name, raw, key=event.partition_key().encode()
        )
    finally:
        await producer.stop()
    return envelope.event_id


async def _processed(service: Service, event_id: uuid.UUID) -> bool:
    return bool(
        await service.pool.fetchval(
            "select exists (select 1 from inbox where consumer = $1 and event_id = $2)",
            "booths.credentials",
            event_id,
        )
    )


async def test_a_revoked_session_fails_at_once_even_just_after_being_used(
    booth_fair: BoothFair,
    booths_app: tuple[Service, httpx.AsyncClient],
    stack_settings: CommonSettings,
) -> None:
    service, client = booths_app
    await booth_fair.floorplan(1)
    [ex] = await booth_fair.approved_exhibitors(1)
    # A staff member's session beside the one that will be revoked: only the named one ends.
    other_token, other = issued_credential("exhibitor", str(ex["exhibitor_id"]), org_role="staff")
    await publish_events(stack_settings, [other])
    await wait_for(
        lambda: service.pool.fetchval(
            "select count(*) from api_tokens where credential_id = $1", other.credential_id
        )
    )
    url = f"/fairs/{booth_fair.fair_id}/my-booths"
    token = ex["headers"]["Authorization"].removeprefix("Bearer ")
    assert (await client.get(url, headers=ex["headers"])).status_code == 200
    assert service.tokens.get(token) is not None, "the session should be cached by its use"

    revoked = CredentialsRevoked(
        role="exhibitor",
        subject=str(ex["exhibitor_id"]),
        credential_ids=[ex["credential"].credential_id],
        reason="signed_out",
    )
    event_id = await _publish(stack_settings, revoked)
    await wait_for(lambda: _processed(service, event_id))

    refused = await client.get(url, headers=ex["headers"])
    assert refused.status_code == 401, refused.text
    assert service.tokens.get(token) is None
    assert (
        await client.get(url, headers={"Authorization": f"Bearer {other_token}"})
    ).status_code == 200


async def test_a_suspension_ends_every_session_of_the_organization_at_once(
    booth_fair: BoothFair,
    booths_app: tuple[Service, httpx.AsyncClient],
    stack_settings: CommonSettings,
) -> None:
    service, client = booths_app
    staff_token, staff = issued_credential("organizer", booth_fair.organizer_id, org_role="staff")
    await publish_events(stack_settings, [staff])
    await wait_for(
        lambda: service.pool.fetchval(
            "select count(*) from api_tokens where credential_id = $1", staff.credential_id
        )
    )
    url = f"/fairs/{booth_fair.fair_id}/waitlist"
    sessions = [booth_fair.organizer, {"Authorization": f"Bearer {staff_token}"}]
    for headers in sessions:
        assert (await client.get(url, headers=headers)).status_code == 200

    suspended = CredentialsRevoked(
        role="organizer",
        subject=booth_fair.organizer_id,
        everything_of_subject=True,
        reason="suspended",
    )
    event_id = await _publish(stack_settings, suspended)
    await wait_for(lambda: _processed(service, event_id))

    for headers in sessions:
        refused = await client.get(url, headers=headers)
        assert refused.status_code == 401, refused.text
