"""Rate limits hold across replicas (the count lives in Postgres) and answer 429 with
Retry-After once over."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI, Request

from ocop_shared import ratelimit
from ocop_shared.settings import ServiceSettings


@pytest.fixture
async def replicas(probe_schema: ServiceSettings) -> AsyncIterator[list[asyncpg.Pool]]:
    pools = [await asyncpg.create_pool(probe_schema.dsn(), min_size=1, max_size=2) for _ in "ab"]
    yield pools
    for pool in pools:
        await pool.close()


async def test_the_count_is_shared_by_replicas_and_per_key(replicas: list[asyncpg.Pool]) -> None:
    limit = ratelimit.Limit(f"test_{uuid.uuid4().hex[:8]}", hits=3, per_seconds=60)
    a, b = replicas
    assert [await ratelimit.hit(pool, limit, "10.0.0.1") for pool in (a, b, a)] == [None] * 3
    wait = await ratelimit.hit(b, limit, "10.0.0.1")
    assert wait is not None and 1 <= wait <= 60
    assert await ratelimit.hit(a, limit, "10.0.0.2") is None  # another client is not limited


async def test_over_the_limit_the_answer_is_429_with_retry_after(
    replicas: list[asyncpg.Pool],
) -> None:
    class Service:
        def __init__(self) -> None:
            self.pool = replicas[0]
            self.rate_limits = {"sign_in": ratelimit.Limit(f"t{uuid.uuid4().hex[:8]}", 2, 60)}

    app = FastAPI()
    app.state.service = Service()

    @app.post("/sessions")
    async def sign_in(request: Request) -> dict[str, bool]:
        await ratelimit.enforce(request, "sign_in")
        return {"ok": True}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        statuses = [(await client.post("/sessions")).status_code for _ in range(3)]
        refused = await client.post("/sessions")
    assert statuses == [200, 200, 429]
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "too many attempts" in refused.json()["detail"]


def test_the_factor_scales_every_limit_and_zero_turns_them_off() -> None:
    base = ratelimit.limits(ratelimit.RateLimitSettings(rate_limit_factor=1))
    doubled = ratelimit.limits(ratelimit.RateLimitSettings(rate_limit_factor=2))
    off = ratelimit.limits(ratelimit.RateLimitSettings(rate_limit_factor=0))
    assert doubled["sign_in"].hits == 2 * base["sign_in"].hits
    assert off["sign_up"].hits == 0
