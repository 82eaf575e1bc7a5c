"""Trade matching at a fair (issue 15; "Giao thương"): the meetings between buyers and
exhibitors and the contracts and memoranda signed there, recorded and reported.

- the organizer, per fair (``/organizer/fairs/{id}/trade``): every meeting and contract, the
  trade report by product group (named), the exhibitor's province, exhibitor and buyer's
  country; recording a meeting (one form) and a contract or memorandum (a form, then a
  check-your-answers page with "Thay đổi" links);
- an exhibitor, under its fair (``/exhibitor/fairs/{id}/trade``): its own, recorded the same
  way, without naming the exhibitor (registration takes itself).

Every rule is registration's (``POST /fairs/{id}/meetings``, ``/trade-contracts``, ``GET
/fairs/{id}/trade``, ``/trade-report``): the web reads only what was typed (a date, a time, an
amount in đồng) and names an empty answer before any call. Each form carries the record's
id made when the form was shown, so sending it twice records once. The products offered are
those the exhibitor's approved application admits at the fair; with JavaScript, choosing the
exhibitor narrows the list (htmx); without, every exhibitor's products are listed by name.

A contract or memorandum may say which recorded meeting it came out of ("Từ cuộc gặp giao
thương nào?", sent as ``meeting_id``): one of the fair's meetings the caller sees (the
organizer: all, each named with its exhibitor; an exhibitor: its own), radios up to
``MEETING_RADIOS``, a select beyond; none by default. Each meeting row links to the form with
it chosen (``?meeting=<id>``, kept only when it names a listed meeting; the buyer and, for
the organizer, the exhibitor are then filled in from it). Registration refuses a meeting not
of that exhibitor at that fair (422 ``meeting_id``), shown on the question."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from ocop_web.api import ApiError
from ocop_web.forms import Field, FormState
from ocop_web.i18n import N_, day, gettext, moment
from ocop_web.pages.exhibitor_common import require_exhibitor
from ocop_web.pages.fairs import own_fair, parse_day, parse_time
from ocop_web.pages.money import parse_amount
from ocop_web.pages.product_groups import ProductGroups, product_groups
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

OUTCOMES: dict[str, tuple[str, str]] = {
    "agreed": (N_("Agreed"), N_("They agreed to buy or to sign")),
    "follow_up": (N_("To follow up"), N_("They will talk again after the fair")),
    "no_deal": (N_("No deal"), N_("Nothing was agreed")),
}
KINDS: dict[str, tuple[str, str]] = {
    "contract": (N_("Contract"), N_("A sale agreed with its value: the value must be above 0")),
    "mou": (
        N_("Memorandum of understanding"),
        N_("An intention to trade; its value may be 0 if none was stated"),
    ),
}
# The buyer's country (ISO 3166-1 alpha-2, as registration keeps it): the countries OCOP
# products are most often sold to first; registration accepts any code.
COUNTRIES: dict[str, str] = {
    "VN": N_("Viet Nam"),
    "CN": N_("China"),
    "JP": N_("Japan"),
    "KR": N_("South Korea"),
    "TH": N_("Thailand"),
    "LA": N_("Laos"),
    "KH": N_("Cambodia"),
    "SG": N_("Singapore"),
    "MY": N_("Malaysia"),
    "ID": N_("Indonesia"),
    "PH": N_("Philippines"),
    "IN": N_("India"),
    "AU": N_("Australia"),
    "US": N_("United States"),
    "CA": N_("Canada"),
    "GB": N_("United Kingdom"),
    "FR": N_("France"),
    "DE": N_("Germany"),
    "NL": N_("Netherlands"),
    "RU": N_("Russia"),
    "AE": N_("United Arab Emirates"),
}

BUYER_FIELDS = (
    Field("buyer_name", N_("Buyer's name"), api=("buyer.name",)),
    Field("buyer_organization", N_("Buyer's company or organization"), api=("buyer.organization",)),
    Field("buyer_country", N_("Buyer's country"), api=("buyer.country",)),
    Field("buyer_province", N_("Buyer's province or city"), api=("buyer.province",)),
    Field("buyer_contact", N_("Buyer's phone number or email address"), api=("buyer.contact",)),
)
MEETING_FIELDS = (
    Field("exhibitor", N_("Exhibitor"), api=("exhibitor_id",)),
    *BUYER_FIELDS,
    Field("held_on", N_("Day of the meeting"), api=("held_at",)),
    Field("held_time", N_("Time of the meeting")),
    Field("outcome", N_("Outcome")),
    Field("note", N_("Note")),
)
CONTRACT_FIELDS = (
    Field("contract_kind", N_("What was signed"), api=("kind",)),
    Field("exhibitor", N_("Exhibitor"), api=("exhibitor_id",)),
    Field("meeting", N_("Trade meeting"), api=("meeting_id",)),  # the one it came out of
    *BUYER_FIELDS,
    Field(
        "product_ids",
        N_("Products"),
        api=("product_ids", *(f"product_ids.{n}" for n in range(50))),
    ),
    Field("value", N_("Value"), api=("value_vnd",)),
    Field("signed_on", N_("Day signed")),
)
MEETING_RADIOS = 10  # meetings offered as radios; more: a select (GOV.UK)


@dataclass(frozen=True, slots=True)
class Exhibit:
    """One exhibitor at the fair and the products its approved application admits there."""

    exhibitor_id: str
    name: str
    province: str
    products: tuple[tuple[str, str], ...]  # (product_id, name)


@dataclass(frozen=True, slots=True)
class Side:
    """Who records: the organizer (names the exhibitor) or an exhibitor (itself)."""

    base: str  # the trade page's address
    back: str  # the fair's page
    organizer: bool


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _exhibit(application: Mapping[str, Any]) -> Exhibit:
    admitted = {str(a["product_id"]) for a in application.get("admitted") or []}
    products = tuple(
        (str(p["product_id"]), str(p["name"]))
        for p in application.get("products") or []
        if not admitted or str(p["product_id"]) in admitted
    )
    return Exhibit(
        str(application["exhibitor_id"]),
        str(application.get("exhibitor_name") or ""),
        str(application.get("province") or ""),
        products,
    )


async def fair_exhibits(viewer: Viewer, fair_id: UUID) -> list[Exhibit]:
    """The fair's exhibitors (approved applications), by name (the organizer's view)."""
    found = await viewer.api.registration.get(
        f"/fairs/{fair_id}/applications", params={"status": "approved"}
    )
    exhibits = [_exhibit(a) for a in found if a.get("status", "approved") == "approved"]
    return sorted(exhibits, key=lambda e: e.name)


async def own_exhibit(viewer: Viewer, fair_id: UUID) -> list[Exhibit]:
    """The exhibitor's own approved application at the fair (none: nothing to record)."""
    found = await viewer.api.registration.get("/applications")
    return [
        _exhibit(a)
        for a in found
        if str(a["fair_id"]) == str(fair_id) and a.get("status") == "approved"
    ]


