"""Tills, their tokens and pairing codes, and a till's own view of itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from ocop_sales.application.ports import PairedTill, TerminalRecord, TerminalRow
from ocop_sales.domain.terminals import PAIRING_VALID, Enrolment, new_receipt_prefix
from ocop_shared import auth

PREFIX_DRAWS = 8  # 32^5 prefixes: a collision is rare, eight in a row never happen


class PostgresTerminals:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, enrolment: Enrolment) -> str:
        e = enrolment
        for _draw in range(PREFIX_DRAWS):
            prefix = new_receipt_prefix()
            try:
                async with self._conn.transaction():  # a savepoint: a collision draws again
                    await self._conn.execute(
                        """insert into terminals (terminal_id, fair_id, booth_id, label, enrolled_by, receipt_prefix)
                           values ($1, $2, $3, $4, $5, $6)""",
                        e.terminal_id, e.fair_id, e.booth_id, e.label, e.enrolled_by, prefix,
                    )  # fmt: skip
            except asyncpg.UniqueViolationError as exc:
                if exc.constraint_name != "terminals_receipt_prefix":
                    raise
                continue
            return prefix
        raise RuntimeError("no free receipt prefix found")  # pragma: no cover

    async def issue_device_token(self, terminal_id: UUID, label: str) -> str:
        """The till's device credential (shown once, stored hashed); any earlier one of the
        till is revoked at once on every replica: one device per till."""
        await auth.revoke_subject_tokens(self._conn, "terminal", str(terminal_id))
        return await auth.issue_token(
            self._conn, "terminal", str(terminal_id), label, kind="device"
        )

    async def revoke_tokens(self, terminal_id: UUID) -> None:
        """The till's device credentials stop working at once on every replica (NOTIFY)."""
        await auth.revoke_subject_tokens(self._conn, "terminal", str(terminal_id))

    async def get(self, terminal_id: UUID, *, lock: bool = False) -> TerminalRecord | None:
        sql = """select terminal_id, fair_id, booth_id, label, status, receipt_prefix
                   from terminals where terminal_id = $1"""
        row = await self._conn.fetchrow(sql + " for update" if lock else sql, terminal_id)
        return TerminalRecord(**row) if row else None

    async def add_pairing(self, terminal_id: UUID, code_hash: bytes, issued_by: str) -> datetime:
        """A new pairing code for the till (its unused ones revoked); answers when it expires."""
        await self._conn.execute(
            """update terminal_pairings set revoked_at = now()
                where terminal_id = $1 and used_at is null and revoked_at is null""",
            terminal_id,
        )
        expires_at: datetime = await self._conn.fetchval(
            """insert into terminal_pairings (code_hash, terminal_id, issued_by, expires_at)
               values ($1, $2, $3, now() + $4::interval) returning expires_at""",
            code_hash, terminal_id, issued_by, PAIRING_VALID,
        )  # fmt: skip
        return expires_at

    async def use_pairing(self, code_hash: bytes) -> PairedTill | None:
        """Uses the code up if it is unused, unexpired and its till active (the code and the
        till locked until commit, so a suspension cannot slip in between); None otherwise."""
        row = await self._conn.fetchrow(
            """select t.terminal_id, t.fair_id, t.booth_id, t.label, t.receipt_prefix, h.booth_code
                 from terminal_pairings p join terminals t using (terminal_id)
                 left join booth_holders h on h.booth_id = t.booth_id and h.fair_id = t.fair_id
                where p.code_hash = $1 and p.used_at is null and p.revoked_at is null
                  and p.expires_at > now() and t.status = 'active'
                  for update of p, t""",
            code_hash,
        )
        if row is None:
            return None
        await self._conn.execute(
            "update terminal_pairings set used_at = now() where code_hash = $1", code_hash
        )
        return PairedTill(**row)

    async def profile(self, terminal_id: UUID) -> dict[str, Any] | None:
        """The till as it sees itself: its fair, booth, exhibitor (and bank account), open
        session and the server's clock (one statement)."""
        row = await self._conn.fetchrow(
            """select t.terminal_id, t.label, t.status, t.receipt_prefix, t.next_receipt_no,
                      f.fair_id, f.name as fair_name, f.status as fair_status, f.starts_at, f.ends_at,
                      t.booth_id, h.booth_code, h.exhibitor_id, e.name as exhibitor_name,
                      e.bank_bin, e.bank_account, e.bank_account_name,
                      s.session_id, s.opened_at, s.opening_cash_vnd, statement_timestamp() as server_time
                 from terminals t join fairs f using (fair_id)
                 left join booth_holders h on h.booth_id = t.booth_id and h.fair_id = t.fair_id
                 left join exhibitors e on e.exhibitor_id = h.exhibitor_id
                 left join sessions s on s.session_id = t.session_id
                where t.terminal_id = $1""",
            terminal_id,
        )
        return dict(row) if row else None

    async def catalog(self, terminal_id: UUID) -> tuple[datetime, list[dict[str, Any]]]:
        """The products of the till's booth's exhibitor at its fair (blocked ones too, not the
        withdrawn), with their producer's name, and the server's clock."""
        rows = await self._conn.fetch(
            """select statement_timestamp() as now, c.product_id, c.name, c.gtin, c.producer_id,
                      p.name as producer_name, c.star, c.product_group, c.list_price_vnd,
                      c.blocked_at, c.blocked_reason, c.ocop_until,
                      -- issue 15: suspended at this fair by its inspectors
                      (select s.suspended_at from fair_suspensions s
                        where s.fair_id = c.fair_id and s.product_id = c.product_id) as suspended_at,
                      -- issue 15: on hand at this booth (null: not tracked)
                      (select sl.on_hand from stock_levels sl where sl.fair_id = t.fair_id
                          and sl.booth_id = t.booth_id and sl.product_id = c.product_id) as stock
                 from terminals t
                 join booth_holders h on h.booth_id = t.booth_id and h.fair_id = t.fair_id
                 join catalog c on c.fair_id = t.fair_id and c.exhibitor_id = h.exhibitor_id and not c.withdrawn
                 left join exhibitors p on p.exhibitor_id = c.producer_id
                where t.terminal_id = $1
                order by c.name, c.product_id""",
            terminal_id,
        )
        if not rows:
            now: datetime = await self._conn.fetchval("select statement_timestamp()")
            return now, []
        return rows[0]["now"], [dict(r) for r in rows]

    async def fair_of(self, terminal_id: UUID, *, lock: bool = False) -> UUID | None:
        sql = "select fair_id from terminals where terminal_id = $1"
        fair_id: UUID | None = await self._conn.fetchval(
            sql + " for update" if lock else sql, terminal_id
        )
        return fair_id

    async def suspend(self, terminal_id: UUID) -> str:
        status: str = await self._conn.fetchval(
            """update terminals set status = case when status = 'active' then 'suspended' else status end
                where terminal_id = $1 returning status""",
            terminal_id,
        )
        await auth.revoke_subject_tokens(self._conn, "terminal", str(terminal_id))
        return status

    async def unpair(self, terminal_id: UUID) -> None:
        await self._conn.execute(
            "update terminals set status = 'unpaired' where terminal_id = $1", terminal_id
        )
        # Every replica's token cache empties at commit (NOTIFY): refused at once everywhere.
        await auth.revoke_subject_tokens(self._conn, "terminal", str(terminal_id))

    async def seen(self, terminal_id: UUID) -> None:
        # A heartbeat at most every 10 s: the till polls every second while online.
        await self._conn.execute(
            """update terminals set last_seen_at = statement_timestamp()
                where terminal_id = $1
                  and (last_seen_at is null or last_seen_at < statement_timestamp() - interval '10 seconds')""",
            terminal_id,
        )

    async def listing(
        self, fair_id: UUID, *, exhibitor_id: UUID | None = None
    ) -> list[TerminalRow]:
        rows = await self._conn.fetch(
            """select t.terminal_id, t.booth_id, h.booth_code, h.exhibitor_id, t.label, t.status,
                      t.session_id is not null as session_open, t.created_at as enrolled_at,
                      t.last_online_at, t.last_seen_at
                 from terminals t left join booth_holders h on h.booth_id = t.booth_id and h.fair_id = t.fair_id
                where t.fair_id = $1 and ($2::uuid is null or h.exhibitor_id = $2)
                order by t.created_at, t.terminal_id""",
            fair_id,
            exhibitor_id,
        )
        return [TerminalRow(**r) for r in rows]
