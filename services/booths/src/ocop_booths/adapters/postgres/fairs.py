"""Fairs as registration announces them (the ``fairs`` table)."""

from __future__ import annotations

from dataclasses import asdict
from uuid import UUID

import asyncpg

from ocop_booths.domain.applications import Fair, Rules
from ocop_shared.db import NamedQuery

UPSERT = NamedQuery(
    """insert into fairs (fair_id, organizer_id, name, status, starts_at, ends_at, rules,
                          store_codes)
       values (:fair_id, :organizer_id, :name, :status, :starts_at, :ends_at, :rules,
               :store_codes)
       on conflict (fair_id) do update
          set name = excluded.name, status = excluded.status, starts_at = excluded.starts_at,
              ends_at = excluded.ends_at, rules = fairs.rules || excluded.rules,
              store_codes = excluded.store_codes"""
)


class PostgresFairs:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def upsert(self, fair: Fair) -> None:
        await self.conn.execute(
            UPSERT.sql,
            *UPSERT.args(
                fair_id=fair.fair_id,
                organizer_id=fair.organizer_id,
                name=fair.name,
                status=fair.status,
                starts_at=fair.starts_at,
                ends_at=fair.ends_at,
                rules=asdict(fair.rules),
                store_codes=list(fair.store_codes),
            ),
        )

    async def get(self, fair_id: UUID, *, lock: bool = False) -> Fair | None:
        row = await self.conn.fetchrow(
            "select fair_id, organizer_id, name, status, starts_at, ends_at, rules, store_codes"
            " from fairs where fair_id = $1" + (" for update" if lock else ""),
            fair_id,
        )
        if row is None:
            return None
        return Fair(
            fair_id=row["fair_id"],
            organizer_id=row["organizer_id"],
            status=row["status"],
            rules=Rules.of(row["rules"]),
            name=row["name"],
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            store_codes=tuple(row["store_codes"]),
        )
