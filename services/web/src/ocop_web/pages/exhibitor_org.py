"""The exhibitor portal's home and its organization: people (members, one-time invitation
codes for staff, shown once), and delegation membership: a holder accepts or refuses a
delegation's invitation; a delegation invites member holders (found in the public
directory) and sees who accepted; the receiving bank account ("Tài khoản nhận tiền", where
VietQR payments at the exhibitor's tills go), shown to its people, set by an owner.

Calls registration: ``GET /applications``, ``GET /organizations/{id}/members``,
``GET|POST /organizations/{id}/invitations``, ``GET /exhibitors/{id}/memberships``,
``POST /exhibitors/{holder}/delegations/{delegation}/accept|decline``,
``POST /exhibitors/{delegation}/members``, ``GET /directory/exhibitors`` (finding holders to
invite; a membership names its other party itself: ``other``), ``GET /exhibitors/{id}`` (the
bank account, answered to the exhibitor's own people), ``GET /banks``, ``PATCH
/exhibitors/{id}`` (the bank account's three fields together: an owner's)."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ocop_web.api import ApiError
from ocop_web.forms import Field, FormState
from ocop_web.i18n import N_, gettext
from ocop_web.pages import bank_keys
from ocop_web.pages.exhibitor_common import context, is_delegation, require_exhibitor
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()
# The bank account's companion: webhook keys for automatic transfer confirmation.
router.include_router(bank_keys.router)

INVITE_FIELDS = (Field("org_role", N_("Role")),)
MEMBER_FIELDS = (Field("member_ids", N_("Holders to invite"), api=("member_ids",)),)
NOTICES = {
    "accepted": N_("You have joined the delegation. It can now show your products at fairs."),
    "declined": N_("You have refused the delegation's invitation."),
    "invited": N_("The holders have been invited. Each becomes a member when it accepts."),
    "bank_saved": N_("Your receiving bank account has been saved."),
}
BANK_FIELDS = (
    Field("bank_bin", N_("Bank")),
    Field("bank_account", N_("Account number")),
    Field("bank_account_name", N_("Account holder's name")),
)


def account_number(raw: str) -> str:
    """As banks keep it: the spaces, dots and dashes people type between groups removed."""
    return re.sub(r"[\s.\-]", "", raw).upper()


def account_holder_name(raw: str) -> str:
    """As banks print it: upper case without diacritics (Nguyễn Văn Đức → NGUYEN VAN DUC), one
    space between words. Banks and VietQR apps show the holder's name so, and a buyer's app
    compares it with what the bank answers."""
    decomposed = unicodedata.normalize("NFD", raw.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.upper().split())


async def bank_list(viewer: Viewer) -> list[dict[str, Any]]:
    """The banks an account may be at, as registration lists them (public, cacheable)."""
    with contextlib.suppress(ApiError):
        found: list[dict[str, Any]] = await viewer.api.registration.get("/banks")
        return found
    return []


async def bank_account(viewer: Viewer, exhibitor_id: str) -> dict[str, Any] | None:
    """The exhibitor's receiving account (its own people see it), with its bank named."""
    record = await viewer.api.registration.get(f"/exhibitors/{exhibitor_id}")
    if not record.get("bank_bin"):
        return None
    named = {b["bin"]: b for b in await bank_list(viewer)}.get(record["bank_bin"], {})
    return {
        "bin": record["bank_bin"],
        "bank": named.get("short_name") or record["bank_bin"],
        "bank_name": named.get("name", ""),
        "account": record.get("bank_account") or "",
        "account_name": record.get("bank_account_name") or "",
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
    bank = await bank_account(viewer, exhibitor_id)
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
            bank=bank,
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


def _require_owner(viewer: Viewer) -> str:
    """Where the money goes is an owner's decision (registration refuses staff too)."""
    exhibitor_id = require_exhibitor(viewer)
    if not viewer.is_owner:
        raise ApiError(403, {"detail": "only an owner sets the bank account", "code": "forbidden"})
    return exhibitor_id


async def _bank_page(
    request: Request, viewer: Viewer, form: FormState, status_code: int = 200
) -> Response:
    banks = await bank_list(viewer)
    options = [("", gettext("Choose your bank"))] + [
        (b["bin"], f"{b['short_name']} – {b['name']}") for b in banks
    ]
    return render(
        request,
        "exhibitor/bank_account.html",
        context(form=form, bank_options=options),
        status_code=status_code,
    )


@router.get("/exhibitor/organization/bank")
async def bank_form(request: Request, viewer: SignedIn) -> Response:
    exhibitor_id = _require_owner(viewer)
    current = await bank_account(viewer, exhibitor_id)
    values = (
        {
            "bank_bin": current["bin"],
            "bank_account": current["account"],
            "bank_account_name": current["account_name"],
        }
        if current
        else {}
    )
    return await _bank_page(request, viewer, FormState.of(BANK_FIELDS, values))


@router.post("/exhibitor/organization/bank")
async def save_bank(request: Request, viewer: SignedIn) -> Response:
    """The three together (registration checks the bank, the number and the name); the name
    is sent as banks print it, and the page says so before it is sent."""
    exhibitor_id = _require_owner(viewer)
    submitted = dict(await request.form())
    form = FormState.of(BANK_FIELDS, submitted)
    form.require("bank_bin", "bank_account", "bank_account_name")
    body = {
        "bank_bin": form.value("bank_bin").strip(),
        "bank_account": account_number(form.value("bank_account")),
        "bank_account_name": account_holder_name(form.value("bank_account_name")),
    }
    if not form.has_errors:
        try:
            await viewer.api.registration.patch(f"/exhibitors/{exhibitor_id}", body)
        except ApiError as refused:
            if refused.status == 403:
                raise
            form.add_api_error(refused)
    if form.has_errors:
        return await _bank_page(request, viewer, form, status_code=422)
    return see_other("/exhibitor/organization?notice=bank_saved#bank-account")
