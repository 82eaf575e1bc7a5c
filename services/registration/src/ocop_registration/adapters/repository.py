"""Postgres access for registration: rows in, snapshots out. No rules live here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, TypeAlias
from uuid import UUID

import asyncpg

from ocop_registration.domain.products import certificate_status
from ocop_registration.domain.timezone import VN
from ocop_shared.contracts.registration import (
    AdmissionRules,
    ApplicationSnapshot,
    BoothRequest,
    CertificateSnapshot,
    ExhibitorSnapshot,
    FairSnapshot,
    ProductSnapshot,
)

Conn: TypeAlias = asyncpg.Connection | asyncpg.Pool


def today() -> date:
    return datetime.now(VN).date()


# --- fairs ------------------------------------------------------------------------------

_FAIR = """select fair_id, organizer_id, name, kind, venue, province, starts_at, ends_at,
                  applications_open_at, applications_close_at, rules, status from fairs"""


def _fair(row: asyncpg.Record) -> FairSnapshot:
    data = dict(row)
    data["rules"] = AdmissionRules.model_validate(data["rules"])
    return FairSnapshot.model_validate(data)


async def get_fair(conn: Conn, fair_id: UUID, *, lock: bool = False) -> FairSnapshot | None:
    row = await conn.fetchrow(
        _FAIR + " where fair_id = $1" + (" for update" if lock else ""), fair_id
    )
    return _fair(row) if row else None


async def list_fairs(
    conn: Conn, *, organizer_id: str | None, public_only: bool
) -> list[FairSnapshot]:
    rows = await conn.fetch(
        _FAIR
        + " where ($1::text is null or organizer_id = $1) and (not $2 or status <> 'draft') order by starts_at",
        organizer_id,
        public_only,
    )
    return [_fair(r) for r in rows]


async def insert_fair(conn: asyncpg.Connection, fair: FairSnapshot) -> None:
    await conn.execute(
        """insert into fairs (fair_id, organizer_id, name, kind, venue, province, starts_at, ends_at,
                              applications_open_at, applications_close_at, rules, status)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)""",
        fair.fair_id,
        fair.organizer_id,
        fair.name,
        fair.kind,
        fair.venue,
        fair.province,
        fair.starts_at,
        fair.ends_at,
        fair.applications_open_at,
        fair.applications_close_at,
        fair.rules.model_dump(),
        fair.status,
    )


async def update_fair(conn: asyncpg.Connection, fair: FairSnapshot) -> None:
    await conn.execute(
        "update fairs set status = $2, rules = $3, updated_at = now() where fair_id = $1",
        fair.fair_id,
        fair.status,
        fair.rules.model_dump(),
    )


# --- exhibitors -------------------------------------------------------------------------

_EXHIBITOR = """select e.exhibitor_id, e.kind, e.name, e.tax_code, e.province, e.commune, e.phone,
       coalesce((select array_agg(m.member_id order by m.member_id) from delegation_members m
                 where m.delegation_id = e.exhibitor_id), '{}') as member_ids
  from exhibitors e"""


def _exhibitor(row: asyncpg.Record) -> ExhibitorSnapshot:
    return ExhibitorSnapshot.model_validate(dict(row))


async def get_exhibitor(
    conn: Conn, exhibitor_id: UUID, *, lock: bool = False
) -> ExhibitorSnapshot | None:
    sql = _EXHIBITOR + " where e.exhibitor_id = $1" + (" for update of e" if lock else "")
    row = await conn.fetchrow(sql, exhibitor_id)
    return _exhibitor(row) if row else None


async def get_exhibitors(conn: Conn, ids: Sequence[UUID]) -> dict[UUID, ExhibitorSnapshot]:
    rows = await conn.fetch(_EXHIBITOR + " where e.exhibitor_id = any($1::uuid[])", list(ids))
    return {r["exhibitor_id"]: _exhibitor(r) for r in rows}


async def exhibitor_by_tax_code(conn: Conn, tax_code: str) -> ExhibitorSnapshot | None:
    row = await conn.fetchrow(_EXHIBITOR + " where e.tax_code = $1", tax_code)
    return _exhibitor(row) if row else None


async def search_exhibitors(conn: Conn, folded: str, limit: int) -> list[ExhibitorSnapshot]:
    rows = await conn.fetch(
        _EXHIBITOR + " where e.name_folded like '%' || $1 || '%' order by e.name limit $2",
        folded,
        limit,
    )
    return [_exhibitor(r) for r in rows]


async def upsert_exhibitor(
    conn: asyncpg.Connection, ex: ExhibitorSnapshot, folded: str, address: str, email: str | None
) -> None:
    await conn.execute(
        """insert into exhibitors (exhibitor_id, kind, name, name_folded, tax_code, province, commune, address, phone, email)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           on conflict (exhibitor_id) do update set name = excluded.name, name_folded = excluded.name_folded,
               province = excluded.province, commune = excluded.commune, address = excluded.address,
               phone = excluded.phone, email = excluded.email, updated_at = now()""",
        ex.exhibitor_id,
        ex.kind,
        ex.name,
        folded,
        ex.tax_code,
        ex.province,
        ex.commune,
        address,
        ex.phone,
        email,
    )


async def add_members(
    conn: asyncpg.Connection, delegation_id: UUID, member_ids: Sequence[UUID]
) -> None:
    await conn.executemany(
        "insert into delegation_members (delegation_id, member_id) values ($1, $2) on conflict do nothing",
        [(delegation_id, m) for m in member_ids],
    )


# --- products and certificates ----------------------------------------------------------

_PRODUCT = """select p.product_id, p.holder_id, p.name, p.product_group, p.taxonomy, p.gtin, p.unit,
       p.list_price_vnd, c.certificate_id, c.number, c.star, c.issuing_level, c.issuing_body,
       c.decision_number, c.decision_date, c.valid_from, c.valid_to, c.revoked_at is not null as revoked
  from products p
  left join lateral (select * from certificates c where c.product_id = p.product_id
                     order by c.valid_from desc, c.created_at desc limit 1) c on true"""


def _product(row: asyncpg.Record, on: date) -> ProductSnapshot:
    certificate = None
    if row["certificate_id"] is not None:
        certificate = CertificateSnapshot(
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
        )
    return ProductSnapshot(
        product_id=row["product_id"],
        holder_id=row["holder_id"],
        name=row["name"],
        group=row["product_group"],
        taxonomy=row["taxonomy"],
        gtin=row["gtin"],
        unit=row["unit"],
        list_price_vnd=row["list_price_vnd"],
        certificate=certificate,
    )


async def get_product(
    conn: Conn, product_id: UUID, *, lock: bool = False
) -> ProductSnapshot | None:
    row = await conn.fetchrow(
        _PRODUCT + " where p.product_id = $1" + (" for update of p" if lock else ""), product_id
    )
    return _product(row, today()) if row else None


async def get_products(
    conn: Conn, ids: Sequence[UUID], *, lock: bool = False
) -> dict[UUID, ProductSnapshot]:
    sql = (
        _PRODUCT
        + " where p.product_id = any($1::uuid[]) order by p.product_id"
        + (" for update of p" if lock else "")
    )
    on = today()
    return {r["product_id"]: _product(r, on) for r in await conn.fetch(sql, list(ids))}


async def product_id_by_gtin(conn: Conn, gtin: str) -> UUID | None:
    value: UUID | None = await conn.fetchval(
        "select product_id from products where gtin = $1", gtin
    )
    return value


async def search_products(
    conn: Conn, *, folded: str, group: int | None, holder_id: UUID | None, limit: int
) -> list[ProductSnapshot]:
    rows = await conn.fetch(
        _PRODUCT
        + """ where p.name_folded like '%' || $1 || '%' and ($2::int is null or p.product_group = $2)
              and ($3::uuid is null or p.holder_id = $3) order by p.name limit $4""",
        folded,
        group,
        holder_id,
        limit,
    )
    on = today()
    return [_product(r, on) for r in rows]


async def insert_product(
    conn: asyncpg.Connection,
    p: ProductSnapshot,
    folded: str,
    vietnamese_gtin: bool | None,
    url: str | None,
) -> None:
    await conn.execute(
        """insert into products (product_id, holder_id, name, name_folded, taxonomy, product_group, gtin,
                                 gtin_vietnamese, unit, list_price_vnd, traceability_url)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""",
        p.product_id,
        p.holder_id,
        p.name,
        folded,
        p.taxonomy,
        p.group,
        p.gtin,
        vietnamese_gtin,
        p.unit,
        p.list_price_vnd,
        url,
    )


async def update_product(
    conn: asyncpg.Connection, product_id: UUID, changes: dict[str, Any]
) -> None:
    columns = {"name", "name_folded", "unit", "list_price_vnd", "traceability_url"}
    assert set(changes) <= columns
    sets = ", ".join(f"{c} = ${i}" for i, c in enumerate(changes, start=2))
    await conn.execute(
        f"update products set {sets}, updated_at = now() where product_id = $1",
        product_id,
        *changes.values(),
    )


async def insert_certificate(
    conn: asyncpg.Connection, product_id: UUID, c: CertificateSnapshot
) -> None:
    await conn.execute(
        """insert into certificates (certificate_id, product_id, number, star, issuing_level, issuing_body,
                                     decision_number, decision_date, valid_from, valid_to)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
        c.certificate_id,
        product_id,
        c.number,
        c.star,
        c.issuing_level,
        c.issuing_body,
        c.decision_number,
        c.decision_date,
        c.valid_from,
        c.valid_to,
    )


