"""Approved (or waitlisted, withdrawn) applications and their products (``applications``,
``application_products``)."""

from __future__ import annotations

from dataclasses import asdict
from uuid import UUID

import asyncpg

from ocop_booths.domain.applications import Application, BoothRequest
from ocop_shared.db import NamedQuery

UPSERT = NamedQuery(
    """insert into applications (application_id, fair_id, exhibitor_id, exhibitor_name, exhibitor_kind, province,
                                 booth_request, best_star, submitted_at, status, product_groups, holder_count)
       values (:application_id, :fair_id, :exhibitor_id, :exhibitor_name, :exhibitor_kind, :province,
               :booth_request, :best_star, :submitted_at, :status, :product_groups, :holder_count)
       on conflict (application_id) do update
          set status = excluded.status, booth_request = excluded.booth_request"""
)

UPSERT_PRODUCTS = """
insert into application_products (application_id, product_id, admitted)
select $1, p.product_id, p.admitted from unnest($2::uuid[], $3::boolean[]) as p (product_id, admitted)
on conflict (application_id, product_id) do update set admitted = excluded.admitted"""

LEFT_WITHOUT_ADMITTED_PRODUCT = """
select a.application_id
  from applications a join fairs f using (fair_id)
 where f.status <> 'finished'
   and a.application_id in (select application_id from application_products where product_id = $1)
   and not exists (select 1 from application_products p where p.application_id = a.application_id and p.admitted)
 order by a.application_id"""


def _application(r: asyncpg.Record) -> Application:
    return Application(
        application_id=r["application_id"],
        fair_id=r["fair_id"],
        exhibitor_id=r["exhibitor_id"],
        exhibitor_name=r["exhibitor_name"],
        exhibitor_kind=r["exhibitor_kind"],
        province=r["province"],
        booth_request=BoothRequest(**r["booth_request"]),
        best_star=r["best_star"],
        submitted_at=r["submitted_at"],
        status=r["status"],
        product_groups=tuple(r["product_groups"]),
        holder_count=r["holder_count"],
    )


class PostgresApplications:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def upsert(self, a: Application) -> None:
        await self.conn.execute(
            UPSERT.sql,
            *UPSERT.args(
                application_id=a.application_id,
                fair_id=a.fair_id,
                exhibitor_id=a.exhibitor_id,
                exhibitor_name=a.exhibitor_name,
                exhibitor_kind=a.exhibitor_kind,
                province=a.province,
                booth_request=asdict(a.booth_request),
                best_star=a.best_star,
                submitted_at=a.submitted_at,
                status=a.status,
                product_groups=list(a.product_groups),
                holder_count=a.holder_count,
            ),
        )
        if a.products:
            await self.conn.execute(
                UPSERT_PRODUCTS,
                a.application_id,
                [product_id for product_id, _ in a.products],
                [admitted for _, admitted in a.products],
            )

    async def approved_for_update(self, fair_id: UUID, exhibitor_id: UUID) -> Application | None:
        row = await self.conn.fetchrow(
            """select * from applications
                where fair_id = $1 and exhibitor_id = $2 and status = 'approved' for update""",
            fair_id,
            exhibitor_id,
        )
        return None if row is None else _application(row)

    async def latest_of(self, fair_id: UUID, exhibitor_id: UUID) -> Application | None:
        row = await self.conn.fetchrow(
            """select * from applications where fair_id = $1 and exhibitor_id = $2
                order by status = 'approved' desc, submitted_at desc limit 1""",
            fair_id,
            exhibitor_id,
        )
        return None if row is None else _application(row)

    async def exhibits(self, fair_id: UUID, exhibitor_id: UUID) -> bool:
        return bool(
            await self.conn.fetchval(
                "select exists (select 1 from applications where fair_id = $1 and exhibitor_id = $2)",
                fair_id,
                exhibitor_id,
            )
        )

    async def approved_without_booths(self, fair_id: UUID) -> list[Application]:
        rows = await self.conn.fetch(
            """select * from applications a
                where fair_id = $1 and status = 'approved'
                  and not exists (select 1 from occupancy o where o.application_id = a.application_id)""",
            fair_id,
        )
        return [_application(r) for r in rows]

    async def set_product_admitted(self, product_id: UUID, admitted: bool) -> None:
        await self.conn.execute(
            "update application_products set admitted = $2 where product_id = $1",
            product_id,
            admitted,
        )

    async def left_without_admitted_product(self, product_id: UUID) -> list[UUID]:
        return [
            r["application_id"]
            for r in await self.conn.fetch(LEFT_WITHOUT_ADMITTED_PRODUCT, product_id)
        ]
