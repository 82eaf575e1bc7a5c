"""Dead letters you can work with: the admin API (list, show, replay, discard) on a service
whose consumer fails until its handler is fixed, against the real broker and database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer

from ocop_shared import auth
from ocop_shared.contracts.platform import ProbeHappened
from ocop_shared.events import encode_event
from ocop_shared.inbox import Delivery, InboxConsumer
from ocop_shared.kafka import client_options
from ocop_shared.service import Service, Subscription, create_app
from ocop_shared.settings import ServiceSettings
from ocop_shared.topics import PLATFORM_PROBES
from ocop_testkit import new_prefix, read_topic, running_app, wait_for

from .conftest import record_probe

CONSUMER = "probe-fixable"


class Bug:
    """The handler's bug: it fails until someone fixes it."""

    fixed = False


async def fixable(conn: asyncpg.Connection, event: ProbeHappened, delivery: Delivery) -> None:
    if not Bug.fixed:
        raise ValueError("bug 42: probes are not handled yet")
    await record_probe(conn, event, delivery)


def consumer(service: Service) -> InboxConsumer:
    return InboxConsumer(lambda: service.pool, CONSUMER, {ProbeHappened: fixable})


def probe_event(key: str) -> bytes:
    return encode_event(ProbeHappened(key=key, seq=1), producer="platform", correlation_id="c")[1]


class Probe:
    """A service with one fixable consumer, its admin API and its tables."""

    def __init__(self, service: Service, client: httpx.AsyncClient, pool: asyncpg.Pool) -> None:
        self.service = service
        self.client = client
        self.pool = pool
        admin = service.settings.admin_token
        assert admin is not None
        self.admin = {"Authorization": f"Bearer {admin.get_secret_value()}"}

    @property
    def topic(self) -> str:
        return PLATFORM_PROBES.physical(self.service.settings.topic_prefix)

    async def letter_for(self, value: bytes, key: bytes = b"k") -> int:
        """Sends a message and waits for the consumer to set it aside: its letter's id."""
        producer = AIOKafkaProducer(
            **client_options(self.service.settings), enable_idempotence=True
        )
        await producer.start()
        try:
            await producer.send_and_wait(self.topic, value=value, key=key)
        finally:
            await producer.stop()
        letter_id: int = await wait_for(
            lambda: self.pool.fetchval("select id from dead_letters where value = $1", value),
            timeout=60,
        )
        return letter_id

    async def effects(self, key: str) -> int:
        n: int = await self.pool.fetchval("select count(*) from probe_effects where key = $1", key)
        return n

    async def call(
        self,
        method: str,
        path: str,
        expect: int,
        *,
        headers: dict[str, str] | None = None,
        **kw: Any,
    ) -> Any:
        response = await self.client.request(
            method,
            "/admin/dead-letters" + path,
            headers=self.admin if headers is None else headers,
            **kw,
        )
        assert response.status_code == expect, response.text
        return response.json()


@pytest.fixture(scope="module")
async def probe_app(
    probe_schema: ServiceSettings,
) -> AsyncIterator[tuple[Service, httpx.AsyncClient]]:
    settings = probe_schema.model_copy(update={"topic_prefix": new_prefix()})
    service = Service(
        settings=settings,
        migrations=Path(__file__).parent / "probe_migrations",
        consumers=lambda s: [Subscription(consumer(s), [PLATFORM_PROBES])],
        run_relay=False,
    )
    app = create_app(service, title="probe", description="probe")
    async with running_app(app) as client:
        yield service, client


@pytest.fixture
def probe(probe_app: tuple[Service, httpx.AsyncClient], probe_pool: asyncpg.Pool) -> Probe:
    Bug.fixed = False
    return Probe(probe_app[0], probe_app[1], probe_pool)


