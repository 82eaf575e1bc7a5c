"""Fairs open for applications, applying with chosen products, the applications and why one
was refused; then, once approved, picking a booth on the plan (held for a while, with its
countdown), the fee statement with its VietQR code, and whether it is paid.

Calls registration: ``GET /fairs``, ``GET /fairs/{id}``, ``POST /fairs/{id}/applications``,
``GET /applications``, ``GET /applications/{id}``, ``POST /applications/{id}/withdraw``;
booths: ``GET /fairs/{id}/floorplan``, ``POST /fairs/{id}/holds``,
``DELETE /fairs/{id}/holds/{booth}``, ``GET /fairs/{id}/my-booths``, ``GET /fairs/{id}/fees``.

The fair's rules are registration's: a refused application is shown with the rule it broke,
named in the reader's language (``explain``), next to the products chosen. Booths' refusals
(a hold) are worded by their codes (``booth_codes``). Withdrawing an application and giving
a hold back each pass a confirmation page first (what will happen, a warning button, a way
back)."""

from __future__ import annotations

import contextlib
import io
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import segno
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ocop_web.api import ApiError
from ocop_web.forms import FORM, Field, FormState
from ocop_web.i18n import N_, gettext
from ocop_web.pages.booth_codes import refusal_text
from ocop_web.pages.exhibitor_common import BOOTH_TYPES, context, require_exhibitor
from ocop_web.pages.exhibitor_products import products_of
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

APPLY_FIELDS = (
    Field("product_ids", N_("Products to show"), api=("product_ids",)),
    Field("count", N_("Number of booths"), api=("booth_request.count", "booth_request")),
    Field("booth_type", N_("Kind of booth"), api=("booth_request.booth_type",)),
    Field("notes", N_("Anything the organizer should know"), api=("booth_request.notes",)),
)
HOLD_FIELDS = (Field("booth_id", N_("Booth")),)
WITHDRAWABLE = ("submitted", "waitlisted", "approved")

# The fair's rules as registration words its refusals, each named in the reader's language.
# %(product)s is the product's name as the applicant knows it.
RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"has no OCOP certificate"),
        N_("%(product)s has no OCOP certificate: the fair admits certified OCOP products only"),
    ),
    (
        re.compile(r"certificate \S+ is revoked"),
        N_("The OCOP certificate of %(product)s has been revoked"),
    ),
    (
        re.compile(r"expires on (?P<until>\S+), before the fair ends"),
        N_(
            "The OCOP certificate of %(product)s ends on %(until)s, before the fair ends: "
            "it must be valid until the last day of the fair"
        ),
    ),
    (
        re.compile(r"(?P<star>\d)★ is below the fair's minimum of (?P<min>\d)★"),
        N_("%(product)s has %(star)s stars; the fair admits products of %(min)s stars or more"),
    ),
    (
        re.compile(r"is in group \d+, not admitted to this fair"),
        N_("%(product)s is in a product group this fair does not admit"),
    ),
    (
        re.compile(r"taxonomy"),
        N_("%(product)s is classed under another OCOP product grouping than the fair's"),
    ),
    (
        re.compile(r"is not held by"),
        N_(
            "%(product)s is not your organization's (a delegation shows its accepted "
            "members' products only)"
        ),
    ),
    (
        re.compile(r"between 1 and (?P<limit>\d+) booths"),
        N_("Ask for 1 to %(limit)s booths: the fair's limit per holder"),
    ),
    (
        re.compile(r"not open for applications|application window is not open"),
        N_("This fair is not taking applications now"),
    ),
    (re.compile(r"listed twice"), N_("A product is listed twice")),
    (
        re.compile(r"already applied|already has an application|already"),
        N_("You have already applied to this fair"),
    ),
)


def explain(detail: str, product: str = "") -> str | None:
    """The rule a refusal names, in the reader's language; None when it names no known rule."""
    for pattern, message in RULES:
        found = pattern.search(detail)
        if found:
            until = found.groupdict().get("until")
            values = {
                "product": product or gettext("A product"),
                **found.groupdict(),
                **({"until": _vn_date(until)} if until else {}),
            }
            return gettext(message, **values)
    return None


def _vn_date(iso: str) -> str:
    with contextlib.suppress(ValueError):
        return datetime.fromisoformat(iso).strftime("%d/%m/%Y")
    return iso


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _window_open(fair: dict[str, Any], now: datetime) -> bool:
    opens = datetime.fromisoformat(fair["applications_open_at"])
    closes = datetime.fromisoformat(fair["applications_close_at"])
    return fair["status"] == "open" and opens <= now <= closes


