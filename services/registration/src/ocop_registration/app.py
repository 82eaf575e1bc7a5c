"""The registration service: fairs, exhibitors, products and certificates, applications.
Wiring only: settings, repositories, the unit of work, routers, consumers and jobs."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

import ocop_shared.contracts  # noqa: F401  (registers every event type)
from ocop_registration.adapters.http import routers
from ocop_registration.adapters.http.authorization import TABLE
from ocop_registration.adapters.http.deps import Wiring
from ocop_registration.adapters.jobs import expiry_scheduler
from ocop_registration.adapters.kafka import subscriptions
from ocop_registration.adapters.postgres import repositories
from ocop_registration.application.ports import Repositories
from ocop_shared.service import Service, create_app
from ocop_shared.settings import ServiceSettings
from ocop_shared.topics import (
    REGISTRATION_APPLICATIONS,
    REGISTRATION_CREDENTIALS,
    REGISTRATION_EXHIBITORS,
    REGISTRATION_FAIRS,
    REGISTRATION_PRODUCTS,
)
from ocop_shared.uow import UnitOfWorkFactory

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


class RegistrationSettings(ServiceSettings):
    service: str = "registration"
    http_port: int = 8001
    expiry_scan_seconds: float = 3600.0


def build(settings: RegistrationSettings | None = None) -> tuple[Service, FastAPI]:
    settings = settings or RegistrationSettings()
    uow: UnitOfWorkFactory[Repositories] = UnitOfWorkFactory(
        lambda: service.pool, repositories, producer=settings.service
    )
    service = Service(
        settings=settings,
        migrations=MIGRATIONS,
        consumers=lambda _service: subscriptions(uow),
        jobs=[expiry_scheduler(uow, settings.expiry_scan_seconds)],
        publishes=[
            REGISTRATION_FAIRS,
            REGISTRATION_EXHIBITORS,
            REGISTRATION_PRODUCTS,
            REGISTRATION_APPLICATIONS,
            REGISTRATION_CREDENTIALS,
        ],
    )
    app = create_app(
        service,
        title="ocop-fairs registration",
        description="Fairs, OCOP holders and delegations, certified products, applications and their review.",
        routers=routers,
        wiring=Wiring(settings, uow),
        authorization=TABLE,
    )
    return service, app


def asgi() -> FastAPI:
    """The app alone, for servers that import a factory (several worker processes)."""
    return build()[1]
