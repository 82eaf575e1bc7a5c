"""Fairs open for applications, applying with chosen products, the applications and why one
was refused; then, once approved, picking a booth on the plan (held for a while, with its
countdown), the fee statement with its VietQR code, and whether it is paid.

Calls registration: ``GET /fairs``, ``GET /fairs/{id}``, ``POST /fairs/{id}/applications``,
``GET /applications``, ``GET /applications/{id}``, ``POST /applications/{id}/withdraw``;
booths: ``GET /fairs/{id}/floorplan``, ``POST /fairs/{id}/holds``,
``DELETE /fairs/{id}/holds/{booth}``, ``GET /fairs/{id}/my-booths``, ``GET /fairs/{id}/fees``.

The fair's rules are registration's: a refused application is shown with the rule it broke,
worded by its code in the reader's language (``registration_codes``), next to the products
chosen; a review's ``reason_code`` is worded for the exhibitor, its free text beside. Booths' refusals
(a hold) are worded by their codes (``booth_codes``). Withdrawing an application and giving
a hold back each pass a confirmation page first (what will happen, a warning button, a way
back)."""

from __future__ import annotations

import contextlib
import io
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import segno
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ocop_web.api import ApiError
from ocop_web.forms import FORM, Field, FormState
from ocop_web.i18n import N_, gettext, money
from ocop_web.pages.booth_codes import refusal_text
from ocop_web.pages.exhibitor_common import BOOTH_TYPES, context, require_exhibitor
from ocop_web.pages.exhibitor_products import products_of
from ocop_web.pages.fairs import takes_applications
from ocop_web.pages.product_groups import product_groups
from ocop_web.pages.registration_codes import APPLICATION_REFUSALS, review_reason_for_exhibitor
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


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _window_open(fair: dict[str, Any], now: datetime) -> bool:
    """Open for applications now: an open fair, or a running showroom (rolling admissions),
    within its window."""
    return takes_applications(fair, now)


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
            GROUPS=await product_groups(viewer),
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
            GROUPS=await product_groups(viewer),
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
    """Registration's refusal worded by its code (the 422's ``type``, a 409's ``code``;
    ``registration_codes.APPLICATION_REFUSALS``), on the products (naming the one at the
    position ``loc`` gives), the booth count or the whole form; anything else as the form's
    usual messages."""
    body = refused.body if isinstance(refused.body, dict) else {}
    found: list[tuple[str, list[str]]] = []  # (code, location after "body")
    detail = body.get("detail")
    if isinstance(detail, list):
        for item in detail:
            if isinstance(item, dict):
                loc = [str(p) for p in item.get("loc", [])]
                found.append((str(item.get("type", "")), loc[1:] if loc[:1] == ["body"] else loc))
    elif refused.code:
        found.append((refused.code, str(body.get("field") or "").split(".")))
    worded = False
    for code, loc in found:
        template = APPLICATION_REFUSALS.get(code)
        if template is None:
            continue
        product = ""
        if loc[:1] in (["product_ids"], ["products"]) and len(loc) > 1 and loc[1].isdigit():
            index = int(loc[1])
            product = chosen_names[index] if index < len(chosen_names) else ""
        target = FORM
        if loc[:1] in (["product_ids"], ["products"]):
            target = "product_ids"
        elif loc[:1] == ["booth_request"]:
            target = "count"
        form.errors.setdefault(target, gettext(template, product=product or gettext("A product")))
        worded = True
    if not worded:
        form.add_api_error(refused)


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
            review_reason=review_reason_for_exhibitor(found.get("reason_code")),
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
    rank: int | None = None  # a ranked fair: the exhibitor's choice number for this booth

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


def plan_of(
    floorplan: dict[str, Any], mine: set[str], ranks: Mapping[str, int] | None = None
) -> Plan:
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
            rank=(ranks or {}).get(str(b["booth_id"])),
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
    if is_ranked(fair):
        return see_other(f"/exhibitor/fairs/{fair_id}/choices")
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


# --- a ranked fair: the exhibitor's booth choices ------------------------------------------------

