"""The sales service: tills, sales (online and offline), refunds, closing, revenue reports.
Wiring only: settings, repositories, the unit-of-work factory, routes and consumers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from pydantic import Field

import ocop_shared.contracts  # noqa: F401  (registers every event type)
from ocop_sales.adapters.http import router
from ocop_sales.adapters.http.authorization import TABLE
from ocop_sales.adapters.http.deps import Wiring
from ocop_sales.adapters.jobs import transfer_reconciler
from ocop_sales.adapters.kafka import subscriptions
from ocop_sales.adapters.postgres import repositories
from ocop_sales.application.ports import Repositories
from ocop_sales.domain.sales import SalePolicy
from ocop_shared.service import Service, create_app
from ocop_shared.settings import ServiceSettings
from ocop_shared.topics import SALES_SALES, SALES_SESSIONS, SALES_STOCK
from ocop_shared.uow import UnitOfWorkFactory

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


class SalesSettings(ServiceSettings):
    service: str = "sales"
    http_port: int = 8003
    pool_max: int = 30
    selling_grace_minutes: int = 60
    offline_upload_hours: int = 72
    max_lines_per_sale: int = 100
    max_batch_sales: int = 1000
    # Issue 11's business rules (sales-side defaults until registration's fair rules carry
    # them): a line at most this far below its list value, with a reason; an offline sale
    # more than this before the till's last online contact is judged at that bound and
    # flagged for review.
    max_discount_percent: int = Field(default=20, ge=0, le=100)
    offline_backdate_hours: int = Field(default=24, ge=0, le=24 * 365)
    # How often kept bank notifications are matched again with pending VietQR transfers (a
    # notification and a sale's write that crossed).
    transfer_reconcile_seconds: float = Field(default=10.0, gt=0, le=3600)

    def sale_policy(self) -> SalePolicy:
        return SalePolicy(
            max_lines=self.max_lines_per_sale,
            max_batch=self.max_batch_sales,
            grace=timedelta(minutes=self.selling_grace_minutes),
            offline_upload_window=timedelta(hours=self.offline_upload_hours),
            max_discount_percent=self.max_discount_percent,
            offline_backdate=timedelta(hours=self.offline_backdate_hours),
        )


def build(settings: SalesSettings | None = None) -> tuple[Service, FastAPI]:
    settings = settings or SalesSettings()
    service: Service
    uow: UnitOfWorkFactory[Repositories] = UnitOfWorkFactory(
        lambda: service.pool, repositories, producer=settings.service
    )
    service = Service(
        settings=settings,
        migrations=MIGRATIONS,
        consumers=subscriptions(uow),
        jobs=[transfer_reconciler(uow, settings.transfer_reconcile_seconds)],
        publishes=[SALES_SALES, SALES_SESSIONS, SALES_STOCK],
    )
    app = create_app(
        service,
        title="ocop-fairs sales",
        description="POS terminals, idempotent and offline sales, refunds, closing reports, revenue.",
        routers=[router],
        wiring=Wiring(settings, uow, settings.sale_policy(), service.tokens),
        authorization=TABLE,
    )
    return service, app


def asgi() -> FastAPI:
    """The app alone, for servers that import a factory (several worker processes)."""
    return build()[1]
