"""The sales service: tills, sales (online and offline), refunds, closing, revenue reports."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

import ocop_shared.contracts  # noqa: F401  (registers every event type)
from ocop_sales.adapters.api import router
from ocop_sales.adapters.projection import subscriptions
from ocop_shared.service import Service, create_app
from ocop_shared.settings import ServiceSettings
from ocop_shared.topics import SALES_SALES, SALES_SESSIONS

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


class SalesSettings(ServiceSettings):
    service: str = "sales"
    http_port: int = 8003
    pool_max: int = 30
    selling_grace_minutes: int = 60
    offline_upload_hours: int = 72
    max_lines_per_sale: int = 100
    max_batch_sales: int = 1000


def build(settings: SalesSettings | None = None) -> tuple[Service, FastAPI]:
    service = Service(
        settings=settings or SalesSettings(),
        migrations=MIGRATIONS,
        consumers=subscriptions,
        publishes=[SALES_SALES, SALES_SESSIONS],
    )
    app = create_app(
        service,
        title="ocop-fairs sales",
        description="POS terminals, idempotent and offline sales, refunds, closing reports, revenue.",
        routers=[router],
    )
    return service, app


def asgi() -> FastAPI:
    """The app alone, for servers that import a factory (several worker processes)."""
    return build()[1]
