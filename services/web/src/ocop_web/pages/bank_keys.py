"""The exhibitor's automatic transfer confirmation ("Nhận báo có tự động"): webhook keys for a
bank-notification provider in SePay's style. A till's VietQR sale waits for the bank until the
cashier confirms it, or until the provider tells sales that the money arrived: the provider
calls ``POST <public API>/bank-notifications`` with ``Authorization: Apikey <key>``.

Calls sales (which owns the keys; its owners only): ``GET /bank-webhook-keys``,
``POST /bank-webhook-keys`` (the key is in that answer only: shown once, on this page's answer
to the form, never stored here), ``DELETE /bank-webhook-keys/{key_id}`` (behind a
confirmation). The webhook's address is ``OCOP_PUBLIC_API_URL`` (the platform's API as the
provider reaches it) + ``/bank-notifications``; unset, the sales URL this app calls."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ocop_web.api import ApiError
from ocop_web.forms import Field, FormState
from ocop_web.i18n import N_
from ocop_web.pages.exhibitor_common import context, require_exhibitor
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

PAGE = "/exhibitor/organization/bank-notifications"
WEBHOOK_PATH = "/bank-notifications"
KEY_FIELDS = (Field("key_label", N_("What the key is for"), api=("label",)),)
NOTICES = {"revoked": N_("The key is revoked: notifications sent with it are refused.")}


def webhook_url(request: Request) -> str:
    settings = request.app.state.settings
    base = str(settings.public_api_url or settings.sales_url).rstrip("/")
    return base + WEBHOOK_PATH


def _owner(viewer: Viewer) -> str:
    """Keys that confirm payments are an owner's (sales refuses staff too)."""
    exhibitor_id = require_exhibitor(viewer)
    if not viewer.is_owner:
        raise ApiError(403, {"detail": "only an owner manages webhook keys", "code": "forbidden"})
    return exhibitor_id


async def _keys(viewer: Viewer) -> list[dict[str, Any]]:
    keys: list[dict[str, Any]] = await viewer.api.sales.get("/bank-webhook-keys")
    return sorted(keys, key=lambda k: (k.get("revoked_at") is not None, str(k["created_at"])))


async def _page(
    request: Request,
    viewer: Viewer,
    *,
    form: FormState | None = None,
    made: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    notice = request.query_params.get("notice")
    return render(
        request,
        "bank_keys/keys.html",
        context(
            keys=await _keys(viewer),
            form=form or FormState.of(KEY_FIELDS, {"idempotency_key": str(uuid.uuid4())}),
            made=made,
            webhook_url=webhook_url(request),
            notice=NOTICES.get(notice or ""),
        ),
        status_code=status_code,
    )


@router.get(PAGE)
async def keys_page(request: Request, viewer: SignedIn) -> Response:
    _owner(viewer)
    return await _page(request, viewer)


@router.post(PAGE)
async def make_key(request: Request, viewer: SignedIn) -> Response:
    """The key is in this answer only (201); a refresh would not show it again."""
    _owner(viewer)
    form = FormState.of(KEY_FIELDS, dict(await request.form()))
    form.require("key_label")
    if not form.has_errors:
        try:
            made = await viewer.api.sales.post(
                "/bank-webhook-keys",
                json={"label": form.value("key_label").strip()},
                idempotency_key=form.value("idempotency_key") or None,
            )
        except ApiError as refused:
            if refused.status == 403:
                raise
            form.add_api_error(refused)
            form.values["idempotency_key"] = str(uuid.uuid4())
        else:
            return await _page(request, viewer, made=made, status_code=201)
    return await _page(request, viewer, form=form, status_code=422)


async def _key(viewer: Viewer, key_id: UUID) -> dict[str, Any]:
    for key in await _keys(viewer):
        if str(key["key_id"]) == str(key_id):
            return key
    raise ApiError(404, {"detail": "no such key", "code": "not_found"})


@router.get(PAGE + "/{key_id}/revoke")
async def revoke_page(request: Request, viewer: SignedIn, key_id: UUID) -> Response:
    _owner(viewer)
    key = await _key(viewer, key_id)
    return render(request, "bank_keys/revoke.html", context(key=key))


@router.post(PAGE + "/{key_id}/revoke")
async def revoke_key(request: Request, viewer: SignedIn, key_id: UUID) -> Response:
    _owner(viewer)
    await _key(viewer, key_id)  # one of this exhibitor's keys, or 404
    await viewer.api.sales.delete(f"/bank-webhook-keys/{key_id}")
    return RedirectResponse(f"{PAGE}?notice=revoked", status_code=303)
