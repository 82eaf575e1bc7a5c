"""Products and their certificates. A product's certificate is the one valid from the latest
date; its status and the product's ``ocop_until`` are decided by the domain as of today."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

import asyncpg

from ocop_registration.adapters.postgres.conflicts import unique_as_conflict
from ocop_registration.application.clock import today
from ocop_registration.domain.authority import Authority, Held
from ocop_registration.domain.products import (
    Certificate,
    ExpiryCandidate,
    NewProduct,
    Product,
    ProductChanges,
    certificate_status,
    ocop_until,
)
from ocop_registration.domain.text import fold
from ocop_shared.db import NamedQuery
from ocop_shared.inputs import escape_like

SELECT = """select p.product_id, p.holder_id, p.name, p.product_group, p.taxonomy, p.gtin, p.unit,
       p.list_price_vnd, c.certificate_id, c.number, c.star, c.issuing_level, c.issuing_body,
       c.decision_number, c.decision_date, c.valid_from, c.valid_to, c.authority_id, c.decided_by,
       c.revoked_at is not null as revoked
  from products p
  left join lateral (select * from certificates c where c.product_id = p.product_id
                      order by c.valid_from desc, c.created_at desc limit 1) c on true"""

INSERT_PRODUCT = NamedQuery("""
insert into products (product_id, holder_id, name, name_folded, taxonomy, product_group, gtin,
                      gtin_vietnamese, unit, list_price_vnd, traceability_url)
values (:product_id, :holder_id, :name, :name_folded, :taxonomy, :group, :gtin,
        :gtin_vietnamese, :unit, :list_price_vnd, :traceability_url)
""")

UPDATE_PRODUCT = NamedQuery("""
update products
   set name = coalesce(:name, name),
       name_folded = coalesce(:name_folded, name_folded),
       unit = coalesce(:unit, unit),
       list_price_vnd = coalesce(:list_price_vnd, list_price_vnd),
       traceability_url = case when :clears_traceability_url then null
                               else coalesce(:traceability_url, traceability_url) end,
       updated_at = now()
 where product_id = :product_id
""")

INSERT_CERTIFICATE = NamedQuery("""
insert into certificates (certificate_id, product_id, number, star, issuing_level, issuing_body,
                          decision_number, decision_date, valid_from, valid_to, authority_id,
                          decided_by)
values (:certificate_id, :product_id, :number, :star, :issuing_level, :issuing_body,
        :decision_number, :decision_date, :valid_from, :valid_to, :authority_id, :decided_by)
