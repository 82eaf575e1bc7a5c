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

**The client's address.** Behind a proxy (an ingress, or the web app forwarding a till's
pairing or a person's sign-in) every request comes from the proxy's address, and one limit
would hold for everyone behind it. ``client_of`` takes the address from ``X-Forwarded-For``
only when the connection itself comes from a trusted proxy, ``OCOP_TRUSTED_PROXIES`` (addresses
or networks, comma-separated; default none in production, loopback in development and test):
the header's entries are read from the right, skipping trusted proxies, and the first other
one is the client. From any other peer the header is ignored (anyone can write it). uvicorn is
given the same list (``forwarded_allow_ips``), so ``request.client`` agrees with it.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from dataclasses import dataclass
from functools import cache
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


Network = ipaddress.IPv4Network | ipaddress.IPv6Network
LOOPBACK = ("127.0.0.0/8", "::1/128")


class ProxySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OCOP_", extra="ignore")

    env: Literal["development", "test", "production"] = "production"
    # Addresses or networks, comma-separated; unset: loopback outside production, else none.
    trusted_proxies: str | None = None


def parse_networks(value: str) -> tuple[Network, ...]:
    """``"10.0.0.0/8, 127.0.0.1"`` as networks; a malformed entry is a settings error."""
    return tuple(
        ipaddress.ip_network(v.strip(), strict=False) for v in value.split(",") if v.strip()
    )


@cache
def trusted_proxies() -> tuple[Network, ...]:
    s = ProxySettings()
    if s.trusted_proxies is not None:
        return parse_networks(s.trusted_proxies)
    return () if s.env == "production" else parse_networks(",".join(LOOPBACK))


def forwarded_allow_ips() -> list[str]:
    """The same list for uvicorn (its ``forwarded_allow_ips``: an empty list trusts none)."""
    return [str(n) for n in trusted_proxies()]


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.7:51234
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: tuple[Network, ...]
) -> bool:
    return any(address.version == n.version and address in n for n in networks)


def client_of(request: Request, trusted: tuple[Network, ...] | None = None) -> str:
    """The client's address: the peer's, or, when the peer is a trusted proxy, the last
    address in ``X-Forwarded-For`` that is not a trusted proxy (read from the right: the
    entries to the left of it are the client's own word, which it may have made up)."""
    peer = request.client.host if request.client else "unknown"
    networks = trusted_proxies() if trusted is None else trusted
    peer_address = _address(peer)
    if not networks or peer_address is None or not _trusted(peer_address, networks):
        return peer
    hops = [h for v in request.headers.getlist("x-forwarded-for") for h in v.split(",")]
    found = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # garbled: trust nothing further left
        found = str(address)
        if not _trusted(address, networks):
            break
    return found


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
