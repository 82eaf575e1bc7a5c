"""Fair series (issue 15) and the fairs that belong to them."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from ocop_registration.domain.series import Series


class PostgresSeries:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def get(self, series_id: UUID) -> Series | None:
        row = await self.conn.fetchrow(
            "select series_id, organizer_id, name, created_at from fair_series"
            " where series_id = $1",
            series_id,
        )
        return Series(**dict(row)) if row else None

    async def add(self, series: Series) -> bool:
        """False if its id was taken meanwhile (a twin request committed first)."""
        inserted = await self.conn.fetchval(
            """insert into fair_series (series_id, organizer_id, name, created_at)
               values ($1, $2, $3, $4) on conflict (series_id) do nothing returning true""",
            series.series_id, series.organizer_id, series.name, series.created_at,
        )  # fmt: skip
        return bool(inserted)

    async def of_organizer(self, organizer_id: str | None) -> list[Series]:
        rows = await self.conn.fetch(
            "select series_id, organizer_id, name, created_at from fair_series"
            " where $1::text is null or organizer_id = $1 order by name",
            organizer_id,
        )
        return [Series(**dict(r)) for r in rows]

    async def fair_ids(self, series_id: UUID) -> list[UUID]:
        return [
            r["fair_id"]
            for r in await self.conn.fetch(
                "select fair_id from fair_series_members where series_id = $1", series_id
            )
        ]

    async def series_of(self, fair_id: UUID) -> UUID | None:
        found: UUID | None = await self.conn.fetchval(
            "select series_id from fair_series_members where fair_id = $1", fair_id
        )
        return found

    async def place(self, fair_id: UUID, series_id: UUID | None) -> None:
        if series_id is None:
            await self.conn.execute("delete from fair_series_members where fair_id = $1", fair_id)
            return
        await self.conn.execute(
            """insert into fair_series_members (fair_id, series_id) values ($1, $2)
               on conflict (fair_id) do update set series_id = excluded.series_id""",
            fair_id,
            series_id,
        )