async def my_applications(viewer: Viewer) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = await viewer.api.registration.get("/applications")
    return found


def _current(applications: list[dict[str, Any]], fair_id: str) -> dict[str, Any] | None:
    """The application that counts at a fair: the latest one not withdrawn."""
    live = [a for a in applications if a["fair_id"] == fair_id and a["status"] != "withdrawn"]
    return max(live, key=lambda a: a["submitted_at"]) if live else None


# --- fairs and applying ---------------------------------------------------------------------------


@router.get("/exhibitor/fairs")
async def fairs(request: Request, viewer: SignedIn) -> Response:
    require_exhibitor(viewer)
    listed = await viewer.api.registration.get("/fairs")
    now = datetime.now(UTC)
    applications = await my_applications(viewer)
    open_now = [f for f in listed if _window_open(f, now)]
    return render(
        request,
        "exhibitor/fairs.html",
        context(
            fairs=open_now,
            applied={f["fair_id"]: _current(applications, f["fair_id"]) for f in open_now},
        ),
    )


@router.get("/exhibitor/fairs/{fair_id}/apply")
async def apply_page(request: Request, viewer: SignedIn, fair_id: uuid.UUID) -> Response:
    require_exhibitor(viewer)
    fair = await viewer.api.registration.get(f"/fairs/{fair_id}")
    form = FormState.of(APPLY_FIELDS, {"count": "1", "booth_type": "standard"})
    return await _apply_page(request, viewer, fair, form, [])


async def _apply_page(
    request: Request,
    viewer: Viewer,
    fair: dict[str, Any],
    form: FormState,
    chosen: list[str],
    status_code: int = 200,
) -> Response:
    form.values["idempotency_key"] = str(uuid.uuid4())
    return render(
        request,
        "exhibitor/apply.html",
        context(
            fair=fair,
            form=form,
            chosen=chosen,
            products=await products_of(viewer),
            booth_types=[(k, v, None) for k, v in BOOTH_TYPES.items()],
        ),
        status_code=status_code,
    )


@router.post("/exhibitor/fairs/{fair_id}/apply")
async def apply(request: Request, viewer: SignedIn, fair_id: uuid.UUID) -> Response:
    require_exhibitor(viewer)
    submitted = await request.form()
    chosen = [str(v) for v in submitted.getlist("product_ids") if str(v)]
    values = {k: str(v).strip() for k, v in submitted.items() if k != "product_ids"}
    form = FormState.of(APPLY_FIELDS, values)
    form.require("count", "booth_type")
    if not chosen:
        form.add("product_ids", "choose_products")
    count = form.value("count")
    if count and not count.isdigit():
        form.add("count", "int_parsing")
    fair = await viewer.api.registration.get(f"/fairs/{fair_id}")
    if form.has_errors:
        return await _apply_page(request, viewer, fair, form, chosen, 422)
    body = {
        "product_ids": chosen,
        "booth_request": {
            "count": int(count),
            "booth_type": form.value("booth_type"),
            "notes": form.value("notes"),
        },
    }
    try:
        created = await viewer.api.registration.post(
            f"/fairs/{fair_id}/applications",
            body,
            idempotency_key=form.value("idempotency_key") or None,
        )
    except ApiError as refused:
        if refused.status in (403, 404):
            raise
        names = {str(p["product_id"]): p["name"] for p in await products_of(viewer)}
        _explain_refusal(form, refused, [names.get(c, "") for c in chosen])
        return await _apply_page(request, viewer, fair, form, chosen, 422)
    return see_other(f"/exhibitor/applications/{created['application_id']}?sent=1")


def _explain_refusal(form: FormState, refused: ApiError, chosen_names: list[str]) -> None:
    """A domain refusal named as the rule it applies (on the products, the booth count or the
    whole form); a validation error as the form's usual messages."""
    body = refused.body if isinstance(refused.body, dict) else {}
    detail, field = body.get("detail"), body.get("field")
    if not isinstance(detail, str):
        form.add_api_error(refused)
        return
    product = ""
    if isinstance(field, str) and field.startswith("product_ids."):
        index = field.split(".", 1)[1]
        if index.isdigit() and int(index) < len(chosen_names):
            product = chosen_names[int(index)]
    rule = explain(detail, product)
    if rule is None:
        form.add_api_error(refused)
        return
    target = FORM
    if isinstance(field, str):
        if field.startswith("product_ids"):
            target = "product_ids"
        elif field.startswith("booth_request"):
            target = "count"
    form.errors.setdefault(target, rule)


