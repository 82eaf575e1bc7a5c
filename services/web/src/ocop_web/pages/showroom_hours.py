"""A showroom's weekly opening hours changed after it was created (issue 15; "Giờ mở cửa"):
the organizer's own showroom only (another's fair, or a fair of another kind, is not found),
the hours as it has them on the form (the new fair form's fields,
``templates/fairs/_hours_fields.html``, read by ``fair_kinds.opening_hours``), and
registration's ``PATCH /fairs/{id}`` with ``{"opening_hours": [...]}`` alone: the one change
it accepts while the showroom runs, until it finishes (``EDITABLE_WHILE_RUNNING``).

Registration decides every rule (the order of a day's times, each weekday once); its 422s
land on the weekday's field they name (``opening_hours.N.closes``: the N-th open day sent),
a 409 says the showroom has finished since the page was opened. The form carries a request
key made when it was shown, so sending it twice changes the hours once."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ocop_web.api import ApiError
from ocop_web.forms import FormState
from ocop_web.pages import fair_kinds
from ocop_web.pages.fairs import own_fair, see_other
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()


async def own_showroom(viewer: Viewer, fair_id: UUID) -> dict[str, Any]:
    """One of the organization's showrooms; another's fair or another kind: 404."""
    fair = await own_fair(viewer, fair_id)
    if fair.get("kind") != "showroom":
        raise ApiError(404, {"detail": "no such showroom", "code": "not_found"})
    return fair


def _hours_page(
    request: Request, fair: dict[str, Any], form: FormState, status_code: int = 200
) -> Response:
    """The form (a new request key each time it is shown), or, once the showroom has
    finished, its hours can no longer change."""
    context = {"fair": fair, "form": form, "request_key": str(uuid.uuid4())}
    context.update(WEEKDAYS=fair_kinds.WEEKDAYS, changeable=fair_kinds.hours_changeable(fair))
    return render(request, "fairs/hours.html", context, status_code=status_code)


@router.get("/organizer/fairs/{fair_id}/hours")
async def hours_page(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    """The showroom's hours as it has them, each weekday (closed days left empty)."""
    fair = await own_showroom(viewer, fair_id)
    values = fair_kinds.hours_values(fair.get("opening_hours") or [])
    return _hours_page(request, fair, FormState.of(fair_kinds.HOURS_FIELDS, values))


@router.post("/organizer/fairs/{fair_id}/hours")
async def change_hours(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    """The hours read as on the new fair form; the same as before: nothing sent."""
    fair = await own_showroom(viewer, fair_id)
    submitted = await request.form()
    values = {k: v for k, v in submitted.items() if isinstance(v, str)}
    form = FormState.of(fair_kinds.HOURS_FIELDS, values)
    hours = fair_kinds.opening_hours(form)
    body, key = {"opening_hours": hours}, str(submitted.get("request_key") or uuid.uuid4())
    status_code = 422
    if not form.has_errors:
        if fair_kinds.same_hours(hours, fair.get("opening_hours") or []):
            return see_other(f"/organizer/fairs/{fair_id}?notice=hours_unchanged")
        try:
            await viewer.api.registration.patch(f"/fairs/{fair_id}", body, idempotency_key=key)
        except ApiError as refused:
            if refused.status in (403, 404):
                raise
            if refused.status == 409:  # finished since the page was opened
                form.add(None, "fair_state_changed")
                status_code = 409
            else:
                rest = fair_kinds.add_kind_error(form, refused, body)
                if rest is not None:
                    form.add_api_error(rest)
        else:
            return see_other(f"/organizer/fairs/{fair_id}?notice=hours_changed")
    return _hours_page(request, fair, form, status_code=status_code)
