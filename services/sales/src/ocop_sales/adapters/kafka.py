"""The subscriptions: which consumed event goes to which application handler, each run by the
inbox consumer in one transaction with its inbox row (a redelivery has no second effect)."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from ocop_sales.application import event_handlers as on
from ocop_sales.application import inspection_handlers
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
    InspectionRecorded,
    ProductUpdated,
)
from ocop_shared.credentials import credentials_subscription
from ocop_shared.inbox import InboxConsumer
from ocop_shared.service import ConsumerFactory, Service, Subscription
from ocop_shared.topics import (
    BOOTHS_ASSIGNMENTS,
    REGISTRATION_APPLICATIONS,
    REGISTRATION_EXHIBITORS,
    REGISTRATION_FAIRS,
    REGISTRATION_PRODUCTS,
)
from ocop_shared.uow import UnitOfWorkFactory


def subscriptions(uow: UnitOfWorkFactory[Repositories]) -> ConsumerFactory:
    def consumers(service: Service) -> Sequence[Subscription]:
        def pool() -> asyncpg.Pool:
            return service.pool

        fair_changed = uow.event_handler(on.on_fair_changed)
        exhibitor = uow.event_handler(on.on_exhibitor)
        certificate_ended = uow.timed_event_handler(on.on_certificate_ended)
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
                ApplicationApproved: uow.timed_event_handler(on.on_application_approved),
                ApplicationWithdrawn: uow.event_handler(on.on_application_withdrawn),
                CertificateRevoked: certificate_ended,
                CertificateExpired: certificate_ended,
                CertificateIssued: uow.timed_event_handler(on.on_certificate_issued),
                ProductUpdated: uow.event_handler(on.on_product_updated),
                # issue 15: a product suspended at one fair by its inspectors
                InspectionRecorded: uow.event_handler(inspection_handlers.on_inspection_recorded),
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
            credentials_subscription(service),
        ]

    return consumers