async def _trade(viewer: Viewer, fair_id: UUID) -> dict[str, Any]:
    found: dict[str, Any] = await viewer.api.registration.get(f"/fairs/{fair_id}/trade")
    return found


async def _meetings(viewer: Viewer, fair_id: UUID) -> list[dict[str, Any]]:
    """The fair's meetings the caller sees (its organizer: all; an exhibitor: its own), the
    latest first."""
    trade = await _trade(viewer, fair_id)
    return sorted(trade["meetings"], key=lambda m: str(m["held_at"]), reverse=True)


def listed_meeting(meetings: list[dict[str, Any]], raw: str) -> dict[str, Any] | None:
    """The meeting a form or a query names, when it is a UUID of a listed one."""
    try:
        wanted = UUID(raw.strip())
    except ValueError:
        return None
    return next((m for m in meetings if str(m["meeting_id"]) == str(wanted)), None)


def meeting_named(meeting: Mapping[str, Any]) -> str:
    """A meeting as a contract names it: the buyer and the day (``Tanaka Hiroshi – 30/08/2026``)."""
    return f"{meeting['buyer']['name']} – {day(meeting['held_at'])}"


def meeting_options(
    meetings: list[dict[str, Any]], organizer: bool
) -> list[tuple[str, str, str | None]]:
    """(value, label, hint) of the question, "none" first: the buyer, then when, the
    exhibitor (the organizer's) and the outcome."""
    options: list[tuple[str, str, str | None]] = [("", gettext("Not linked to a meeting"), None)]
    for m in meetings:
        outcome = OUTCOMES.get(str(m["outcome"]))
        hint = [moment(m["held_at"])]
        if organizer:
            hint.append(str(m.get("exhibitor_name") or ""))
        hint.append(gettext(outcome[0]) if outcome else str(m["outcome"]))
        buyer = m["buyer"]
        options.append(
            (str(m["meeting_id"]), f"{buyer['name']}, {buyer['organization']}", " · ".join(hint))
        )
    return options


