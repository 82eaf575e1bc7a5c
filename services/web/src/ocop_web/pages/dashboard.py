"""The live dashboard of a fair: revenue today and in all, by product group (named), star,
province, producer and booth, as tables and bar charts drawn on the server (SVG), updated
without reload, and every report as CSV or XLSX.

Every figure is sales' (``GET /fairs/{id}/reports/revenue?by=...``, with the organizer's own
session); the page computes nothing but bar lengths. "Without reload": the page listens to
``/organizer/fairs/{id}/live/events`` (server-sent events, ``ocop_web.live``: the web app's
Kafka consumer says only "fair X changed") and then fetches ``.../live/figures`` (the same
figures as HTML, through sales again) in ``static/js/live.js``. Without JavaScript the page
shows the figures as of its loading, with the time and a refresh link.

Downloads are sales' own files (``format=csv|xlsx``), passed through as they come."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from ocop_web import live
from ocop_web.api import ApiError
from ocop_web.i18n import N_, VIET_NAM, gettext, ngettext
from ocop_web.pages.fairs import own_fair
from ocop_web.pages.money import money_context
from ocop_web.pages.product_groups import ProductGroups, product_groups
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

Dimension = Literal[
    "fair", "day", "booth", "exhibitor", "producer", "product", "product_group", "star", "province"
]
SHOWN: tuple[tuple[str, str], ...] = (  # (dimension, heading), in the page's order
    ("product_group", N_("By product group")),
    ("star", N_("By star")),
    ("province", N_("By province")),
    ("producer", N_("By producer")),
    ("booth", N_("By booth")),
    ("day", N_("By day")),
)
DOWNLOADS: dict[str, str] = {
    "product_group": N_("product group"),
    "star": N_("star"),
    "province": N_("province"),
    "producer": N_("producer"),
    "booth": N_("booth"),
    "day": N_("day"),
    "exhibitor": N_("exhibitor"),
    "product": N_("product"),
}
FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHART_ROWS = 10  # a chart shows the first rows (sales orders them by revenue); tables all
TABLE_ROWS = 100
# An open page's event stream ends after this long; the browser opens another at once and
# the page fetches its figures again (no signal is lost in between).
STREAM_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    sales: int
    quantity: int
    gross_vnd: int
    refunds_vnd: int
    net_vnd: int
    share: float  # of the largest row's net revenue, 0..1 (bar length)


@dataclass(frozen=True, slots=True)
class Report:
    by: str
    heading: str
    rows: list[Row]
    more: int  # rows not shown in the table (the download has them)

    @property
    def chart(self) -> list[Row]:
        return self.rows[:CHART_ROWS]


def row_key(row: dict[str, Any]) -> str:
    """A revenue row's key for ``label_of``: a product group by its number (sales answers its
    Vietnamese name as the key, its number as ``code``: issue 15), so the reader's language
    names it; any other row by its key."""
    code = row.get("code")
    return str(code if code is not None else row["key"])


def label_of(by: str, key: str, fair: dict[str, Any], groups: ProductGroups) -> str:
    """A report row's key in words: product groups by name (the fair's classification, as
    registration names it), stars as stars, days as dd/mm/yyyy."""
    if by == "product_group":
        taxonomy = str((fair.get("rules") or {}).get("taxonomy") or "2023")
        return groups.name(taxonomy, key)
    if by == "star":
        return ngettext("%(num)s star", "%(num)s stars", int(key)) if key.isdigit() else key
    if by == "province" and key == "?":
        return gettext("Province not known")
    if by == "day":
        try:
            return datetime.fromisoformat(key).strftime("%d/%m/%Y")
        except ValueError:
            return key
    return key


def report_of(
    by: str,
    heading: str,
    body: dict[str, Any] | None,
    fair: dict[str, Any],
    groups: ProductGroups,
) -> Report:
    raw = list((body or {}).get("rows", []))
    if by == "day":
        raw.sort(key=lambda r: str(r["key"]), reverse=True)
    top = max((int(r["net_vnd"]) for r in raw), default=0)
    rows = [
        Row(
            label_of(by, row_key(r), fair, groups),
            int(r["sales"]),
            int(r["quantity"]),
            int(r["gross_vnd"]),
            int(r["refunds_vnd"]),
            int(r["net_vnd"]),
            max(0.0, int(r["net_vnd"]) / top) if top > 0 else 0.0,
        )
        for r in raw
    ]
    return Report(by, heading, rows[:TABLE_ROWS], max(0, len(rows) - TABLE_ROWS))


async def revenue(viewer: Viewer, fair_id: UUID, by: str) -> dict[str, Any] | None:
    """Sales' report, or None when sales knows no sale at this fair yet (404)."""
    try:
        body: dict[str, Any] = await viewer.api.sales.get(
            f"/fairs/{fair_id}/reports/revenue", params={"by": by}
        )
    except ApiError as refused:
        if refused.status == 404:
            return None
        raise
    return body


