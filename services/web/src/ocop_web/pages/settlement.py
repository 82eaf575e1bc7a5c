"""The consignment settlement (issue 15): per producer, what was received, sold, returned,
the amount, the fair's commission and the amount due to the producer; over the whole fair,
or a month of a showroom (a month chooser); also as XLSX. For the fair's organizer and a
promotion week's host retailer (pages/retailer_sales.py links here).

Calls sales: ``GET /fairs/{id}/reports/settlement`` (``month=YYYY-MM``; JSON, or
``format=xlsx`` passed through as it comes). Every figure is sales'."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ocop_web.api import ApiError
from ocop_web.forms import Field, FormState
from ocop_web.i18n import N_, VIET_NAM, gettext
from ocop_web.pages.fairs import own_fair
from ocop_web.pages.retailer import hosted_weeks
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONTH_FIELDS = (Field("month", N_("Month")),)
MAX_MONTHS = 36  # a showroom's months offered, the latest first


def _month_start(value: Any) -> date:
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    local = moment.astimezone(VIET_NAM) if moment.tzinfo else moment
    return date(local.year, local.month, 1)


def months_of(fair: dict[str, Any], today: date | None = None) -> list[tuple[str, str]]:
    """A showroom's months from its opening to this month (or its end), the latest first:
    (``YYYY-MM``, ``MM/YYYY``). Other kinds settle over the whole fair: none."""
    if fair.get("kind") != "showroom":
        return []
    first = _month_start(fair["starts_at"])
    now = today or datetime.now(VIET_NAM).date()
    last = date(now.year, now.month, 1)
    if fair.get("ends_at") and not fair.get("open_ended"):
        last = min(last, _month_start(fair["ends_at"]))
    months: list[tuple[str, str]] = []
    at = last
    while at >= first and len(months) < MAX_MONTHS:
        months.append((f"{at:%Y-%m}", f"{at:%m/%Y}"))
        at = date(at.year - 1, 12, 1) if at.month == 1 else date(at.year, at.month - 1, 1)
    return months


async def settlement_page(
    request: Request,
    viewer: Viewer,
    fair: dict[str, Any],
    month: str,
    *,
    base: str,
    back: str,
) -> Response:
    fair_id = fair["fair_id"]
    months = months_of(fair)
    form = FormState.of(MONTH_FIELDS, {"month": month})
    if month and month not in {m for m, _ in months}:
        form.errors["month"] = gettext("Choose a month from the list")
    result: dict[str, Any] | None = None
    if not form.has_errors:
        try:
            result = await viewer.api.sales.get(
                f"/fairs/{fair_id}/reports/settlement", params={"month": month} if month else None
            )
        except ApiError as refused:
            if refused.status == 422:
                form.errors["month"] = gettext("Choose a month from the list")
            elif refused.status not in (404, 409):
                raise
    query = f"?month={month}" if month else ""
    return render(
        request,
        "settlement/settlement.html",
        {
            "fair": fair,
            "form": form,
            "months": months,
            "month": month,
            "result": result,
            "base": base,
            "back": back,
            "xlsx": f"{base}.xlsx{query}",
        },
        status_code=422 if form.has_errors else 200,
    )


async def settlement_xlsx(viewer: Viewer, fair_id: Any, month: str) -> Response:
    params = {"format": "xlsx", **({"month": month} if month else {})}
    answer = await viewer.api.sales.send(
        "GET", f"/fairs/{fair_id}/reports/settlement", params=params
    )
    return Response(
        answer.content,
        media_type=answer.headers.get("content-type", XLSX),
        headers={
            "Content-Disposition": answer.headers.get(
                "content-disposition", 'attachment; filename="settlement.xlsx"'
            )
        },
    )


def _month(value: str) -> str:
    return value.strip()[:7]


# --- the organizer ----------------------------------------------------------------------------


@router.get("/organizer/fairs/{fair_id}/settlement")
async def organizer_settlement(
    request: Request, viewer: SignedIn, fair_id: UUID, month: str = ""
) -> Response:
    fair = await own_fair(viewer, fair_id)
    return await settlement_page(
        request,
        viewer,
        fair,
        _month(month),
        base=f"/organizer/fairs/{fair_id}/settlement",
        back=f"/organizer/fairs/{fair_id}",
    )


@router.get("/organizer/fairs/{fair_id}/settlement.xlsx")
async def organizer_settlement_xlsx(viewer: SignedIn, fair_id: UUID, month: str = "") -> Response:
    await own_fair(viewer, fair_id)
    return await settlement_xlsx(viewer, fair_id, _month(month))


# --- the host retailer ------------------------------------------------------------------------


async def hosted_week(viewer: Viewer, fair_id: UUID) -> dict[str, Any]:
    """One of the promotion weeks (or showrooms) naming the retailer as host; else 404."""
    if viewer.role != "retailer":
        raise ApiError(403, {"detail": "a retailer's page", "code": "forbidden"})
    for week in await hosted_weeks(viewer):
        if str(week["fair_id"]) == str(fair_id):
            return week
    raise ApiError(404, {"detail": "no such promotion week", "code": "not_found"})


@router.get("/retailer/weeks/{fair_id}/settlement")
async def retailer_settlement(
    request: Request, viewer: SignedIn, fair_id: UUID, month: str = ""
) -> Response:
    week = await hosted_week(viewer, fair_id)
    return await settlement_page(
        request,
        viewer,
        week,
        _month(month),
        base=f"/retailer/weeks/{fair_id}/settlement",
        back=f"/retailer/weeks/{fair_id}",
    )


@router.get("/retailer/weeks/{fair_id}/settlement.xlsx")
async def retailer_settlement_xlsx(viewer: SignedIn, fair_id: UUID, month: str = "") -> Response:
    await hosted_week(viewer, fair_id)
    return await settlement_xlsx(viewer, fair_id, _month(month))