async def _report(viewer: Viewer, fair_id: UUID) -> dict[str, Any]:
    found: dict[str, Any] = await viewer.api.registration.get(f"/fairs/{fair_id}/trade-report")
    return found


def country_name(code: str) -> str:
    found = COUNTRIES.get(code)
    return gettext(found) if found else code


def _labels() -> dict[str, Any]:
    return {
        "OUTCOMES": OUTCOMES,
        "TRADE_KINDS": KINDS,
        "country_name": country_name,
        "countries": [(code, gettext(name)) for code, name in COUNTRIES.items()],
    }


def report_rows(report: Mapping[str, Any], groups: ProductGroups) -> dict[str, list[Any]]:
    """The trade report's tables as (label, tally) rows: groups by name, countries by name."""
    return {
        "group": [(groups.name(g["taxonomy"], g["product_group"]), g) for g in report["by_group"]],
        "province": [(p["province"], p) for p in report["by_province"]],
        "exhibitor": [(e["exhibitor_name"], e) for e in report["by_exhibitor"]],
        "country": [(country_name(c["country"]), c) for c in report["by_buyer_country"]],
    }


# --- reading the forms -------------------------------------------------------------------


def _values(submitted: FormData | Mapping[str, Any], multi: list[str]) -> dict[str, str]:
    values = {k: v for k, v in dict(submitted).items() if isinstance(v, str)}
    ids = [p for item in multi for p in item.split(",") if p.strip()]
    values["product_ids"] = ",".join(dict.fromkeys(p.strip() for p in ids))
    return values


def _texts(items: list[Any]) -> list[str]:
    return [i for i in items if isinstance(i, str)]


def _buyer(form: FormState) -> dict[str, Any]:
    province = form.value("buyer_province").strip()
    return {
        "name": form.value("buyer_name").strip(),
        "organization": form.value("buyer_organization").strip(),
        "country": form.value("buyer_country").strip().upper() or "VN",
        "province": province or None,
        "contact": form.value("buyer_contact").strip(),
    }


def _exhibitor_id(form: FormState, side: Side, exhibits: list[Exhibit]) -> str | None:
    """The organizer names the exhibitor (one of the fair's); an exhibitor: none sent."""
    if not side.organizer:
        return None
    chosen = form.value("exhibitor")
    if chosen and all(e.exhibitor_id != chosen for e in exhibits):
        form.add("exhibitor", "missing")
    return chosen or None


def meeting_body(form: FormState, side: Side, exhibits: list[Exhibit]) -> dict[str, Any] | None:
    required = ["buyer_name", "buyer_organization", "buyer_contact", "held_on", "held_time"]
    form.require(*(["exhibitor"] if side.organizer else []), *required, "outcome")
    exhibitor = _exhibitor_id(form, side, exhibits)
    day = parse_day(form.value("held_on")) if form.value("held_on").strip() else None
    if form.value("held_on").strip() and day is None:
        form.add("held_on", "date_parsing")
    time = parse_time(form.value("held_time")) if form.value("held_time").strip() else None
    if form.value("held_time").strip() and time is None:
        form.add("held_time", "time_parsing")
    if form.value("outcome") and form.value("outcome") not in OUTCOMES:
        form.add("outcome", "missing")
    if form.has_errors or day is None or time is None:
        return None
    note = form.value("note").strip()
    body: dict[str, Any] = {
        "buyer": _buyer(form),
        "held_at": f"{day.isoformat()}T{time}:00",
        "outcome": form.value("outcome"),
        "note": note or None,
    }
    if exhibitor:
        body["exhibitor_id"] = exhibitor
    return body


