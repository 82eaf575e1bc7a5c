"""The registration service: fairs, exhibitors, products and certificates, applications.
Wiring only: settings, repositories, the unit of work, routers, consumers and jobs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from fastapi import FastAPI
from pydantic import Field, model_validator

import ocop_shared.contracts  # noqa: F401  (registers every event type)
from ocop_registration.adapters.http import routers
from ocop_registration.adapters.http.authorization import TABLE
from ocop_registration.adapters.http.deps import Wiring
from ocop_registration.adapters.jobs import activity_recorder, expiry_scheduler, session_expiry
from ocop_registration.adapters.kafka import subscriptions
from ocop_registration.adapters.postgres import repositories
from ocop_registration.application import passwords
from ocop_registration.application.ports import Repositories
from ocop_registration.domain.identity import SessionPolicy
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
    # identity (H1): people's sessions end after session_hours, or session_idle_minutes
    # without use; the session job looks every session_sweep_seconds.
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    session_idle_minutes: float = Field(default=30.0, gt=0)
    session_sweep_seconds: float = Field(default=30.0, gt=0)
    # "light" argon2id parameters for development and test stacks (hundreds of demo and test
    # accounts); None: standard in production, light elsewhere. Production refuses light.
    password_hashing: Literal["standard", "light"] | None = None

    @model_validator(mode="after")
    def _hashing(self) -> RegistrationSettings:
        if self.password_hashing is None:
            self.password_hashing = "standard" if self.env == "production" else "light"
        if self.env == "production" and self.password_hashing != "standard":
            raise ValueError("OCOP_PASSWORD_HASHING=light is for development and tests only")
        return self

    def session_policy(self) -> SessionPolicy:
        return SessionPolicy(
            absolute=timedelta(hours=self.session_hours),
            idle=timedelta(minutes=self.session_idle_minutes),
        )


def build(settings: RegistrationSettings | None = None) -> tuple[Service, FastAPI]:
    settings = settings or RegistrationSettings()
    passwords.configure(light=settings.password_hashing == "light")
    uow: UnitOfWorkFactory[Repositories] = UnitOfWorkFactory(
        lambda: service.pool, repositories, producer=settings.service
    )
    service = Service(
        settings=settings,
        migrations=MIGRATIONS,
        consumers=lambda _service: subscriptions(uow),
        jobs=[
            expiry_scheduler(uow, settings.expiry_scan_seconds),
            session_expiry(uow, settings.session_policy(), settings.session_sweep_seconds),
        ],
        publishes=[
            REGISTRATION_FAIRS,
            REGISTRATION_EXHIBITORS,
            REGISTRATION_PRODUCTS,
            REGISTRATION_APPLICATIONS,
            REGISTRATION_CREDENTIALS,
        ],
    )
    # identity (H1): a session's use restarts its idle clock.
    service.on_authenticated = activity_recorder(uow, settings.session_policy())
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
