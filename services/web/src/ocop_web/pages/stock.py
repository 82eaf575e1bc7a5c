"""Stock at the booth (issue 15): what an exhibitor brings to its booths ("Hàng mang đến"),
returns to the producer and corrected counts, and the stock report (received, sold, returned,
adjusted, on hand, oversold: "bán vượt tồn") for the exhibitor's own booths, the fair's
organizer (every booth) and a promotion week's host retailer; each also as XLSX.

Calls sales: ``POST /fairs/{id}/stock/receipts|returns|adjustments`` (``movement_id``,
``booth_id``, ``lines`` of ``product_id`` and ``quantity``, ``reason``; the form's own
``movement_id`` is also the idempotency key, so a double submission records once; a refused
form gets a new one: nothing was recorded), ``GET /fairs/{id}/reports/stock`` (JSON or
``format=xlsx``, passed through). Booths ``GET /fairs/{id}/my-booths`` for the exhibitor's
booths; registration ``GET /applications`` for the products admitted at the fair."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ocop_web.api import ApiError
from ocop_web.forms import FORM, Field, FormState
from ocop_web.i18n import N_, gettext
from ocop_web.pages.exhibitor_common import context, require_exhibitor
from ocop_web.pages.exhibitor_fairs import my_applications
from ocop_web.pages.fairs import own_fair
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True, slots=True)
class Kind:
    slug: str  # the page's address: /stock/<slug>
    api: str  # sales' route: /fairs/{id}/stock/<api>
    title: str
    intro: str
    button: str
    notice: str
    signed: bool = False  # a correction may take away (negative)
    needs_reason: bool = False


KINDS: dict[str, Kind] = {
    "receive": Kind(
        "receive",
        "receipts",
        N_("Declare the goods you bring"),
        N_(
            "How many of each product you bring to your booth. From then on the tills count "
            "them down and show a product as sold out when none is left. Leave a product empty "
            "if you do not bring it."
        ),
        N_("Record the goods brought"),
        N_("The goods you brought have been recorded."),
    ),
    "return": Kind(
        "return",
        "returns",
        N_("Take goods back"),
        N_("How many of each product go back to the producer, and why."),
        N_("Record the goods taken back"),
        N_("The goods taken back have been recorded."),
        needs_reason=True,
    ),
    "adjust": Kind(
        "adjust",
        "adjustments",
        N_("Correct a count"),
        N_(
            "After counting the shelf: how many more there are than the report shows, or fewer "
            "with a minus sign (for example -2 for two broken jars), and why."
        ),
        N_("Record the correction"),
        N_("The correction has been recorded."),
        signed=True,
        needs_reason=True,
    ),
}
NOTICES = {k.slug: k.notice for k in KINDS.values()}

MESSAGES = {
    "choose_booth": N_("Choose the booth"),
    "no_quantity": N_("Enter how many of at least one product"),
    "whole_number": N_("Enter a whole number, for example 24"),
    "positive": N_("Enter a number from 1 to 1,000,000"),
    "not_zero": N_("Enter a correction other than 0, for example 5 or -2"),
    "too_large": N_("Enter a number no larger than 1,000,000"),
    "reason": N_("Say why"),
    "not_admitted": N_("This product is not admitted for sale at your booth at this fair"),
    "twice": N_("This product is on the form twice"),
    "out_of_stock": N_("Not enough stock: only %(left)s left at this booth"),
    "booth_not_yours": N_("This booth is not yours at this fair"),
    "movement_conflict": N_(
        "This form was already sent with other figures. Check the report and enter the figures again"
    ),
}
MAX_QUANTITY = 1_000_000
ONLY_LEFT = re.compile(r"only (\d+) left")


def qty_field(product_id: str) -> str:
    return f"qty-{product_id}"


# --- the report -------------------------------------------------------------------------------


async def stock_report(viewer: Viewer, fair_id: UUID) -> dict[str, Any] | None:
    """Sales' stock report; None when sales has none to give (nothing tracked at the fair)."""
    try:
        found: dict[str, Any] = await viewer.api.sales.get(f"/fairs/{fair_id}/reports/stock")
    except ApiError as refused:
        if refused.status in (404, 409):
            return None
        raise
    return found


def booth_rows(report: dict[str, Any] | None) -> list[dict[str, Any]]:
    rows = list((report or {}).get("booths") or [])
    return sorted(
        rows, key=lambda r: (str(r.get("booth_code") or ""), str(r["product_name"] or ""))
    )


async def stock_xlsx(viewer: Viewer, fair_id: UUID) -> Response:
    """Sales' XLSX, passed through as it comes (its name and type)."""
    answer = await viewer.api.sales.send(
        "GET", f"/fairs/{fair_id}/reports/stock", params={"format": "xlsx"}
    )
    return Response(
        answer.content,
        media_type=answer.headers.get("content-type", XLSX),
        headers={
            "Content-Disposition": answer.headers.get(
                "content-disposition", 'attachment; filename="stock.xlsx"'
            )
        },
    )