def _meeting_id(
    form: FormState, side: Side, exhibitor: str | None, meetings: list[dict[str, Any]]
) -> str | None:
    """The meeting chosen (none: not linked): one of those listed; the organizer's, of the
    exhibitor chosen. Registration checks it is that exhibitor's at this fair."""
    raw = form.value("meeting").strip()
    if not raw:
        return None
    meeting = listed_meeting(meetings, raw)
    if meeting is None:
        form.add("meeting", "value_error")
        return None
    chosen_exhibitor = side.organizer and exhibitor and not form.error("exhibitor")
    if chosen_exhibitor and str(meeting["exhibitor_id"]) != exhibitor:
        form.add("meeting", "not_the_exhibitors")
    return str(meeting["meeting_id"])


def contract_body(
    form: FormState, side: Side, exhibits: list[Exhibit], meetings: list[dict[str, Any]]
) -> dict[str, Any] | None:
    required = ["buyer_name", "buyer_organization", "buyer_contact", "value", "signed_on"]
    form.require("contract_kind", *(["exhibitor"] if side.organizer else []), *required)
    if form.value("contract_kind") and form.value("contract_kind") not in KINDS:
        form.add("contract_kind", "missing")
    exhibitor = _exhibitor_id(form, side, exhibits)
    meeting = _meeting_id(form, side, exhibitor, meetings)
    products = [p for p in form.value("product_ids").split(",") if p]
    if not products:
        form.add("product_ids", "too_short")
    elif not form.error("exhibitor"):
        shown = next(
            (e for e in exhibits if e.exhibitor_id == exhibitor),
            exhibits[0] if exhibits and not side.organizer else None,
        )
        if shown is not None and any(p not in {i for i, _ in shown.products} for p in products):
            form.add("product_ids", "not_the_exhibitors")
    value = _amount(form)
    day = parse_day(form.value("signed_on")) if form.value("signed_on").strip() else None
    if form.value("signed_on").strip() and day is None:
        form.add("signed_on", "date_parsing")
    if form.has_errors or value is None or day is None:
        return None
    body: dict[str, Any] = {
        "kind": form.value("contract_kind"),
        "buyer": _buyer(form),
        "product_ids": products,
        "value_vnd": value,
        "signed_on": day.isoformat(),
    }
    if exhibitor:
        body["exhibitor_id"] = exhibitor
    if meeting:
        body["meeting_id"] = meeting
    return body


def _amount(form: FormState) -> int | None:
    """Đồng as typed (1.250.000, 1 250 000 ₫); a memorandum may state 0, a contract not."""
    if not form.value("value").strip():
        form.add("value", "missing")
        return None
    if form.value("value").strip() in ("0", "0 ₫", "0đ", "0 đ"):
        if form.value("contract_kind") == "contract":
            form.add("value", "greater_than")
            return None
        return 0
    return parse_amount(form, "value")


# --- pages ---------------------------------------------------------------------------------


def _organizer_side(fair_id: UUID) -> Side:
    return Side(f"/organizer/fairs/{fair_id}/trade", f"/organizer/fairs/{fair_id}", True)


def _exhibitor_side(fair_id: UUID) -> Side:
    return Side(f"/exhibitor/fairs/{fair_id}/trade", "/exhibitor/applications", False)


async def _context(
    viewer: Viewer, side: Side, fair_id: UUID
) -> tuple[dict[str, Any], list[Exhibit]]:
    if side.organizer:
        fair = await own_fair(viewer, fair_id)
        exhibits = await fair_exhibits(viewer, fair_id)
    else:
        require_exhibitor(viewer)
        fair = await viewer.api.registration.get(f"/fairs/{fair_id}")
        exhibits = await own_exhibit(viewer, fair_id)
    return {"fair": fair, "side": side, "exhibits": exhibits, **_labels()}, exhibits