async def certificates_by_number(
    conn: asyncpg.Connection, numbers: Sequence[str]
) -> dict[str, UUID]:
    rows = await conn.fetch(
        "select number, product_id from certificates where number = any($1::text[]) order by product_id for update",
        list(numbers),
    )
    return {r["number"]: r["product_id"] for r in rows}


async def revoke_certificate(
    conn: asyncpg.Connection, number: str, decision: str, reason: str
) -> None:
    await conn.execute(
        """update certificates set revoked_at = now(), revocation_decision = $2, revocation_reason = $3
            where number = $1 and revoked_at is null""",
        number,
        decision,
        reason,
    )


async def certificates_to_announce(
    conn: asyncpg.Connection, on: date, notice_days: int
) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        """select certificate_id, product_id, valid_to, expiring_announced from certificates
            where revoked_at is null and not expired_announced
              and valid_to <= $1::date + $2::int
            order by product_id for update skip locked""",
        on,
        notice_days,
    )
    return rows


async def mark_announced(conn: asyncpg.Connection, certificate_id: UUID, *, expired: bool) -> None:
    column = "expired_announced" if expired else "expiring_announced"
    await conn.execute(
        f"update certificates set {column} = true where certificate_id = $1", certificate_id
    )


# --- applications -----------------------------------------------------------------------

