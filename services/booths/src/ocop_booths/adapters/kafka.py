"""The subscriptions: registration's events, each type wired to its application handler in
a unit of work that joins the inbox's transaction; and the credentials registration issues."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial, update_wrapper
from typing import Any

import asyncpg

from ocop_booths.application import event_handlers as on
from ocop_booths.application.ports import Repositories
from ocop_booths.domain.booths import Terms
from ocop_shared.contracts.registration import (
    ApplicationApproved,
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
from ocop_shared.events import Event
from ocop_shared.inbox import Handler, InboxConsumer
from ocop_shared.service import Service, Subscription
from ocop_shared.topics import REGISTRATION_APPLICATIONS, REGISTRATION_FAIRS, REGISTRATION_PRODUCTS
from ocop_shared.uow import UnitOfWorkFactory


def _with_terms(handler: Callable[..., Any], terms: Terms) -> Any:
    """The handler with the service's terms bound (keeping its name for the logs)."""
    return update_wrapper(partial(handler, terms=terms), handler)


def subscriptions(
    uow: UnitOfWorkFactory[Repositories], terms: Terms
) -> Callable[[Service], Sequence[Subscription]]:
    handlers: dict[type[Event], Handler] = {
        FairOpenedForApplications: uow.event_handler(on.on_fair_changed),
        FairApplicationsClosed: uow.event_handler(on.on_fair_changed),
        FairStarted: uow.event_handler(on.on_fair_changed),
        FairFinished: uow.event_handler(on.on_fair_changed),
        FairRulesChanged: uow.event_handler(on.on_fair_changed),
        ApplicationApproved: uow.event_handler(on.on_application_decided),
        ApplicationWaitlisted: uow.event_handler(on.on_application_decided),
        ApplicationWithdrawn: uow.event_handler(_with_terms(on.on_application_withdrawn, terms)),
        CertificateRevoked: uow.event_handler(_with_terms(on.on_certificate_ended, terms)),
        CertificateExpired: uow.event_handler(_with_terms(on.on_certificate_ended, terms)),
        CertificateIssued: uow.event_handler(on.on_certificate_issued),
    }

    def subscribe(service: Service) -> Sequence[Subscription]:
        def pool() -> asyncpg.Pool:
            return service.pool

        consumer = InboxConsumer(pool, "booths.registration", handlers)
        return [
            Subscription(
                consumer, [REGISTRATION_FAIRS, REGISTRATION_APPLICATIONS, REGISTRATION_PRODUCTS]
            ),
            credentials_subscription(service),
        ]

    return subscribe