# --- the exhibitor ----------------------------------------------------------------------------


async def approved_application(viewer: Viewer, fair_id: UUID) -> dict[str, Any]:
    for found in await my_applications(viewer):
        if found["fair_id"] == str(fair_id) and found["status"] == "approved":
            return found
    raise ApiError(404, {"detail": "no approved application at this fair", "code": "not_found"})


def admitted_products(application: dict[str, Any]) -> list[dict[str, Any]]:
    """The application's products admitted at the fair (all, when registration names none)."""
    admitted = {str(a["product_id"]) for a in application.get("admitted") or []}
    products = [
        p
        for p in application.get("products") or []
        if not admitted or str(p["product_id"]) in admitted
    ]
    return sorted(products, key=lambda p: str(p["name"]))


async def exhibitor_fair(viewer: Viewer, fair_id: UUID) -> dict[str, Any]:
    found: dict[str, Any] = await viewer.api.registration.get(f"/fairs/{fair_id}")
    return found


@router.get("/exhibitor/fairs/{fair_id}/stock")
async def exhibitor_stock(
    request: Request, viewer: SignedIn, fair_id: UUID, notice: str = ""
) -> Response:
    """ "Hàng mang đến": the stock at the exhibitor's own booths and what it may record."""
    require_exhibitor(viewer)
    await approved_application(viewer, fair_id)
    fair = await exhibitor_fair(viewer, fair_id)
    report = await stock_report(viewer, fair_id)
    return render(
        request,
        "stock/exhibitor.html",
        context(
            fair=fair,
            report=report,
            rows=booth_rows(report),
            notice=NOTICES.get(notice),
            KINDS=KINDS,
        ),
    )


@router.get("/exhibitor/fairs/{fair_id}/stock.xlsx")
async def exhibitor_stock_xlsx(viewer: SignedIn, fair_id: UUID) -> Response:
    require_exhibitor(viewer)
    return await stock_xlsx(viewer, fair_id)


async def _movement_page(
    request: Request,
    viewer: Viewer,
    fair_id: UUID,
    kind: Kind,
    form: FormState,
    *,
    movement_id: str,
    status_code: int = 200,
) -> Response:
    application = await approved_application(viewer, fair_id)
    fair = await exhibitor_fair(viewer, fair_id)
    booths: list[dict[str, Any]] = await viewer.api.booths.get(f"/fairs/{fair_id}/my-booths")
    report = await stock_report(viewer, fair_id)
    on_hand: dict[tuple[str, str], int] = {
        (str(r["booth_id"]), str(r["product_id"])): int(r["on_hand"]) for r in booth_rows(report)
    }
    return render(
        request,
        "stock/movement.html",
        context(
            fair=fair,
            kind=kind,
            form=form,
            booths=booths,
            booth_options=[
                (str(b["booth_id"]), gettext("Booth %(code)s", code=b["code"]), None)
                for b in booths
            ],
            products=admitted_products(application),
            on_hand=on_hand,
            movement_id=movement_id,
            qty_field=qty_field,
        ),
        status_code=status_code,
    )


def _kind(slug: str) -> Kind:
    found = KINDS.get(slug)
    if found is None:
        raise ApiError(404, {"detail": "no such page", "code": "not_found"})
    return found


def _fields(products: list[dict[str, Any]]) -> tuple[Field, ...]:
    return (
        Field("booth_id", N_("Booth")),
        *(Field(qty_field(str(p["product_id"])), str(p["name"])) for p in products),
        Field("reason", N_("Reason")),
    )


@router.get("/exhibitor/fairs/{fair_id}/stock/{slug}")
async def movement_form(request: Request, viewer: SignedIn, fair_id: UUID, slug: str) -> Response:
    require_exhibitor(viewer)
    kind = _kind(slug)
    form = FormState.of((Field("booth_id", N_("Booth")),))
    return await _movement_page(request, viewer, fair_id, kind, form, movement_id=str(uuid.uuid4()))


def read_lines(
    form: FormState, kind: Kind, products: list[dict[str, Any]]
) -> list[tuple[str, int]]:
    """The products given a quantity, in the form's order; errors on the fields."""
    lines: list[tuple[str, int]] = []
    for p in products:
        name = qty_field(str(p["product_id"]))
        text = form.value(name).strip().replace(".", "").replace(" ", "").replace("\u2212", "-")
        if not text:
            continue
        if not re.fullmatch(r"[+-]?\d{1,9}", text):
            form.errors[name] = gettext(MESSAGES["whole_number"])
            continue
        quantity = int(text)
        if abs(quantity) > MAX_QUANTITY:
            form.errors[name] = gettext(MESSAGES["too_large"])
        elif kind.signed and quantity == 0:
            form.errors[name] = gettext(MESSAGES["not_zero"])
        elif not kind.signed and quantity < 1:
            form.errors[name] = gettext(MESSAGES["positive"])
        else:
            lines.append((str(p["product_id"]), quantity))
    return lines


