"""A market inspector's pages (role ``inspector``, a province's market surveillance, *Quản lý
thị trường*; issue 15):

- home: the fairs held in its province that are set up or selling (registration ``GET
  /fairs``, filtered by province as registration compares them) and the public directory of
  its province's OCOP holders (``GET /directory/exhibitors``, public fields only);
- a fair: its inspections, counted, and the products exhibited there, each suspended or not
  (``GET /fairs/{id}/inspections``);
- recording an inspection: a form (product, booth, sample, finding, decision), a
  check-your-answers page, then ``POST /fairs/{id}/inspections`` with an ``inspection_id``
  made for the check page, so sending twice records once. Registration decides every rule
  (a fair elsewhere or a product not at the fair: 404, named on the form)."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ocop_web.api import ApiError
from ocop_web.forms import Field, FormState
from ocop_web.i18n import N_, gettext
from ocop_web.pages.authority import require_role, same_province
from ocop_web.pages.exhibitor_common import EXHIBITOR_KINDS
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()


@router.get("/inspector")
async def inspector_home(request: Request, viewer: SignedIn, q: str = "") -> Response:
    require_role(viewer, "inspector")
    q = q.strip()[:100]
    province = viewer.organization.province
    listing = await viewer.api.registration.get(
        "/directory/exhibitors", params={"q": q, "limit": 200}
    )
    holders = [h for h in listing if same_province(h.get("province"), province)]
    fairs = [
        f
        for f in await viewer.api.registration.get("/fairs")
        if same_province(f.get("province"), province) and f.get("status") in INSPECTED
    ]
    return render(
        request,
        "inspector/home.html",
        {
            "q": q,
            "holders": holders,
            "province": province,
            "EXHIBITOR_KINDS": EXHIBITOR_KINDS,
            "limited": len(listing) == 200,
            "fairs": fairs,
            "notice": request.query_params.get("notice"),
        },
    )


# --- inspections at a fair (issue 15) ------------------------------------------------------------

INSPECTED = ("closed", "running")  # a fair set up or selling (registration decides)
DECISIONS: dict[str, tuple[str, str]] = {
    "pass": (
        N_("Pass"),
        N_(
            "Nothing wrong was found. If the product was suspended at this fair, it may be sold again."
        ),
    ),
    "suspend": (
        N_("Suspend at this fair"),
        N_(
            "The product may not be sold at this fair's tills from now on. Other fairs are not affected."
        ),
    ),
    "refer": (
        N_("Refer for revocation"),
        N_(
            "The certifying council is asked to revoke the product's OCOP certificate. "
            "Meanwhile it may not be sold at this fair."
        ),
    ),
}
INSPECTION_FIELDS = (
    Field("product", N_("Product inspected"), api=("product_id", "exhibitor_id")),
    Field("booth_code", N_("Booth")),
    Field("sample", N_("Sample taken")),
    Field("finding", N_("Finding")),
    Field("decision", N_("Decision")),
)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def fair_inspections(viewer: Viewer, fair_id: UUID) -> dict[str, Any]:
    found: dict[str, Any] = await viewer.api.registration.get(f"/fairs/{fair_id}/inspections")
    return found


def exhibit_value(exhibit: dict[str, Any]) -> str:
    """A product as shown by one exhibitor: the form's radio value."""
    return f"{exhibit['product_id']}:{exhibit['exhibitor_id']}"


