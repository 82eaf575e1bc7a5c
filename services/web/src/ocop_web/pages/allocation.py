"""Allocation: the organizer runs booths' engine over the free booths and the approved
applications, sees its proposal drawn on the plan beside the current state with each
exhibitor's explanation, and commits it; the fair's waitlist.

Post, redirect, get: running the engine (booths ``POST /fairs/{fair}/allocations``,
synchronous: the page shows a progress indicator while it answers) redirects to the run's
own page, ``/organizer/fairs/{fair}/allocation/runs/{run}``, which reads the stored proposal
(``GET /allocations/{run}``: as it was answered, with ``created_at`` and ``committed_at``);
a commit (``POST /allocations/{run}/commit``) that fails shows that proposal again with the
refusal, a committed run says so. Also ``GET /fairs/{fair}/waitlist``,
``GET /fairs/{fair}/floorplan``; registration for the fair's name and rules and its
applicants' names. Explanations and waitlist reasons are worded here by their codes
(``booth_codes``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ocop_web.api import ApiError
from ocop_web.forms import FormState
from ocop_web.i18n import N_, gettext
from ocop_web.pages.booth_codes import placement_text, reason_text
from ocop_web.pages.floorplan import (
    LABELS,
    add_refusal,
    draw,
    exhibitor_names,
    fair_of,
    plan_of,
    see_other,
)
from ocop_web.pages.product_groups import ProductGroups, product_groups
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

WAITLIST_STATUS: dict[str, str] = {
    "waiting": N_("Waiting"),
    "offered": N_("Offered a booth"),
    "placed": N_("Placed"),
    "left": N_("Left the waitlist"),
}


def groups_of(fair: Mapping[str, Any], groups: ProductGroups) -> Callable[[int], str]:
    """A product group's name under the fair's classification, as registration names it."""
    taxonomy = str((fair.get("rules") or {}).get("taxonomy") or "2023")
    return lambda group: groups.name(taxonomy, group)


def hx_or_see_other(request: Request, target: str) -> Response:
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": target})
    return see_other(target)


@router.get("/organizer/fairs/{fair_id}/allocation")
async def allocation_page(request: Request, fair_id: uuid.UUID, viewer: SignedIn) -> Response:
    form = FormState.of((), {"idempotency_key": str(uuid.uuid4())})  # one run per click
    return await _page(request, viewer, str(fair_id), form)


async def _page(
    request: Request,
    viewer: Viewer,
    fair_id: str,
    form: FormState,
    *,
    run: Mapping[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    fair = await fair_of(viewer, fair_id)
    plan = await plan_of(viewer, fair_id)
    by_exhibitor, by_application = await exhibitor_names(viewer, fair_id)
    waitlist = await viewer.api.booths.get(f"/fairs/{fair_id}/waitlist")
    groups = groups_of(fair, await product_groups(viewer))
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
        "waitlist": [
            {
                **w,
                "why": reason_text(
                    w.get("reason_code"), w.get("reason_params"), str(w.get("reason", "")), groups
                ),
            }
            for w in waitlist
        ],
        "form": form,
        "proposal": None,
        "WAITLIST_STATUS": WAITLIST_STATUS,
        **LABELS,
    }
    if run is not None and plan is not None:
        override: dict[str, tuple[str, str | None, str]] = {}
        placements = []
        for p in run["placements"]:
            name = by_application.get(str(p["application_id"])) or by_exhibitor.get(
                str(p["exhibitor_id"]), str(p["exhibitor_id"])
            )
            why = placement_text(p.get("reasons") or [], str(p.get("explanation", "")), groups)
            placements.append({**p, "name": name, "why": why})
            for booth_id in p["booth_ids"]:
                override[str(booth_id)] = ("proposed", name, f"#placement-{p['application_id']}")
        waiting = [
            {
                **w,
                "name": by_application.get(str(w["application_id"]), str(w["application_id"])),
                "why": reason_text(
                    w.get("reason_code"), w.get("reason_params"), str(w.get("reason", "")), groups
                ),
            }
            for w in run["waitlist"]
        ]
        context["proposal"] = {
            **run,
            "placements": placements,
            "waitlist": waiting,
            "drawing": draw(
                plan,
                key="proposal",
                title=gettext("Proposed") if not run.get("committed_at") else gettext("Committed"),
                href=f"/organizer/fairs/{fair_id}/floorplan/booths/{{booth_id}}",
                names=by_exhibitor,
                override=override,
            ),
            "booths": sum(len(p["booth_ids"]) for p in placements),
            "key": form.value("idempotency_key") or str(uuid.uuid4()),
        }
    if request.headers.get("HX-Request") == "true" and request.method == "POST":
        return render(request, "allocation/_result.html", context, status_code=status_code)
    return render(request, "allocation/allocation.html", context, status_code=status_code)


def run_url(fair_id: str, run_id: str) -> str:
    return f"/organizer/fairs/{fair_id}/allocation/runs/{run_id}"


@router.post("/organizer/fairs/{fair_id}/allocation")
async def run_engine(request: Request, fair_id: uuid.UUID, viewer: SignedIn) -> Response:
    """Runs the engine, then (post, redirect, get) the run's own page shows its proposal."""
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
        form.values["idempotency_key"] = str(uuid.uuid4())  # a new try is a new run
        return await _page(request, viewer, str(fair_id), form, status_code=422)
    return hx_or_see_other(request, run_url(str(fair_id), str(proposal["run_id"])))


async def _run(viewer: Viewer, fair_id: str, run_id: str) -> dict[str, Any]:
    """The stored run, if it is this fair's (another fair's run: not found here either)."""
    run: dict[str, Any] = await viewer.api.booths.get(f"/allocations/{run_id}")
    if str(run.get("fair_id")) != fair_id:
        raise ApiError(404, {"detail": "no such allocation run", "code": "run_not_found"})
    return run


@router.get("/organizer/fairs/{fair_id}/allocation/runs/{run_id}")
async def run_page(
    request: Request, fair_id: uuid.UUID, run_id: uuid.UUID, viewer: SignedIn
) -> Response:
    run = await _run(viewer, str(fair_id), str(run_id))
    form = FormState.of((), {"idempotency_key": str(uuid.uuid4())})
    return await _page(request, viewer, str(fair_id), form, run=run)


@router.post("/organizer/fairs/{fair_id}/allocation/runs/{run_id}/commit")
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
        form.values["idempotency_key"] = str(uuid.uuid4())
        run = await _run(viewer, str(fair_id), str(run_id))  # the proposal again, as it was
        return await _page(request, viewer, str(fair_id), form, run=run, status_code=422)
    return hx_or_see_other(
        request,
        f"/organizer/fairs/{fair_id}/floorplan?done=committed"
        f"&assigned={done['assigned']}&waitlisted={done['waitlisted']}",
    )
