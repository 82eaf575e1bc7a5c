"""The organizer's tills at a fair: the list, enrolling a till for a booth with its pairing QR
code, a new pairing code for a till (a replacement device), suspending and unpairing one (each
behind a confirmation).

Calls sales (which owns tills): ``GET /fairs/{id}/terminals``, ``POST /fairs/{id}/terminals``
(booth, label, ``pairing: true``: answers a one-time pairing code, no device token),
``POST /terminals/{t}/pairing-code`` (a new code; the device paired now is signed out at once),
``POST /terminals/{t}/suspend``, ``DELETE /terminals/{t}``; booths ``GET /fairs/{id}/floorplan``
for the occupied booths a till can be enrolled for; registration for the exhibitors' names.

**The pairing QR code** carries ``<web base>/till/pair#<pairing code>`` (``XXXX-XXXX-XXXX``):
the till app (issue 13) opens that address, or the cashier types the code. The code is valid
24 h for one device; the device exchanges it with sales for its own credential, which never
appears on a page. The code sits in the fragment, so a phone that opens the link in a browser
never sends it to any server. It is shown once: sales keeps only its hash, and this page keeps
nothing (it is drawn by segno into the answer itself, an SVG image in a ``data:`` URL, never
stored nor served again). A lost or expired code: a new pairing code for the till.

**A till offline**: an active till not heard of (its last online sale, sales'
``last_online_at``, or its last catalogue read, ``last_seen_at``, the later) for
``OFFLINE_AFTER``, or has never sold while its session is open, while the fair is selling: the
fair is running and the time of day is within its daily hours (from the first day's opening
time to the last day's closing time, in Viet Nam), ``OFFLINE_AFTER`` past the opening. A till
may sell offline and send its sales later; the page can only say it has not been heard of."""

from __future__ import annotations

import asyncio
import base64
import io
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import segno
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ocop_web.api import ApiError
from ocop_web.forms import Field, FormState
from ocop_web.i18n import N_, VIET_NAM
from ocop_web.pages.fairs import own_fair
from ocop_web.pages.money import exhibitor_names, money_context, occupants
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

PAIRING_PATH = "/till/pair"
OFFLINE_AFTER = timedelta(minutes=30)
TILL_FIELDS = (
    Field("booth", N_("Booth"), api=("booth_id",)),
    Field("till_label", N_("Name of the till"), api=("label",)),
)
TILL_STATUSES: dict[str, tuple[str, str]] = {
    "active": (N_("Active"), "green"),
    "suspended": (N_("Suspended"), "red"),
    "unpaired": (N_("Unpaired"), "grey"),
}
ACTIONS: dict[str, tuple[str, str, str]] = {  # action -> (title, explanation, button)
    "pairing-code": (
        N_("New pairing code for this till"),
        N_(
            "The device paired with this till now is signed out at once: it stops selling "
            "until a device pairs with the new code. Sales it has not sent yet stay on it and "
            "can no longer be sent: first check that it shows 0 sales waiting to upload. Use "
            "this when the device is lost or replaced, or when the code has expired."
        ),
        N_("Sign the device out and make a new code"),
    ),
    "suspend": (
        N_("Suspend this till"),
        N_(
            "The till stops recording sales at once: its device is refused until it is "
            "enrolled again. Its sales stay in the reports."
        ),
        N_("Suspend the till"),
    ),
    "unpair": (
        N_("Unpair this till"),
        N_(
            "The device is unpaired for good: its token never works again. Its sales stay in "
            "the reports. To sell from this device again, enrol a new till and scan its code."
        ),
        N_("Unpair the till"),
    ),
}
NOTICES = {
    "suspended": N_("The till is suspended."),
    "unpaired": N_("The till is unpaired."),
}