async def figures(viewer: Viewer, fair: dict[str, Any]) -> dict[str, Any]:
    fair_id = UUID(str(fair["fair_id"]))
    groups, bodies = await asyncio.gather(
        product_groups(viewer),
        asyncio.gather(*(revenue(viewer, fair_id, by) for by, _ in SHOWN)),
    )
    reports = [report_of(by, h, b, fair, groups) for (by, h), b in zip(SHOWN, bodies, strict=True)]
    today = datetime.now(VIET_NAM).date().isoformat()
    by_day = bodies[[by for by, _ in SHOWN].index("day")] or {}
    today_vnd = sum(int(r["net_vnd"]) for r in by_day.get("rows", []) if str(r["key"]) == today)
    total_vnd = next((int(b["total_net_vnd"]) for b in bodies if b), 0)
    sales_count = sum(int(r["sales"]) for r in by_day.get("rows", []))
    return {
        "reports": reports,
        "today_vnd": today_vnd,
        "total_vnd": total_vnd,
        "sales_count": sales_count,
        "as_of": datetime.now(VIET_NAM),
        "CHART_ROWS": CHART_ROWS,
        "DOWNLOADS": DOWNLOADS,
    }


@router.get("/organizer/fairs/{fair_id}/live")
async def dashboard(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    fair = await own_fair(viewer, fair_id)
    found = await figures(viewer, fair)
    return render(
        request,
        "live/dashboard.html",
        money_context(fair, **found, live_on=_hub(request).connected),
    )


@router.get("/organizer/fairs/{fair_id}/live/figures")
async def dashboard_figures(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    """The figures alone (an HTML fragment), for the page to swap in when the fair changed."""
    fair = await own_fair(viewer, fair_id)
    return render(request, "live/_figures.html", money_context(fair, **await figures(viewer, fair)))


def _hub(request: Request) -> live.Hub:
    hub: live.Hub = request.app.state.live_hub
    return hub


@router.get("/organizer/fairs/{fair_id}/live/events")
async def dashboard_events(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    """Server-sent events: ``changed`` when the fair's sales changed, nothing else (no
    figure travels here: the page fetches them with the viewer's session)."""
    await own_fair(viewer, fair_id)  # the organization's fair, or 404 (before any stream)
    hub = _hub(request)

    async def stream() -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        ends = loop.time() + STREAM_SECONDS
        async for event in live.events(hub, str(fair_id)):
            yield event
            if loop.time() > ends:
                return

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.get("/organizer/fairs/{fair_id}/live/reports/{by}.{fmt}")
async def download(
    request: Request, viewer: SignedIn, fair_id: UUID, by: str, fmt: str
) -> Response:
    """Sales' report as a file, passed through (its name and type as sales gives them)."""
    if by not in DOWNLOADS or fmt not in FORMATS:
        raise ApiError(404, {"detail": "no such report", "code": "not_found"})
    answer = await viewer.api.sales.send(
        "GET", f"/fairs/{fair_id}/reports/revenue", params={"by": by, "format": fmt}
    )
    disposition = answer.headers.get(
        "content-disposition", f'attachment; filename="revenue-by-{by}.{fmt}"'
    )
    return Response(
        answer.content,
        media_type=answer.headers.get("content-type", FORMATS[fmt]),
        headers={"Content-Disposition": disposition},
    )
