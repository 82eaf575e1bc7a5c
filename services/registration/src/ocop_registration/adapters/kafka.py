"""The subscriptions: which consumed events go to which application handler."""

from __future__ import annotations

from collections.abc import Sequence

from ocop_registration.application import event_handlers
from ocop_registration.application.ports import Repositories
from ocop_shared.contracts.sales import SaleRecorded, SaleRefunded
from ocop_shared.inbox import InboxConsumer
from ocop_shared.service import Subscription
from ocop_shared.topics import SALES_SALES
from ocop_shared.uow import UnitOfWorkFactory


def subscriptions(uow: UnitOfWorkFactory[Repositories]) -> Sequence[Subscription]:
    return [
        Subscription(
            InboxConsumer(
                lambda: uow.pool,
                "registration.sales-history",
                {
                    SaleRecorded: uow.event_handler(event_handlers.on_sale_recorded),
                    SaleRefunded: uow.event_handler(event_handlers.on_sale_refunded),
                },
            ),
            [SALES_SALES],
        )
    ]
