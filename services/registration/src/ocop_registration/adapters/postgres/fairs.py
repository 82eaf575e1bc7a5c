"""Fairs: one row each, their admission rules as JSON."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from ocop_registration.domain.fair_kinds import FairStore, OpeningHours
from ocop_registration.domain.fairs import Fair, Rules
from ocop_shared.db import NamedQuery

SELECT = """select fair_id, organizer_id, name, kind, venue, province, starts_at, ends_at,
                   applications_open_at, applications_close_at, rules, status,
                   host_retailer_id::uuid, stores, opening_hours, open_ended
              from fairs"""

INSERT = NamedQuery("""
insert into fairs (fair_id, organizer_id, name, kind, venue, province, starts_at, ends_at,
                   applications_open_at, applications_close_at, rules, status,
                   host_retailer_id, stores, opening_hours, open_ended)
values (:fair_id, :organizer_id, :name, :kind, :venue, :province, :starts_at, :ends_at,
        :applications_open_at, :applications_close_at, :rules, :status,
        :host_retailer_id, :stores, :opening_hours, :open_ended)
""")


def _fair(row: asyncpg.Record) -> Fair:
    data = dict(row)
    data["rules"] = Rules.model_validate(data["rules"])
    data["stores"] = [FairStore.model_validate(s) for s in data["stores"]]
    data["opening_hours"] = [OpeningHours.model_validate(h) for h in data["opening_hours"]]
    return Fair.model_validate(data)


def _kind_columns(fair: Fair) -> dict[str, object]:
    return {
        "host_retailer_id": str(fair.host_retailer_id) if fair.host_retailer_id else None,
        "stores": [s.model_dump() for s in fair.stores],
        "opening_hours": [h.model_dump() for h in fair.opening_hours],
        "open_ended": fair.open_ended,
    }


class PostgresFairs:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def get(self, fair_id: UUID, *, lock: bool = False) -> Fair | None:
        sql = SELECT + " where fair_id = $1" + (" for update" if lock else "")
        row = await self.conn.fetchrow(sql, fair_id)
        return _fair(row) if row else None

    async def list(self, *, organizer_id: str | None, public_only: bool) -> list[Fair]:
        rows = await self.conn.fetch(
            SELECT
            + """ where ($1::text is null or organizer_id = $1)
                    and (not $2 or status <> 'draft')
                  order by starts_at""",
            organizer_id,
            public_only,
        )
        return [_fair(r) for r in rows]

    async def add(self, fair: Fair) -> None:
        kind_columns = _kind_columns(fair)
        params = fair.model_dump(include=set(INSERT.names) - {"rules", *kind_columns})
        await self.conn.execute(
            INSERT.sql, *INSERT.args(**params, rules=fair.rules.model_dump(), **kind_columns)
        )

    async def save(self, fair: Fair) -> None:
        await self.conn.execute(
            """update fairs
                  set status = $2, rules = $3, name = $4, venue = $5, province = $6,
                      starts_at = $7, ends_at = $8, applications_open_at = $9,
                      applications_close_at = $10, stores = $11, opening_hours = $12,
                      updated_at = now()
                where fair_id = $1""",
            fair.fair_id,
            fair.status,
            fair.rules.model_dump(),
            fair.name,
            fair.venue,
            fair.province,
            fair.starts_at,
            fair.ends_at,
            fair.applications_open_at,
            fair.applications_close_at,
            _kind_columns(fair)["stores"],
            _kind_columns(fair)["opening_hours"],
        )