def _moment(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        found = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def selling_now(fair: Mapping[str, Any], now: datetime) -> bool:
    """The fair is running, within its daily hours, ``OFFLINE_AFTER`` past the opening."""
    starts, ends = _moment(fair.get("starts_at")), _moment(fair.get("ends_at"))
    if fair.get("status") != "running" or starts is None or ends is None:
        return False
    if not starts + OFFLINE_AFTER <= now <= ends:
        return False
    opens, closes = starts.astimezone(VIET_NAM).time(), ends.astimezone(VIET_NAM).time()
    local = now.astimezone(VIET_NAM)
    after_opening = (datetime.combine(local.date(), opens, tzinfo=VIET_NAM) + OFFLINE_AFTER).time()
    if opens < closes:  # a fair open by day: only within its hours
        return after_opening <= local.time() <= closes
    return True  # open through the night: every hour counts


def heard_at(till: Mapping[str, Any]) -> datetime | None:
    """When the till was last heard of: its last sale judged online, or its last read of
    its catalogue (``last_seen_at``: a browser till uploads its sales in batches, judged as
    offline, and reads its catalogue every second while online), whichever is later."""
    found = [
        m for m in (_moment(till.get("last_online_at")), _moment(till.get("last_seen_at"))) if m
    ]
    return max(found) if found else None


def with_heard_at(tills: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tills with ``last_heard_at`` (``heard_at``) for the pages to show."""
    return [{**t, "last_heard_at": heard_at(t)} for t in tills]


def is_offline(till: Mapping[str, Any], now: datetime) -> bool:
    """An active till not heard of for ``OFFLINE_AFTER`` (or never, with a session open);
    whether the fair is selling is ``selling_now``'s to say."""
    if till.get("status") != "active":
        return False
    last = heard_at(till)
    if last is None:
        return bool(till.get("session_open"))
    return now - last > OFFLINE_AFTER


def offline_tills(
    fair: Mapping[str, Any], tills: list[dict[str, Any]], now: datetime
) -> list[dict[str, Any]]:
    """The fair's tills offline now, the longest silent first (never heard of: first)."""
    if not selling_now(fair, now):
        return []
    found = with_heard_at([t for t in tills if is_offline(t, now)])
    return sorted(found, key=lambda t: t["last_heard_at"] or datetime.min.replace(tzinfo=UTC))


def pairing_url(request: Request, code: str) -> str:
    """What the QR code says: this web app's pairing address with the code after ``#``."""
    base = str(request.base_url).rstrip("/")
    return f"{base}{PAIRING_PATH}#{code}"


def qr_data_url(payload: str) -> str:
    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(
        buffer, kind="svg", scale=5, border=4, xmldecl=False, svgns=True
    )
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


async def fair_tills(viewer: Viewer, fair_id: UUID) -> list[dict[str, Any]]:
    tills: list[dict[str, Any]] = await viewer.api.sales.get(f"/fairs/{fair_id}/terminals")
    return sorted(
        with_heard_at(tills),
        key=lambda t: (t["status"] != "active", t.get("booth_code") or "", t["label"]),
    )


async def booth_options(viewer: Viewer, fair_id: UUID) -> list[tuple[str, str]]:
    """(booth id, "A-01 – exhibitor") for each booth an exhibitor occupies."""
    names, held = await asyncio.gather(exhibitor_names(viewer, fair_id), occupants(viewer, fair_id))
    options = [
        (str(b["booth_id"]), f"{b['code']} – {names.get(e, e[:8])}")
        for e, booths in held.items()
        for b in booths
    ]
    return sorted(options, key=lambda o: o[1])


async def _tills_page(
    request: Request,
    viewer: Viewer,
    fair_id: UUID,
    form: FormState | None = None,
    status_code: int = 200,
    notice: str | None = None,
) -> Response:
    fair = await own_fair(viewer, fair_id)
    tills, options = await asyncio.gather(
        fair_tills(viewer, fair_id), booth_options(viewer, fair_id)
    )
    names = await exhibitor_names(viewer, fair_id)
    form = form or FormState.of(TILL_FIELDS, {"idempotency_key": str(uuid.uuid4())})
    offline = {str(t["terminal_id"]) for t in offline_tills(fair, tills, datetime.now(UTC))}
    return render(
        request,
        "tills/tills.html",
        money_context(
            fair,
            tills=tills,
            offline=offline,
            offline_minutes=int(OFFLINE_AFTER.total_seconds() // 60),
            names=names,
            options=options,
            form=form,
            TILL_STATUSES=TILL_STATUSES,
            notice=notice,
        ),
        status_code=status_code,
    )


@router.get("/organizer/fairs/{fair_id}/tills")
async def tills_page(
    request: Request, viewer: SignedIn, fair_id: UUID, notice: str = ""
) -> Response:
    return await _tills_page(request, viewer, fair_id, notice=NOTICES.get(notice))


@router.post("/organizer/fairs/{fair_id}/tills")
async def enrol_till(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    form = FormState.of(TILL_FIELDS, dict(await request.form()))
    form.require("booth", "till_label")
    booth = form.value("booth")
    if booth:
        try:
            UUID(booth)
        except ValueError:
            form.add("booth", "missing")
    if not form.has_errors:
        try:
            enrolled = await viewer.api.sales.post(
                f"/fairs/{fair_id}/terminals",
                json={
                    "booth_id": booth,
                    "label": form.value("till_label").strip(),
                    "pairing": True,
                },
                idempotency_key=form.value("idempotency_key") or None,
            )
        except ApiError as refused:
            if refused.status == 403:
                raise
            form.add_api_error(refused)
            form.values["idempotency_key"] = str(uuid.uuid4())  # refused: nothing was done
        else:
            return await _pairing_page(
                request, viewer, fair_id, enrolled, enrolled, form.value("till_label").strip()
            )
    return await _tills_page(request, viewer, fair_id, form=form, status_code=422)


async def _pairing_page(
    request: Request,
    viewer: Viewer,
    fair_id: UUID,
    till: Mapping[str, Any],
    issued: Mapping[str, Any],
    label: str,
    *,
    renewed: bool = False,
) -> Response:
    """The pairing code, its QR code and its expiry: this answer only, never again."""
    fair = await own_fair(viewer, fair_id)
    names = await exhibitor_names(viewer, fair_id)
    code = str(issued["pairing_code"])
    url = pairing_url(request, code)
    return render(
        request,
        "tills/paired.html",
        money_context(
            fair,
            till=till,
            label=label,
            exhibitor=names.get(str(till.get("exhibitor_id")), ""),
            pairing_url=url,
            pairing_code=code,
            expires_at=issued.get("pairing_expires_at"),
            renewed=renewed,
            qr=qr_data_url(url),
        ),
        status_code=201,
    )


async def _till(viewer: Viewer, fair_id: UUID, terminal_id: UUID) -> dict[str, Any]:
    for till in await fair_tills(viewer, fair_id):
        if str(till["terminal_id"]) == str(terminal_id):
            return till
    raise ApiError(404, {"detail": "no such terminal", "code": "not_found"})


@router.get("/organizer/fairs/{fair_id}/tills/{terminal_id}/{action}")
async def confirm_page(
    request: Request, viewer: SignedIn, fair_id: UUID, terminal_id: UUID, action: str
) -> Response:
    if action not in ACTIONS:
        raise ApiError(404, {"detail": "no such action", "code": "not_found"})
    fair = await own_fair(viewer, fair_id)
    till = await _till(viewer, fair_id, terminal_id)
    names = await exhibitor_names(viewer, fair_id)
    return render(
        request,
        "tills/confirm.html",
        money_context(
            fair,
            till=till,
            action=action,
            step=ACTIONS[action],
            exhibitor=names.get(str(till.get("exhibitor_id")), ""),
            TILL_STATUSES=TILL_STATUSES,
            refused=None,
        ),
    )


@router.post("/organizer/fairs/{fair_id}/tills/{terminal_id}/{action}")
async def take_action(
    request: Request, viewer: SignedIn, fair_id: UUID, terminal_id: UUID, action: str
) -> Response:
    if action not in ACTIONS:
        raise ApiError(404, {"detail": "no such action", "code": "not_found"})
    till = await _till(viewer, fair_id, terminal_id)  # a till of this fair, or 404
    try:
        if action == "pairing-code":
            issued = await viewer.api.sales.post(f"/terminals/{terminal_id}/pairing-code")
            return await _pairing_page(
                request, viewer, fair_id, till, issued, str(till["label"]), renewed=True
            )
        if action == "suspend":
            await viewer.api.sales.post(f"/terminals/{terminal_id}/suspend")
        else:
            await viewer.api.sales.delete(f"/terminals/{terminal_id}")
    except ApiError as refused:
        if refused.status != 409:
            raise
        fair = await own_fair(viewer, fair_id)
        till = await _till(viewer, fair_id, terminal_id)
        return render(
            request,
            "tills/confirm.html",
            money_context(
                fair,
                till=till,
                action=action,
                step=ACTIONS[action],
                exhibitor="",
                TILL_STATUSES=TILL_STATUSES,
                refused=N_(
                    "The till's status has changed since this page was opened. "
                    "Go back to the tills and try again"
                ),
            ),
            status_code=409,
        )
    notice = "suspended" if action == "suspend" else "unpaired"
    return RedirectResponse(f"/organizer/fairs/{fair_id}/tills?notice={notice}", status_code=303)