""")


def _product(row: asyncpg.Record, on: date) -> Product:
    certificate = None
    if row["certificate_id"] is not None:
        certificate = Certificate(
            certificate_id=row["certificate_id"],
            number=row["number"],
            star=row["star"],
            issuing_level=row["issuing_level"],
            issuing_body=row["issuing_body"],
            decision_number=row["decision_number"],
            decision_date=row["decision_date"],
            valid_from=row["valid_from"],
            valid_to=row["valid_to"],
            status=certificate_status(row["valid_to"], row["revoked"], on),
            authority_id=row["authority_id"],
            decided_by=row["decided_by"],
        )
    return Product(
        product_id=row["product_id"],
        holder_id=row["holder_id"],
        name=row["name"],
        group=row["product_group"],
        taxonomy=row["taxonomy"],
        gtin=row["gtin"],
        unit=row["unit"],
        list_price_vnd=row["list_price_vnd"],
        certificate=certificate,
        ocop_until=ocop_until(certificate, on),
    )


class PostgresProducts:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def get(self, product_id: UUID, *, lock: bool = False) -> Product | None:
        sql = SELECT + " where p.product_id = $1" + (" for update of p" if lock else "")
        row = await self.conn.fetchrow(sql, product_id)
        return _product(row, today()) if row else None

    async def get_many(self, ids: Sequence[UUID], *, lock: bool = False) -> dict[UUID, Product]:
        sql = (
            SELECT
            + " where p.product_id = any($1::uuid[]) order by p.product_id"
            + (" for update of p" if lock else "")
        )
        on = today()
        return {r["product_id"]: _product(r, on) for r in await self.conn.fetch(sql, list(ids))}

    async def search(
        self, *, folded: str, group: int | None, holder_id: UUID | None, limit: int
    ) -> list[Product]:
        rows = await self.conn.fetch(
            SELECT
            + """ where p.name_folded like '%' || $1 || '%' escape '\\'
                    and ($2::int is null or p.product_group = $2)
                    and ($3::uuid is null or p.holder_id = $3)
                  order by p.name limit $4""",
            escape_like(folded),
            group,
            holder_id,
            limit,
        )
        on = today()
        return [_product(r, on) for r in rows]

    async def add(self, new: NewProduct) -> None:
        p = new.product
        args = INSERT_PRODUCT.args(
            product_id=p.product_id,
            holder_id=p.holder_id,
            name=p.name,
            name_folded=fold(p.name),
            taxonomy=p.taxonomy,
            group=p.group,
            gtin=p.gtin,
            gtin_vietnamese=new.gtin_vietnamese,
            unit=p.unit,
            list_price_vnd=p.list_price_vnd,
            traceability_url=new.traceability_url,
        )
        with unique_as_conflict():
            await self.conn.execute(INSERT_PRODUCT.sql, *args)

    async def update(self, product_id: UUID, changes: ProductChanges) -> None:
        args = UPDATE_PRODUCT.args(
            product_id=product_id,
            name=changes.name,
            name_folded=fold(changes.name) if changes.name is not None else None,
            unit=changes.unit,
            list_price_vnd=changes.list_price_vnd,
            traceability_url=changes.traceability_url,
            clears_traceability_url=changes.clears_traceability_url,
        )
        await self.conn.execute(UPDATE_PRODUCT.sql, *args)

    async def taken_gtins(self, gtins: Sequence[str]) -> set[str]:
        rows = await self.conn.fetch(
            "select gtin from products where gtin = any($1::text[])", list(gtins)
        )
        return {r["gtin"] for r in rows}

    async def of_holders(self, holder_ids: Sequence[UUID]) -> list[Product]:
        rows = await self.conn.fetch(
            SELECT + " where p.holder_id = any($1::uuid[]) order by p.name", list(holder_ids)
        )
        on = today()
        return [_product(r, on) for r in rows]


class PostgresCertificates:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(self, product_id: UUID, certificate: Certificate) -> None:
        params = certificate.model_dump(include=set(INSERT_CERTIFICATE.names))
        with unique_as_conflict():
            await self.conn.execute(
                INSERT_CERTIFICATE.sql, *INSERT_CERTIFICATE.args(**params, product_id=product_id)
            )

    async def held(self, numbers: Sequence[str]) -> dict[str, Held]:
        """Each known certificate's product, star and holder's province; the certificates
        stay locked."""
        rows = await self.conn.fetch(
            """select c.number, c.product_id, c.star, e.province
                 from certificates c
                 join products p using (product_id)
                 join exhibitors e on e.exhibitor_id = p.holder_id
                where c.number = any($1::text[])
                order by c.product_id for update of c""",
            list(numbers),
        )
        return {r["number"]: Held(r["product_id"], r["star"], r["province"]) for r in rows}

    async def revoke(
        self, number: str, decision_number: str, reason: str, authority: Authority
    ) -> None:
        await self.conn.execute(
            """update certificates
                  set revoked_at = now(), revocation_decision = $2, revocation_reason = $3,
                      revoked_by_authority = $4, revoked_by = $5
                where number = $1 and revoked_at is null""",
            number,
            decision_number,
            reason,
            authority.authority_id,
            authority.decided_by,
        )

    async def taken_numbers(self, numbers: Sequence[str]) -> set[str]:
        rows = await self.conn.fetch(
            "select number from certificates where number = any($1::text[])", list(numbers)
        )
        return {r["number"] for r in rows}

    async def expiry_candidates(self, today: date, notice_days: int) -> list[ExpiryCandidate]:
        """Certificates not revoked nor announced as expired, ending within the notice period;
        locked, skipping those another scan holds."""
        rows = await self.conn.fetch(
            """select certificate_id, product_id, valid_to, expiring_announced from certificates
                where revoked_at is null and not expired_announced
                  and valid_to <= $1::date + $2::int
                order by product_id for update skip locked""",
            today,
            notice_days,
        )
        return [ExpiryCandidate(**dict(r)) for r in rows]

    async def upcoming_expiry(self, today: date, notice_days: int) -> list[ExpiryCandidate]:
        """The next certificate to end after today, and the next to enter its notice period
        after today (not revoked, not announced as expired): when the scan is due next."""
        rows = await self.conn.fetch(
            """(select certificate_id, product_id, valid_to, expiring_announced from certificates
                 where revoked_at is null and not expired_announced and valid_to >= $1::date
                 order by valid_to limit 1)
               union all
               (select certificate_id, product_id, valid_to, expiring_announced from certificates
                 where revoked_at is null and not expired_announced and not expiring_announced
                   and valid_to > $1::date + $2::int
                 order by valid_to limit 1)""",
            today,
            notice_days,
        )
        return [ExpiryCandidate(**dict(r)) for r in rows]

    async def mark_announced(self, certificate_id: UUID, *, expired: bool) -> None:
        column = "expired_announced" if expired else "expiring_announced"
        await self.conn.execute(
            f"update certificates set {column} = true where certificate_id = $1", certificate_id
        )
