"""The organizer's home: what needs attention, fair by fair. Each figure comes from the
service that owns it, asked with the organizer's own session:

- applications waiting for review: registration ``GET /fairs/{id}/applications`` (status
  ``submitted``; the list also names the exhibitors of the holds below);
- booths on hold (an exhibitor's hold, waiting for payment): booths ``GET /fairs/{id}/floorplan``
  (booths in state ``held``, each with ``held_until``); those expiring within
  ``EXPIRING_WITHIN`` are listed, soonest first;
- bank payments left unmatched: booths ``GET /fairs/{id}/payments/unmatched`` (the lines of
  the fair's bank statements no payment was found for, until a later statement pays them);
- tills: sales ``GET /fairs/{id}/terminals`` (suspended; active ones with no session open;
  offline: active ones not heard of online, ``last_online_at``, for 30 minutes, or never
  with a session open, while the fair is selling: ``tills.offline_tills``).

A figure a service cannot give (a draft the services do not know yet, a service down) is
shown as not available; the page never fails for one of them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ocop_web.api import ApiError, Unavailable
from ocop_web.pages.fairs import console_context, own_fairs
from ocop_web.pages.tills import OFFLINE_AFTER, offline_tills
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

T = TypeVar("T")
ACTIVE = ("draft", "open", "closed", "running")
EXPIRING_WITHIN = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class ExpiringHold:
    fair: dict[str, Any]
    booth_id: str
    code: str
    exhibitor: str
    held_until: datetime


@dataclass(frozen=True, slots=True)
class Attention:
    fair: dict[str, Any]
    waiting: int | None
    held: int | None
    tills_suspended: int | None
    tills_idle: int | None
    tills: int | None
    unmatched: int | None = None
    unmatched_vnd: int = 0
    expiring: list[ExpiringHold] = field(default_factory=list)
    offline: list[dict[str, Any]] = field(default_factory=list)  # tills offline now

    @property
    def needs_attention(self) -> bool:
        return bool(
            self.waiting or self.held or self.tills_suspended or self.unmatched or self.offline
        )


async def figure(call: Awaitable[T]) -> T | None:
    try:
        return await call
    except (ApiError, Unavailable):
        return None


def _moment(value: Any) -> datetime | None:
    try:
        found = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def expiring_holds(
    fair: dict[str, Any],
    booths: list[dict[str, Any]],
    names: dict[str, str],
    now: datetime,
) -> list[ExpiringHold]:
    """The fair's held booths whose hold ends within ``EXPIRING_WITHIN``, soonest first."""
    found = []
    for b in booths:
        until = _moment(b.get("held_until")) if b.get("state") == "held" else None
        if until is not None and now <= until <= now + EXPIRING_WITHIN:
            exhibitor = str(b.get("exhibitor_id") or "")
            found.append(
                ExpiringHold(
                    fair, str(b["booth_id"]), str(b["code"]), names.get(exhibitor, ""), until
                )
            )
    return sorted(found, key=lambda h: h.held_until)


async def attention(viewer: Viewer, fair: dict[str, Any], now: datetime) -> Attention:
    fair_id = fair["fair_id"]
    if fair["status"] == "draft":
        return Attention(fair, None, None, None, None, None)
    applications, plan, unmatched, tills = await asyncio.gather(
        figure(viewer.api.registration.get(f"/fairs/{fair_id}/applications")),
        figure(viewer.api.booths.get(f"/fairs/{fair_id}/floorplan")),
        figure(viewer.api.booths.get(f"/fairs/{fair_id}/payments/unmatched")),
        figure(viewer.api.sales.get(f"/fairs/{fair_id}/terminals")),
    )
    listed = applications if isinstance(applications, list) else None
    names = {str(a["exhibitor_id"]): str(a["exhibitor_name"]) for a in listed or []}
    booths = (plan or {}).get("booths") if isinstance(plan, dict) else None
    lines = unmatched if isinstance(unmatched, list) else None
    return Attention(
        fair,
        waiting=(
            sum(1 for a in listed if a.get("status") == "submitted") if listed is not None else None
        ),
        held=sum(1 for b in booths if b.get("state") == "held") if booths is not None else None,
        tills_suspended=(
            sum(1 for t in tills if t.get("status") == "suspended")
            if isinstance(tills, list)
            else None
        ),
        tills_idle=(
            sum(1 for t in tills if t.get("status") == "active" and not t.get("session_open"))
            if isinstance(tills, list)
            else None
        ),
        tills=len(tills) if isinstance(tills, list) else None,
        unmatched=len(lines) if lines is not None else None,
        unmatched_vnd=sum(int(line.get("amount_vnd") or 0) for line in lines or []),
        expiring=expiring_holds(fair, booths or [], names, now),
        offline=offline_tills(fair, tills, now) if isinstance(tills, list) else [],
    )


@router.get("/organizer")
async def organizer_home(request: Request, viewer: SignedIn) -> Response:
    fairs = [f for f in await own_fairs(viewer) if f["status"] in ACTIVE]
    now = datetime.now(UTC)
    rows = list(await asyncio.gather(*(attention(viewer, f, now) for f in fairs)))
    totals = {
        "waiting": sum(r.waiting or 0 for r in rows),
        "held": sum(r.held or 0 for r in rows),
        "expiring": sum(len(r.expiring) for r in rows),
        "unmatched": sum(r.unmatched or 0 for r in rows),
        "tills_suspended": sum(r.tills_suspended or 0 for r in rows),
        "tills_offline": sum(len(r.offline) for r in rows),
    }
    offline = [(r.fair, t) for r in rows for t in r.offline]
    expiring = sorted((h for r in rows for h in r.expiring), key=lambda h: h.held_until)
    return render(
        request,
        "console/home.html",
        {
            **console_context(),
            "rows": rows,
            "totals": totals,
            "expiring": expiring,
            "expiring_hours": int(EXPIRING_WITHIN.total_seconds() // 3600),
            "offline": offline,
            "offline_minutes": int(OFFLINE_AFTER.total_seconds() // 60),
        },
    )
