"""Sales learns its world from events only: fairs, exhibitors, booths, approved products,
and certificates that stop a product's sale."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from ocop_shared.contracts.booths import BoothAssigned, BoothConfirmed, BoothMoved, BoothReleased
from ocop_shared.contracts.registration import (
    ApplicationApproved,
    ApplicationWithdrawn,
    CertificateExpired,
    CertificateIssued,
    CertificateRevoked,
    ExhibitorRegistered,
    ExhibitorUpdated,
    FairApplicationsClosed,
    FairFinished,
    FairOpenedForApplications,
    FairRulesChanged,
    FairStarted,
    ProductUpdated,
)
from ocop_shared.credentials import credentials_subscription
from ocop_shared.inbox import Delivery, InboxConsumer
from ocop_shared.logging import get_logger
from ocop_shared.service import Service, Subscription
from ocop_shared.topics import (
    BOOTHS_ASSIGNMENTS,
    REGISTRATION_APPLICATIONS,
    REGISTRATION_EXHIBITORS,
    REGISTRATION_FAIRS,
    REGISTRATION_PRODUCTS,
)

log = get_logger(__name__)

FairEvent = (
    FairOpenedForApplications
    | FairApplicationsClosed
    | FairStarted
    | FairFinished
    | FairRulesChanged
)


async def on_fair(conn: asyncpg.Connection, event: FairEvent, _d: Delivery) -> None:
    f = event.fair
    await conn.execute(
        """insert into fairs (fair_id, organizer_id, name, province, status, starts_at, ends_at)
           values ($1, $2, $3, $4, $5, $6, $7)
           on conflict (fair_id) do update set name = excluded.name, status = excluded.status,
               starts_at = excluded.starts_at, ends_at = excluded.ends_at""",
        f.fair_id, f.organizer_id, f.name, f.province, f.status, f.starts_at, f.ends_at,
    )  # fmt: skip


async def on_exhibitor(
    conn: asyncpg.Connection, event: ExhibitorRegistered | ExhibitorUpdated, _d: Delivery
) -> None:
    e = event.exhibitor
    await conn.execute(
        """insert into exhibitors (exhibitor_id, name, kind, province) values ($1, $2, $3, $4)
           on conflict (exhibitor_id) do update set name = excluded.name, province = excluded.province""",
        e.exhibitor_id, e.name, e.kind, e.province,
    )  # fmt: skip


async def on_approved(conn: asyncpg.Connection, event: ApplicationApproved, _d: Delivery) -> None:
    a = event.application
    rows = []
    for p in a.products:
        cert = p.certificate
        rows.append(
            (
                a.fair_id,
                a.exhibitor_id,
                p.product_id,
                p.holder_id,
                p.name,
                p.gtin,
                p.group,
                cert.star if cert else 0,
                p.list_price_vnd,
            )
        )
    await conn.executemany(
        """insert into catalog (fair_id, exhibitor_id, product_id, producer_id, name, gtin, product_group, star, list_price_vnd, blocked_at, blocked_reason)
           select $1, $2, $3, $4, $5, $6, $7, $8, $9, b.blocked_at, b.reason
             from (select 1) one left join product_blocks b on b.product_id = $3
           on conflict (fair_id, exhibitor_id, product_id) do update set withdrawn = false,
               list_price_vnd = excluded.list_price_vnd, star = excluded.star""",
        rows,
    )
    for p in a.products:
        if p.certificate is None or p.certificate.status in ("revoked", "expired"):
            await _block(
                conn,
                p.product_id,
                event_time=a.reviewed_at,
                reason=f"certificate {p.certificate.status if p.certificate else 'missing'}",
            )


async def on_withdrawn(conn: asyncpg.Connection, event: ApplicationWithdrawn, _d: Delivery) -> None:
    a = event.application
    await conn.execute(
        "update catalog set withdrawn = true where fair_id = $1 and exhibitor_id = $2",
        a.fair_id,
        a.exhibitor_id,
    )


async def on_certificate_ended(
    conn: asyncpg.Connection, event: CertificateRevoked | CertificateExpired, d: Delivery
) -> None:
    reason = (
        f"certificate revoked by {event.decision_number}: {event.reason}"
        if isinstance(event, CertificateRevoked)
        else "certificate expired"
    )
    await _block(conn, event.product.product_id, event_time=d.envelope.occurred_at, reason=reason)
    log.info("product blocked from sale", product_id=str(event.product.product_id), reason=reason)


async def _block(
    conn: asyncpg.Connection, product_id: object, *, event_time: object, reason: str
) -> None:
    await conn.execute(
        """insert into product_blocks (product_id, blocked_at, reason) values ($1, coalesce($2, now()), $3)
           on conflict (product_id) do update set blocked_at = least(product_blocks.blocked_at, excluded.blocked_at)""",
        product_id, event_time, reason,
    )  # fmt: skip
    await conn.execute(
        """update catalog c set blocked_at = b.blocked_at, blocked_reason = b.reason
             from product_blocks b where b.product_id = c.product_id and c.product_id = $1""",
        product_id,
    )


async def on_certificate_issued(
    conn: asyncpg.Connection, event: CertificateIssued, _d: Delivery
) -> None:
    p = event.product
    if p.certificate is not None and p.certificate.status in ("valid", "expiring"):
        # A new valid certificate admits the product again.
        await conn.execute("delete from product_blocks where product_id = $1", p.product_id)
        await conn.execute(
            "update catalog set blocked_at = null, blocked_reason = null, star = $2 where product_id = $1",
            p.product_id,
            p.certificate.star,
        )


async def on_product_updated(conn: asyncpg.Connection, event: ProductUpdated, _d: Delivery) -> None:
    p = event.product
    await conn.execute(
        "update catalog set name = $2, gtin = $3, list_price_vnd = $4 where product_id = $1",
        p.product_id,
        p.name,
        p.gtin,
        p.list_price_vnd,
    )


async def on_booth_taken(
    conn: asyncpg.Connection, event: BoothAssigned | BoothConfirmed | BoothMoved, _d: Delivery
) -> None:
    o = event.occupancy
    if isinstance(event, BoothMoved):
        await conn.execute(
            "delete from booth_holders where booth_id = $1 and exhibitor_id = $2",
            event.from_booth_id,
            o.exhibitor_id,
        )
    await conn.execute(
        """insert into booth_holders (booth_id, fair_id, booth_code, exhibitor_id, status) values ($1, $2, $3, $4, $5)
           on conflict (booth_id) do update set exhibitor_id = excluded.exhibitor_id, status = excluded.status, booth_code = excluded.booth_code""",
        o.booth_id, o.fair_id, o.booth_code, o.exhibitor_id, o.status,
    )  # fmt: skip


async def on_booth_released(conn: asyncpg.Connection, event: BoothReleased, _d: Delivery) -> None:
    o = event.occupancy
    await conn.execute(
        "delete from booth_holders where booth_id = $1 and exhibitor_id = $2",
        o.booth_id,
        o.exhibitor_id,
    )


def subscriptions(service: Service) -> Sequence[Subscription]:
    def pool() -> asyncpg.Pool:
        return service.pool

    registration = InboxConsumer(
        pool,
        "sales.registration",
        {
            FairOpenedForApplications: on_fair,
            FairApplicationsClosed: on_fair,
            FairStarted: on_fair,
            FairFinished: on_fair,
            FairRulesChanged: on_fair,
            ExhibitorRegistered: on_exhibitor,
            ExhibitorUpdated: on_exhibitor,
            ApplicationApproved: on_approved,
            ApplicationWithdrawn: on_withdrawn,
            CertificateRevoked: on_certificate_ended,
            CertificateExpired: on_certificate_ended,
            CertificateIssued: on_certificate_issued,
            ProductUpdated: on_product_updated,
        },
    )
    booths = InboxConsumer(
        pool,
        "sales.booths",
        {
            BoothAssigned: on_booth_taken,
            BoothConfirmed: on_booth_taken,
            BoothMoved: on_booth_taken,
            BoothReleased: on_booth_released,
        },
    )
    return [
        Subscription(
            registration,
            [
                REGISTRATION_FAIRS,
                REGISTRATION_EXHIBITORS,
                REGISTRATION_APPLICATIONS,
                REGISTRATION_PRODUCTS,
            ],
        ),
        Subscription(booths, [BOOTHS_ASSIGNMENTS]),
        credentials_subscription("sales", pool),
    ]
