"""An exhibitor's tills and sales at a fair: revenue by day, by product and by producer (for
a delegation, each member holder's share), from sales' reports.

Calls sales: ``GET /fairs/{id}/reports/revenue?by=day|product|producer``,
``GET /fairs/{id}/my-terminals`` (the tills at the exhibitor's own booths, a till with no sale
yet included), ``GET /sales?fair_id=`` (each till's sales); booths ``GET /fairs/{id}/my-booths`` for the
booths' codes; registration ``GET /applications`` and ``GET /fairs`` for the fairs."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ocop_web.api import ApiError
from ocop_web.pages.exhibitor_common import context, is_delegation, require_exhibitor
from ocop_web.pages.exhibitor_fairs import my_applications
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

DIMENSIONS = ("day", "product", "producer")
SALES_LIMIT = 5000


@dataclass
class Till:
    terminal_id: str
    label: str
    booth: str
    status: str | None = None
    session_open: bool | None = None
    sales: int = 0
    total_vnd: int = 0
    last_sale: str | None = None


async def tills_of(viewer: Viewer, fair_id: str, booth_codes: dict[str, str]) -> list[Till]:
    """The fair's tills at the exhibitor's booths (sales' ``my-terminals``), with the sales
    each made; a till sales no longer lists but sold here is shown by its sales."""
    sales: list[dict[str, Any]] = []
    with contextlib.suppress(ApiError):
        sales = await viewer.api.sales.get(
            "/sales", params={"fair_id": fair_id, "limit": SALES_LIMIT}
        )
    tills: dict[str, Till] = {}
    with contextlib.suppress(ApiError):
        for t in await viewer.api.sales.get(f"/fairs/{fair_id}/my-terminals"):
            tills[str(t["terminal_id"])] = Till(
                terminal_id=str(t["terminal_id"]),
                label=t["label"],
                booth=t.get("booth_code") or booth_codes.get(str(t["booth_id"]), ""),
                status=t["status"],
                session_open=t["session_open"],
            )
    for sale in sales:
        key = str(sale["terminal_id"])
        till = tills.setdefault(
            key,
            Till(key, key[:8], booth_codes.get(str(sale["booth_id"]), "")),
        )
        till.sales += 1
        till.total_vnd += int(sale["total_vnd"])
        if till.last_sale is None or sale["device_time"] > till.last_sale:
            till.last_sale = sale["device_time"]
    return sorted(tills.values(), key=lambda t: (t.booth, t.label))


@router.get("/exhibitor/sales")
async def sales(request: Request, viewer: SignedIn, fair_id: uuid.UUID | None = None) -> Response:
    require_exhibitor(viewer)
    approved = [a for a in await my_applications(viewer) if a["status"] == "approved"]
    fair_names: dict[str, str] = {}
    with contextlib.suppress(ApiError):
        fair_names = {
            str(f["fair_id"]): f["name"] for f in await viewer.api.registration.get("/fairs")
        }
    fairs = [(a["fair_id"], fair_names.get(a["fair_id"], a["fair_id"])) for a in approved]
    chosen = str(fair_id) if fair_id else (fairs[0][0] if len(fairs) == 1 else None)
    reports: dict[str, dict[str, Any] | None] = {}
    tills: list[Till] = []
    if chosen:
        for by in DIMENSIONS:
            try:
                reports[by] = await viewer.api.sales.get(
                    f"/fairs/{chosen}/reports/revenue", params={"by": by}
                )
            except ApiError as refused:
                if refused.status not in (404, 409):
                    raise
                reports[by] = None  # no sale at this fair yet
        booth_codes: dict[str, str] = {}
        with contextlib.suppress(ApiError):
            booth_codes = {
                str(b["booth_id"]): b["code"]
                for b in await viewer.api.booths.get(f"/fairs/{chosen}/my-booths")
            }
        tills = await tills_of(viewer, chosen, booth_codes)
    return render(
        request,
        "exhibitor/sales.html",
        context(
            fairs=fairs,
            chosen=chosen,
            chosen_name=fair_names.get(chosen or "", ""),
            reports=reports,
            tills=tills,
            delegation=is_delegation(viewer),
        ),
    )
