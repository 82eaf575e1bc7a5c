"""Inspections at fairs (issue 15), the products exhibited at a fair (what its approved
applications admit), and the referrals a certifying council is to decide."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from ocop_registration.domain.inspections import Exhibit, Inspection, Referral
from ocop_shared.db import NamedQuery

SELECT = """select i.inspection_id, i.fair_id, i.product_id, p.name as product_name, p.holder_id,
       i.exhibitor_id, e.name as exhibitor_name, i.booth_code, i.sample, i.finding, i.decision,
       i.suspended, i.inspector_id, i.inspected_by, i.recorded_at, i.content_hash,
       f.name as fair_name, f.province as fair_province, f.organizer_id as fair_organizer_id
  from inspections i
  join products p using (product_id)
  join exhibitors e on e.exhibitor_id = i.exhibitor_id
  join fairs f on f.fair_id = i.fair_id"""

INSERT = NamedQuery("""
insert into inspections (inspection_id, fair_id, product_id, exhibitor_id, booth_code, sample,
                         finding, decision, suspended, inspector_id, inspected_by, recorded_at,
                         content_hash)
values (:inspection_id, :fair_id, :product_id, :exhibitor_id, :booth_code, :sample, :finding,
        :decision, :suspended, :inspector_id, :inspected_by, :recorded_at, :content_hash)
""")

# Every product an approved application admits at the fair, with the exhibitor showing it.
EXHIBITS = """select distinct p.product_id, p.name as product_name, p.holder_id, a.exhibitor_id,
       e.name as exhibitor_name
  from applications a
  join exhibitors e using (exhibitor_id)
  cross join lateral jsonb_array_elements(a.admitted) as entry(item)
  join products p on p.product_id = (entry.item ->> 'product_id')::uuid
 where a.fair_id = $1 and a.status = 'approved'
 order by exhibitor_name, product_name"""

# Referrals with the product's holder's province and its newest certificate (star, number,
# whether revoked since), for the council whose jurisdiction it is.
REFERRALS = f"""select x.*, h.province as holder_province, c.star, c.number as certificate_number,
       c.revoked_at
  from ({SELECT} where i.decision = 'refer') x
  join exhibitors h on h.exhibitor_id = x.holder_id
  left join lateral (select * from certificates c where c.product_id = x.product_id
                      order by c.valid_from desc, c.created_at desc limit 1) c on true
 order by x.recorded_at desc
 limit $1"""


def _inspection(row: asyncpg.Record) -> Inspection:
    return Inspection(
        **{k: row[k] for k in Inspection.__dataclass_fields__ if k in row.keys()}  # noqa: SIM118
    )


class PostgresInspections:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def exhibits(self, fair_id: UUID) -> list[Exhibit]:
        return [Exhibit(**dict(r)) for r in await self.conn.fetch(EXHIBITS, fair_id)]

    async def get(self, inspection_id: UUID) -> Inspection | None:
        row = await self.conn.fetchrow(SELECT + " where i.inspection_id = $1", inspection_id)
        return _inspection(row) if row else None

    async def add(self, inspection: Inspection) -> bool:
        """Stores it; False if its id was taken meanwhile (a twin request committed first)."""
        params = {k: getattr(inspection, k) for k in INSERT.names}
        try:
            async with self.conn.transaction():  # a savepoint: the caller's transaction lives on
                await self.conn.execute(INSERT.sql, *INSERT.args(**params))
        except asyncpg.UniqueViolationError:
            return False
        return True

    async def of_fair(self, fair_id: UUID) -> list[Inspection]:
        rows = await self.conn.fetch(
            SELECT + " where i.fair_id = $1 order by i.recorded_at", fair_id
        )
        return [_inspection(r) for r in rows]

    async def of_product(self, product_id: UUID) -> list[Inspection]:
        rows = await self.conn.fetch(
            SELECT + " where i.product_id = $1 order by i.recorded_at", product_id
        )
        return [_inspection(r) for r in rows]

    async def referrals(self, limit: int) -> list[Referral]:
        rows = await self.conn.fetch(REFERRALS, limit)
        return [
            Referral(
                inspection=_inspection(r),
                holder_province=r["holder_province"],
                star=r["star"],
                certificate_number=r["certificate_number"],
                certificate_revoked=r["revoked_at"] is not None,
            )
            for r in rows
        ]
