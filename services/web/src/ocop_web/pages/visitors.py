"""Visitors counted at a fair's gates (issue 15; "Khách tham quan"): per day and in total
(registration's ``GET /fairs/{id}/visitor-counts``), and a count added by the organizer
(``POST``): a day of the fair, the visitors counted (a negative number corrects a count
entered too high), the gate. Registration decides every rule (a day outside the fair 422
naming ``day``; a day below zero 409 ``visitors_below_zero`` naming ``increment``): the
page reads what was typed and names an empty answer before any call. Each form carries a
``count_id`` made when it was shown, so sending it twice counts once. A gate's device counts
through the same route with the organizer's API key (no page)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ocop_web.api import ApiError
from ocop_web.forms import Field, FormState
from ocop_web.i18n import N_, VIET_NAM, gettext
from ocop_web.pages.fairs import own_fair, parse_day
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

COUNT_FIELDS = (
    Field("day", N_("Day")),
    Field("increment", N_("Visitors counted")),
    Field("gate", N_("Gate")),
)


async def visitor_days(viewer: Viewer, fair_id: UUID) -> dict[str, Any]:
    found: dict[str, Any] = await viewer.api.registration.get(f"/fairs/{fair_id}/visitor-counts")
    return found


def _local_day(value: Any) -> str:
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment.astimezone(VIET_NAM).strftime("%d/%m/%Y")


def count_body(form: FormState) -> dict[str, Any] | None:
    form.require("day", "increment")
    found = parse_day(form.value("day")) if form.value("day").strip() else None
    if form.value("day").strip() and found is None:
        form.add("day", "date_parsing")
    text = form.value("increment").strip().replace(".", "").replace(" ", "").replace("+", "")
    increment: int | None = None
    if text:
        if text.lstrip("-").isdigit():
            increment = int(text)
            if increment == 0:
                form.add("increment", "not_zero")
        else:
            form.add("increment", "int_parsing")
    if form.has_errors or found is None or increment is None:
        return None
    gate = form.value("gate").strip()
    return {"day": found.isoformat(), "increment": increment, "gate": gate or None}


def _page(
    request: Request,
    fair: dict[str, Any],
    counted: dict[str, Any],
    form: FormState,
    count_id: str,
    notice: str | None = None,
) -> Response:
    return render(
        request,
        "visitors/visitors.html",
        {
            "fair": fair,
            "counted": counted,
            "form": form,
            "count_id": count_id,
            "first_day": _local_day(fair["starts_at"]),
            "last_day": _local_day(fair["ends_at"]),
            "notice": notice,
        },
        status_code=422 if form.has_errors else 200,
    )


@router.get("/organizer/fairs/{fair_id}/visitors")
async def visitors_page(
    request: Request, viewer: SignedIn, fair_id: UUID, notice: str = ""
) -> Response:
    fair = await own_fair(viewer, fair_id)
    counted = await visitor_days(viewer, fair_id)
    today = datetime.now(VIET_NAM).strftime("%d/%m/%Y")
    form = FormState.of(COUNT_FIELDS, {"day": today})
    message = gettext("The count is added.") if notice == "counted" else None
    return _page(request, fair, counted, form, str(uuid.uuid4()), message)


@router.post("/organizer/fairs/{fair_id}/visitors")
async def add_count(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    fair = await own_fair(viewer, fair_id)
    submitted = await request.form()
    form = FormState.of(COUNT_FIELDS, dict(submitted))
    count_id = str(submitted.get("count_id") or uuid.uuid4())
    body = count_body(form)
    if body is not None:
        try:
            await viewer.api.registration.post(
                f"/fairs/{fair_id}/visitor-counts",
                {"count_id": count_id, **body},
                idempotency_key=count_id,
            )
        except ApiError as refused:
            form.add_api_error(refused)
            count_id = str(uuid.uuid4())  # nothing was counted: the next try is a new count
        else:
            return RedirectResponse(
                f"/organizer/fairs/{fair_id}/visitors?notice=counted", status_code=303
            )
    counted = await visitor_days(viewer, fair_id)
    return _page(request, fair, counted, form, count_id)
