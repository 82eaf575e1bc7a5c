"""A retailer's pages (issue 15): a supermarket chain that hosts OCOP promotion weeks.

- ``GET /retailer`` (its home, where a retailer's people land after signing in): its stores
  counted and the promotion weeks naming it as host. Registration lists a fair to anyone
  once it has opened (``GET /fairs``, each with its ``host_retailer_id`` and ``stores``); a
  week still a draft is its organizer's alone, so the retailer sees it once it opens (no
  route lists a retailer's weeks, drafts included).
- ``GET /retailer/stores`` ("Cửa hàng"): its stores (``GET /retailers/{id}/stores``); its
  owner adds one (``GET/POST /retailer/stores/new``: ``POST /retailers/{id}/stores`` with
  ``store_code``, ``name``, ``address``); staff read only (registration answers them 403,
  and so does this page)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ocop_web.api import ApiError
from ocop_web.forms import Field, FormState
from ocop_web.i18n import N_
from ocop_web.pages.fair_kinds import WEEKDAYS
from ocop_web.pages.fairs import STATUSES
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

STORE_FIELDS = (
    Field("store_code", N_("Store code")),
    Field("store_name", N_("Name of the store"), api=("name",)),
    Field("address", N_("Address")),
)
NOTICES = {"added": N_("The store has been added.")}


def stores_path(viewer: Viewer) -> str:
    return f"/retailers/{viewer.organization.organization_id}/stores"


def _retailer(viewer: Viewer) -> None:
    """These pages are a retailer's: anyone else is shown "not allowed"."""
    if viewer.role != "retailer":
        raise ApiError(403, {"detail": "a retailer's page", "code": "forbidden"})


async def own_stores(viewer: Viewer) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await viewer.api.registration.get(stores_path(viewer))
    return sorted(found, key=lambda s: str(s.get("store_code", "")))


async def hosted_weeks(viewer: Viewer) -> list[dict[str, Any]]:
    """The promotion weeks naming this retailer as host, soonest first (those opened)."""
    fairs: list[dict[str, Any]] = await viewer.api.registration.get("/fairs")
    own = viewer.organization.organization_id
    return sorted(
        (f for f in fairs if str(f.get("host_retailer_id") or "") == own),
        key=lambda f: str(f["starts_at"]),
    )


@router.get("/retailer")
async def retailer_home(request: Request, viewer: SignedIn) -> Response:
    _retailer(viewer)
    return render(
        request,
        "retailer/home.html",
        {
            "stores": await own_stores(viewer),
            "weeks": await hosted_weeks(viewer),
            "STATUSES": STATUSES,
            "WEEKDAYS": WEEKDAYS,
        },
    )


@router.get("/retailer/stores")
async def stores_page(request: Request, viewer: SignedIn, notice: str = "") -> Response:
    _retailer(viewer)
    return render(
        request,
        "retailer/stores.html",
        {"stores": await own_stores(viewer), "notice": NOTICES.get(notice)},
    )


def _owner(viewer: Viewer) -> None:
    """Only the retailer's owner adds stores (its staff read them)."""
    _retailer(viewer)
    if not viewer.is_owner:
        raise ApiError(403, {"detail": "the retailer's owner adds stores", "code": "forbidden"})


def _new_store_page(request: Request, form: FormState, status_code: int = 200) -> Response:
    return render(
        request,
        "retailer/new_store.html",
        {"form": form, "request_key": str(uuid.uuid4())},
        status_code=status_code,
    )


@router.get("/retailer/stores/new")
async def new_store_page(request: Request, viewer: SignedIn) -> Response:
    _owner(viewer)
    return _new_store_page(request, FormState.of(STORE_FIELDS))


@router.post("/retailer/stores/new")
async def add_store(request: Request, viewer: SignedIn) -> Response:
    """Registration adds the store (the code upper-cased; a code the retailer has: 409)."""
    _owner(viewer)
    submitted = await request.form()
    form = FormState.of(STORE_FIELDS, dict(submitted))
    form.values.pop("request_key", None)
    form.require("store_code", "store_name", "address")
    if not form.has_errors:
        try:
            await viewer.api.registration.post(
                stores_path(viewer),
                {
                    "store_code": form.value("store_code").strip(),
                    "name": form.value("store_name").strip(),
                    "address": form.value("address").strip(),
                },
                idempotency_key=str(submitted.get("request_key") or uuid.uuid4()),
            )
        except ApiError as refused:
            if refused.status in (403, 404):
                raise
            form.add_api_error(refused)
        else:
            return RedirectResponse("/retailer/stores?notice=added", status_code=303)
    return _new_store_page(request, form, status_code=422)
