"""Fair series (issue 15; "Chuỗi hội chợ"): the annual fairs an organizer holds again (the Xuân
and Hè fairs), compared year by year.

- ``/organizer/series``: the organization's series with their fairs; naming a new one
  (registration ``GET/POST /fair-series``; the ``series_id`` is made when the form is shown,
  so sending it twice names one series);
- ``/organizer/fairs/{id}/series``: putting a fair in a series, or in none (``PUT
  /fairs/{id}/series``), linked from the fair's page;
- ``/organizer/series/{id}``: the comparison. Exhibitors, products, contracts and memoranda
  are registration's (``GET /fair-series/{id}/report``); revenue is sales' (``GET
  /fairs/{id}/reports/revenue`` of each fair, by product group and province, with the
  organizer's own session), put beside them by year, product group (named) and province.
  A fair sales knows no sale of shows "—", never 0. Bar charts are inline SVG drawn here
  (no script), with the same figures in the tables below them."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup, escape

from ocop_web.api import ApiError
from ocop_web.forms import Field, FormState
from ocop_web.i18n import N_, gettext, money, number
from ocop_web.pages.dashboard import revenue
from ocop_web.pages.fairs import own_fair, own_fairs
from ocop_web.pages.product_groups import ProductGroups, product_groups
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

SERIES_FIELDS = (Field("series_name", N_("Name of the series"), api=("name",)),)
PLACE_FIELDS = (Field("series_id", N_("Series")),)
NONE = "none"  # the radio for "in no series"


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def my_series(viewer: Viewer) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await viewer.api.registration.get("/fair-series")
    return sorted(found, key=lambda s: str(s["name"]))


# --- the list, and a new series --------------------------------------------------------------


def _list_page(
    request: Request,
    series: list[dict[str, Any]],
    form: FormState,
    series_id: str,
    notice: str | None = None,
) -> Response:
    return render(
        request,
        "series/list.html",
        {"series": series, "form": form, "series_id": series_id, "notice": notice},
        status_code=422 if form.has_errors else 200,
    )


@router.get("/organizer/series")
async def series_list(request: Request, viewer: SignedIn, notice: str = "") -> Response:
    series = await my_series(viewer)
    message = gettext("The series is named.") if notice == "created" else None
    form = FormState.of(SERIES_FIELDS)
    return _list_page(request, series, form, str(uuid.uuid4()), message)


@router.post("/organizer/series")
async def create_series(request: Request, viewer: SignedIn) -> Response:
    submitted = await request.form()
    form = FormState.of(SERIES_FIELDS, dict(submitted))
    series_id = str(submitted.get("series_id") or uuid.uuid4())
    form.require("series_name")
    if not form.has_errors:
        try:
            await viewer.api.registration.post(
                "/fair-series",
                {"series_id": series_id, "name": form.value("series_name").strip()},
                idempotency_key=series_id,
            )
        except ApiError as refused:
            form.add_api_error(refused)
            series_id = str(uuid.uuid4())  # nothing was named: the next try is new
        else:
            back = str(submitted.get("fair_id") or "")
            if back:  # named from a fair's page: back there, the new series chosen
                await own_fair(viewer, UUID(back))
                return see_other(f"/organizer/fairs/{back}/series?chosen={series_id}")
            return see_other("/organizer/series?notice=created")
    return _list_page(request, await my_series(viewer), form, series_id)


# --- a fair in a series ----------------------------------------------------------------------


def _place_page(
    request: Request,
    fair: dict[str, Any],
    series: list[dict[str, Any]],
    form: FormState,
    notice: str | None = None,
) -> Response:
    options = [(str(s["series_id"]), str(s["name"]), None) for s in series]
    options.append((NONE, gettext("In no series"), None))
    return render(
        request,
        "series/place.html",
        {
            "fair": fair,
            "form": form,
            "options": options,
            "current": current_series(fair, series),
            "notice": notice,
            "series_id": str(uuid.uuid4()),
            "new_form": FormState.of(SERIES_FIELDS),
        },
        status_code=422 if form.has_errors else 200,
    )


def current_series(fair: dict[str, Any], series: list[dict[str, Any]]) -> dict[str, Any] | None:
    for s in series:
        if any(str(f["fair_id"]) == str(fair["fair_id"]) for f in s.get("fairs", [])):
            return s
    return None


@router.get("/organizer/fairs/{fair_id}/series")
async def place_page(
    request: Request, viewer: SignedIn, fair_id: UUID, notice: str = "", chosen: str = ""
) -> Response:
    fair = await own_fair(viewer, fair_id)
    series = await my_series(viewer)
    now = current_series(fair, series)
    value = chosen or (str(now["series_id"]) if now else "")
    form = FormState.of(PLACE_FIELDS, {"series_id": value})
    message = gettext("The fair's series is saved.") if notice == "placed" else None
    return _place_page(request, fair, series, form, message)


@router.post("/organizer/fairs/{fair_id}/series")
async def place_fair(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    fair = await own_fair(viewer, fair_id)
    form = FormState.of(PLACE_FIELDS, dict(await request.form()))
    form.require("series_id")
    if not form.has_errors:
        chosen = form.value("series_id")
        try:
            await viewer.api.registration.put(
                f"/fairs/{fair_id}/series",
                {"series_id": None if chosen == NONE else chosen},
                idempotency_key=str(uuid.uuid4()),
            )
        except ApiError as refused:
            form.add_api_error(refused)
        else:
            return see_other(f"/organizer/fairs/{fair_id}/series?notice=placed")
    return _place_page(request, fair, await my_series(viewer), form)


# --- the comparison --------------------------------------------------------------------------


@dataclass
class Cell:
    """One year's figures in one row (a product group or a province)."""

    exhibitors: int | None = None
    products: int | None = None
    value_vnd: int | None = None
    revenue_vnd: int | None = None


