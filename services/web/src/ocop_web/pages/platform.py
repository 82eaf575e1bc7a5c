"""The platform administrator's pages (a person signed in to the ``platform`` organization,
role ``admin``): creating an organizer, a certifying council (provincial with its province,
or central), a market inspection authority or a retailer (a supermarket chain hosting
promotion weeks; registration makes its id), whose first owner's invitation code is shown
once with the address where it is accepted; finding an organization, its people, and
suspending or reinstating it.

Calls registration: ``POST /organizations``, ``GET /organizations`` (a list, when
registration offers one), ``GET /organizations/{id}``, ``POST|DELETE
/organizations/{id}/suspension``."""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ocop_web.api import ApiError
from ocop_web.forms import Field, FormState
from ocop_web.i18n import N_, gettext
from ocop_web.pages.authority import LEVELS, fold, require_platform_admin
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

CREATED_KINDS: dict[str, tuple[str, str]] = {
    "organizer": (
        N_("Fair organizer"),
        N_("A province's trade department or another body that runs fairs"),
    ),
    "certifier": (N_("OCOP certification council"), N_("Issues and revokes OCOP certificates")),
    "inspector": (
        N_("Market surveillance"),
        N_("Inspects booths and products at a province's fairs"),
    ),
    "retailer": (
        N_("Retailer (supermarket chain)"),
        N_("Hosts promotion weeks at its stores; its owner adds the stores"),
    ),
}
CREATE_FIELDS = (
    Field("kind", N_("Kind of organization")),
    Field("name", N_("Name of the organization")),
    Field("short_name", N_("Short name in addresses"), api=("organization_id",)),
    Field("level", N_("Level of the council")),
    Field("province", N_("Province or city")),
)
FIND_FIELDS = (Field("find_organization", N_("Short name in addresses")),)
NOTICES = {
    "suspended": N_(
        "The organization is suspended: its people have been signed out everywhere and cannot sign in for it."
    ),
    "reinstated": N_("The organization is reinstated: its people can sign in again."),
}


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def slug_of(name: str) -> str:
    """A short name for addresses made from the name: "Hội đồng OCOP tỉnh Quảng Ninh" →
    "hoi-dong-ocop-tinh-quang-ninh" (registration checks it)."""
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:63]


def create_body(form: FormState) -> dict[str, Any] | None:
    form.require("kind", "name")
    kind = form.value("kind")
    if kind == "certifier":
        form.require("level")
    if (kind == "certifier" and form.value("level") == "provincial") or kind == "inspector":
        form.require("province")
    if form.has_errors:
        return None
    short_name = form.value("short_name").strip()
    body: dict[str, Any] = {"kind": kind, "name": form.value("name").strip()}
    if kind == "retailer":
        # Registration makes a retailer's id (a UUID: fairs and sales files name it); one
        # typed in is sent, and a refusal is shown on the field.
        if short_name:
            body["organization_id"] = short_name
    else:
        body["organization_id"] = short_name or slug_of(form.value("name"))
    if kind == "certifier":
        body["level"] = form.value("level")
    if kind == "inspector" or (kind == "certifier" and form.value("level") == "provincial"):
        body["province"] = form.value("province").strip()
    return body


async def listed(viewer: Viewer) -> list[dict[str, Any]] | None:
    """Every organization, when registration lists them (``GET /organizations``); None when
    it offers no such list (then the admin finds one by its short name)."""
    try:
        found = await viewer.api.registration.get("/organizations")
    except ApiError as refused:
        if refused.status in (404, 405):
            return None
        raise
    return list(found) if isinstance(found, list) else None


async def organizations_page(
    request: Request,
    viewer: Viewer,
    *,
    form: FormState | None = None,
    find_form: FormState | None = None,
    created: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    organizations = await listed(viewer)
    return render(
        request,
        "platform/organizations.html",
        {
            "form": form or FormState.of(CREATE_FIELDS),
            "find_form": find_form or FormState.of(FIND_FIELDS),
            "created": created,
            "organizations": organizations,
            "join_url": str(request.base_url).rstrip("/") + "/join",
            "CREATED_KINDS": CREATED_KINDS,
            "LEVELS": LEVELS,
            "request_key": str(uuid.uuid4()),
        },
        status_code=status_code,
    )


@router.get("/admin")
async def admin_home(viewer: SignedIn) -> Response:
    require_platform_admin(viewer)
    return see_other("/admin/organizations")


@router.get("/admin/organizations")
async def organizations(request: Request, viewer: SignedIn, organization_id: str = "") -> Response:
    require_platform_admin(viewer)
    wanted = organization_id.strip()
    if wanted:
        find_form = FormState.of(FIND_FIELDS, {"find_organization": wanted})
        if re.fullmatch(r"[A-Za-z0-9-]{1,100}", wanted):
            try:
                await viewer.api.registration.get(f"/organizations/{wanted}")
            except ApiError as refused:
                if refused.status != 404:
                    raise
            else:
                return see_other(f"/admin/organizations/{wanted}")
        find_form.add("find_organization", "no_such_organization")
        return await organizations_page(request, viewer, find_form=find_form, status_code=422)
    return await organizations_page(request, viewer)


@router.post("/admin/organizations")
async def create(request: Request, viewer: SignedIn) -> Response:
    """The code is on this answer only: never in an address, never shown again."""
    require_platform_admin(viewer)
    submitted = await request.form()
    form = FormState.of(CREATE_FIELDS, dict(submitted))
    key = str(submitted.get("request_key") or uuid.uuid4())
    body = create_body(form)
    created = None
    if body is not None:
        try:
            created = await viewer.api.registration.post(
                "/organizations", body, idempotency_key=key
            )
        except ApiError as refused:
            if refused.status == 403:
                raise
            form.add_api_error(refused)
    if created is None:
        return await organizations_page(request, viewer, form=form, status_code=422)
    return await organizations_page(request, viewer, created=created)


@router.get("/admin/organizations/{organization_id}")
async def organization(
    request: Request, viewer: SignedIn, organization_id: str, notice: str = ""
) -> Response:
    require_platform_admin(viewer)
    found = await viewer.api.registration.get(f"/organizations/{organization_id}")
    message = NOTICES.get(notice)
    return render(
        request,
        "platform/organization.html",
        {
            "organization": found["organization"],
            "members": found.get("members", []),
            "LEVELS": LEVELS,
            "notice": gettext(message) if message else None,
            "confirming": request.query_params.get("confirm") == "suspend",
        },
    )


@router.post("/admin/organizations/{organization_id}/suspension")
async def suspend(request: Request, viewer: SignedIn, organization_id: str) -> Response:
    require_platform_admin(viewer)
    await viewer.api.registration.post(f"/organizations/{organization_id}/suspension")
    return see_other(f"/admin/organizations/{organization_id}?notice=suspended")


@router.post("/admin/organizations/{organization_id}/reinstatement")
async def reinstate(request: Request, viewer: SignedIn, organization_id: str) -> Response:
    require_platform_admin(viewer)
    await viewer.api.registration.delete(f"/organizations/{organization_id}/suspension")
    return see_other(f"/admin/organizations/{organization_id}?notice=reinstated")
