"""Exhibitors (with their contact details, never announced) and delegations' memberships
(invited, accepted, declined, ended; only accepted ones are members)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from ocop_registration.adapters.postgres.conflicts import unique_as_conflict
from ocop_registration.domain.delegations import Membership
from ocop_registration.domain.exhibitors import BankAccount, Contact, Exhibitor
from ocop_registration.domain.text import fold
from ocop_shared.db import NamedQuery
from ocop_shared.inputs import escape_like

SELECT = """select e.exhibitor_id, e.kind, e.name, e.tax_code, e.province, e.commune, e.phone,
       e.address, e.email, e.bank_bin, e.bank_account, e.bank_account_name,
       coalesce((select array_agg(m.member_id order by m.member_id) from delegation_members m
                  where m.delegation_id = e.exhibitor_id and m.status = 'accepted'), '{}')
         as member_ids
  from exhibitors e"""

UPSERT = NamedQuery("""
insert into exhibitors (exhibitor_id, kind, name, name_folded, tax_code, province, commune,
                        address, phone, email, bank_bin, bank_account, bank_account_name)
values (:exhibitor_id, :kind, :name, :name_folded, :tax_code, :province, :commune,
        :address, :phone, :email, :bank_bin, :bank_account, :bank_account_name)
on conflict (exhibitor_id) do update
   set name = excluded.name, name_folded = excluded.name_folded, province = excluded.province,
       commune = excluded.commune, address = excluded.address, phone = excluded.phone,
       email = excluded.email, bank_bin = excluded.bank_bin,
       bank_account = excluded.bank_account, bank_account_name = excluded.bank_account_name,
       updated_at = now()
""")


MEMBERSHIPS = """select delegation_id, member_id as holder_id, status, invited_at, decided_at,
       ended_by
  from delegation_members"""


def _exhibitor(row: asyncpg.Record) -> Exhibitor:
    data = dict(row)
    contact = Contact(data.pop("address"), data.pop("email"))
    bank_fields = (data.pop("bank_bin"), data.pop("bank_account"), data.pop("bank_account_name"))
    bank = BankAccount(*bank_fields) if bank_fields[0] is not None else None
    return Exhibitor.model_validate({**data, "contact": contact, "bank": bank})


class PostgresExhibitors:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def get(self, exhibitor_id: UUID, *, lock: bool = False) -> Exhibitor | None:
        sql = SELECT + " where e.exhibitor_id = $1" + (" for update of e" if lock else "")
        row = await self.conn.fetchrow(sql, exhibitor_id)
        return _exhibitor(row) if row else None

    async def get_many(self, ids: Sequence[UUID]) -> dict[UUID, Exhibitor]:
        rows = await self.conn.fetch(SELECT + " where e.exhibitor_id = any($1::uuid[])", list(ids))
        return {r["exhibitor_id"]: _exhibitor(r) for r in rows}

    async def by_tax_code(self, tax_code: str) -> Exhibitor | None:
        row = await self.conn.fetchrow(SELECT + " where e.tax_code = $1", tax_code)
        return _exhibitor(row) if row else None

    async def holder_named(self, name: str, province: str) -> Exhibitor | None:
        """A holder (not a delegation) by its folded name, in a province."""
        row = await self.conn.fetchrow(
            SELECT
            + """ where e.name_folded = $1 and lower(e.province) = lower($2)
                    and e.kind <> 'delegation'
                  limit 1""",
            name,
            province,
        )
        return _exhibitor(row) if row else None

    async def search(
        self, folded: str, limit: int, *, applied_to: str | None = None
    ) -> list[Exhibitor]:
        rows = await self.conn.fetch(
            SELECT
            + """ where e.name_folded like '%' || $1 || '%' escape '\\'
                    and ($3::text is null or exists (
                          select 1 from applications a join fairs f using (fair_id)
                           where a.exhibitor_id = e.exhibitor_id and f.organizer_id = $3))
                  order by e.name limit $2""",
            escape_like(folded),
            limit,
            applied_to,
        )
        return [_exhibitor(r) for r in rows]

    async def applied_to(self, exhibitor_id: UUID, organizer_id: str) -> bool:
        return bool(
            await self.conn.fetchval(
                """select exists (select 1 from applications a join fairs f using (fair_id)
                                   where a.exhibitor_id = $1 and f.organizer_id = $2)""",
                exhibitor_id,
                organizer_id,
            )
        )

    async def save(self, exhibitor: Exhibitor) -> None:
        e, contact, bank = exhibitor, exhibitor.contact, exhibitor.bank
        args = UPSERT.args(
            exhibitor_id=e.exhibitor_id,
            kind=e.kind,
            name=e.name,
            name_folded=fold(e.name),
            tax_code=e.tax_code,
            province=e.province,
            commune=e.commune,
            address=contact.address,
            phone=e.phone,
            email=contact.email,
            bank_bin=bank.bin if bank else None,
            bank_account=bank.account if bank else None,
            bank_account_name=bank.account_name if bank else None,
        )
        with unique_as_conflict():
            await self.conn.execute(UPSERT.sql, *args)

    async def memberships(
        self, *, delegation_id: UUID | None = None, holder_id: UUID | None = None
    ) -> list[Membership]:
        rows = await self.conn.fetch(
            MEMBERSHIPS
            + """ where ($1::uuid is null or delegation_id = $1)
                    and ($2::uuid is null or member_id = $2)
                  order by invited_at, delegation_id, member_id""",
            delegation_id,
            holder_id,
        )
        return [Membership.model_validate(dict(r)) for r in rows]

    async def membership(
        self, delegation_id: UUID, holder_id: UUID, *, lock: bool = False
    ) -> Membership | None:
        row = await self.conn.fetchrow(
            MEMBERSHIPS
            + " where delegation_id = $1 and member_id = $2"
            + (" for update" if lock else ""),
            delegation_id,
            holder_id,
        )
        return Membership.model_validate(dict(row)) if row else None

    async def save_memberships(self, memberships: Sequence[Membership]) -> None:
        await self.conn.executemany(
            """insert into delegation_members
                      (delegation_id, member_id, status, invited_at, decided_at, ended_by)
               values ($1, $2, $3, $4, $5, $6)
               on conflict (delegation_id, member_id) do update
                  set status = excluded.status, invited_at = excluded.invited_at,
                      decided_at = excluded.decided_at, ended_by = excluded.ended_by""",
            [
                (m.delegation_id, m.holder_id, m.status, m.invited_at, m.decided_at, m.ended_by)
                for m in memberships
            ],
        )
