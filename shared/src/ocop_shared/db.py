"""asyncpg pools with the codecs every service needs (JSON and JSONB as Python objects)."""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
import orjson

T = TypeVar("T")


async def _init_connection(conn: asyncpg.Connection) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name, encoder=_dumps, decoder=orjson.loads, schema="pg_catalog", format="text"
        )


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


async def _release(conn: asyncpg.Connection) -> None:
    """What a pooled connection is reset with on release: nothing beyond asyncpg's own part
    (an open transaction rolled back, listeners dropped), so a release costs no round trip.
    asyncpg's default sends ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``
    each time (a third of a sale's round trips); no pooled connection here holds session state:
    LISTEN and session advisory locks use connections of their own (auth's revocations, the
    relay's lease, migrations), settings are ``set local``, cursors live in transactions."""


async def create_pool(
    dsn: str, *, min_size: int = 2, max_size: int = 20, **kwargs: Any
) -> asyncpg.Pool:
    kwargs.setdefault("reset", _release)
    pool = await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size, init=_init_connection, **kwargs
    )
    assert pool is not None
    return pool


# SQLSTATEs worth retrying: the transaction lost a race, not the request.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})


def is_retryable(exc: BaseException) -> bool:
    return (
        isinstance(exc, asyncpg.PostgresError)
        and getattr(exc, "sqlstate", None) in RETRYABLE_SQLSTATES
    )


# SQLSTATEs that say "the database cannot do this now", not "this request or event is bad":
# connection exceptions (08), insufficient resources (53: too many connections, disk full),
# operator intervention (57: admin shutdown during a restart, crash shutdown, statement
# timeout), system errors (58), a read-only transaction (25006: a replica after failover) and
# a lock not available (55P03: lock_timeout). The same work may succeed once it passes.
TRANSIENT_SQLSTATE_CLASSES = ("08", "53", "57", "58")
TRANSIENT_SQLSTATES = frozenset({"25006", "55P03"})


def is_infrastructure_error(exc: BaseException) -> bool:
    """The database is unreachable or cannot serve now: retrying the same message later is
    the answer, never a dead letter."""
    if isinstance(exc, asyncpg.PostgresError):
        sqlstate = getattr(exc, "sqlstate", None) or ""
        if sqlstate[:2] in TRANSIENT_SQLSTATE_CLASSES or sqlstate in TRANSIENT_SQLSTATES:
            return True
    return isinstance(
        exc,
        asyncpg.PostgresConnectionError
        | asyncpg.InterfaceError
        | asyncpg.TooManyConnectionsError
        | asyncpg.CannotConnectNowError
        | ConnectionError
        | OSError
        | TimeoutError,
    )


async def transact(
    pool: asyncpg.Pool,
    work: Callable[[asyncpg.Connection], Awaitable[T]],
    *,
    attempts: int = 5,
    isolation: str = "read_committed",
) -> T:
    """Runs ``work`` in one transaction, retrying lost races (serialization, deadlock) so
    that clients never see them as server errors."""
    for attempt in range(1, attempts + 1):
        try:
            async with pool.acquire() as conn, conn.transaction(isolation=isolation):
                return await work(conn)
        except asyncpg.PostgresError as exc:
            if not is_retryable(exc) or attempt == attempts:
                raise
            await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))
    raise AssertionError("unreachable")


class NamedQuery:
    """A statement written with ``:name`` parameters, compiled once to asyncpg's ``$n``.

    Long statements (the sale's one-statement write embeds the outbox insert) stay readable
    and nobody counts ``$24..$32`` by hand: ``query.args(name=value, ...)`` gives the
    positional arguments in the right order and refuses a missing or unknown name.
    ``::type`` casts are left alone.
    """

    _PARAM = re.compile(r"(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)")

    def __init__(self, sql: str) -> None:
        self.names: list[str] = []

        def number(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in self.names:
                self.names.append(name)
            return f"${self.names.index(name) + 1}"

        self.sql = self._PARAM.sub(number, sql)

    def args(self, **params: Any) -> list[Any]:
        missing = [n for n in self.names if n not in params]
        unknown = sorted(set(params) - set(self.names))
        if missing or unknown:
            raise TypeError(f"query parameters: missing {missing}, unknown {unknown}")
        return [params[n] for n in self.names]