async def test_a_letter_is_listed_shown_and_after_the_fix_replayed_exactly_once(
    probe: Probe,
) -> None:
    letter_id = await probe.letter_for(probe_event("fair-1"))

    page = await probe.call("GET", f"?consumer={CONSUMER}", 200)
    assert [i["id"] for i in page["items"]] == [letter_id] and page["next_after"] is None
    listed = page["items"][0]
    assert listed["status"] == "open" and listed["attempts"] == 1
    assert listed["event_type"] == "platform.probe_happened v1"
    assert "handler failed" in listed["reason"] and "bug 42" in listed["reason"]
    shown = await probe.call("GET", f"/{letter_id}", 200)
    assert shown["envelope"]["payload"] == {"key": "fair-1", "seq": 1}
    assert shown["decode_error"] is None
    assert shown["topic"] == probe.topic and shown["offset"] >= 0 and shown["partition"] >= 0
    assert shown["created_at"] and shown["key"] == "k"

    # Replayed before the fix: it fails again, the letter stays open with the new attempt.
    failed = await probe.call("POST", f"/{letter_id}/replay", 409)
    assert failed["code"] == "replay_failed" and "bug 42" in failed["detail"]
    assert failed["letter"]["status"] == "open" and failed["letter"]["attempts"] == 2
    assert failed["letter"]["reason"].startswith("replay: handler failed")
    assert await probe.effects("fair-1") == 0

    Bug.fixed = True
    replayed = await probe.call("POST", f"/{letter_id}/replay", 200)
    assert replayed["outcome"] == "applied"
    assert replayed["letter"]["status"] == "replayed"
    assert replayed["letter"]["resolved_by"] == "admin:admin"
    assert replayed["letter"]["attempts"] == 3
    assert await probe.effects("fair-1") == 1

    again = await probe.call("POST", f"/{letter_id}/replay", 409)
    assert again["code"] == "dead_letter_not_open"
    assert await probe.effects("fair-1") == 1
    assert (await probe.call("GET", "", 200))["items"] == []  # open ones by default
    everything = await probe.call("GET", "?status=all", 200)
    assert [(i["id"], i["status"]) for i in everything["items"]] == [(letter_id, "replayed")]


async def test_concurrent_replays_take_effect_once(probe: Probe) -> None:
    letter_id = await probe.letter_for(probe_event("fair-2"))
    Bug.fixed = True
    answers = await asyncio.gather(
        *[
            probe.client.post(f"/admin/dead-letters/{letter_id}/replay", headers=probe.admin)
            for _ in range(5)
        ]
    )
    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409, 409]
    assert await probe.effects("fair-2") == 1


async def test_a_letter_whose_event_was_handled_meanwhile_resolves_without_a_second_effect(
    probe: Probe,
) -> None:
    value = probe_event("fair-3")
    letter_id = await probe.letter_for(value)
    Bug.fixed = True
    # The same message read again (a rebalance, lost offsets), now that the handler works.
    records = await read_topic(
        probe.service.settings.kafka_bootstrap,
        probe.topic,
        until=lambda rs: any(r.value == value for r in rs),
    )
    await consumer(probe.service).process([r for r in records if r.value == value])
    assert await probe.effects("fair-3") == 1

    replayed = await probe.call("POST", f"/{letter_id}/replay", 200)
    assert replayed["outcome"] == "already_processed"
    assert replayed["letter"]["resolution"].startswith("already processed")
    assert await probe.effects("fair-3") == 1


