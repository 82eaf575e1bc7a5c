"""Ranked booth choices (``booth_choices``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from uuid import UUID

import asyncpg

from ocop_booths.domain.choices import Choice


class PostgresChoices:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def replace(self, fair_id: UUID, application_id: UUID, choices: Sequence[Choice]) -> None:
        await self.conn.execute(
            "delete from booth_choices where application_id = $1", application_id
        )
        await self.conn.executemany(
            """insert into booth_choices (application_id, fair_id, rank, booth_id)
               values ($1, $2, $3, $4)""",
            [(application_id, fair_id, c.rank, c.booth_id) for c in choices],
        )

    async def of_application(self, application_id: UUID) -> list[Choice]:
        rows = await self.conn.fetch(
            "select rank, booth_id from booth_choices where application_id = $1 order by rank",
            application_id,
        )
        return [Choice(r["rank"], r["booth_id"]) for r in rows]

    async def of_fair(self, fair_id: UUID) -> dict[UUID, list[Choice]]:
        rows = await self.conn.fetch(
            """select application_id, rank, booth_id from booth_choices
                where fair_id = $1 order by application_id, rank""",
            fair_id,
        )
        out: dict[UUID, list[Choice]] = defaultdict(list)
        for r in rows:
            out[r["application_id"]].append(Choice(r["rank"], r["booth_id"]))
        return dict(out)
