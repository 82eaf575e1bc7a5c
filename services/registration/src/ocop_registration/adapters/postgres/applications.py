"""Applications, their products in the order shown, and the products admitted (with until)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from ocop_registration.adapters.postgres.conflicts import unique_as_conflict
from ocop_registration.adapters.postgres.products import PostgresProducts
from ocop_registration.domain.applications import Application, BoothRequest
from ocop_shared.db import NamedQuery

SELECT = """select a.application_id, a.fair_id, a.exhibitor_id, e.name as exhibitor_name,
       e.kind as exhibitor_kind, e.province, a.booth_request, a.status, a.submitted_at,
       a.reviewed_by, a.reviewed_at, a.reason, a.reason_code, a.best_star, a.admitted,
       array(select ap.product_id from application_products ap
              where ap.application_id = a.application_id order by ap.position) as product_ids
  from applications a join exhibitors e using (exhibitor_id)"""

INSERT = NamedQuery("""
insert into applications (application_id, fair_id, exhibitor_id, booth_request, best_star,
                          status, submitted_at, admitted)
values (:application_id, :fair_id, :exhibitor_id, :booth_request, :best_star,
        :status, :submitted_at, :admitted)
""")

UPDATE = NamedQuery("""
update applications
   set status = :status, reviewed_by = :reviewed_by, reviewed_at = :reviewed_at,
       reason = :reason, reason_code = :reason_code, admitted = :admitted
 where application_id = :application_id
""")


class PostgresApplications:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def _applications(self, rows: Sequence[asyncpg.Record]) -> list[Application]:
        """Each application with its products as they are now."""
        product_ids = {p for r in rows for p in r["product_ids"]}
        products = await PostgresProducts(self.conn).get_many(list(product_ids))
        out = []
        for r in rows:
            data = dict(r)
            ids = data.pop("product_ids")
            data["booth_request"] = BoothRequest.model_validate(data["booth_request"])
            data["products"] = [products[p] for p in ids]
            out.append(Application.model_validate(data))
        return out

    async def get(self, application_id: UUID, *, lock: bool = False) -> Application | None:
        sql = SELECT + " where a.application_id = $1" + (" for update of a" if lock else "")
        found = await self._applications(await self.conn.fetch(sql, application_id))
        return found[0] if found else None

    async def list(
        self,
        *,
        fair_id: UUID | None = None,
        exhibitor_id: UUID | None = None,
        status: str | None = None,
    ) -> list[Application]:
        rows = await self.conn.fetch(
            SELECT
            + """ where ($1::uuid is null or a.fair_id = $1)
                    and ($2::uuid is null or a.exhibitor_id = $2)
                    and ($3::text is null or a.status = $3)
                  order by a.submitted_at""",
            fair_id,
            exhibitor_id,
            status,
        )
        return await self._applications(rows)

    async def add(self, application: Application) -> None:
        a = application
        args = INSERT.args(
            application_id=a.application_id,
            fair_id=a.fair_id,
            exhibitor_id=a.exhibitor_id,
            booth_request=a.booth_request.model_dump(),
            best_star=a.best_star,
            status=a.status,
            submitted_at=a.submitted_at,
            admitted=_admitted(a),
        )
        with unique_as_conflict():
            await self.conn.execute(INSERT.sql, *args)
        await self.conn.executemany(
            """insert into application_products (application_id, product_id, position)
               values ($1, $2, $3)""",
            [(a.application_id, p.product_id, i) for i, p in enumerate(a.products)],
        )

    async def save(self, application: Application) -> None:
        a = application
        args = UPDATE.args(
            application_id=a.application_id,
            status=a.status,
            reviewed_by=a.reviewed_by,
            reviewed_at=a.reviewed_at,
            reason=a.reason,
            reason_code=a.reason_code,
            admitted=_admitted(a),
        )
        await self.conn.execute(UPDATE.sql, *args)


def _admitted(application: Application) -> list[dict[str, str]]:
    return [a.model_dump(mode="json") for a in application.admitted]