async def test_an_undecodable_letter_is_shown_raw_and_discarded_with_a_reason(
    probe: Probe,
) -> None:
    value = b"\x00 not json at all \xff"
    letter_id = await probe.letter_for(value)
    shown = await probe.call("GET", f"/{letter_id}", 200)
    assert shown["envelope"] is None and shown["event_type"] is None
    assert "invalid envelope" in shown["decode_error"]
    assert shown["raw_text"].startswith("\x00 not json at all") and shown["raw_size"] == len(value)

    failed = await probe.call("POST", f"/{letter_id}/replay", 409)
    assert "invalid envelope" in failed["letter"]["reason"] and failed["letter"]["attempts"] == 2

    missing_reason = await probe.call("POST", f"/{letter_id}/discard", 422, json={})
    assert missing_reason["detail"][0]["loc"] == ["body", "reason"]
    discarded = await probe.call(
        "POST", f"/{letter_id}/discard", 200, json={"reason": "garbage from a test producer"}
    )
    assert discarded["status"] == "discarded"
    assert discarded["resolution"] == "garbage from a test producer"
    assert discarded["resolved_by"] == "admin:admin" and discarded["resolved_at"]
    # Kept as an audit record; no longer actionable.
    assert (await probe.call("GET", f"/{letter_id}", 200))["status"] == "discarded"
    await probe.call("POST", f"/{letter_id}/discard", 409, json={"reason": "twice"})
    await probe.call("POST", f"/{letter_id}/replay", 409)
    assert (await probe.call("GET", "?status=discarded", 200))["items"][0]["id"] == letter_id


async def test_paging_filters_and_unknown_letters(probe: Probe) -> None:
    ids = [
        await probe.pool.fetchval(
            """insert into dead_letters (consumer, topic, partition, "offset", value, reason)
               values ($1, 't', 0, $2, $3, 'test') returning id""",
            name,
            offset,
            probe_event(f"page-{offset}"),
        )
        for offset, name in enumerate([CONSUMER, "gone", CONSUMER, CONSUMER])
    ]
    first = await probe.call("GET", f"?consumer={CONSUMER}&limit=2", 200)
    assert [i["id"] for i in first["items"]] == [ids[0], ids[2]]
    second = await probe.call(
        "GET", f"?consumer={CONSUMER}&limit=2&after={first['next_after']}", 200
    )
    assert [i["id"] for i in second["items"]] == [ids[3]] and second["next_after"] is None
    assert [i["id"] for i in (await probe.call("GET", "?consumer=gone", 200))["items"]] == [ids[1]]

    gone = await probe.call("POST", f"/{ids[1]}/replay", 409)
    assert gone["code"] == "unknown_consumer"
    await probe.call("GET", f"/{ids[-1] + 1000}", 404)
    await probe.call("POST", f"/{ids[-1] + 1000}/replay", 404)
    await probe.call("POST", f"/{ids[-1] + 1000}/discard", 404, json={"reason": "x"})


async def test_only_admins_work_with_dead_letters(probe: Probe) -> None:
    letter_id = await probe.pool.fetchval(
        """insert into dead_letters (consumer, topic, partition, "offset", value, reason)
           values ($1, 't', 0, 0, $2, 'test') returning id""",
        CONSUMER,
        probe_event("fair-4"),
    )
    async with probe.pool.acquire() as conn:
        organizer = await auth.issue_token(conn, "organizer", "org-1")
    Bug.fixed = True
    for headers, status in (({}, 401), ({"Authorization": f"Bearer {organizer}"}, 403)):
        await probe.call("GET", "", status, headers=headers)
        await probe.call("GET", f"/{letter_id}", status, headers=headers)
        await probe.call("POST", f"/{letter_id}/replay", status, headers=headers)
        await probe.call(
            "POST", f"/{letter_id}/discard", status, headers=headers, json={"reason": "x"}
        )
    assert await probe.effects("fair-4") == 0
    assert (await probe.call("GET", f"/{letter_id}", 200))["status"] == "open"


def test_every_service_has_the_admin_api() -> None:
    from ocop_booths.app import build as booths
    from ocop_registration.app import build as registration
    from ocop_sales.app import build as sales

    for build in (registration, booths, sales):
        paths = build()[1].openapi()["paths"]
        assert "/admin/dead-letters" in paths
        replay = paths["/admin/dead-letters/{letter_id}/replay"]["post"]
        assert {"200", "401", "403", "404", "409"} <= set(replay["responses"])
        assert "/admin/dead-letters/{letter_id}/discard" in paths