def _product_options(
    exhibits: list[Exhibit], chosen: str, organizer: bool
) -> list[tuple[str, str]]:
    """The products offered: the chosen exhibitor's; none chosen, every exhibitor's, each
    named with its exhibitor."""
    narrowed = [e for e in exhibits if e.exhibitor_id == chosen] if chosen else exhibits
    if not narrowed:
        narrowed = exhibits
    named = organizer and len(narrowed) > 1
    return [
        (pid, f"{name} – {e.name}" if named else name) for e in narrowed for pid, name in e.products
    ]


async def trade_page(
    request: Request, viewer: Viewer, side: Side, fair_id: UUID, notice: str
) -> Response:
    context, exhibits = await _context(viewer, side, fair_id)
    trade = await _trade(viewer, fair_id)
    report = await _report(viewer, fair_id) if side.organizer else None
    groups = await product_groups(viewer) if side.organizer else None
    products = {pid: name for e in exhibits for pid, name in e.products}
    meetings = {str(m["meeting_id"]): m for m in trade["meetings"]}
    return render(
        request,
        "trade/trade.html",
        {
            **context,
            "trade": trade,
            "meetings": sorted(trade["meetings"], key=lambda m: str(m["held_at"]), reverse=True),
            "contracts": sorted(
                trade["contracts"], key=lambda c: str(c["signed_on"]), reverse=True
            ),
            "report": report,
            "report_rows": report_rows(report, groups) if report and groups else None,
            "product_name": lambda pid: products.get(str(pid), str(pid)[:8]),
            "meeting_of": lambda mid: meetings.get(str(mid)) if mid else None,
            "notice": {
                "meeting": gettext("The meeting is recorded."),
                "contract": gettext("The contract or memorandum is recorded."),
            }.get(notice),
        },
    )


@router.get("/organizer/fairs/{fair_id}/trade")
async def organizer_trade(
    request: Request, viewer: SignedIn, fair_id: UUID, notice: str = ""
) -> Response:
    return await trade_page(request, viewer, _organizer_side(fair_id), fair_id, notice)


@router.get("/exhibitor/fairs/{fair_id}/trade")
async def exhibitor_trade(
    request: Request, viewer: SignedIn, fair_id: UUID, notice: str = ""
) -> Response:
    return await trade_page(request, viewer, _exhibitor_side(fair_id), fair_id, notice)


# --- a meeting -----------------------------------------------------------------------------


def _meeting_page(
    request: Request, context: dict[str, Any], form: FormState, meeting_id: str
) -> Response:
    return render(
        request,
        "trade/meeting.html",
        {
            **context,
            "form": form,
            "meeting_id": meeting_id,
            "exhibitor_options": [("", gettext("Choose an exhibitor"))]
            + [(e.exhibitor_id, e.name) for e in context["exhibits"]],
            "outcomes": [(k, gettext(v[0]), gettext(v[1])) for k, v in OUTCOMES.items()],
        },
        status_code=422 if form.has_errors else 200,
    )


async def meeting_form(request: Request, viewer: Viewer, side: Side, fair_id: UUID) -> Response:
    context, _ = await _context(viewer, side, fair_id)
    values = {"buyer_country": "VN"}
    return _meeting_page(request, context, FormState.of(MEETING_FIELDS, values), str(uuid.uuid4()))


async def record_meeting(request: Request, viewer: Viewer, side: Side, fair_id: UUID) -> Response:
    context, exhibits = await _context(viewer, side, fair_id)
    submitted = await request.form()
    form = FormState.of(MEETING_FIELDS, dict(submitted))
    meeting_id = str(submitted.get("meeting_id") or uuid.uuid4())
    body = meeting_body(form, side, exhibits)
    if body is not None:
        try:
            await viewer.api.registration.post(
                f"/fairs/{fair_id}/meetings",
                {"meeting_id": meeting_id, **body},
                idempotency_key=meeting_id,
            )
        except ApiError as refused:
            form.add_api_error(refused)
            meeting_id = str(uuid.uuid4())  # nothing was recorded: the next try is new
        else:
            return see_other(f"{side.base}?notice=meeting")
    return _meeting_page(request, context, form, meeting_id)


