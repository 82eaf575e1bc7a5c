"""The booths service: floor plans, allocation, holds, deadlines, waitlists and fees."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

import ocop_shared.contracts  # noqa: F401  (registers every event type)
from ocop_booths.adapters.api import router
from ocop_booths.adapters.consumers import subscriptions
from ocop_booths.adapters.jobs import deadline_sweeper
from ocop_shared.service import Service, create_app
from ocop_shared.settings import ServiceSettings
from ocop_shared.topics import BOOTHS_ASSIGNMENTS, BOOTHS_FLOORPLANS

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


class BoothsSettings(ServiceSettings):
    service: str = "booths"
    http_port: int = 8002
    hold_minutes: int = 30
    payment_days: int = 7
    sweep_seconds: float = 5.0
    # The organizer's account that booth fees are paid into (VietQR). Demo values by default.
    bank_bin: str = "970436"
    bank_account: str = "0011001932418"


def build(settings: BoothsSettings | None = None) -> tuple[Service, FastAPI]:
    service = Service(
        settings=settings or BoothsSettings(),
        migrations=MIGRATIONS,
        consumers=subscriptions,
        jobs=[deadline_sweeper],
        publishes=[BOOTHS_FLOORPLANS, BOOTHS_ASSIGNMENTS],
    )
    app = create_app(
        service,
        title="ocop-fairs booths",
        description="Floor plans, allocation, holds, payment deadlines, waitlists and fees (VietQR).",
        routers=[router],
    )
    return service, app


def asgi() -> FastAPI:
    """The app alone, for servers that import a factory (several worker processes)."""
    return build()[1]
