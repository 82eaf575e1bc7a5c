"""Idempotency keys on every mutating request: a probe service's routes and registration's
POST /fairs, against the real database."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from ocop_shared import auth
from ocop_shared.idempotency import IdempotencyMiddleware, KeyId, KeyStore
from ocop_shared.service import Service, create_app, get_service
from ocop_shared.settings import CommonSettings, ServiceSettings
from ocop_testkit import new_prefix, running_app, wait_for

probe_routes = APIRouter(prefix="/probe")


class EffectIn(BaseModel):
    key: str


class Gate:
    """Holds /probe/held requests until the test opens it."""

    entered = asyncio.Event()
    release = asyncio.Event()


calls: dict[str, int] = {}


async def record(request: Request, key: str) -> int:
    effect_id: int = await get_service(request).pool.fetchval(
        "insert into probe_effects (event_id, key, seq) values ($1, $2, 0) returning id",
        uuid.uuid4(),
        key,
    )
    return effect_id


@probe_routes.post("/effects", status_code=201)
async def create_effect(request: Request, body: EffectIn) -> JSONResponse:
    effect_id = await record(request, body.key)
    return JSONResponse(
        status_code=201,
        content={"id": effect_id, "key": body.key},
        headers={"Location": f"/probe/effects/{effect_id}"},
    )


@probe_routes.post("/refusals")
async def refuse(request: Request, body: EffectIn) -> JSONResponse:
    """A client error after a side effect that should not repeat (say, an audit row)."""
    await record(request, body.key)
    return JSONResponse(status_code=409, content={"detail": "taken", "code": "conflict"})


@probe_routes.post("/held", status_code=201)
async def held(request: Request, body: EffectIn) -> dict[str, Any]:
    Gate.entered.set()
    await Gate.release.wait()
    return {"id": await record(request, body.key)}


@probe_routes.post("/flaky", status_code=201)
async def flaky(request: Request, body: EffectIn) -> JSONResponse:
    """503 on its first call, 500 on its second, then a success: the failures are not kept."""
    calls[body.key] = calls.get(body.key, 0) + 1
    if calls[body.key] == 1:
        return JSONResponse(
            status_code=503, content={"detail": "busy"}, headers={"Retry-After": "1"}
        )
    if calls[body.key] == 2:
        raise RuntimeError("a bug")
    return JSONResponse(status_code=201, content={"id": await record(request, body.key)})


@pytest.fixture(scope="module")
async def probe_app(
    probe_schema: ServiceSettings,
) -> AsyncIterator[tuple[Service, httpx.AsyncClient]]:
    settings = probe_schema.model_copy(update={"topic_prefix": new_prefix()})
    service = Service(
        settings=settings,
        migrations=Path(__file__).parent / "probe_migrations",
        run_relay=False,
    )
    app = create_app(service, title="probe", description="probe", routers=[probe_routes])
    async with app.router.lifespan_context(app):
        # A server error answers 500 here as it would over the network (no re-raise).
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield service, client


@pytest.fixture
async def probe(
    probe_app: tuple[Service, httpx.AsyncClient], probe_pool: asyncpg.Pool
) -> AsyncIterator[tuple[httpx.AsyncClient, asyncpg.Pool]]:
    await probe_pool.execute("truncate idempotency_keys")
    Gate.entered, Gate.release = asyncio.Event(), asyncio.Event()
    yield probe_app[1], probe_pool


async def effects(pool: asyncpg.Pool, key: str) -> int:
    n: int = await pool.fetchval("select count(*) from probe_effects where key = $1", key)
    return n


def keyed(key: str, **headers: str) -> dict[str, str]:
    return {"Idempotency-Key": key, **headers}


async def test_same_key_and_body_answer_the_first_answer_without_running_again(
    probe: tuple[httpx.AsyncClient, asyncpg.Pool],
) -> None:
    client, pool = probe
    key = str(uuid.uuid4())
    first = await client.post("/probe/effects", json={"key": "a"}, headers=keyed(key))
    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    second = await client.post("/probe/effects", json={"key": "a"}, headers=keyed(key))
    assert second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["content-type"] == "application/json"
    assert second.headers["idempotent-replayed"] == "true"
    # A replay is a request of its own: its own correlation id.
    assert second.headers["x-correlation-id"] != first.headers["x-correlation-id"]
    assert await effects(pool, "a") == 1
    # A client error is an answer too: kept, and its side effect not repeated.
    for _ in range(2):
        refused = await client.post("/probe/refusals", json={"key": "r"}, headers=keyed(key + "r"))
        assert refused.status_code == 409 and refused.json()["code"] == "conflict"
    assert await effects(pool, "r") == 1
    # Without a key, nothing changes: each request runs.
    for _ in range(2):
        assert (await client.post("/probe/effects", json={"key": "n"})).status_code == 201
    assert await effects(pool, "n") == 2
    assert await pool.fetchval("select count(*) from idempotency_keys") == 2


async def test_the_same_key_with_another_body_or_path_is_a_422_naming_the_header(
    probe: tuple[httpx.AsyncClient, asyncpg.Pool],
) -> None:
    client, pool = probe
    key = str(uuid.uuid4())
    assert (
        await client.post("/probe/effects", json={"key": "b"}, headers=keyed(key))
    ).status_code == 201
    for path, body in (("/probe/effects", {"key": "other"}), ("/probe/refusals", {"key": "b"})):
        other = await client.post(path, json=body, headers=keyed(key))
        assert other.status_code == 422, other.text
        [error] = other.json()["detail"]
        assert error["loc"] == ["header", "Idempotency-Key"]
        assert error["type"] == "idempotency_key_reused"
    assert await effects(pool, "b") == 1 and await effects(pool, "other") == 0


async def test_a_twin_still_in_flight_is_a_409_naming_the_header(
    probe: tuple[httpx.AsyncClient, asyncpg.Pool],
) -> None:
    client, pool = probe
    key = str(uuid.uuid4())
    first = asyncio.create_task(client.post("/probe/held", json={"key": "c"}, headers=keyed(key)))
    await asyncio.wait_for(Gate.entered.wait(), timeout=30)
    # (bounded: a twin let through would wait at the gate too)
    twin = await asyncio.wait_for(
        client.post("/probe/held", json={"key": "c"}, headers=keyed(key)), timeout=30
    )
    assert twin.status_code == 409, twin.text
    assert twin.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert twin.json()["detail"][0]["type"] == "idempotency_key_in_flight"
    assert twin.headers["retry-after"] == "1"
    Gate.release.set()
    answer = await first
    assert answer.status_code == 201
    later = await client.post("/probe/held", json={"key": "c"}, headers=keyed(key))
    assert later.status_code == 201 and later.json() == answer.json()
    assert await effects(pool, "c") == 1


async def test_keys_are_per_principal(
    probe: tuple[httpx.AsyncClient, asyncpg.Pool],
) -> None:
    client, pool = probe
    async with pool.acquire() as conn:
        one = await auth.issue_token(conn, "organizer", f"org-{uuid.uuid4().hex[:6]}")
        two = await auth.issue_token(conn, "organizer", f"org-{uuid.uuid4().hex[:6]}")
    key = str(uuid.uuid4())
    answers = {}
    for token in (one, two, None):
        auth_header = {"Authorization": f"Bearer {token}"} if token else {}
        answers[token] = await client.post(
            "/probe/effects", json={"key": "d"}, headers=keyed(key, **auth_header)
        )
        assert answers[token].status_code == 201
    assert await effects(pool, "d") == 3
    assert len({a.json()["id"] for a in answers.values()}) == 3
    # Each principal's replay is its own first answer.
    again = await client.post(
        "/probe/effects", json={"key": "d"}, headers=keyed(key, Authorization=f"Bearer {two}")
    )
    assert again.json() == answers[two].json() and again.headers["idempotent-replayed"] == "true"
    assert await effects(pool, "d") == 3


async def test_server_errors_are_not_kept(probe: tuple[httpx.AsyncClient, asyncpg.Pool]) -> None:
    client, pool = probe
    key = str(uuid.uuid4())
    body = {"key": f"e-{key}"}
    unavailable = await client.post("/probe/flaky", json=body, headers=keyed(key))
    assert unavailable.status_code == 503
    crashed = await client.post("/probe/flaky", json=body, headers=keyed(key))
    assert crashed.status_code == 500
    assert await pool.fetchval("select count(*) from idempotency_keys") == 0
    done = await client.post("/probe/flaky", json=body, headers=keyed(key))
    assert done.status_code == 201 and "idempotent-replayed" not in done.headers
    replayed = await client.post("/probe/flaky", json=body, headers=keyed(key))
    assert replayed.status_code == 201 and replayed.json() == done.json()
    assert calls[body["key"]] == 3 and await effects(pool, body["key"]) == 1


async def test_expired_keys_run_again_and_are_purged_and_a_dead_owner_is_taken_over(
    probe: tuple[httpx.AsyncClient, asyncpg.Pool],
) -> None:
    client, pool = probe
    key = str(uuid.uuid4())
    assert (
        await client.post("/probe/effects", json={"key": "f"}, headers=keyed(key))
    ).status_code == 201
    await pool.execute("update idempotency_keys set expires_at = now() - interval '1 second'")
    assert (
        await client.post("/probe/effects", json={"key": "f"}, headers=keyed(key))
    ).status_code == 201
    assert await effects(pool, "f") == 2  # a day later the key is new again

    await pool.execute("update idempotency_keys set expires_at = now() - interval '1 second'")
    store = KeyStore(lambda: pool)
    assert await store.purge() == 1
    assert await pool.fetchval("select count(*) from idempotency_keys") == 0

    # An owner that died mid-request: its key is in flight until its lease runs out.
    key_id = KeyId.of("anonymous", key)
    scope = {"method": "POST", "path": "/probe/effects", "query_string": b""}
    fingerprint = key_id.fingerprint(scope, b'{"key":"f"}')
    await pool.execute(
        """insert into idempotency_keys (key_hash, fingerprint, state, owner, locked_until, expires_at)
           values ($1, $2, 'in_flight', $3, now() + interval '1 hour', now() + interval '1 day')""",
        key_id.lookup,
        fingerprint,
        uuid.uuid4(),
    )
    leased = await client.post(
        "/probe/effects",
        content=b'{"key":"f"}',
        headers=keyed(key, **{"Content-Type": "application/json"}),
    )
    assert leased.status_code == 409
    await pool.execute("update idempotency_keys set locked_until = now() - interval '1 second'")
    taken = await client.post(
        "/probe/effects",
        content=b'{"key":"f"}',
        headers=keyed(key, **{"Content-Type": "application/json"}),
    )
    assert taken.status_code == 201 and "idempotent-replayed" not in taken.headers
    assert await effects(pool, "f") == 3


async def test_malformed_keys_and_reads(probe: tuple[httpx.AsyncClient, asyncpg.Pool]) -> None:
    client, pool = probe
    for bad in ("", "a key with spaces", "x" * 256):
        answer = await client.post("/probe/effects", json={"key": "g"}, headers=keyed(bad))
        assert answer.status_code == 422, bad
        assert answer.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    # The draft's form, an sf-string, names the same key as its bare text.
    key = str(uuid.uuid4())
    await client.post("/probe/effects", json={"key": "g"}, headers=keyed(f'"{key}"'))
    replay = await client.post("/probe/effects", json={"key": "g"}, headers=keyed(key))
    assert replay.headers["idempotent-replayed"] == "true"
    assert await effects(pool, "g") == 1
    # A read is never keyed.
    assert (await client.get("/health", headers=keyed(str(uuid.uuid4())))).status_code == 200
    assert await pool.fetchval("select count(*) from idempotency_keys") == 1


async def test_without_the_header_the_store_is_never_touched() -> None:
    """The hot path pays nothing: a store that explodes on any use is not called."""

    def no_database() -> asyncpg.Pool:
        raise AssertionError("the database was used")

    async def no_principal(_token: str) -> auth.Principal | None:
        raise AssertionError("the token was looked up")

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    middleware = IdempotencyMiddleware(app, KeyStore(no_database), no_principal)
    transport = httpx.ASGITransport(app=middleware)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            answer = await client.request(method, "/sales", headers={"Authorization": "Bearer t"})
            assert answer.status_code == 201
        with pytest.raises(AssertionError, match="was looked up"):
            await client.post("/sales", headers=keyed("k", Authorization="Bearer t"))


# registration's POST /fairs, and a sign-up whose answer holds a token


@pytest.fixture(scope="module")
async def registration(
    stack_settings: CommonSettings, test_database: str
) -> AsyncIterator[tuple[Service, httpx.AsyncClient]]:
    from ocop_registration.app import RegistrationSettings, build

    settings = RegistrationSettings(
        env="test", pg_database=test_database, topic_prefix=new_prefix()
    )
    service, app = build(settings)
    async with running_app(app) as client:
        yield service, client


async def test_registration_creates_one_fair_for_a_retried_request(
    registration: tuple[Service, httpx.AsyncClient],
) -> None:
    service, client = registration
    admin = service.settings.admin_token
    assert admin is not None
    organizer_id = f"org-{uuid.uuid4().hex[:8]}"
    key = str(uuid.uuid4())
    created = []
    for _ in range(2):
        answer = await client.post(
            "/organizations",
            json={
                "kind": "organizer",
                "organization_id": organizer_id,
                "name": "Sở Công Thương Quảng Ninh",
            },
            headers=keyed(key, Authorization=f"Bearer {admin.get_secret_value()}"),
        )
        assert answer.status_code == 201, answer.text
        created.append(answer.json())
    assert created[0] == created[1]  # the second is the first answer, not a 409 "exists"
    code = created[0]["owner_invitation"]["code"]

    # An invitation accepted (no token yet: the anonymous scope) answers a new session's
    # token; the same request again answers the same session, not a second account.
    accept_key = str(uuid.uuid4())
    accept = {
        "code": code,
        "account": {
            "name": "Nguyễn Thị Hoa",
            "email": f"hoa.{accept_key[:8]}@ocop-demo.test",
            "password": "ha-long-bay-2024",
        },
    }
    issued = []
    for _ in range(2):
        answer = await client.post("/invitations/accept", json=accept, headers=keyed(accept_key))
        assert answer.status_code == 201, answer.text
        issued.append(answer.json())
    assert issued[0] == issued[1]
    token = issued[0]["token"]
    stored = await service.pool.fetch("select headers::text as h, body from idempotency_keys")
    for secret in (code, token):  # kept encrypted, never readable in the table
        assert stored and all(
            secret.encode() not in r["body"] and secret not in r["h"] for r in stored
        )

    now = datetime.now().replace(microsecond=0)
    fair = {
        "name": f"Hội chợ OCOP {key[:8]}",
        "kind": "fair",
        "venue": "Cung Quy hoạch, Hội chợ và Triển lãm Quảng Ninh",
        "province": "Quảng Ninh",
        "applications_open_at": (now - timedelta(days=1)).isoformat(),
        "applications_close_at": (now + timedelta(days=10)).isoformat(),
        "starts_at": (now + timedelta(days=20)).isoformat(),
        "ends_at": (now + timedelta(days=25)).isoformat(),
        "rules": {"min_star": 3},
    }
    fair_key = str(uuid.uuid4())
    organizer = {"Authorization": f"Bearer {token}"}
    answers = [
        await client.post("/fairs", json=fair, headers=keyed(fair_key, **organizer))
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert len({a.json()["fair_id"] for a in answers}) == 1
    assert (
        await service.pool.fetchval("select count(*) from fairs where name = $1", fair["name"]) == 1
    )
    other = await client.post(
        "/fairs", json={**fair, "name": "another"}, headers=keyed(fair_key, **organizer)
    )
    assert other.status_code == 422 and other.json()["detail"][0]["loc"] == [
        "header",
        "Idempotency-Key",
    ]
    # A new key is a new request: a second fair.
    assert (
        await client.post("/fairs", json=fair, headers=keyed(str(uuid.uuid4()), **organizer))
    ).status_code == 201
    assert await wait_for(
        lambda: service.pool.fetchval(
            "select count(*) = 2 from fairs where name = $1", fair["name"]
        )
    )