@router.get("/exhibitor/applications")
async def applications(request: Request, viewer: SignedIn) -> Response:
    require_exhibitor(viewer)
    found = await my_applications(viewer)
    listed = await viewer.api.registration.get("/fairs")
    return render(
        request,
        "exhibitor/applications.html",
        context(
            applications=sorted(found, key=lambda a: a["submitted_at"], reverse=True),
            fair_names={str(f["fair_id"]): f["name"] for f in listed},
        ),
    )


@router.get("/exhibitor/applications/{application_id}")
async def application(
    request: Request,
    viewer: SignedIn,
    application_id: uuid.UUID,
    sent: str = "",
    withdrawn: str = "",
) -> Response:
    require_exhibitor(viewer)
    found = await viewer.api.registration.get(f"/applications/{application_id}")
    fair = await viewer.api.registration.get(f"/fairs/{found['fair_id']}")
    booths: list[dict[str, Any]] = []
    if found["status"] == "approved":
        with contextlib.suppress(ApiError):
            booths = await viewer.api.booths.get(f"/fairs/{found['fair_id']}/my-booths")
    return render(
        request,
        "exhibitor/application.html",
        context(
            application=found,
            fair=fair,
            sent=sent == "1",
            withdrawn=withdrawn == "1" and found["status"] == "withdrawn",
            booths=booths,
            withdrawable=found["status"] in WITHDRAWABLE,
        ),
    )


@router.get("/exhibitor/applications/{application_id}/withdraw")
async def confirm_withdraw(
    request: Request, viewer: SignedIn, application_id: uuid.UUID
) -> Response:
    """Before withdrawing: what will happen (the booths it has are given up), a warning
    button, a way back."""
    require_exhibitor(viewer)
    found = await viewer.api.registration.get(f"/applications/{application_id}")
    if found["status"] not in WITHDRAWABLE:
        return see_other(f"/exhibitor/applications/{application_id}")
    fair = await viewer.api.registration.get(f"/fairs/{found['fair_id']}")
    booths: list[dict[str, Any]] = []
    if found["status"] == "approved":
        with contextlib.suppress(ApiError):
            booths = await viewer.api.booths.get(f"/fairs/{found['fair_id']}/my-booths")
    return render(
        request,
        "exhibitor/withdraw.html",
        context(application=found, fair=fair, booths=booths, key=str(uuid.uuid4())),
    )


@router.post("/exhibitor/applications/{application_id}/withdraw")
async def withdraw(request: Request, viewer: SignedIn, application_id: uuid.UUID) -> Response:
    require_exhibitor(viewer)
    submitted = await request.form()
    await viewer.api.registration.post(
        f"/applications/{application_id}/withdraw",
        idempotency_key=str(submitted.get("idempotency_key") or "") or None,
    )
    return see_other(f"/exhibitor/applications/{application_id}?withdrawn=1")


# --- booths: the plan, holds, fees -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanBooth:
    """A booth as drawn: its place and size in SVG units (metres times the plan's scale)."""

    booth_id: str
    code: str
    zone: str
    booth_type: str
    state: str
    x: float
    y: float
    w: float
    h: float
    width_m: float
    depth_m: float
    price_vnd: int
    mine: bool

    @property
    def free(self) -> bool:
        return self.state == "available"

    @property
    def cx(self) -> float:
        return round(self.x + self.w / 2, 1)

    @property
    def cy(self) -> float:
        return round(self.y + self.h / 2, 1)


@dataclass(frozen=True, slots=True)
class Plan:
    width: float
    height: float
    booths: list[PlanBooth]
    zones: dict[str, str]

    @property
    def free(self) -> list[PlanBooth]:
        return sorted((b for b in self.booths if b.free), key=lambda b: (b.zone, b.code))


