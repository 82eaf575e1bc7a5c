"""The booths service: floor plans, allocation, holds, deadlines, waitlists and fees.
Wiring only: settings, repositories, the unit-of-work factory, routers, consumers, jobs."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

import ocop_shared.contracts  # noqa: F401  (registers every event type)
from ocop_booths.adapters.http import routers
from ocop_booths.adapters.http.authorization import TABLE
from ocop_booths.adapters.http.deps import Wiring
from ocop_booths.adapters.jobs import deadline_sweeper
from ocop_booths.adapters.kafka import subscriptions
from ocop_booths.adapters.postgres import repositories
from ocop_booths.application.ports import Repositories
from ocop_booths.application.queries.fees import BankAccount
from ocop_booths.domain.booths import Terms
from ocop_shared.service import Service, create_app
from ocop_shared.settings import ServiceSettings
from ocop_shared.topics import BOOTHS_ASSIGNMENTS, BOOTHS_FLOORPLANS
from ocop_shared.uow import UnitOfWorkFactory

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


class BoothsSettings(ServiceSettings):
    service: str = "booths"
    http_port: int = 8002
    hold_minutes: int = 30
    payment_days: int = 7
    # How long a booth offered from the waitlist stays held for the candidate.
    waitlist_offer_minutes: int = 60
    # Added to a corner booth's price (a fair's rules carry only the subsidy).
    corner_surcharge_percent: int = 10
    sweep_seconds: float = 5.0
    # The organizer's account that booth fees are paid into (VietQR). Demo values by default.
    bank_bin: str = "970436"
    bank_account: str = "0011001932418"

    @property
    def terms(self) -> Terms:
        return Terms(
            hold_minutes=self.hold_minutes,
            payment_days=self.payment_days,
            waitlist_offer_minutes=self.waitlist_offer_minutes,
            corner_surcharge_percent=self.corner_surcharge_percent,
        )


def build(settings: BoothsSettings | None = None) -> tuple[Service, FastAPI]:
    settings = settings or BoothsSettings()
    service: Service
    uow = UnitOfWorkFactory[Repositories](
        lambda: service.pool, repositories, producer=settings.service
    )
    service = Service(
        settings=settings,
        migrations=MIGRATIONS,
        consumers=subscriptions(uow, settings.terms),
        jobs=[deadline_sweeper(uow, settings.terms, settings.sweep_seconds)],
        publishes=[BOOTHS_FLOORPLANS, BOOTHS_ASSIGNMENTS],
    )
    app = create_app(
        service,
        title="ocop-fairs booths",
        description="Floor plans, allocation, holds, payment deadlines, waitlists and fees (VietQR).",
        routers=routers,
        wiring=Wiring(
            uow=uow,
            terms=settings.terms,
            bank=BankAccount(settings.bank_bin, settings.bank_account),
        ),
        authorization=TABLE,
    )
    return service, app


def asgi() -> FastAPI:
    """The app alone, for servers that import a factory (several worker processes)."""
    return build()[1]
