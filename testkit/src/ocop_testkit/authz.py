"""Runs a service's generated authorization matrix (``ocop_shared.authz.matrix``) against the
running app: every route x role x relation, each answered as the table says, and a refused
call changes nothing (no event is written: the outbox's identity sequence does not move).

A service's test supplies, per route, how to make the call for a case (``Prepare``: it may
create the records it needs, owned by the caller's organization for ``own``, by another
organization for ``other_org``, or in another fair of the caller's for ``other_fair``), and the
credential of each role (``Credentials``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx

from ocop_shared.authz import STATUS_OF, Case


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    json: Any = None
    files: Any = None
    data: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)


Prepare = Callable[[Case], Awaitable[Call]]
Credentials = Callable[[Case], Awaitable[Mapping[str, str]]]


async def outbox_position(conn: asyncpg.Connection, schema: str) -> int:
    """How far the service's outbox identity has gone (it moves with every event written,
    even one rolled back, so a refused call that wrote anything shows)."""
    value = await conn.fetchval(
        "select coalesce(pg_sequence_last_value(pg_get_serial_sequence($1, 'id')), 0)",
        f"{schema}.outbox",
    )
    return int(value)


def _satisfied(case: Case, status: int) -> bool:
    wanted = STATUS_OF[case.expected]
    if wanted is None:
        return status < 500 and status not in (401, 403, 404)
    return status == wanted


async def run_matrix(
    client: httpx.AsyncClient,
    cases: Sequence[Case],
    prepare: Mapping[str, Prepare],
    credentials: Credentials,
    written: Callable[[], Awaitable[int]],
) -> list[str]:
    """Every case; answers the failures (empty when the table holds). Refused cases of a
    route run before its allowed ones, so a record is refused before anyone changes it."""
    failures = [f"no way to call {route}" for route in {c.rule.route for c in cases} - set(prepare)]
    ordered = sorted(cases, key=lambda c: (c.rule.route, c.expected == "allowed"))
    for case in ordered:
        if case.rule.route not in prepare:
            continue
        call = await prepare[case.rule.route](case)
        headers = {**(await credentials(case)), **call.headers}
        before = await written()
        response = await client.request(
            call.method,
            call.url,
            json=call.json,
            files=call.files,
            data=call.data,
            headers=headers,
        )
        if not _satisfied(case, response.status_code):
            failures.append(
                f"{case.id}: expected {case.expected}, got {response.status_code} "
                f"{response.text[:200]}"
            )
        elif case.expected != "allowed" and await written() != before:
            failures.append(f"{case.id}: refused, but an event was written")
    return failures
