"""Fairs, exhibitors and booth holders: sales' copy of what registration and booths announced."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from ocop_sales.domain.catalog import Exhibitor, Fair
from ocop_sales.domain.terminals import BoothHolder


class PostgresFairs:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def save(self, fair: Fair) -> None:
        f = fair
        await self._conn.execute(
            """insert into fairs (fair_id, organizer_id, name, province, status, starts_at, ends_at,
                                  kind, commission_percent, host_retailer_id, stores, selling, opening_hours)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13::jsonb)
               on conflict (fair_id) do update set name = excluded.name, status = excluded.status,
                   starts_at = excluded.starts_at, ends_at = excluded.ends_at, kind = excluded.kind,
                   commission_percent = excluded.commission_percent,
                   host_retailer_id = excluded.host_retailer_id, stores = excluded.stores,
                   selling = excluded.selling, opening_hours = excluded.opening_hours""",
            f.fair_id, f.organizer_id, f.name, f.province, f.status, f.starts_at, f.ends_at,
            f.kind, f.commission_percent, f.host_retailer_id,
            [{"store_code": c, "name": n} for c, n in f.stores],
            f.selling,
            [{"weekday": d, "opens": o.strftime("%H:%M"), "closes": c.strftime("%H:%M")}
             for d, o, c in f.opening_hours],
        )  # fmt: skip

    async def selling(self, fair_id: UUID) -> bool:
        """Whether tills sell at the fair (an exhibition is display-only); a fair not known
        yet sells (enrolment then finds no booth holder there anyway)."""
        selling: bool | None = await self._conn.fetchval(
            "select selling from fairs where fair_id = $1", fair_id
        )
        return selling is not False

    async def organizer_of(self, fair_id: UUID) -> str | None:
        organizer: str | None = await self._conn.fetchval(
            "select organizer_id from fairs where fair_id = $1", fair_id
        )
        return organizer

    async def exhibits(self, fair_id: UUID, exhibitor_id: UUID) -> bool:
        found: bool = await self._conn.fetchval(
            """select exists (select 1 from catalog where fair_id = $1 and exhibitor_id = $2)
                   or exists (select 1 from booth_holders where fair_id = $1 and exhibitor_id = $2)
                   -- issue 15: a delegation's member holder whose products it sells there
                   or exists (select 1 from catalog where fair_id = $1 and producer_id = $2)""",
            fair_id,
            exhibitor_id,
        )
        return found


class PostgresExhibitors:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def save(self, exhibitor: Exhibitor) -> None:
        e = exhibitor
        await self._conn.execute(
            """insert into exhibitors (exhibitor_id, name, kind, province, bank_bin, bank_account, bank_account_name)
               values ($1, $2, $3, $4, $5, $6, $7)
               on conflict (exhibitor_id) do update set name = excluded.name, province = excluded.province,
                   bank_bin = excluded.bank_bin, bank_account = excluded.bank_account,
                   bank_account_name = excluded.bank_account_name""",
            e.exhibitor_id, e.name, e.kind, e.province, e.bank_bin, e.bank_account, e.bank_account_name,
        )  # fmt: skip


class PostgresBoothHolders:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def hold(self, holder: BoothHolder) -> None:
        h = holder
        await self._conn.execute(
            """insert into booth_holders (booth_id, fair_id, booth_code, exhibitor_id, status) values ($1, $2, $3, $4, $5)
               on conflict (booth_id) do update set exhibitor_id = excluded.exhibitor_id, status = excluded.status,
                   booth_code = excluded.booth_code""",
            h.booth_id, h.fair_id, h.booth_code, h.exhibitor_id, h.status,
        )  # fmt: skip

    async def release(self, booth_id: UUID, exhibitor_id: UUID) -> None:
        await self._conn.execute(
            "delete from booth_holders where booth_id = $1 and exhibitor_id = $2",
            booth_id,
            exhibitor_id,
        )

    async def holder(self, booth_id: UUID) -> BoothHolder | None:
        row = await self._conn.fetchrow(
            "select booth_id, fair_id, booth_code, exhibitor_id, status from booth_holders where booth_id = $1",
            booth_id,
        )
        return BoothHolder(**row) if row else None
