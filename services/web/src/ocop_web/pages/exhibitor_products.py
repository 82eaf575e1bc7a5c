"""A holder's products with their OCOP certificates (read only: a certification council
issues, renews and revokes them), and adding a product.

Calls registration: ``GET /products?holder_id=`` (a delegation: each accepted member's),
``GET /products/{id}``, ``POST /products``."""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ocop_web.api import ApiError
from ocop_web.forms import Field, FormState
from ocop_web.i18n import N_
from ocop_web.pages.exhibitor_common import context, is_delegation, require_exhibitor
from ocop_web.pages.product_groups import product_groups
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

PRODUCT_FIELDS = (
    Field("name", N_("Product name")),
    Field("group", N_("Product group")),
    Field("gtin", N_("Barcode (GTIN)")),
    Field("unit", N_("Unit of sale")),
    Field("list_price_vnd", N_("List price")),
)
TAXONOMY = "2023"
PRODUCTS_LIMIT = 500


async def products_of(viewer: Viewer) -> list[dict[str, Any]]:
    """The products the viewer's exhibitor may show: its own, or a delegation's accepted
    members'."""
    exhibitor_id = require_exhibitor(viewer)
    holders = [exhibitor_id]
    if is_delegation(viewer):
        own = await viewer.api.registration.get(f"/exhibitors/{exhibitor_id}")
        holders = [str(h) for h in own.get("member_ids", [])]
    products: list[dict[str, Any]] = []
    for holder in holders:
        products += await viewer.api.registration.get(
            "/products", params={"holder_id": holder, "limit": PRODUCTS_LIMIT}
        )
    return products


@router.get("/exhibitor/products")
async def products(request: Request, viewer: SignedIn, added: str = "") -> Response:
    found = await products_of(viewer)
    return render(
        request,
        "exhibitor/products.html",
        context(
            products=found,
            added=added,
            delegation=is_delegation(viewer),
            GROUPS=await product_groups(viewer),
        ),
    )


@router.get("/exhibitor/products/new")
async def new_product_page(request: Request, viewer: SignedIn) -> Response:
    require_exhibitor(viewer)
    return await _form_page(request, viewer, FormState.of(PRODUCT_FIELDS, {"unit": ""}))


async def _form_page(
    request: Request, viewer: Viewer, form: FormState, status_code: int = 200
) -> Response:
    # A key of this form's own: sent twice (a dropped answer, a double tap), it adds one
    # product; a new one after a refusal, since the next sending differs.
    form.values["idempotency_key"] = str(uuid.uuid4())
    groups = await product_groups(viewer)
    return render(
        request,
        "exhibitor/product_new.html",
        context(form=form, groups=groups.options(TAXONOMY), groups_title=groups.title(TAXONOMY)),
        status_code=status_code,
    )


def parse_price(raw: str) -> int | None:
    """Digits as typed, with or without thousands separators (1.250.000, 1 250 000, 1250000đ)."""
    cleaned = re.sub(r"[\s.,_]|đ|₫|vnd", "", raw.strip().lower())
    return int(cleaned) if cleaned.isdigit() else None


@router.post("/exhibitor/products/new")
async def add_product(request: Request, viewer: SignedIn) -> Response:
    require_exhibitor(viewer)
    submitted = {k: str(v).strip() for k, v in (await request.form()).items()}
    form = FormState.of(PRODUCT_FIELDS, submitted)
    form.require("name", "group", "unit", "list_price_vnd")
    price = parse_price(form.value("list_price_vnd"))
    if form.value("list_price_vnd") and price is None:
        form.add("list_price_vnd", "int_parsing")
    if not form.has_errors:
        body = {
            "name": form.value("name"),
            "taxonomy": TAXONOMY,
            "group": int(form.value("group")) if form.value("group").isdigit() else 0,
            "gtin": form.value("gtin").replace(" ", "") or None,
            "unit": form.value("unit"),
            "list_price_vnd": price,
        }
        try:
            created = await viewer.api.registration.post(
                "/products", body, idempotency_key=form.value("idempotency_key") or None
            )
        except ApiError as refused:
            if refused.status == 403:
                raise
            form.add_api_error(refused)
        else:
            return RedirectResponse(
                f"/exhibitor/products?added={created['product_id']}", status_code=303
            )
    return await _form_page(request, viewer, form, status_code=422)
