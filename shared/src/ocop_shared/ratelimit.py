"""Rate limits that hold across replicas: hits are counted in the service's Postgres schema per
bucket, key and fixed window (one upsert per request), so two replicas behind a balancer
share the count. Over the limit, the answer is 429 with Retry-After (the window's end).

The limits (per client address unless said otherwise; settings with the ``OCOP_`` prefix):

| bucket | limit | setting |
|---|---|---|
| sign-in attempts | 30 a minute | ``RATE_LIMIT_SIGN_IN_PER_MINUTE`` |
| sign-ups, invitation acceptances, password resets | 10 an hour | ``RATE_LIMIT_SIGN_UP_PER_HOUR`` |
| failed authentications (a bad or revoked token) | 60 a minute | ``RATE_LIMIT_FAILED_AUTH_PER_MINUTE`` |
| file imports (per organization) | 30 an hour | ``RATE_LIMIT_IMPORTS_PER_HOUR`` |

``RATE_LIMIT_FACTOR`` multiplies them all (test suites that sign up hundreds of exhibitors
from one address raise it; 0 turns limits off). Per-login sign-in throttling (an account's
failed passwords) is registration's, on top of these.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Literal

import asyncpg
from fastapi import HTTPException, Request
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ocop_shared.logging import get_logger

log = get_logger(__name__)


class RateLimitSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OCOP_", extra="ignore")

    rate_limit_factor: float = Field(default=1.0, ge=0)
    rate_limit_sign_in_per_minute: int = Field(default=30, ge=1)
    rate_limit_sign_up_per_hour: int = Field(default=10, ge=1)
    rate_limit_failed_auth_per_minute: int = Field(default=60, ge=1)
    rate_limit_imports_per_hour: int = Field(default=30, ge=1)


@dataclass(frozen=True, slots=True)
class Limit:
    bucket: str
    hits: int
    per_seconds: int
    by: Literal["client", "principal"] = "client"


def limits(settings: RateLimitSettings | None = None) -> dict[str, Limit]:
    s = settings or RateLimitSettings()

    def scaled(n: int) -> int:
        return max(1, math.ceil(n * s.rate_limit_factor)) if s.rate_limit_factor else 0

    return {
        "sign_in": Limit("sign_in", scaled(s.rate_limit_sign_in_per_minute), 60),
        "sign_up": Limit("sign_up", scaled(s.rate_limit_sign_up_per_hour), 3600),
        "failed_auth": Limit("failed_auth", scaled(s.rate_limit_failed_auth_per_minute), 60),
        "imports": Limit("imports", scaled(s.rate_limit_imports_per_hour), 3600, by="principal"),
    }


_HIT = """
insert into rate_limit_hits (bucket, key_hash, window_start, hits)
values ($1, $2, to_timestamp(floor(extract(epoch from now()) / $3) * $3), 1)
on conflict (bucket, key_hash, window_start) do update set hits = rate_limit_hits.hits + 1
returning hits, extract(epoch from window_start + make_interval(secs => $3) - now())"""


async def hit(pool: asyncpg.Pool, limit: Limit, key: str) -> int | None:
    """Counts one hit; answers the seconds to wait when over the limit, else None."""
    if limit.hits == 0:
        return None
    digest = hashlib.sha256(f"{limit.bucket}\x00{key}".encode()).digest()
    row = await pool.fetchrow(_HIT, limit.bucket, digest, float(limit.per_seconds))
    assert row is not None
    if row[0] <= limit.hits:
        return None
    return max(1, math.ceil(float(row[1])))


class TooManyRequests(HTTPException):
    def __init__(self, retry_after: int, bucket: str) -> None:
        super().__init__(
            status_code=429,
            detail=f"too many attempts ({bucket.replace('_', ' ')}); try again later",
            headers={"Retry-After": str(retry_after)},
        )


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def enforce(request: Request, name: str, key: str | None = None) -> None:
    """Counts a hit in the bucket ``name`` for this request (its client address, or ``key``);
    raises 429 with Retry-After when over."""
    service = request.app.state.service
    limit = service.rate_limits[name]
    wait = await hit(service.pool, limit, key or client_of(request))
    if wait is not None:
        log.warning("rate limited", bucket=name, retry_after=wait)
        raise TooManyRequests(wait, name)


async def purge(pool: asyncpg.Pool) -> int:
    """Drops windows that ended (housekeeping)."""
    status = await pool.execute(
        "delete from rate_limit_hits where window_start < now() - interval '1 day'"
    )
    return int(status.split()[-1])
