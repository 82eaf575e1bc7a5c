"""The registration service: fairs, exhibitors, products and certificates, applications."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

import ocop_shared.contracts  # noqa: F401  (registers every event type)
from ocop_registration.adapters.api import router
from ocop_registration.adapters.consumers import subscriptions
from ocop_registration.adapters.jobs import expiry_scheduler
from ocop_shared.service import Service, create_app
from ocop_shared.settings import ServiceSettings
from ocop_shared.topics import (
    REGISTRATION_APPLICATIONS,
    REGISTRATION_CREDENTIALS,
    REGISTRATION_EXHIBITORS,
    REGISTRATION_FAIRS,
    REGISTRATION_PRODUCTS,
)

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


class RegistrationSettings(ServiceSettings):
    service: str = "registration"
    http_port: int = 8001
    expiry_scan_seconds: float = 3600.0


def build(settings: RegistrationSettings | None = None) -> tuple[Service, FastAPI]:
    service = Service(
        settings=settings or RegistrationSettings(),
        migrations=MIGRATIONS,
        consumers=subscriptions,
        jobs=[expiry_scheduler],
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
        routers=[router],
    )
    return service, app


def asgi() -> FastAPI:
    """The app alone, for servers that import a factory (several worker processes)."""
    return build()[1]
