"""The organizer's home: what needs attention, fair by fair. Each figure comes from the
service that owns it, asked with the organizer's own session:

- applications waiting for review: registration ``GET /fairs/{id}/applications?status=submitted``;
- booths on hold (an exhibitor's hold, waiting for payment): booths ``GET /fairs/{id}/floorplan``
  (booths in state ``held``; the plan gives no hold's expiry, so "about to expire" cannot be
  told apart);
- tills: sales ``GET /fairs/{id}/terminals`` (suspended, and active ones with no session open;
  sales records no till's last contact, so "offline" cannot be told);
- bank payments left unmatched: booths keeps no list of them (a statement import answers its
  match report once), so none is shown.

A figure a service cannot give (a draft the services do not know yet, a service down) is
shown as not available; the page never fails for one of them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ocop_web.api import ApiError, Unavailable
from ocop_web.pages.fairs import console_context, own_fairs
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

T = TypeVar("T")
ACTIVE = ("draft", "open", "closed", "running")


@dataclass(frozen=True, slots=True)
class Attention:
    fair: dict[str, Any]
    waiting: int | None
    held: int | None
    tills_suspended: int | None
    tills_idle: int | None
    tills: int | None

    @property
    def needs_attention(self) -> bool:
        return bool(self.waiting or self.held or self.tills_suspended)


async def figure(call: Awaitable[T]) -> T | None:
    try:
        return await call
    except (ApiError, Unavailable):
        return None


async def attention(viewer: Viewer, fair: dict[str, Any]) -> Attention:
    fair_id = fair["fair_id"]
    if fair["status"] == "draft":
        return Attention(fair, None, None, None, None, None)
    queue, plan, tills = await asyncio.gather(
        figure(
            viewer.api.registration.get(
                f"/fairs/{fair_id}/applications", params={"status": "submitted"}
            )
        ),
        figure(viewer.api.booths.get(f"/fairs/{fair_id}/floorplan")),
        figure(viewer.api.sales.get(f"/fairs/{fair_id}/terminals")),
    )
    booths = (plan or {}).get("booths") if isinstance(plan, dict) else None
    return Attention(
        fair,
        waiting=len(queue) if isinstance(queue, list) else None,
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
    )


@router.get("/organizer")
async def organizer_home(request: Request, viewer: SignedIn) -> Response:
    fairs = [f for f in await own_fairs(viewer) if f["status"] in ACTIVE]
    rows = list(await asyncio.gather(*(attention(viewer, f) for f in fairs)))
    totals = {
        "waiting": sum(r.waiting or 0 for r in rows),
        "held": sum(r.held or 0 for r in rows),
        "tills_suspended": sum(r.tills_suspended or 0 for r in rows),
    }
    return render(
        request,
        "console/home.html",
        {**console_context(), "rows": rows, "totals": totals},
    )
