"""Visitors counted at the gates of a fair (issue 15), per day: entered by the organizer, or
counted by a device at a gate with the organizer's API key (it acts as staff). Each count is
an increment under the client's ``count_id`` (a device's retry answers the first recording);
a correction is a negative increment, and no day's total goes below zero."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import orjson

from ocop_registration.domain.fairs import Fair
from ocop_registration.domain.timezone import local_date
from ocop_registration.domain.trade import Recorder, RecordIdTaken, check_held
from ocop_shared.errors import Conflict, InvalidField, NotFound

MAX_INCREMENT = 1_000_000


class VisitorsBelowZero(Conflict):
    """A correction would take a day's visitors below zero."""

    code = "visitors_below_zero"


@dataclass(frozen=True, slots=True)
class CountDraft:
    count_id: UUID
    day: date | None  # None: today in Viet Nam
    increment: int
    gate: str | None

    def content_hash(self, fair_id: UUID, day: date) -> bytes:
        return hashlib.sha256(
            orjson.dumps([str(fair_id), day.isoformat(), self.increment, self.gate])
        ).digest()


@dataclass(frozen=True, slots=True)
class VisitorCount:
    count_id: UUID
    fair_id: UUID
    day: date
    increment: int
    gate: str | None
    recorded_by_org: str
    recorded_by: UUID | None
    recorded_at: datetime
    content_hash: bytes


@dataclass(frozen=True, slots=True)
class Day:
    day: date
    visitors: int
    counts: int  # increments recorded


def check_reaches(recorder: Recorder, fair: Fair | None) -> Fair:
    """The fair's organizer (its people and API keys) and the admin; others: missing."""
    if fair is None or not (
        recorder.role == "admin"
        or (recorder.role == "organizer" and fair.organizer_id == recorder.organization_id)
    ):
        raise NotFound("no such fair", field="fair_id")
    return fair


def fair_days(fair: Fair) -> tuple[date, date]:
    return local_date(fair.starts_at), local_date(fair.ends_at)


def day_of(draft: CountDraft, fair: Fair, now: datetime) -> date:
    return draft.day if draft.day is not None else local_date(now)


def replay(draft: CountDraft, fair: Fair, recorder: Recorder, stored: VisitorCount,
           now: datetime) -> VisitorCount:  # fmt: skip
    if (
        stored.fair_id != fair.fair_id
        or stored.recorded_by_org != recorder.organization_id
        or stored.content_hash != draft.content_hash(fair.fair_id, stored.day)
        or (draft.day is not None and draft.day != stored.day)
    ):
        raise RecordIdTaken("this count_id was recorded with other content", field="count_id")
    return stored


def record(
    draft: CountDraft, fair: Fair, recorder: Recorder, day_total: int, now: datetime
) -> VisitorCount:
    """An increment of a day of the fair (its local days; 422 naming ``day`` otherwise); a
    correction never takes the day below zero (409 naming ``increment``)."""
    check_reaches(recorder, fair)
    check_held(fair)
    day = day_of(draft, fair, now)
    first, last = fair_days(fair)
    if not first <= day <= last:
        raise InvalidField("day", f"a day of the fair ({first.isoformat()}..{last.isoformat()})")
    if draft.increment == 0 or abs(draft.increment) > MAX_INCREMENT:
        raise InvalidField("increment", f"a non-zero count up to {MAX_INCREMENT}")
    if day_total + draft.increment < 0:
        raise VisitorsBelowZero(
            f"the day has {day_total} visitors; this correction would go below zero",
            field="increment",
        )
    return VisitorCount(
        count_id=draft.count_id,
        fair_id=fair.fair_id,
        day=day,
        increment=draft.increment,
        gate=draft.gate,
        recorded_by_org=recorder.organization_id,
        recorded_by=recorder.person,
        recorded_at=now,
        content_hash=draft.content_hash(fair.fair_id, day),
    )


def per_day(counts: Sequence[VisitorCount]) -> list[Day]:
    days: dict[date, list[int]] = {}
    for c in counts:
        days.setdefault(c.day, []).append(c.increment)
    return [Day(d, sum(v), len(v)) for d, v in sorted(days.items())]
