"""Fairs happen in Viet Nam: local times are Asia/Ho_Chi_Minh; we store UTC instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def as_utc(moment: datetime) -> datetime:
    """A naive time is a local time in Viet Nam."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VN)
    return moment.astimezone(UTC)


def local_date(moment: datetime) -> date:
    return moment.astimezone(VN).date()


def start_of(day: date) -> datetime:
    """The first moment of a day in Viet Nam (00:00 Asia/Ho_Chi_Minh), as a UTC instant."""
    return datetime.combine(day, time(), tzinfo=VN).astimezone(UTC)
