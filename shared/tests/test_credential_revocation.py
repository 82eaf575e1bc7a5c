"""A revocation reaches every replica's token cache at once: the revoking transaction
notifies, each replica's listener empties its cache, and the next request looks again."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from ocop_shared import auth
from ocop_shared.settings import ServiceSettings
from ocop_testkit import wait_for


@pytest.fixture
async def pool(probe_schema: ServiceSettings) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(probe_schema.dsn(), min_size=1, max_size=4)
    yield pool
    await pool.close()


@pytest.fixture
async def replicas(probe_schema: ServiceSettings) -> AsyncIterator[list[auth.TokenCache]]:
    """Two replicas' caches, each listening on a connection of its own."""
    stop = asyncio.Event()
    caches = [auth.TokenCache(), auth.TokenCache()]
    tasks = [asyncio.create_task(c.listen(probe_schema.dsn(), stop)) for c in caches]
    await wait_for(lambda: all(c.listening for c in caches), timeout=10)
    yield caches
    stop.set()
    for task in tasks:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, timeout=5)


async def grant(pool: asyncpg.Pool, **kw: object) -> tuple[str, uuid.UUID]:
    token, credential_id = auth.new_token("organizer"), uuid.uuid4()
    async with pool.acquire() as conn:
        await auth.store_grant(
            conn,
            auth.Grant(
                auth.hash_token(token),
                "organizer",
                "so-cong-thuong-quang-ninh",
                credential_id=credential_id,
                kind="session",
                user_id=uuid.uuid4(),
                org_role="staff",
                expires_at=kw.get("expires_at", datetime.now(UTC) + timedelta(hours=1)),  # type: ignore[arg-type]
            ),
        )
    return token, credential_id


async def test_a_revocation_empties_every_replicas_cache_at_commit(
    pool: asyncpg.Pool, replicas: list[auth.TokenCache]
) -> None:
    token, credential_id = await grant(pool)
    found = await auth.lookup(pool, token)
    assert found is not None and found.principal.org_role == "staff"
    for cache in replicas:
        cache.put(token, found)
        assert cache.get(token) == found.principal
    async with pool.acquire() as conn, conn.transaction():
        await auth.revoke_credentials(conn, [credential_id])
        await asyncio.sleep(0.05)  # not yet committed: nobody has heard of it
        assert all(cache.get(token) is not None for cache in replicas)
    await wait_for(lambda: all(cache.get(token) is None for cache in replicas), timeout=5)
    assert await auth.lookup(pool, token) is None


async def test_an_expired_credential_is_refused_and_never_served_from_the_cache(
    pool: asyncpg.Pool, replicas: list[auth.TokenCache]
) -> None:
    past = datetime.now(UTC) - timedelta(seconds=1)
    token, _ = await grant(pool, expires_at=past)
    assert await auth.lookup(pool, token) is None
    principal = auth.Principal("organizer", "so-cong-thuong-quang-ninh")
    replicas[0].put(token, auth.Authenticated(principal, past))
    assert replicas[0].get(token) is None


async def test_without_the_revocation_feed_nothing_is_cached(pool: asyncpg.Pool) -> None:
    token, _ = await grant(pool)
    found = await auth.lookup(pool, token)
    assert found is not None
    deaf = auth.TokenCache()
    deaf.put(token, found)
    assert deaf.get(token) is None


async def test_a_listener_that_loses_its_connection_stops_caching_and_raises(
    probe_schema: ServiceSettings, pool: asyncpg.Pool
) -> None:
    cache, stop = auth.TokenCache(), asyncio.Event()
    task = asyncio.create_task(cache.listen(probe_schema.dsn(), stop))
    await wait_for(lambda: cache.listening, timeout=10)
    token, _ = await grant(pool)
    found = await auth.lookup(pool, token)
    assert found is not None
    cache.put(token, found)
    await pool.execute(
        """select pg_terminate_backend(pid) from pg_stat_activity
           where pid <> pg_backend_pid() and query like 'LISTEN%'
             and usename = current_user"""
    )
    with pytest.raises(ConnectionError):
        await asyncio.wait_for(task, timeout=10)
    assert not cache.listening and cache.get(token) is None