@router.get("/inspector/fairs/{fair_id}")
async def inspector_fair(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    require_role(viewer, "inspector")
    found = await fair_inspections(viewer, fair_id)
    return render(
        request,
        "inspector/fair.html",
        {
            "fair": found,
            "DECISIONS": DECISIONS,
            "inspections": list(reversed(found["inspections"])),
            "notice": request.query_params.get("notice"),
            "exhibit_value": exhibit_value,
        },
    )


def inspection_page(
    request: Request, viewer: Viewer, fair: dict[str, Any], form: FormState
) -> Response:
    return render(
        request,
        "inspector/inspect.html",
        {
            "fair": fair,
            "form": form,
            "products": [
                (exhibit_value(e), f"{e['product_name']} – {e['exhibitor_name']}", None)
                for e in fair["exhibits"]
            ],
            "decisions": [
                (k, gettext(label), gettext(hint)) for k, (label, hint) in DECISIONS.items()
            ],
        },
        status_code=422 if form.has_errors else 200,
    )


@router.get("/inspector/fairs/{fair_id}/inspections/new")
async def inspection_form(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    require_role(viewer, "inspector")
    fair = await fair_inspections(viewer, fair_id)
    values = {f.name: request.query_params.get(f.name, "") for f in INSPECTION_FIELDS}
    return inspection_page(request, viewer, fair, FormState.of(INSPECTION_FIELDS, values))


def inspection_body(form: FormState, fair: dict[str, Any]) -> dict[str, Any] | None:
    """What registration is sent; the web checks only what was left empty or is not one of
    the choices shown."""
    form.require("product", "booth_code", "finding", "decision")
    shown = {exhibit_value(e): e for e in fair["exhibits"]}
    exhibit = shown.get(form.value("product"))
    if form.value("product") and exhibit is None:
        form.add("product", "missing")
    if form.value("decision") and form.value("decision") not in DECISIONS:
        form.add("decision", "missing")
    if form.has_errors or exhibit is None:
        return None
    sample = form.value("sample").strip()
    return {
        "product_id": exhibit["product_id"],
        "exhibitor_id": exhibit["exhibitor_id"],
        "booth_code": form.value("booth_code").strip(),
        "sample": sample or None,
        "finding": form.value("finding").strip(),
        "decision": form.value("decision"),
    }


@router.post("/inspector/fairs/{fair_id}/inspections/check")
async def inspection_check(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    require_role(viewer, "inspector")
    fair = await fair_inspections(viewer, fair_id)
    form = FormState.of(INSPECTION_FIELDS, dict(await request.form()))
    body = inspection_body(form, fair)
    if body is None:
        return inspection_page(request, viewer, fair, form)
    query = urlencode({f.name: form.value(f.name) for f in INSPECTION_FIELDS})
    new = f"/inspector/fairs/{fair_id}/inspections/new?{query}"
    exhibit = next(e for e in fair["exhibits"] if exhibit_value(e) == form.value("product"))
    return render(
        request,
        "inspector/inspect_check.html",
        {
            "fair": fair,
            "form": form,
            "body": body,
            "exhibit": exhibit,
            "decision": DECISIONS[body["decision"]],
            "change": {f.name: f"{new}#{f.name}" for f in INSPECTION_FIELDS},
            "inspection_id": str(uuid.uuid4()),
        },
    )


@router.post("/inspector/fairs/{fair_id}/inspections")
async def record_inspection(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    require_role(viewer, "inspector")
    fair = await fair_inspections(viewer, fair_id)
    submitted = await request.form()
    form = FormState.of(INSPECTION_FIELDS, dict(submitted))
    body = inspection_body(form, fair)
    if body is not None:
        inspection_id = str(submitted.get("inspection_id") or uuid.uuid4())
        try:
            await viewer.api.registration.post(
                f"/fairs/{fair_id}/inspections",
                {"inspection_id": inspection_id, **body},
                idempotency_key=inspection_id,
            )
        except ApiError as refused:
            form.add_api_error(refused)
        else:
            return see_other(f"/inspector/fairs/{fair_id}?notice=recorded")
    return inspection_page(request, viewer, fair, form)


# --- who else sees inspections: the holder, the certifying council ---------------------------


@router.get("/exhibitor/products/{product_id}/inspections")
async def product_inspections(request: Request, viewer: SignedIn, product_id: UUID) -> Response:
    """A holder's product's inspections at every fair (registration answers a holder its own
    products' only)."""
    require_role(viewer, "exhibitor")
    product = await viewer.api.registration.get(f"/products/{product_id}")
    found = await viewer.api.registration.get(f"/products/{product_id}/inspections")
    return render(
        request,
        "inspector/product.html",
        {
            "product": product,
            "inspections": list(reversed(found)),
            "show_fair": True,
            "DECISIONS": DECISIONS,
        },
    )


@router.get("/certifier/referrals")
async def referrals(request: Request, viewer: SignedIn) -> Response:
    """The products inspectors referred for revocation that are the council's to decide."""
    require_role(viewer, "certifier")
    found = await viewer.api.registration.get("/inspection-referrals")
    return render(request, "inspector/referrals.html", {"referrals": found})
