"""When the certificate expiry scan is due."""

from __future__ import annotations

from datetime import datetime, timedelta

from ocop_registration.application.ports import Repositories
from ocop_registration.domain import products
from ocop_registration.domain.timezone import local_date


async def next_expiry_scan(repos: Repositories, now: datetime, every: timedelta) -> datetime:
    """The moment the next certificate ends or enters its notice period (midnight in Viet
    Nam), at the latest ``every`` after ``now``."""
    upcoming = await repos.certificates.upcoming_expiry(
        local_date(now), products.EXPIRY_NOTICE_DAYS
    )
    return products.next_expiry_scan(upcoming, now, every)