def refusal_onto(form: FormState, refused: ApiError, lines: list[tuple[str, int]]) -> None:
    """Sales' refusal on the field it names: ``lines.N.*`` is the N-th product sent."""
    body = refused.body if isinstance(refused.body, dict) else {}
    detail = body.get("detail")
    if isinstance(detail, list):
        for item in detail:
            loc = [str(p) for p in (item.get("loc") or [])][1:] if isinstance(item, dict) else []
            _onto(form, ".".join(loc), str(item.get("msg", "")) if isinstance(item, dict) else "",
                  str(item.get("type", "")) if isinstance(item, dict) else "", lines)  # fmt: skip
        if form.has_errors:
            return
    field_name = body.get("field")
    _onto(
        form,
        field_name if isinstance(field_name, str) else "",
        str(detail or ""),
        refused.code or "",
        lines,
    )
    if not form.has_errors:
        form.add_api_error(refused)


def _onto(
    form: FormState, api_field: str, message: str, code: str, lines: list[tuple[str, int]]
) -> None:
    found = re.fullmatch(r"lines\.(\d+)\.(product_id|quantity)", api_field)
    if found and int(found.group(1)) < len(lines):
        target = qty_field(lines[int(found.group(1))][0])
        if code == "out_of_stock":
            left = ONLY_LEFT.search(message)
            text = gettext(MESSAGES["out_of_stock"], left=left.group(1) if left else "0")
        elif found.group(2) == "product_id":
            text = gettext(MESSAGES["twice" if "earlier line" in message else "not_admitted"])
        elif "not 0" in message:
            text = gettext(MESSAGES["not_zero"])
        else:
            text = gettext(MESSAGES["positive"])
        form.errors.setdefault(target, text)
    elif api_field == "booth_id":
        form.errors.setdefault("booth_id", gettext(MESSAGES["booth_not_yours"]))
    elif api_field == "reason":
        form.errors.setdefault("reason", gettext(MESSAGES["reason"]))
    elif api_field == "movement_id":
        form.errors.setdefault(FORM, gettext(MESSAGES["movement_conflict"]))


@router.post("/exhibitor/fairs/{fair_id}/stock/{slug}")
async def record_movement(request: Request, viewer: SignedIn, fair_id: UUID, slug: str) -> Response:
    require_exhibitor(viewer)
    kind = _kind(slug)
    submitted = await request.form()
    application = await approved_application(viewer, fair_id)
    products = admitted_products(application)
    form = FormState.of(_fields(products), dict(submitted))
    movement_id = str(submitted.get("movement_id") or uuid.uuid4())
    form.values.pop("movement_id", None)
    booths: list[dict[str, Any]] = await viewer.api.booths.get(f"/fairs/{fair_id}/my-booths")
    booth_id = form.value("booth_id") or (str(booths[0]["booth_id"]) if len(booths) == 1 else "")
    if not booth_id:
        form.errors["booth_id"] = gettext(MESSAGES["choose_booth"])
    lines = read_lines(form, kind, products)
    if not lines and not form.has_errors and products:
        form.errors[qty_field(str(products[0]["product_id"]))] = gettext(MESSAGES["no_quantity"])
    if kind.needs_reason and not form.value("reason").strip():
        form.errors["reason"] = gettext(MESSAGES["reason"])
    if not form.has_errors:
        body: dict[str, Any] = {
            "movement_id": movement_id,
            "booth_id": booth_id,
            "lines": [{"product_id": p, "quantity": q} for p, q in lines],
        }
        if kind.needs_reason:
            body["reason"] = form.value("reason").strip()
        try:
            await viewer.api.sales.post(
                f"/fairs/{fair_id}/stock/{kind.api}", body, idempotency_key=movement_id
            )
        except ApiError as refused:
            if refused.status == 403:
                raise
            refusal_onto(form, refused, lines)
        else:
            return RedirectResponse(
                f"/exhibitor/fairs/{fair_id}/stock?notice={kind.slug}", status_code=303
            )
        movement_id = str(uuid.uuid4())  # nothing was recorded: the corrected form is new
    return await _movement_page(
        request, viewer, fair_id, kind, form, movement_id=movement_id, status_code=422
    )


# --- the organizer ----------------------------------------------------------------------------


@router.get("/organizer/fairs/{fair_id}/stock")
async def organizer_stock(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    """Every booth's stock at the organizer's fair."""
    fair = await own_fair(viewer, fair_id)
    report = await stock_report(viewer, fair_id)
    return render(
        request,
        "stock/report.html",
        {
            "fair": fair,
            "report": report,
            "rows": booth_rows(report),
            "xlsx": f"/organizer/fairs/{fair_id}/stock.xlsx",
            "back": f"/organizer/fairs/{fair_id}",
        },
    )


@router.get("/organizer/fairs/{fair_id}/stock.xlsx")
async def organizer_stock_xlsx(viewer: SignedIn, fair_id: UUID) -> Response:
    await own_fair(viewer, fair_id)
    return await stock_xlsx(viewer, fair_id)