@dataclass
class YearLine:
    year: int
    fair_id: str
    fair_name: str
    exhibitors: int
    products: int
    contracts: int
    mous: int
    value_vnd: int
    revenue_vnd: int | None  # None: sales knows no sale at that fair


@dataclass
class Breakdown:
    title: str
    label: str
    rows: dict[str, dict[int, Cell]] = field(default_factory=dict)

    def cell(self, name: str, year: int) -> Cell:
        return self.rows.setdefault(name, {}).setdefault(year, Cell())

    def sorted_rows(self) -> list[tuple[str, dict[int, Cell]]]:
        return sorted(self.rows.items(), key=lambda r: r[0])


@dataclass
class Comparison:
    series: dict[str, Any]
    years: list[YearLine]
    by_group: Breakdown
    by_province: Breakdown


async def _revenues(
    viewer: Viewer, fair_id: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    by_group, by_province = await asyncio.gather(
        revenue(viewer, UUID(fair_id), "product_group"),
        revenue(viewer, UUID(fair_id), "province"),
    )
    return by_group, by_province


def compare(
    report: dict[str, Any],
    revenues: list[tuple[Any, Any]],
    taxonomies: dict[str, str],
    groups: ProductGroups,
) -> Comparison:
    by_group = Breakdown(gettext("By product group"), gettext("Product group"))
    by_province = Breakdown(gettext("By province"), gettext("Province"))
    years: list[YearLine] = []
    for y, (by_group_revenue, by_province_revenue) in zip(report["years"], revenues, strict=True):
        year, fair = int(y["year"]), y["fair"]
        total = y["total"]
        years.append(
            YearLine(
                year=year,
                fair_id=str(fair["fair_id"]),
                fair_name=str(fair["name"]),
                exhibitors=int(total["exhibitors"]),
                products=int(total["products"]),
                contracts=int(total["trade"]["contracts"]),
                mous=int(total["trade"]["mous"]),
                value_vnd=int(total["trade"]["value_vnd"]),
                revenue_vnd=int(by_group_revenue["total_net_vnd"]) if by_group_revenue else None,
            )
        )
        for g in y["by_group"]:
            c = by_group.cell(groups.name(g["taxonomy"], g["product_group"]), year)
            c.exhibitors, c.products = int(g["exhibitors"]), int(g["products"])
            c.value_vnd = int(g["trade"]["value_vnd"])
        taxonomy = taxonomies.get(str(fair["fair_id"]), "2023")
        for r in (by_group_revenue or {}).get("rows", []):
            # issue 15: sales names the group (key) and gives its number (code) and taxonomy
            named = groups.name(r.get("taxonomy") or taxonomy, r.get("code") or r["key"])
            by_group.cell(named, year).revenue_vnd = int(r["net_vnd"])
        for p in y["by_province"]:
            c = by_province.cell(str(p["province"]), year)
            c.exhibitors, c.products = int(p["exhibitors"]), int(p["products"])
            c.value_vnd = int(p["trade"]["value_vnd"])
        for r in (by_province_revenue or {}).get("rows", []):
            name = str(r["key"]) if str(r["key"]) != "?" else gettext("Province not known")
            by_province.cell(name, year).revenue_vnd = int(r["net_vnd"])
    return Comparison(report, years, by_group, by_province)


# A bar chart drawn here as SVG (no script, no inline style: CSP), sized in its viewBox so it
# scales with the page; each bar says its figure in text too, and the chart's title and
# description name what it shows (role="img"). The table below it holds the same figures.
CHART_WIDTH, BAR_HEIGHT, GAP, LABEL_WIDTH, VALUE_WIDTH = 640, 28, 12, 120, 170


def bar_chart(
    chart_id: str, title: str, bars: list[tuple[str, int | None]], *, is_money: bool
) -> Markup:
    known = [v for _, v in bars if v is not None]
    top = max(known, default=0) or 1
    room = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = len(bars) * (BAR_HEIGHT + GAP) + GAP

    def shown(value: int | None) -> str:
        if value is None:
            return "—"
        return money(value) if is_money else number(value)

    described = "; ".join(f"{label}: {shown(value)}" for label, value in bars)
    parts = [
        f'<svg class="ocop-chart" viewBox="0 0 {CHART_WIDTH} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" data-testid="{chart_id}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(described)}</desc>',
    ]
    for n, (label, value) in enumerate(bars):
        y = GAP + n * (BAR_HEIGHT + GAP)
        width = 0 if value is None else max(1, round(room * max(value, 0) / top))
        middle = y + BAR_HEIGHT / 2
        parts += [
            f'<text class="ocop-chart__label" x="0" y="{middle}" dominant-baseline="middle">'
            f"{escape(label)}</text>",
            f'<rect class="ocop-chart__bar" x="{LABEL_WIDTH}" y="{y}" width="{width}" '
            f'height="{BAR_HEIGHT}" data-value="{value if value is not None else ""}"></rect>',
            f'<text class="ocop-chart__value" x="{LABEL_WIDTH + width + 8}" y="{middle}" '
            f'dominant-baseline="middle">{escape(shown(value))}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))


@router.get("/organizer/series/{series_id}")
async def series_page(request: Request, viewer: SignedIn, series_id: UUID) -> Response:
    report: dict[str, Any] = await viewer.api.registration.get(f"/fair-series/{series_id}/report")
    fairs, groups = await asyncio.gather(own_fairs(viewer), product_groups(viewer))
    taxonomies = {
        str(f["fair_id"]): str((f.get("rules") or {}).get("taxonomy") or "2023") for f in fairs
    }
    revenues = await asyncio.gather(
        *(_revenues(viewer, str(y["fair"]["fair_id"])) for y in report["years"])
    )
    found = compare(report, list(revenues), taxonomies, groups)
    labels = [str(y.year) for y in found.years]
    charts = [
        bar_chart(
            "chart-revenue",
            gettext("Revenue by year"),
            [(label, y.revenue_vnd) for label, y in zip(labels, found.years, strict=True)],
            is_money=True,
        ),
        bar_chart(
            "chart-contracts",
            gettext("Value of contracts and memoranda by year"),
            [(label, y.value_vnd) for label, y in zip(labels, found.years, strict=True)],
            is_money=True,
        ),
        bar_chart(
            "chart-exhibitors",
            gettext("Exhibitors by year"),
            [(label, y.exhibitors) for label, y in zip(labels, found.years, strict=True)],
            is_money=False,
        ),
    ]
    return render(
        request,
        "series/report.html",
        {
            "found": found,
            "charts": charts,
            "unknown_revenue": any(y.revenue_vnd is None for y in found.years),
        },
    )
