"""The exhibitor portal's home and its organization: people (members, one-time invitation
codes for staff, shown once), and delegation membership: a holder accepts or refuses a
delegation's invitation; a delegation invites member holders (found in the public
directory) and sees who accepted.

Calls registration: ``GET /applications``, ``GET /organizations/{id}/members``,
``GET|POST /organizations/{id}/invitations``, ``GET /exhibitors/{id}/memberships``,
``POST /exhibitors/{holder}/delegations/{delegation}/accept|decline``,
``POST /exhibitors/{delegation}/members``, ``GET /directory/exhibitors`` (finding holders to
invite; a membership names its other party itself: ``other``)."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ocop_web.api import ApiError
from ocop_web.forms import Field, FormState
from ocop_web.i18n import N_, gettext
from ocop_web.pages.exhibitor_common import context, is_delegation, require_exhibitor
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

INVITE_FIELDS = (Field("org_role", N_("Role")),)
MEMBER_FIELDS = (Field("member_ids", N_("Holders to invite"), api=("member_ids",)),)
NOTICES = {
    "accepted": N_("You have joined the delegation. It can now show your products at fairs."),
    "declined": N_("You have refused the delegation's invitation."),
    "invited": N_("The holders have been invited. Each becomes a member when it accepts."),
}


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def directory_names(viewer: Viewer, q: str = "") -> dict[str, dict[str, Any]]:
    """Exhibitors of the public directory matching ``q``, by id (holders to invite)."""
    with contextlib.suppress(ApiError):
        found = await viewer.api.registration.get(
            "/directory/exhibitors", params={"q": q, "limit": 200}
        )
        return {str(e["exhibitor_id"]): e for e in found}
    return {}


@router.get("/exhibitor")
async def portal_home(request: Request, viewer: SignedIn, welcome: str = "") -> Response:
    exhibitor_id = require_exhibitor(viewer)
    applications = await viewer.api.registration.get("/applications")
    pending: list[dict[str, Any]] = []
    if not is_delegation(viewer):
        with contextlib.suppress(ApiError):
            memberships = await viewer.api.registration.get(
                f"/exhibitors/{exhibitor_id}/memberships"
            )
            pending = [m for m in memberships if m["status"] == "pending"]
    return render(
        request,
        "exhibitor/home.html",
        context(
            welcome=welcome == "1",
            applications=applications,
            pending=pending,
            fair_names=await fair_names(viewer),
        ),
    )


async def fair_names(viewer: Viewer) -> dict[str, str]:
    with contextlib.suppress(ApiError):
        return {str(f["fair_id"]): f["name"] for f in await viewer.api.registration.get("/fairs")}
    return {}


async def _organization_page(
    request: Request,
    viewer: Viewer,
    *,
    issued: dict[str, Any] | None = None,
    invite_form: FormState | None = None,
    member_form: FormState | None = None,
    status_code: int = 200,
) -> Response:
    exhibitor_id = require_exhibitor(viewer)
    org_id = viewer.organization.organization_id
    members = await viewer.api.registration.get(f"/organizations/{org_id}/members")
    invitations: list[dict[str, Any]] = []
    if viewer.is_owner:
        invitations = await viewer.api.registration.get(f"/organizations/{org_id}/invitations")
    memberships = await viewer.api.registration.get(f"/exhibitors/{exhibitor_id}/memberships")
    q = request.query_params.get("q", "").strip()
    found: list[dict[str, Any]] = []
    if is_delegation(viewer) and q:
        taken = {m["holder_id"] for m in memberships if m["status"] in ("pending", "accepted")}
        found = [
            e
            for e in (await directory_names(viewer, q)).values()
            if e["kind"] != "delegation" and str(e["exhibitor_id"]) not in taken
        ]
    return render(
        request,
        "exhibitor/organization.html",
        context(
            members=members,
            invitations=invitations,
            memberships=memberships,
            issued=issued,
            invite_form=invite_form or FormState.of(INVITE_FIELDS, {"org_role": "staff"}),
            member_form=member_form or FormState.of(MEMBER_FIELDS),
            q=q,
            found=found,
            delegation=is_delegation(viewer),
            notice=gettext(NOTICES[n])
            if (n := request.query_params.get("notice")) in NOTICES
            else None,
        ),
        status_code=status_code,
    )


@router.get("/exhibitor/organization")
async def organization(request: Request, viewer: SignedIn) -> Response:
    return await _organization_page(request, viewer)


@router.post("/exhibitor/organization/invitations")
async def invite_staff(request: Request, viewer: SignedIn) -> Response:
    """A one-time code, shown on this answer only (never in an address or a later page)."""
    require_exhibitor(viewer)
    form = FormState.of(INVITE_FIELDS, dict(await request.form()))
    form.require("org_role")
    issued = None
    if not form.has_errors:
        try:
            issued = await viewer.api.registration.post(
                f"/organizations/{viewer.organization.organization_id}/invitations",
                {"org_role": form.value("org_role")},
            )
        except ApiError as refused:
            if refused.status == 403:
                raise
            form.add_api_error(refused)
    return await _organization_page(
        request,
        viewer,
        issued=issued,
        invite_form=form,
        status_code=422 if form.has_errors else 200,
    )


@router.post("/exhibitor/organization/delegations/{delegation_id}/{decision}")
async def decide_delegation(
    request: Request, viewer: SignedIn, delegation_id: str, decision: str
) -> Response:
    holder_id = require_exhibitor(viewer)
    if decision not in ("accept", "decline"):
        raise ApiError(404, {"detail": "no such decision", "code": "not_found"})
    await viewer.api.registration.post(
        f"/exhibitors/{holder_id}/delegations/{delegation_id}/{decision}"
    )
    return see_other(f"/exhibitor/organization?notice={decision}ed")


@router.post("/exhibitor/organization/members")
async def invite_members(request: Request, viewer: SignedIn) -> Response:
    delegation_id = require_exhibitor(viewer)
    submitted = await request.form()
    chosen = [str(v) for v in submitted.getlist("member_ids") if str(v)]
    form = FormState.of(MEMBER_FIELDS)
    if not chosen:
        form.add("member_ids", "choose_holders")
    else:
        try:
            await viewer.api.registration.post(
                f"/exhibitors/{delegation_id}/members", {"member_ids": chosen}
            )
        except ApiError as refused:
            if refused.status == 403:
                raise
            form.add_api_error(refused)
    if form.has_errors:
        return await _organization_page(request, viewer, member_form=form, status_code=422)
    return see_other("/exhibitor/organization?notice=invited")
