"""An organization's people and keys, for every signed-in person (organizers, certifying
councils, inspectors, the platform; an exhibitor's portal has its own page and may use this
one for API keys): its members; for an owner, invitations (a one-time code shown once,
withdrawn while unused) and API keys for integrations (a label and an expiry; the token shown
once; revoked everywhere at once).

Calls registration: ``GET /organizations/{id}/members``, ``GET|POST
/organizations/{id}/invitations``, ``DELETE /organizations/{id}/invitations/{invitation_id}``,
``GET|POST /organizations/{id}/api-keys``, ``DELETE /organizations/{id}/api-keys/{key_id}``."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ocop_web.api import ApiError
from ocop_web.forms import Field, FormState
from ocop_web.i18n import N_, gettext
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

INVITE_FIELDS = (Field("org_role", N_("Role")),)
KEY_FIELDS = (
    Field("label", N_("What the key is for")),
    Field("expires_in_days", N_("Valid for (days)")),
)
NOTICES = {
    "withdrawn": N_("The invitation has been withdrawn: its code no longer works."),
    "revoked": N_("The API key has been revoked in every service."),
}
INVITATION_STATUSES = {
    "open": N_("Not used yet"),
    "used": N_("Used"),
    "revoked": N_("Withdrawn"),
    "expired": N_("Expired"),
}


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def base(viewer: Viewer) -> str:
    return f"/organizations/{viewer.organization.organization_id}"


async def organization_page(
    request: Request,
    viewer: Viewer,
    *,
    issued: dict[str, Any] | None = None,
    key_issued: dict[str, Any] | None = None,
    invite_form: FormState | None = None,
    key_form: FormState | None = None,
    status_code: int = 200,
) -> Response:
    members = await viewer.api.registration.get(f"{base(viewer)}/members")
    invitations: list[dict[str, Any]] = []
    keys: list[dict[str, Any]] = []
    if viewer.is_owner:
        invitations = await viewer.api.registration.get(f"{base(viewer)}/invitations")
        keys = await viewer.api.registration.get(f"{base(viewer)}/api-keys")
    message = NOTICES.get(request.query_params.get("notice", ""))
    return render(
        request,
        "organization/organization.html",
        {
            "members": members,
            "invitations": sorted(invitations, key=lambda i: str(i["created_at"]), reverse=True),
            "keys": sorted(keys, key=lambda k: str(k["created_at"]), reverse=True),
            "issued": issued,
            "key_issued": key_issued,
            "invite_form": invite_form or FormState.of(INVITE_FIELDS, {"org_role": "staff"}),
            "key_form": key_form or FormState.of(KEY_FIELDS, {"expires_in_days": "90"}),
            "INVITATION_STATUSES": INVITATION_STATUSES,
            "join_url": str(request.base_url).rstrip("/") + "/join",
            "notice": gettext(message) if message else None,
            "request_key": str(uuid.uuid4()),
        },
        status_code=status_code,
    )


@router.get("/organization")
async def organization(request: Request, viewer: SignedIn) -> Response:
    return await organization_page(request, viewer)


@router.post("/organization/invitations")
async def invite(request: Request, viewer: SignedIn) -> Response:
    """A one-time code on this answer only (never in an address or a later page)."""
    form = FormState.of(INVITE_FIELDS, dict(await request.form()))
    form.require("org_role")
    issued = None
    if not form.has_errors:
        try:
            issued = await viewer.api.registration.post(
                f"{base(viewer)}/invitations", {"org_role": form.value("org_role")}
            )
        except ApiError as refused:
            if refused.status == 403:
                raise
            form.add_api_error(refused)
    return await organization_page(
        request,
        viewer,
        issued=issued,
        invite_form=form,
        status_code=422 if form.has_errors else 200,
    )


@router.post("/organization/invitations/{invitation_id}/withdrawal")
async def withdraw(viewer: SignedIn, invitation_id: UUID) -> Response:
    await viewer.api.registration.delete(f"{base(viewer)}/invitations/{invitation_id}")
    return see_other("/organization?notice=withdrawn#invitations")


@router.post("/organization/api-keys")
async def create_key(request: Request, viewer: SignedIn) -> Response:
    """The token on this answer only: registration keeps only its hash."""
    submitted = await request.form()
    form = FormState.of(KEY_FIELDS, dict(submitted))
    form.require("label", "expires_in_days")
    days_text = form.value("expires_in_days").strip()
    if days_text and not days_text.isdigit():
        form.add("expires_in_days", "int_parsing")
    key_issued = None
    if not form.has_errors:
        try:
            key_issued = await viewer.api.registration.post(
                f"{base(viewer)}/api-keys",
                {"label": form.value("label").strip(), "expires_in_days": int(days_text)},
                idempotency_key=str(submitted.get("request_key") or uuid.uuid4()),
            )
        except ApiError as refused:
            if refused.status == 403:
                raise
            form.add_api_error(refused)
    return await organization_page(
        request,
        viewer,
        key_issued=key_issued,
        key_form=form if form.has_errors else None,
        status_code=422 if form.has_errors else 200,
    )


@router.post("/organization/api-keys/{key_id}/revocation")
async def revoke_key(viewer: SignedIn, key_id: UUID) -> Response:
    await viewer.api.registration.delete(f"{base(viewer)}/api-keys/{key_id}")
    return see_other("/organization?notice=revoked#api-keys")
