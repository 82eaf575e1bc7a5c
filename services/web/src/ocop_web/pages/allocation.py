"""Allocation: the organizer runs booths' engine over the free booths and the approved
applications, sees its proposal drawn on the plan beside the current state with each
exhibitor's explanation, and commits it; the fair's waitlist.

Calls booths ``POST /fairs/{fair}/allocations`` (synchronous: the page shows a progress
indicator while it answers, and the engine's own time), ``POST /allocations/{run}/commit``,
``GET /fairs/{fair}/waitlist``, ``GET /fairs/{fair}/floorplan``; registration for the fair's
name and its applicants' names. Booths keeps no readable copy of a proposal (no
``GET /allocations/{run}``), so the proposal is shown in the answer to the run itself."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ocop_web.api import ApiError
from ocop_web.forms import FormState
from ocop_web.i18n import N_, gettext
from ocop_web.pages.floorplan import (
    BOOTH_TYPES,
    LABELS,
    add_refusal,
    draw,
    exhibitor_names,
    fair_of,
    plan_of,
    see_other,
)
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

WAITLIST_STATUS: dict[str, str] = {
    "waiting": N_("Waiting"),
    "offered": N_("Offered a booth"),
    "placed": N_("Placed"),
    "left": N_("Left the waitlist"),
}

# The engine's explanations are English sentences joined by "; ": each piece in words.
EXPLAINED: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"^(?P<star>\d)★, queue place (?P<place>\d+) of (?P<of>\d+) \(star, then application time\)$"
        ),
        N_(
            "%(star)s★, place %(place)s of %(of)s in the queue (by stars, then time of application)"
        ),
    ),
    (re.compile(r"^zone (?P<zone>\S+) as requested$"), N_("zone %(zone)s, as asked")),
    (
        re.compile(r"^zone (?P<zone>\S+) is for group (?P<group>\d+)$"),
        N_("zone %(zone)s is for product group %(group)s"),
    ),
    (
        re.compile(r"^zone (?P<zone>\S+) shares its product groups$"),
        N_("zone %(zone)s has the same product groups"),
    ),
    (
        re.compile(r"^(?P<count>\d+) (?P<type>\w+) booths? (?P<codes>.+?) side by side$"),
        N_("%(count)s %(type)s booths, side by side: %(codes)s"),
    ),
    (
        re.compile(
            r"^(?P<count>\d+) (?P<type>\w+) booths? (?P<codes>.+?) \(no touching run was left\)$"
        ),
        N_("%(count)s %(type)s booths, not side by side (no such run was left): %(codes)s"),
    ),
    (
        re.compile(r"^(?P<count>\d+) (?P<type>\w+) booths? (?P<codes>.+)$"),
        N_("%(count)s %(type)s booth: %(codes)s"),
    ),
    (
        re.compile(r"^(?P<star>\d)★, queue place (?P<place>\d+)$"),
        N_("%(star)s★, place %(place)s in the queue"),
    ),
    (
        re.compile(r"^asks (?P<count>\d+) booths, above the fair's limit of (?P<limit>\d+)$"),
        N_("asks for %(count)s booths, above the fair's limit of %(limit)s"),
    ),
    (
        re.compile(
            r"^no zone had (?P<count>\d+) (?P<type>\w+) booth\(s\) left after higher-priority placements$"
        ),
        N_("no zone had %(count)s %(type)s booths left after the applications before it"),
    ),
)


def explain(text: str) -> str:
    """An explanation or a waitlist reason of the engine, in the reader's language (a piece
    it does not know stays as the service wrote it)."""
    pieces = []
    for piece in re.split(r"; |: ", text):
        said = piece
        for pattern, message in EXPLAINED:
            found = pattern.match(piece.strip())
            if found:
                values = dict(found.groupdict())
                if "type" in values:
                    values["type"] = gettext(
                        BOOTH_TYPES.get(values["type"], values["type"])
                    ).lower()
                said = gettext(message) % values
                break
        pieces.append(said)
    joined = "; ".join(pieces)
    return joined[:1].upper() + joined[1:]


@router.get("/organizer/fairs/{fair_id}/allocation")
async def allocation_page(request: Request, fair_id: uuid.UUID, viewer: SignedIn) -> Response:
    return await _page(request, viewer, str(fair_id), FormState.of(()))


async def _page(
    request: Request,
    viewer: Viewer,
    fair_id: str,
    form: FormState,
    *,
    proposal: Mapping[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    fair = await fair_of(viewer, fair_id)
    plan = await plan_of(viewer, fair_id)
    by_exhibitor, by_application = await exhibitor_names(viewer, fair_id)
    waitlist = await viewer.api.booths.get(f"/fairs/{fair_id}/waitlist")
    current = (
        draw(
            plan,
            key="current",
            title=gettext("Now"),
            href=f"/organizer/fairs/{fair_id}/floorplan/booths/{{booth_id}}",
            names=by_exhibitor,
        )
        if plan
        else None
    )
    context: dict[str, Any] = {
        "fair": fair,
        "fair_id": fair_id,
        "plan": plan,
        "current": current,
        "waitlist": waitlist,
        "form": form,
        "proposal": None,
        "WAITLIST_STATUS": WAITLIST_STATUS,
        "explain": explain,
        **LABELS,
    }
    if proposal is not None and plan is not None:
        override: dict[str, tuple[str, str | None, str]] = {}
        placements = []
        for p in proposal["placements"]:
            name = by_application.get(str(p["application_id"])) or by_exhibitor.get(
                str(p["exhibitor_id"]), str(p["exhibitor_id"])
            )
            placements.append({**p, "name": name})
            for booth_id in p["booth_ids"]:
                override[str(booth_id)] = ("proposed", name, f"#placement-{p['application_id']}")
        waiting = [
            {**w, "name": by_application.get(str(w["application_id"]), str(w["application_id"]))}
            for w in proposal["waitlist"]
        ]
        context["proposal"] = {
            **proposal,
            "placements": placements,
            "waitlist": waiting,
            "drawing": draw(
                plan,
                key="proposal",
                title=gettext("Proposed"),
                href=f"/organizer/fairs/{fair_id}/floorplan/booths/{{booth_id}}",
                names=by_exhibitor,
                override=override,
            ),
            "booths": sum(len(p["booth_ids"]) for p in placements),
            "key": str(uuid.uuid4()),
        }
    if request.headers.get("HX-Request") == "true" and request.method == "POST":
        return render(request, "allocation/_result.html", context, status_code=status_code)
    return render(request, "allocation/allocation.html", context, status_code=status_code)


@router.post("/organizer/fairs/{fair_id}/allocation")
async def run_engine(request: Request, fair_id: uuid.UUID, viewer: SignedIn) -> Response:
    form = FormState.of((), dict(await request.form()))
    try:
        proposal = await viewer.api.booths.post(
            f"/fairs/{fair_id}/allocations",
            idempotency_key=form.value("idempotency_key") or None,
        )
    except ApiError as e:
        if e.status == 403:
            raise
        add_refusal(form, e)
        return await _page(request, viewer, str(fair_id), form, status_code=422)
    return await _page(request, viewer, str(fair_id), form, proposal=proposal)


@router.post("/organizer/fairs/{fair_id}/allocation/{run_id}/commit")
async def commit(
    request: Request, fair_id: uuid.UUID, run_id: uuid.UUID, viewer: SignedIn
) -> Response:
    form = FormState.of((), dict(await request.form()))
    try:
        done = await viewer.api.booths.post(
            f"/allocations/{run_id}/commit",
            idempotency_key=form.value("idempotency_key") or None,
        )
    except ApiError as e:
        if e.status == 403:
            raise
        add_refusal(form, e)
        return await _page(request, viewer, str(fair_id), form, status_code=422)
    target = (
        f"/organizer/fairs/{fair_id}/floorplan?done=committed"
        f"&assigned={done['assigned']}&waitlisted={done['waitlisted']}"
    )
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": target})
    return see_other(target)
