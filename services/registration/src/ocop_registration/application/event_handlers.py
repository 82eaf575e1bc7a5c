"""What registration does with the events it consumes: each holder's results at each fair,
from the sales service, shown to reviewers when the holder applies again."""

from __future__ import annotations

from ocop_registration.application.ports import Repositories
from ocop_registration.domain.holder_results import by_producer
from ocop_shared.contracts.sales import SaleRecorded, SaleRefunded
from ocop_shared.uow import UnitOfWork


async def on_sale_recorded(uow: UnitOfWork[Repositories], event: SaleRecorded) -> None:
    await uow.repos.holder_results.add_sales(event.fair_id, by_producer(event.lines))


async def on_sale_refunded(uow: UnitOfWork[Repositories], event: SaleRefunded) -> None:
    await uow.repos.holder_results.add_refunds(event.fair_id, by_producer(event.lines))