MAX_CHOICES = 5  # booths' domain.choices.MAX_CHOICES (its README: "up to 5 booths")
CHOICE_LABELS = (
    N_("First choice"),
    N_("Second choice"),
    N_("Third choice"),
    N_("Fourth choice"),
    N_("Fifth choice"),
)
CHOICE_FIELDS = tuple(
    Field(f"choice_{i + 1}", label, api=(f"booth_ids.{i}",))
    for i, label in enumerate(CHOICE_LABELS)
)
CHOICE_NOTICES = {
    "saved": N_(
        "Your choices are saved. The organizer places exhibitors when the allocation runs."
    ),
    "withdrawn": N_("Your choices are withdrawn."),
}


def is_ranked(fair: Mapping[str, Any]) -> bool:
    """The fair gives booths out from ranked choices (registration's ``allocation_mode``)."""
    return (fair.get("rules") or {}).get("allocation_mode") == "ranked"


def chosen_ids(form: FormState) -> list[str]:
    """The booths chosen, best first, blanks skipped."""
    return [form.value(f.name) for f in CHOICE_FIELDS if form.value(f.name)]


def choice_options(plan: Plan, booth_type: str, keep: set[str]) -> list[tuple[str, str]]:
    """(booth id, "A01 – zone, kind, fee") for each free booth of the kind the application
    asks for, and the booths chosen already (whatever they are now)."""
    return [
        (
            b.booth_id,
            f"{b.code} – {plan.zones.get(b.zone, b.zone)}, "
            f"{gettext(BOOTH_TYPES.get(b.booth_type, b.booth_type))}, {money(b.price_vnd)}",
        )
        for b in sorted(plan.booths, key=lambda b: (b.zone, b.code))
        if (b.free and b.booth_type == booth_type) or b.booth_id in keep
    ]


async def _current_choices(viewer: Viewer, fair_id: str) -> list[dict[str, Any]]:
    """The exhibitor's choices at the fair, best first (booths ``GET /fairs/{id}/choices``)."""
    try:
        found = await viewer.api.booths.get(f"/fairs/{fair_id}/choices")
    except ApiError as refused:
        if refused.status in (404, 409):
            return []
        raise
    return sorted(found.get("choices", []), key=lambda c: int(c["rank"]))


async def _choices_page(
    request: Request,
    viewer: Viewer,
    fair_id: str,
    form: FormState | None = None,
    status_code: int = 200,
    notice: str | None = None,
) -> Response:
    fair = await viewer.api.registration.get(f"/fairs/{fair_id}")
    approved = await _approved(viewer, fair_id)
    current = await _current_choices(viewer, fair_id) if approved else []
    mine = await viewer.api.booths.get(f"/fairs/{fair_id}/my-booths") if approved else []
    if form is None:
        given = {f.name: request.query_params.get(f.name, "") for f in CHOICE_FIELDS}
        if not any(given.values()):
            given = {f"choice_{int(c['rank'])}": str(c["booth_id"]) for c in current}
        form = FormState.of(CHOICE_FIELDS, given)
    floorplan = await viewer.api.booths.get(f"/fairs/{fair_id}/floorplan")
    ranks = {booth: i + 1 for i, booth in enumerate(chosen_ids(form))}
    plan = plan_of(floorplan, {str(b["booth_id"]) for b in mine}, ranks)
    booth_type = str(((approved or {}).get("booth_request") or {}).get("booth_type", "standard"))
    options = choice_options(plan, booth_type, set(ranks) | {str(c["booth_id"]) for c in current})
    return render(
        request,
        "exhibitor/choices.html",
        context(
            fair=fair,
            approved=approved,
            plan=plan,
            mine=mine,
            current=current,
            form=form,
            fields=CHOICE_FIELDS[: max(1, min(MAX_CHOICES, len(options)))],
            options=[("", gettext("No choice")), *options],
            booth_type=booth_type,
            notice=notice,
        ),
        status_code=status_code,
    )


@router.get("/exhibitor/fairs/{fair_id}/choices")
async def choices_page(
    request: Request, viewer: SignedIn, fair_id: uuid.UUID, notice: str = ""
) -> Response:
    """A ranked fair's plan and the exhibitor's choices, best first, as a form (a "Change"
    link from the check page brings the answers back in the address)."""
    require_exhibitor(viewer)
    fair = await viewer.api.registration.get(f"/fairs/{fair_id}")
    if not is_ranked(fair):
        return see_other(f"/exhibitor/fairs/{fair_id}/booths")
    message = CHOICE_NOTICES.get(notice)
    return await _choices_page(
        request, viewer, str(fair_id), notice=gettext(message) if message else None
    )


