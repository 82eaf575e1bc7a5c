"""asyncpg pools with the codecs every service needs (JSON and JSONB as Python objects)."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson


async def _init_connection(conn: asyncpg.Connection) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name, encoder=_dumps, decoder=orjson.loads, schema="pg_catalog", format="text"
        )


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


async def create_pool(
    dsn: str, *, min_size: int = 2, max_size: int = 20, **kwargs: Any
) -> asyncpg.Pool:
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


def is_infrastructure_error(exc: BaseException) -> bool:
    """The database itself is unreachable: retrying the same message later is the answer."""
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