@router.get("/organizer/fairs/{fair_id}/trade/meetings/new")
async def organizer_meeting_form(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    return await meeting_form(request, viewer, _organizer_side(fair_id), fair_id)


@router.post("/organizer/fairs/{fair_id}/trade/meetings")
async def organizer_record_meeting(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    return await record_meeting(request, viewer, _organizer_side(fair_id), fair_id)


@router.get("/exhibitor/fairs/{fair_id}/trade/meetings/new")
async def exhibitor_meeting_form(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    return await meeting_form(request, viewer, _exhibitor_side(fair_id), fair_id)


@router.post("/exhibitor/fairs/{fair_id}/trade/meetings")
async def exhibitor_record_meeting(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    return await record_meeting(request, viewer, _exhibitor_side(fair_id), fair_id)


# --- a contract or memorandum ------------------------------------------------------------------


async def _contract_context(
    viewer: Viewer, side: Side, fair_id: UUID
) -> tuple[dict[str, Any], list[Exhibit], list[dict[str, Any]]]:
    context, exhibits = await _context(viewer, side, fair_id)
    meetings = await _meetings(viewer, fair_id)
    return {**context, "meetings": meetings}, exhibits, meetings


def _contract_page(request: Request, context: dict[str, Any], form: FormState) -> Response:
    exhibits: list[Exhibit] = context["exhibits"]
    side: Side = context["side"]
    options = meeting_options(context["meetings"], side.organizer)
    return render(
        request,
        "trade/contract.html",
        {
            **context,
            "form": form,
            "exhibitor_options": [("", gettext("Choose an exhibitor"))]
            + [(e.exhibitor_id, e.name) for e in exhibits],
            "kinds": [(k, gettext(v[0]), gettext(v[1])) for k, v in KINDS.items()],
            "product_options": _product_options(exhibits, form.value("exhibitor"), side.organizer),
            "checked": form.value("product_ids").split(","),
            "meeting_options": options,
            "meeting_select": [
                (v, f"{label} – {hint}" if hint else label) for v, label, hint in options
            ],
            "meeting_radios": len(options) - 1 <= MEETING_RADIOS,
        },
        status_code=422 if form.has_errors else 200,
    )


def _from_meeting(
    values: dict[str, str], query: Mapping[str, str], side: Side, meeting: Mapping[str, Any]
) -> None:
    """A form opened from a meeting: the answers it gives, unless the query gives them."""
    buyer = meeting["buyer"]
    given = {
        "buyer_name": buyer.get("name"),
        "buyer_organization": buyer.get("organization"),
        "buyer_country": buyer.get("country"),
        "buyer_province": buyer.get("province"),
        "buyer_contact": buyer.get("contact"),
    }
    if side.organizer:
        given["exhibitor"] = meeting.get("exhibitor_id")
    for name, value in given.items():
        if name not in query and value:
            values[name] = str(value)


async def contract_form(request: Request, viewer: Viewer, side: Side, fair_id: UUID) -> Response:
    context, _, meetings = await _contract_context(viewer, side, fair_id)
    query = request.query_params
    values = {f.name: query.get(f.name, "") for f in CONTRACT_FIELDS}
    values = _values(values, query.getlist("product_ids"))
    chosen = listed_meeting(meetings, query.get("meeting", ""))  # else ignored
    values["meeting"] = str(chosen["meeting_id"]) if chosen else ""
    if chosen:
        _from_meeting(values, query, side, chosen)
    values["buyer_country"] = values.get("buyer_country") or "VN"
    return _contract_page(request, context, FormState.of(CONTRACT_FIELDS, values))


async def check_contract(request: Request, viewer: Viewer, side: Side, fair_id: UUID) -> Response:
    context, exhibits, meetings = await _contract_context(viewer, side, fair_id)
    submitted = await request.form()
    form = FormState.of(
        CONTRACT_FIELDS, _values(submitted, _texts(submitted.getlist("product_ids")))
    )
    body = contract_body(form, side, exhibits, meetings)
    if body is None:
        return _contract_page(request, context, form)
    query = urlencode(
        [(f.name, form.value(f.name)) for f in CONTRACT_FIELDS if f.name != "product_ids"]
        + [("product_ids", p) for p in body["product_ids"]]
    )
    new = f"{side.base}/contracts/new?{query}"
    products = {pid: name for e in exhibits for pid, name in e.products}
    linked = listed_meeting(meetings, body.get("meeting_id") or "")
    exhibitor = next(
        (e.name for e in exhibits if e.exhibitor_id == form.value("exhibitor")),
        exhibits[0].name if exhibits else "",
    )
    return render(
        request,
        "trade/contract_check.html",
        {
            **context,
            "form": form,
            "body": body,
            "exhibitor_name": exhibitor,
            "product_names": [products.get(p, p) for p in body["product_ids"]],
            "meeting_name": meeting_named(linked) if linked else gettext("Not linked to a meeting"),
            "change": {f.name: f"{new}#{f.name}" for f in CONTRACT_FIELDS},
            "contract_id": str(uuid.uuid4()),
        },
    )


async def record_contract(request: Request, viewer: Viewer, side: Side, fair_id: UUID) -> Response:
    context, exhibits, meetings = await _contract_context(viewer, side, fair_id)
    submitted = await request.form()
    form = FormState.of(
        CONTRACT_FIELDS, _values(submitted, _texts(submitted.getlist("product_ids")))
    )
    body = contract_body(form, side, exhibits, meetings)
    if body is not None:
        contract_id = str(submitted.get("contract_id") or uuid.uuid4())
        try:
            await viewer.api.registration.post(
                f"/fairs/{fair_id}/trade-contracts",
                {"contract_id": contract_id, **body},
                idempotency_key=contract_id,
            )
        except ApiError as refused:
            form.add_api_error(refused)
        else:
            return see_other(f"{side.base}?notice=contract")
    return _contract_page(request, context, form)


@router.get("/organizer/fairs/{fair_id}/trade/contracts/new")
async def organizer_contract_form(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    return await contract_form(request, viewer, _organizer_side(fair_id), fair_id)


@router.get("/organizer/fairs/{fair_id}/trade/products")
async def organizer_products(
    request: Request, viewer: SignedIn, fair_id: UUID, exhibitor: str = ""
) -> Response:
    """htmx: the products checkboxes of the exhibitor chosen (a fragment)."""
    await own_fair(viewer, fair_id)
    exhibits = await fair_exhibits(viewer, fair_id)
    form = FormState.of(CONTRACT_FIELDS, {"exhibitor": exhibitor})
    return render(
        request,
        "trade/_products.html",
        {
            "form": form,
            "product_options": _product_options(exhibits, exhibitor, True),
            "checked": [],
        },
    )


@router.post("/organizer/fairs/{fair_id}/trade/contracts/check")
async def organizer_check_contract(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    return await check_contract(request, viewer, _organizer_side(fair_id), fair_id)


@router.post("/organizer/fairs/{fair_id}/trade/contracts")
async def organizer_record_contract(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    return await record_contract(request, viewer, _organizer_side(fair_id), fair_id)


@router.get("/exhibitor/fairs/{fair_id}/trade/contracts/new")
async def exhibitor_contract_form(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    return await contract_form(request, viewer, _exhibitor_side(fair_id), fair_id)


@router.post("/exhibitor/fairs/{fair_id}/trade/contracts/check")
async def exhibitor_check_contract(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    return await check_contract(request, viewer, _exhibitor_side(fair_id), fair_id)


@router.post("/exhibitor/fairs/{fair_id}/trade/contracts")
async def exhibitor_record_contract(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    return await record_contract(request, viewer, _exhibitor_side(fair_id), fair_id)