def _read_choices(form: FormState) -> None:
    """A booth chosen twice is named on its second field; the rest is booths' to judge."""
    seen: set[str] = set()
    for f in CHOICE_FIELDS:
        value = form.value(f.name)
        if value and value in seen:
            form.add(f.name, "chosen_twice")
        seen.add(value)


@router.post("/exhibitor/fairs/{fair_id}/choices")
async def check_choices(request: Request, viewer: SignedIn, fair_id: uuid.UUID) -> Response:
    """The choices read; errors back on the form, else the check-your-answers page."""
    require_exhibitor(viewer)
    form = FormState.of(CHOICE_FIELDS, dict(await request.form()))
    _read_choices(form)
    current = await _current_choices(viewer, str(fair_id))
    if not chosen_ids(form) and not current:
        form.add("choice_1", "choose_a_booth")
    if form.has_errors:
        return await _choices_page(request, viewer, str(fair_id), form, status_code=422)
    fair = await viewer.api.registration.get(f"/fairs/{fair_id}")
    plan = plan_of(await viewer.api.booths.get(f"/fairs/{fair_id}/floorplan"), set())
    by_id = {b.booth_id: b for b in plan.booths}
    chosen = [by_id[b] for b in chosen_ids(form) if b in by_id]
    kept = {f.name: form.value(f.name) for f in CHOICE_FIELDS if form.value(f.name)}
    change = f"/exhibitor/fairs/{fair_id}/choices?{urlencode(kept)}"
    return render(
        request,
        "exhibitor/choices_check.html",
        context(
            fair=fair,
            chosen=chosen,
            zones=plan.zones,
            labels=CHOICE_LABELS,
            values=[(f"choice_{i + 1}", b.booth_id) for i, b in enumerate(chosen)],
            change=change,
            key=str(uuid.uuid4()),
        ),
    )


@router.post("/exhibitor/fairs/{fair_id}/choices/confirm")
async def submit_choices(request: Request, viewer: SignedIn, fair_id: uuid.UUID) -> Response:
    """Booths ``PUT /fairs/{id}/choices``: the booths best first (``[]`` withdraws them).
    A refusal naming one choice (``booth_ids.N``) is shown on that choice's field."""
    require_exhibitor(viewer)
    submitted = dict(await request.form())
    form = FormState.of(CHOICE_FIELDS, submitted)
    booth_ids = chosen_ids(form)
    try:
        await viewer.api.booths.put(
            f"/fairs/{fair_id}/choices",
            {"booth_ids": booth_ids},
            idempotency_key=str(submitted.get("idempotency_key") or "") or None,
        )
    except ApiError as refused:
        if refused.status == 403:
            raise
        await _choice_refusal(viewer, str(fair_id), form, refused, booth_ids)
        return await _choices_page(request, viewer, str(fair_id), form, status_code=422)
    notice = "saved" if booth_ids else "withdrawn"
    return see_other(f"/exhibitor/fairs/{fair_id}/choices?notice={notice}")


async def _choice_refusal(
    viewer: Viewer, fair_id: str, form: FormState, refused: ApiError, booth_ids: list[str]
) -> None:
    """Booths' refusal worded by its code, on the choice it names (``booth_ids.N``)."""
    body = refused.body if isinstance(refused.body, dict) else {}
    field_name = str(body.get("field") or "")
    detail = body.get("detail")
    if isinstance(detail, list):  # a validation error (a booth chosen twice, too many)
        form.add_api_error(refused)
        return
    target = FORM
    code = ""
    index = field_name.removeprefix("booth_ids.")
    if field_name.startswith("booth_ids.") and index.isdigit() and int(index) < len(booth_ids):
        target = CHOICE_FIELDS[int(index)].name
        with contextlib.suppress(ApiError):
            plan = plan_of(await viewer.api.booths.get(f"/fairs/{fair_id}/floorplan"), set())
            code = next((b.code for b in plan.booths if b.booth_id == booth_ids[int(index)]), "")
    form.errors[target] = refusal_text(refused, code=code or "?")


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
