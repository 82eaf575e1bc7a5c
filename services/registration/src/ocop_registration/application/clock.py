"""The time the handlers decide at: an instant in UTC, and today's date in Viet Nam."""

from __future__ import annotations

from datetime import UTC, date, datetime

from ocop_registration.domain.timezone import VN


def now() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return datetime.now(VN).date()