_APPLICATION = """select a.application_id, a.fair_id, a.exhibitor_id, e.name as exhibitor_name,
       e.kind as exhibitor_kind, e.province, a.booth_request, a.status, a.submitted_at, a.reviewed_by,
       a.reviewed_at, a.reason, a.best_star,
       array(select ap.product_id from application_products ap
              where ap.application_id = a.application_id order by ap.position) as product_ids
  from applications a join exhibitors e using (exhibitor_id)"""


async def _applications(conn: Conn, rows: Sequence[asyncpg.Record]) -> list[ApplicationSnapshot]:
    product_ids = {p for r in rows for p in r["product_ids"]}
    products = await get_products(conn, list(product_ids))
    out = []
    for r in rows:
        data = dict(r)
        ids = data.pop("product_ids")
        data["booth_request"] = BoothRequest.model_validate(data["booth_request"])
        data["products"] = [products[p] for p in ids]
        out.append(ApplicationSnapshot.model_validate(data))
    return out


async def get_application(
    conn: Conn, application_id: UUID, *, lock: bool = False
) -> ApplicationSnapshot | None:
    sql = _APPLICATION + " where a.application_id = $1" + (" for update of a" if lock else "")
    rows = await conn.fetch(sql, application_id)
    found = await _applications(conn, rows)
    return found[0] if found else None


async def list_applications(
    conn: Conn,
    *,
    fair_id: UUID | None = None,
    exhibitor_id: UUID | None = None,
    status: str | None = None,
) -> list[ApplicationSnapshot]:
    rows = await conn.fetch(
        _APPLICATION
        + """ where ($1::uuid is null or a.fair_id = $1) and ($2::uuid is null or a.exhibitor_id = $2)
              and ($3::text is null or a.status = $3) order by a.submitted_at""",
        fair_id,
        exhibitor_id,
        status,
    )
    return await _applications(conn, rows)


async def insert_application(conn: asyncpg.Connection, a: ApplicationSnapshot) -> None:
    await conn.execute(
        """insert into applications (application_id, fair_id, exhibitor_id, booth_request, best_star, status, submitted_at)
           values ($1, $2, $3, $4, $5, $6, $7)""",
        a.application_id,
        a.fair_id,
        a.exhibitor_id,
        a.booth_request.model_dump(),
        a.best_star,
        a.status,
        a.submitted_at,
    )
    await conn.executemany(
        "insert into application_products (application_id, product_id, position) values ($1, $2, $3)",
        [(a.application_id, p.product_id, i) for i, p in enumerate(a.products)],
    )


async def update_application(conn: asyncpg.Connection, a: ApplicationSnapshot) -> None:
    await conn.execute(
        "update applications set status = $2, reviewed_by = $3, reviewed_at = $4, reason = $5 where application_id = $1",
        a.application_id,
        a.status,
        a.reviewed_by,
        a.reviewed_at,
        a.reason,
    )


async def holder_history(
    conn: Conn, holder_ids: Sequence[UUID]
) -> dict[UUID, list[dict[str, Any]]]:
    rows = await conn.fetch(
        """select holder_id, fair_id, sales, gross_vnd, refunded_vnd from holder_results
            where holder_id = any($1::uuid[]) order by fair_id""",
        list(holder_ids),
    )
    out: dict[UUID, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(r["holder_id"], []).append(
            {
                "fair_id": r["fair_id"],
                "sales": r["sales"],
                "gross_vnd": r["gross_vnd"],
                "refunded_vnd": r["refunded_vnd"],
                "net_vnd": r["gross_vnd"] - r["refunded_vnd"],
            }
        )
    return out
