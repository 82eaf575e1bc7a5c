"""The subscriptions: which consumed event goes to which application handler, each run by the
inbox consumer in one transaction with its inbox row (a redelivery has no second effect)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

import asyncpg

from ocop_sales.application import event_handlers as on
from ocop_sales.application.ports import Repositories
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
from ocop_shared.events import Event
from ocop_shared.inbox import Delivery, Handler, InboxConsumer
from ocop_shared.service import ConsumerFactory, Service, Subscription
from ocop_shared.topics import (
    BOOTHS_ASSIGNMENTS,
    REGISTRATION_APPLICATIONS,
    REGISTRATION_EXHIBITORS,
    REGISTRATION_FAIRS,
    REGISTRATION_PRODUCTS,
)
from ocop_shared.uow import UnitOfWork, UnitOfWorkFactory

E = TypeVar("E", bound=Event)
TimedHandler = Callable[[UnitOfWork[Repositories], E, datetime], Awaitable[None]]


def at_event_time(uow: UnitOfWorkFactory[Repositories], handler: TimedHandler[Any]) -> Handler:
    """Like ``uow.event_handler``, for a handler that needs when the event happened (the
    envelope's ``occurred_at``, which ``event_handler`` does not pass on)."""

    async def on_event(conn: asyncpg.Connection, event: Any, delivery: Delivery) -> None:
        occurred_at = delivery.envelope.occurred_at

        async def timed(unit: UnitOfWork[Repositories], e: Any) -> None:
            await handler(unit, e, occurred_at)

        await uow.event_handler(timed)(conn, event, delivery)

    on_event.__name__ = handler.__name__
    return on_event


def subscriptions(uow: UnitOfWorkFactory[Repositories]) -> ConsumerFactory:
    def consumers(service: Service) -> Sequence[Subscription]:
        def pool() -> asyncpg.Pool:
            return service.pool

        fair_changed = uow.event_handler(on.on_fair_changed)
        exhibitor = uow.event_handler(on.on_exhibitor)
        certificate_ended = at_event_time(uow, on.on_certificate_ended)
        registration = InboxConsumer(
            pool,
            "sales.registration",
            {
                FairOpenedForApplications: fair_changed,
                FairApplicationsClosed: fair_changed,
                FairStarted: fair_changed,
                FairFinished: fair_changed,
                FairRulesChanged: fair_changed,
                ExhibitorRegistered: exhibitor,
                ExhibitorUpdated: exhibitor,
                ApplicationApproved: at_event_time(uow, on.on_application_approved),
                ApplicationWithdrawn: uow.event_handler(on.on_application_withdrawn),
                CertificateRevoked: certificate_ended,
                CertificateExpired: certificate_ended,
                CertificateIssued: at_event_time(uow, on.on_certificate_issued),
                ProductUpdated: uow.event_handler(on.on_product_updated),
            },
        )
        booth_taken = uow.event_handler(on.on_booth_taken)
        booths = InboxConsumer(
            pool,
            "sales.booths",
            {
                BoothAssigned: booth_taken,
                BoothConfirmed: booth_taken,
                BoothMoved: booth_taken,
                BoothReleased: uow.event_handler(on.on_booth_released),
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

    return consumers
