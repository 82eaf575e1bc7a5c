"""Sales learns its world from events only: fairs, exhibitors, booths, admitted products, and
certificates that stop (or restart) a product's sale. One handler per consumed event; each
runs in the inbox's transaction, so a redelivered event has no second effect. The handlers
of a product's admission and certificates get the event's time: the newest decision per
product wins, whatever order the topics deliver in."""

from __future__ import annotations

from datetime import datetime

from ocop_sales.application.ports import Repositories
from ocop_sales.domain.catalog import admit, block, details_of, exhibitor_of, fair_of, reinstate
from ocop_sales.domain.terminals import BoothHolder
from ocop_shared import metrics
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
    uow: UnitOfWork[Repositories], event: ApplicationApproved, occurred_at: datetime
) -> None:
    """The products registration admitted go on sale at the exhibitor's booths, until the
    day it decided (unless a newer certificate decided another); the application's other
    products do not."""
    await uow.repos.catalog.admit(admit(event.application, occurred_at))


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
    """The product stops selling, at every fair, from the moment the event happened (unless
    a newer certificate was already issued: then nothing changes). The time from the
    revocation to the block is measured."""
    ended = block(event, occurred_at)
    applied_at = await uow.repos.catalog.block(ended)
    if applied_at is None:
        log.info(
            "older than the product's newest decision: ignored", product_id=str(ended.product_id)
        )
        return
    if isinstance(event, CertificateRevoked):
        metrics.REVOCATION_BLOCK_LAG.observe(max(0.0, (applied_at - occurred_at).total_seconds()))
    log.info("product blocked from sale", product_id=str(ended.product_id), reason=ended.reason)


async def on_certificate_issued(
    uow: UnitOfWork[Repositories], event: CertificateIssued, occurred_at: datetime
) -> None:
    """A certificate in force again admits the product again (unless a newer block or
    approval decided otherwise)."""
    reinstatement = reinstate(event.product, occurred_at)
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