def plan_of(floorplan: dict[str, Any], mine: set[str]) -> Plan:
    """The plan to scale, drawn as the organizer's is (the same classes and proportions: the
    smallest booth wide enough for its code and its state's word); the exhibitor's own
    booths marked."""
    raw = list(floorplan.get("booths", []))
    zones = {z["code"]: z["name"] for z in floorplan.get("zones", [])}
    if not raw:
        return Plan(0, 0, [], zones)
    smallest = min(min(float(b["width_m"]), float(b["depth_m"])) for b in raw)
    scale = min(60.0, max(24.0, 72.0 / max(smallest, 0.1)))
    left = min(float(b["x"]) for b in raw) - 0.5
    top = min(float(b["y"]) for b in raw) - 0.5
    booths = [
        PlanBooth(
            booth_id=str(b["booth_id"]),
            code=b["code"],
            zone=b["zone"],
            booth_type=b["booth_type"],
            state=b["state"],
            x=round((float(b["x"]) - left) * scale, 1),
            y=round((float(b["y"]) - top) * scale, 1),
            w=round(float(b["width_m"]) * scale, 1),
            h=round(float(b["depth_m"]) * scale, 1),
            width_m=float(b["width_m"]),
            depth_m=float(b["depth_m"]),
            price_vnd=int(b["price_vnd"]),
            mine=str(b["booth_id"]) in mine,
        )
        for b in raw
    ]
    width = round((max(float(b["x"]) + float(b["width_m"]) for b in raw) - left + 0.5) * scale, 1)
    height = round((max(float(b["y"]) + float(b["depth_m"]) for b in raw) - top + 0.5) * scale, 1)
    return Plan(width, height, booths, zones)


async def _approved(viewer: Viewer, fair_id: str) -> dict[str, Any] | None:
    current = _current(await my_applications(viewer), fair_id)
    return current if current and current["status"] == "approved" else None


@router.get("/exhibitor/fairs/{fair_id}/booths")
async def booth_plan(
    request: Request, viewer: SignedIn, fair_id: uuid.UUID, given_back: str | None = None
) -> Response:
    require_exhibitor(viewer)
    fair = await viewer.api.registration.get(f"/fairs/{fair_id}")
    approved = await _approved(viewer, str(fair_id))
    floorplan = await viewer.api.booths.get(f"/fairs/{fair_id}/floorplan")
    mine = await viewer.api.booths.get(f"/fairs/{fair_id}/my-booths") if approved else []
    return render(
        request,
        "exhibitor/booth_plan.html",
        context(
            fair=fair,
            approved=approved,
            plan=plan_of(floorplan, {str(b["booth_id"]) for b in mine}),
            mine=mine,
            given_back=given_back,
        ),
    )


@router.get("/exhibitor/fairs/{fair_id}/booths/{booth_id}")
async def booth_page(
    request: Request, viewer: SignedIn, fair_id: uuid.UUID, booth_id: uuid.UUID
) -> Response:
    require_exhibitor(viewer)
    return await _booth_page(
        request, viewer, str(fair_id), str(booth_id), FormState.of(HOLD_FIELDS)
    )


async def _booth_page(
    request: Request,
    viewer: Viewer,
    fair_id: str,
    booth_id: str,
    form: FormState,
    status_code: int = 200,
    refused: ApiError | None = None,
) -> Response:
    fair = await viewer.api.registration.get(f"/fairs/{fair_id}")
    plan = plan_of(await viewer.api.booths.get(f"/fairs/{fair_id}/floorplan"), set())
    booth = next((b for b in plan.booths if b.booth_id == booth_id), None)
    if booth is None:
        raise ApiError(404, {"detail": "no such booth at this fair", "code": "not_found"})
    if refused is not None:  # booths' refusal of the hold, in words by its code
        form.errors[FORM] = refusal_text(refused, code=booth.code)
    form.values.setdefault("booth_id", booth_id)
    form.values["idempotency_key"] = str(uuid.uuid4())
    return render(
        request,
        "exhibitor/booth.html",
        context(fair=fair, booth=booth, zones=plan.zones, form=form),
        status_code=status_code,
    )


@router.post("/exhibitor/fairs/{fair_id}/holds")
async def hold(request: Request, viewer: SignedIn, fair_id: uuid.UUID) -> Response:
    require_exhibitor(viewer)
    form = FormState.of(HOLD_FIELDS, dict(await request.form()))
    form.require("booth_id")
    if form.has_errors:
        return see_other(f"/exhibitor/fairs/{fair_id}/booths")
    try:
        await viewer.api.booths.post(
            f"/fairs/{fair_id}/holds",
            {"booth_id": form.value("booth_id")},
            idempotency_key=form.value("idempotency_key") or None,
        )
    except ApiError as refused:
        if refused.status == 403:
            raise
        return await _booth_page(
            request,
            viewer,
            str(fair_id),
            form.value("booth_id"),
            form,
            status_code=422,
            refused=refused,
        )
    return see_other(f"/exhibitor/fairs/{fair_id}/booth")


