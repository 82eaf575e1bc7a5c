"""What booths does with registration's events: it keeps the fairs and applications it needs,
frees the booths of a withdrawn application, and of an application whose last admitted
product's certificate ended (revoked or expired)."""

from __future__ import annotations

from ocop_booths.application import occupancy
from ocop_booths.application.ports import Repositories
from ocop_booths.domain import applications, reasons
from ocop_booths.domain.booths import Terms
from ocop_shared.contracts.registration import (
    ApplicationApproved,
    ApplicationWaitlisted,
    ApplicationWithdrawn,
    CertificateExpired,
    CertificateIssued,
    CertificateRevoked,
    FairChanged,
)
from ocop_shared.logging import get_logger
from ocop_shared.uow import UnitOfWork

log = get_logger(__name__)


async def on_fair_changed(uow: UnitOfWork[Repositories], event: FairChanged) -> None:
    """A fair opened, closed, started, finished or changed its rules: keep its latest state."""
    await uow.repos.fairs.upsert(applications.fair_from_snapshot(event.fair))


async def on_application_decided(
    uow: UnitOfWork[Repositories], event: ApplicationApproved | ApplicationWaitlisted
) -> None:
    """Keep the application, with the products registration admitted."""
    await uow.repos.applications.upsert(applications.from_snapshot(event.application))


async def on_application_withdrawn(
    uow: UnitOfWork[Repositories], event: ApplicationWithdrawn, *, terms: Terms
) -> None:
    """The application leaves the waitlist and its booths go back (to the waitlist)."""
    a = event.application
    await uow.repos.applications.upsert(applications.from_snapshot(a))
    await uow.repos.waitlist.leave(a.application_id)
    await occupancy.release_all_of(uow, a.application_id, reasons.application_withdrawn(), terms)


async def on_certificate_ended(
    uow: UnitOfWork[Repositories],
    event: CertificateRevoked | CertificateExpired,
    *,
    terms: Terms,
) -> None:
    """The product is admitted nowhere any more; an application (at a fair not yet over) left
    with no admitted product loses its place on the waitlist and its booths."""
    repos = uow.repos
    product_id = event.product.product_id
    await repos.applications.set_product_admitted(product_id, False)
    ended = "revoked" if isinstance(event, CertificateRevoked) else "expired"
    for application_id in await repos.applications.left_without_admitted_product(product_id):
        await repos.waitlist.leave(application_id)
        released = await occupancy.release_all_of(
            uow, application_id, applications.ended_reason(ended), terms
        )
        for decision in released:
            log.info(
                "booth released after certificate ended",
                booth=decision.booth.code,
                application_id=str(application_id),
            )


async def on_certificate_issued(uow: UnitOfWork[Repositories], event: CertificateIssued) -> None:
    """A certificate in force again (registration's ``ocop_until``) admits the product again."""
    if applications.in_force(event.product):
        await uow.repos.applications.set_product_admitted(event.product.product_id, True)
