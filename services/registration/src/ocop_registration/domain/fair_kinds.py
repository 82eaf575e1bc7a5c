"""Fair kinds with their real behaviour (issue 15). Pure: what each kind needs besides a
fair's schedule and rules, and the checks that name the field that breaks them.

- **promotion_week** (*tuần lễ xúc tiến* at a supermarket): hosted by a retailer (an
  organization of kind ``retailer``) at some of its stores; producers' goods are sold on
  consignment through the retailer's tills, which keeps ``rules.commission_percent``.
- **showroom** (the province's permanent OCOP centres): open-ended (it runs until its
  organizer finishes it), sells on its weekly opening hours, on consignment too.
- **fair**, **exhibition**: neither a host retailer nor an open end.

Rolling admissions (``ROLLING_ADMISSIONS``: a showroom only): a permanent centre admits new
producers while it runs. Its application window may close after it starts (by its end), its
organizer may start it straight from ``open``, and while it runs it takes applications within
its window until the window closes or its organizer closes them (``close`` moves the window's
end to that moment; the status stays ``running``). Every other kind closes applications
before it starts, as before.

An open-ended fair's ``ends_at`` is ``OPEN_ENDED_UNTIL``, a far instant, never null: every
consumer's check "before ends_at (plus a grace)" stays right and needs no change, and the
schedule checks (``ends_before_start``) keep holding."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from ocop_shared.errors import InvalidField

# 2100-12-31 23:59:59 in Viet Nam (UTC+7), the last moment a fair's time may name.
OPEN_ENDED_UNTIL = datetime(2100, 12, 31, 16, 59, 59, tzinfo=UTC)
MAX_COMMISSION_PERCENT = 50
# The kinds that take applications while they run (rolling admissions): a showroom.
ROLLING_ADMISSIONS: frozenset[str] = frozenset({"showroom"})
MAX_STORES_PER_FAIR = 200
STORE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,19}$")
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


class OpeningHours(BaseModel):
    """A weekday's opening hours in Viet Nam's time; ``weekday`` 0 is Monday."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weekday: int
    opens: str
    closes: str


class FairStore(BaseModel):
    """A store of the host retailer taking part in a promotion week (its name as when the
    fair named it)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    store_code: str
    name: str


@dataclass(frozen=True, slots=True)
class Store:
    """One of a retailer's stores, kept by the retailer's owner."""

    retailer_id: str
    store_code: str
    name: str
    address: str


def store_code(value: str) -> str:
    """A store's code as the retailer prints it on its sales file: upper-cased, letters,
    digits, ``-`` and ``_``, at most 20."""
    code = value.strip().upper()
    if not STORE_CODE.match(code):
        raise ValueError("1-20 letters, digits, '-' or '_' (e.g. HL01)")
    return code


def new_store(retailer_id: str, code: str, name: str, address: str) -> Store:
    try:
        checked = store_code(code)
    except ValueError as e:
        raise InvalidField("store_code", str(e)) from None
    return Store(retailer_id, checked, name, address)


def _minutes(value: str, field: str) -> int:
    if not _HHMM.match(value):
        raise InvalidField(field, "a time of day as HH:MM (00:00-23:59)")
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def check_opening_hours(hours: Sequence[OpeningHours]) -> list[OpeningHours]:
    """Each weekday once at most, 0 (Monday) to 6 (Sunday), opening before it closes (within
    the day: a showroom does not sell past midnight); answered in weekday order."""
    seen: set[int] = set()
    for i, h in enumerate(hours):
        if not 0 <= h.weekday <= 6:
            raise InvalidField(f"opening_hours.{i}.weekday", "0 (Monday) to 6 (Sunday)")
        if h.weekday in seen:
            raise InvalidField(f"opening_hours.{i}.weekday", "each weekday once")
        seen.add(h.weekday)
        opens = _minutes(h.opens, f"opening_hours.{i}.opens")
        closes = _minutes(h.closes, f"opening_hours.{i}.closes")
        if closes <= opens:
            raise InvalidField(f"opening_hours.{i}.closes", "closes after it opens")
    return sorted(hours, key=lambda h: h.weekday)


def open_at(hours: Sequence[OpeningHours], local: datetime) -> bool:
    """Whether a showroom with these hours is open at a local (Viet Nam) moment; no hours:
    open whenever the fair runs."""
    if not hours:
        return True
    minute = local.hour * 60 + local.minute
    return any(
        h.weekday == local.weekday()
        and _minutes(h.opens, "opens") <= minute < _minutes(h.closes, "closes")
        for h in hours
    )


def rolling_admissions(kind: str) -> bool:
    """Whether a fair of this kind takes applications while it runs (within its window)."""
    return kind in ROLLING_ADMISSIONS


def check_commission(kind: str, commission_percent: int) -> None:
    if not 0 <= commission_percent <= MAX_COMMISSION_PERCENT:
        raise InvalidField(
            "rules.commission_percent", f"a whole percent from 0 to {MAX_COMMISSION_PERCENT}"
        )
    if commission_percent and kind not in ("promotion_week", "showroom"):
        raise InvalidField(
            "rules.commission_percent",
            "a commission is on consignment sales: a promotion week's or a showroom's",
        )


@dataclass(frozen=True, slots=True)
class KindParts:
    """What a fair's kind adds to it, as the organizer gives it (stores by code)."""

    host_retailer_id: UUID | None = None
    store_codes: tuple[str, ...] = ()
    opening_hours: tuple[OpeningHours, ...] = ()
    open_ended: bool = False


def check_kind(
    kind: str,
    parts: KindParts,
    *,
    commission_percent: int,
    retailer_stores: Sequence[Store] | None,
) -> tuple[FairStore, ...]:
    """The kind's own rules; the stores named, resolved among the host retailer's
    (``retailer_stores``: None when no such retailer exists). Each refusal names its field."""
    check_commission(kind, commission_percent)
    if parts.open_ended and kind != "showroom":
        raise InvalidField("ends_at", "only a showroom is open-ended; give the fair's end")
    if kind == "showroom" and not parts.opening_hours:
        raise InvalidField("opening_hours", "a showroom names the weekdays it opens, and when")
    check_opening_hours(parts.opening_hours)
    if kind != "promotion_week":
        if parts.host_retailer_id is not None:
            raise InvalidField("host_retailer_id", "only a promotion week has a host retailer")
        if parts.store_codes:
            raise InvalidField("store_codes", "only a promotion week is held at stores")
        return ()
    if parts.host_retailer_id is None:
        raise InvalidField(
            "host_retailer_id", "a promotion week names its host retailer (a retailer's id)"
        )
    if retailer_stores is None:
        raise InvalidField("host_retailer_id", "no retailer with this id")
    if not parts.store_codes:
        raise InvalidField("store_codes", "a promotion week names at least one of its stores")
    if len(parts.store_codes) > MAX_STORES_PER_FAIR:
        raise InvalidField("store_codes", f"at most {MAX_STORES_PER_FAIR} stores")
    by_code = {s.store_code: s for s in retailer_stores}
    named: list[FairStore] = []
    for i, code in enumerate(parts.store_codes):
        store = by_code.get(code)
        if store is None:
            raise InvalidField(f"store_codes.{i}", f"{code} is not a store of the host retailer")
        if any(s.store_code == code for s in named):
            raise InvalidField(f"store_codes.{i}", f"{code} is named twice")
        named.append(FairStore(store_code=code, name=store.name))
    return tuple(named)
