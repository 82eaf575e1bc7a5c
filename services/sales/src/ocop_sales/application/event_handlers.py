"""Sales learns its world from events only: fairs, exhibitors, booths, admitted products, and
certificates that stop (or restart) a product's sale. One handler per consumed event; each
runs in the inbox's transaction, so a redelivered event has no second effect."""

from __future__ import annotations

from datetime import datetime

from ocop_sales.application.ports import Repositories
from ocop_sales.domain.catalog import admit, block, details_of, exhibitor_of, fair_of, reinstate
from ocop_sales.domain.terminals import BoothHolder
from ocop_shared.contracts.booths import BoothAssigned, BoothConfirmed, BoothMoved, BoothReleased
from ocop_shared.contracts.registration import (
    ApplicationApproved,
    ApplicationWithdrawn,
    CertificateExpired,
    CertificateIssued,
    CertificateRevoked,
    ExhibitorRegistered,
    ExhibitorUpdated,
    FairChanged,
    ProductUpdated,
)
from ocop_shared.logging import get_logger
from ocop_shared.uow import UnitOfWork

log = get_logger(__name__)


async def on_fair_changed(uow: UnitOfWork[Repositories], event: FairChanged) -> None:
    """A fair's name, status and hours, as registration announces them."""
    await uow.repos.fairs.save(fair_of(event.fair))


async def on_exhibitor(
    uow: UnitOfWork[Repositories], event: ExhibitorRegistered | ExhibitorUpdated
) -> None:
    await uow.repos.exhibitors.save(exhibitor_of(event.exhibitor))


async def on_application_approved(
    uow: UnitOfWork[Repositories], event: ApplicationApproved
) -> None:
    """The products registration admitted go on sale at the exhibitor's booths, until the
    day it decided; the application's other products do not."""
    await uow.repos.catalog.admit(admit(event.application))


async def on_application_withdrawn(
    uow: UnitOfWork[Repositories], event: ApplicationWithdrawn
) -> None:
    a = event.application
    await uow.repos.catalog.withdraw(a.fair_id, a.exhibitor_id)


async def on_certificate_ended(
    uow: UnitOfWork[Repositories],
    event: CertificateRevoked | CertificateExpired,
    occurred_at: datetime,
) -> None:
    """The product stops selling, at every fair, from the moment the event happened."""
    ended = block(event, occurred_at)
    await uow.repos.catalog.block(ended)
    log.info("product blocked from sale", product_id=str(ended.product_id), reason=ended.reason)


async def on_certificate_issued(uow: UnitOfWork[Repositories], event: CertificateIssued) -> None:
    """A certificate in force again admits the product again."""
    reinstatement = reinstate(event.product)
    if reinstatement is not None:
        await uow.repos.catalog.reinstate(reinstatement)


async def on_product_updated(uow: UnitOfWork[Repositories], event: ProductUpdated) -> None:
    """Name, GTIN and list price follow the product's register."""
    await uow.repos.catalog.describe(details_of(event.product))


async def on_booth_taken(
    uow: UnitOfWork[Repositories], event: BoothAssigned | BoothConfirmed | BoothMoved
) -> None:
    o = event.occupancy
    if isinstance(event, BoothMoved):
        await uow.repos.booths.release(event.from_booth_id, o.exhibitor_id)
    await uow.repos.booths.hold(
        BoothHolder(o.booth_id, o.fair_id, o.booth_code, o.exhibitor_id, o.status)
    )


async def on_booth_released(uow: UnitOfWork[Repositories], event: BoothReleased) -> None:
    o = event.occupancy
    await uow.repos.booths.release(o.booth_id, o.exhibitor_id)
