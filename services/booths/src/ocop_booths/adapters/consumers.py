"""What booths learns from registration: fairs, approved and withdrawn applications, and
certificates that end (an exhibitor left with no admitted product loses its booths)."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from ocop_booths.adapters import occupancy
from ocop_shared.contracts.registration import (
    ApplicationApproved,
    ApplicationSnapshot,
    ApplicationWaitlisted,
    ApplicationWithdrawn,
    CertificateExpired,
    CertificateIssued,
    CertificateRevoked,
    FairApplicationsClosed,
    FairFinished,
    FairOpenedForApplications,
    FairRulesChanged,
    FairStarted,
)
from ocop_shared.credentials import credentials_subscription
from ocop_shared.inbox import Delivery, InboxConsumer
from ocop_shared.logging import get_logger
from ocop_shared.service import Service, Subscription
from ocop_shared.topics import REGISTRATION_APPLICATIONS, REGISTRATION_FAIRS, REGISTRATION_PRODUCTS

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
        """insert into fairs (fair_id, organizer_id, name, status, starts_at, ends_at, rules) values ($1, $2, $3, $4, $5, $6, $7)
           on conflict (fair_id) do update set name = excluded.name, status = excluded.status, starts_at = excluded.starts_at,
               ends_at = excluded.ends_at, rules = fairs.rules || excluded.rules""",
        f.fair_id, f.organizer_id, f.name, f.status, f.starts_at, f.ends_at, f.rules.model_dump(),
    )  # fmt: skip


async def _upsert_application(conn: asyncpg.Connection, a: ApplicationSnapshot) -> None:
    await conn.execute(
        """insert into applications (application_id, fair_id, exhibitor_id, exhibitor_name, exhibitor_kind, province, booth_request,
                                     best_star, submitted_at, status, product_groups, holder_count)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           on conflict (application_id) do update set status = excluded.status, booth_request = excluded.booth_request""",
        a.application_id, a.fair_id, a.exhibitor_id, a.exhibitor_name, a.exhibitor_kind, a.province, a.booth_request.model_dump(),
        a.best_star, a.submitted_at, a.status, sorted({p.group for p in a.products}), len({p.holder_id for p in a.products}),
    )  # fmt: skip
    await conn.executemany(
        """insert into application_products (application_id, product_id, admitted) values ($1, $2, $3)
           on conflict (application_id, product_id) do update set admitted = excluded.admitted""",
        [
            (
                a.application_id,
                p.product_id,
                p.certificate is not None and p.certificate.status in ("valid", "expiring"),
            )
            for p in a.products
        ],
    )


async def on_approved(
    conn: asyncpg.Connection, event: ApplicationApproved | ApplicationWaitlisted, _d: Delivery
) -> None:
    await _upsert_application(conn, event.application)


async def on_withdrawn(conn: asyncpg.Connection, event: ApplicationWithdrawn, d: Delivery) -> None:
    a = event.application
    await _upsert_application(conn, a)
    await conn.execute(
        "update waitlist set status = 'left' where application_id = $1", a.application_id
    )
    for booth in await conn.fetch(
        "select booth_id from occupancy where application_id = $1 order by booth_id",
        a.application_id,
    ):
        await occupancy.release(
            conn,
            booth["booth_id"],
            reason="application withdrawn",
            actor="registration",
            cause=d.cause,
        )


async def on_certificate_ended(
    conn: asyncpg.Connection, event: CertificateRevoked | CertificateExpired, d: Delivery
) -> None:
    product_id = event.product.product_id
    await conn.execute(
        "update application_products set admitted = false where product_id = $1", product_id
    )
    # Applications (at fairs not yet over) now showing no admitted product lose their booths.
    emptied = await conn.fetch(
        """select a.application_id from applications a join fairs f using (fair_id)
            where f.status <> 'finished' and a.application_id in (select application_id from application_products where product_id = $1)
              and not exists (select 1 from application_products p where p.application_id = a.application_id and p.admitted)
            order by a.application_id""",
        product_id,
    )
    what = "revoked" if isinstance(event, CertificateRevoked) else "expired"
    for app in emptied:
        await conn.execute(
            "update waitlist set status = 'left' where application_id = $1", app["application_id"]
        )
        for booth in await conn.fetch(
            "select booth_id from occupancy where application_id = $1 order by booth_id",
            app["application_id"],
        ):
            released = await occupancy.release(
                conn,
                booth["booth_id"],
                reason=f"no admitted product left (certificate {what})",
                actor="registration",
                cause=d.cause,
            )
            if released:
                log.info(
                    "booth released after certificate ended",
                    booth=released.booth_code,
                    exhibitor_id=str(released.exhibitor_id),
                )


async def on_certificate_issued(
    conn: asyncpg.Connection, event: CertificateIssued, _d: Delivery
) -> None:
    cert = event.product.certificate
    if cert is not None and cert.status in ("valid", "expiring"):
        await conn.execute(
            "update application_products set admitted = true where product_id = $1",
            event.product.product_id,
        )


def subscriptions(service: Service) -> Sequence[Subscription]:
    def pool() -> asyncpg.Pool:
        return service.pool

    consumer = InboxConsumer(
        pool,
        "booths.registration",
        {
            FairOpenedForApplications: on_fair,
            FairApplicationsClosed: on_fair,
            FairStarted: on_fair,
            FairFinished: on_fair,
            FairRulesChanged: on_fair,
            ApplicationApproved: on_approved,
            ApplicationWaitlisted: on_approved,
            ApplicationWithdrawn: on_withdrawn,
            CertificateRevoked: on_certificate_ended,
            CertificateExpired: on_certificate_ended,
            CertificateIssued: on_certificate_issued,
        },
    )
    return [
        Subscription(
            consumer, [REGISTRATION_FAIRS, REGISTRATION_APPLICATIONS, REGISTRATION_PRODUCTS]
        ),
        credentials_subscription("booths", pool),
    ]