async def _drop_page(
    request: Request,
    viewer: Viewer,
    fair_id: str,
    booth_id: str,
    form: FormState,
    status_code: int = 200,
) -> Response:
    fair = await viewer.api.registration.get(f"/fairs/{fair_id}")
    mine = await viewer.api.booths.get(f"/fairs/{fair_id}/my-booths")
    booth = next((b for b in mine if str(b["booth_id"]) == booth_id), None)
    if booth is None or booth["status"] != "held":
        if not form.has_errors:
            return see_other(f"/exhibitor/fairs/{fair_id}/booth")
        booth = None
    return render(
        request,
        "exhibitor/drop_hold.html",
        context(fair=fair, booth=booth, booth_id=booth_id, form=form, key=str(uuid.uuid4())),
        status_code=status_code,
    )


@router.get("/exhibitor/fairs/{fair_id}/holds/{booth_id}/drop")
async def confirm_drop_hold(
    request: Request, viewer: SignedIn, fair_id: uuid.UUID, booth_id: uuid.UUID
) -> Response:
    """Before giving a hold back: what will happen (the booth is free for anyone at once), a
    warning button, a way back."""
    require_exhibitor(viewer)
    return await _drop_page(request, viewer, str(fair_id), str(booth_id), FormState.of(()))


@router.post("/exhibitor/fairs/{fair_id}/holds/{booth_id}/drop")
async def drop_hold(
    request: Request, viewer: SignedIn, fair_id: uuid.UUID, booth_id: uuid.UUID
) -> Response:
    require_exhibitor(viewer)
    form = FormState.of((), dict(await request.form()))
    mine = await viewer.api.booths.get(f"/fairs/{fair_id}/my-booths")
    code = next((str(b["code"]) for b in mine if str(b["booth_id"]) == str(booth_id)), "")
    try:
        await viewer.api.booths.delete(
            f"/fairs/{fair_id}/holds/{booth_id}",
            idempotency_key=form.value("idempotency_key") or None,
        )
    except ApiError as refused:
        if refused.status == 403:
            raise
        form.errors[FORM] = refusal_text(refused)
        return await _drop_page(request, viewer, str(fair_id), str(booth_id), form, status_code=422)
    return see_other(f"/exhibitor/fairs/{fair_id}/booths?{urlencode({'given_back': code})}")


def payment_status(fees: dict[str, Any]) -> str:
    if fees["due_vnd"] > 0 and fees["balance_vnd"] <= 0:
        return "paid"
    return "partly_paid" if fees["paid_vnd"] > 0 else "unpaid"


@router.get("/exhibitor/fairs/{fair_id}/booth")
async def my_booth(request: Request, viewer: SignedIn, fair_id: uuid.UUID) -> Response:
    """The exhibitor's booths at a fair, a hold's deadline (a time; a countdown with
    JavaScript), the fee statement and its VietQR code."""
    require_exhibitor(viewer)
    fair = await viewer.api.registration.get(f"/fairs/{fair_id}")
    mine = await viewer.api.booths.get(f"/fairs/{fair_id}/my-booths")
    fees = await viewer.api.booths.get(f"/fairs/{fair_id}/fees")
    return render(
        request,
        "exhibitor/my_booth.html",
        context(fair=fair, mine=mine, fees=fees, paid=payment_status(fees)),
    )


def qr_svg(payload: str) -> bytes:
    """A VietQR payload (EMVCo) as an SVG image, drawn here: no other host is asked."""
    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(
        buffer, kind="svg", scale=6, border=4, xmldecl=False, title="VietQR"
    )
    return buffer.getvalue()


@router.get("/exhibitor/fairs/{fair_id}/vietqr.svg")
async def vietqr(request: Request, viewer: SignedIn, fair_id: uuid.UUID) -> Response:
    require_exhibitor(viewer)
    fees = await viewer.api.booths.get(f"/fairs/{fair_id}/fees")
    if not fees.get("vietqr"):
        raise ApiError(404, {"detail": "nothing to pay", "code": "not_found"})
    return Response(
        qr_svg(fees["vietqr"]),
        media_type="image/svg+xml",
        headers={"Cache-Control": "no-store"},
    )
