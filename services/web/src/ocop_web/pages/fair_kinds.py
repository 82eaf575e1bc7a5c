"""What a fair's kind adds to the organizer's fair form (issue 15), beside ``pages/fairs.py``:

- **promotion week** (*tuần lễ xúc tiến* at a supermarket): the host retailer (chosen from
  registration's ``GET /retailers``), some of its stores (``GET /retailers/{id}/stores``) and
  the retailer's commission (``rules.commission_percent``). With JavaScript the stores load
  when the retailer is chosen (htmx, ``GET /organizer/fairs/new/stores``); without it, in two
  steps: the retailer chosen, "Show its stores", then the stores ticked;
- **showroom** (a permanent OCOP centre): its weekly opening hours (both times of a weekday
  left empty: closed that day), its commission, and "no end date" (open-ended);
- **exhibition**: display only, said so (no tills).

Every kind's fields are on the page (conditional reveals as GOV.UK radios do: without
JavaScript all are shown); only the chosen kind's are read and sent. Registration decides
every rule (a retailer's stores, the hours' order, the commission's range); its 422s are put
on the field they name: ``host_retailer_id``, ``store_codes.N`` (the N-th store sent),
``opening_hours.N.*`` (the N-th open day sent, so its weekday), ``rules.commission_percent``.

A showroom's hours change afterwards on their own page (``pages/showroom_hours.py``), with
the same fields (``HOURS_FIELDS``), reader (``opening_hours``) and refusals (``add_kind_error``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from ocop_web.api import ApiError, Unavailable
from ocop_web.forms import Field, FormState
from ocop_web.i18n import N_, gettext
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

# Weekday 0 is Monday, as registration numbers them.
WEEKDAYS: tuple[str, ...] = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
# The fair page's notices after the hours page (pages/fairs.py shows them with its own).
NOTICES: dict[str, str] = {
    "hours_changed": N_("The opening hours have been saved."),
    "hours_unchanged": N_("Nothing was changed: the opening hours are as they were."),
}
COMMISSION_OF = {"promotion_week": "week_commission", "showroom": "showroom_commission"}
OPEN_ENDED = "yes"  # the "no end date" checkbox's value

# A showroom's weekly hours (templates/fairs/_hours_fields.html): on the new fair form and on
# the showroom's own hours page (pages/showroom_hours.py).
HOURS_FIELDS: tuple[Field, ...] = (
    Field("opening_hours", N_("Opening hours")),
    *(
        Field(f"hours_{day}_{end}", N_("Opening time") if end == "opens" else N_("Closing time"))
        for day in range(7)
        for end in ("opens", "closes")
    ),
)
KIND_FIELDS: tuple[Field, ...] = (
    Field("host_retailer_id", N_("Host retailer")),
    Field("store_codes", N_("Stores taking part")),
    Field("week_commission", N_("The retailer's commission (percent of sales)")),
    *HOURS_FIELDS,
    Field("showroom_commission", N_("The showroom's commission (percent of sales)")),
    Field("open_ended", N_("No end date")),
)
# The rules page of a promotion week or a showroom: its commission (``PUT /fairs/{id}/rules``
# replaces the rules whole, so it is sent as it is when not shown).
COMMISSION_FIELDS: tuple[Field, ...] = (
    Field(
        "commission_percent",
        N_("Commission (percent of sales)"),
        api=("commission_percent", "rules.commission_percent"),
    ),
)
KIND_DEFAULTS: dict[str, str] = {"week_commission": "0", "showroom_commission": "0"}
MULTI_VALUED = ("store_codes",)


def multi_values(submitted: FormData) -> dict[str, str]:
    """The ticked stores joined by commas (a store's code has none)."""
    return {
        name: ",".join(str(v) for v in submitted.getlist(name) if isinstance(v, str) and v)
        for name in MULTI_VALUED
    }


def store_codes_of(form: FormState) -> list[str]:
    return [c for c in form.value("store_codes").split(",") if c]


def is_open_ended(form: FormState) -> bool:
    return form.value("fair_kind") == "showroom" and form.value("open_ended") == OPEN_ENDED


def _whole(form: FormState, name: str) -> int | None:
    text = form.value(name).strip().replace(" ", "")
    if not text:
        form.add(name, "missing")
        return None
    if not text.lstrip("-").isdigit():
        form.add(name, "int_parsing")
        return None
    return int(text)


def _time(text: str) -> str | None:
    """HH:MM (also H:MM, HHhMM, HH.MM); None when it is no time of day."""
    cleaned = text.strip().lower().replace("h", ":").replace(".", ":")
    hours, colon, minutes = cleaned.partition(":")
    if not colon or not hours.isdigit() or not minutes.isdigit():
        return None
    if not (0 <= int(hours) < 24 and 0 <= int(minutes) < 60):
        return None
    return f"{int(hours):02d}:{int(minutes):02d}"


def opening_hours(form: FormState) -> list[dict[str, Any]]:
    """The showroom's open days in weekday order (both times empty: closed); errors on the
    time that cannot be read or is missing."""
    found: list[dict[str, Any]] = []
    typed = False
    for day in range(7):
        opens_name, closes_name = f"hours_{day}_opens", f"hours_{day}_closes"
        opens_text, closes_text = form.value(opens_name), form.value(closes_name)
        if not opens_text.strip() and not closes_text.strip():
            continue
        typed = True
        weekday = gettext(WEEKDAYS[day])
        times = {}
        for name, text, missing in (
            (opens_name, opens_text, "opening_time_missing"),
            (closes_name, closes_text, "closing_time_missing"),
        ):
            if not text.strip():
                form.add(name, missing, day=weekday)
            elif (read := _time(text)) is None:
                form.add(name, "hours_time_parsing", day=weekday)
            else:
                times[name] = read
        if len(times) == 2:
            found.append({"weekday": day, "opens": times[opens_name], "closes": times[closes_name]})
    if not typed:
        form.add("opening_hours", "no_opening_hours")
    return found


def hours_values(hours: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """A showroom's hours (registration's [{weekday, opens, closes}]) as the hours fields'
    values; a day it is closed has both times empty."""
    values = {f.name: "" for f in HOURS_FIELDS if f.name != "opening_hours"}
    for h in hours:
        values[f"hours_{h['weekday']}_opens"] = str(h["opens"])
        values[f"hours_{h['weekday']}_closes"] = str(h["closes"])
    return values


def same_hours(typed: Iterable[Mapping[str, Any]], kept: Iterable[Mapping[str, Any]]) -> bool:
    """Whether the hours read from the form are the ones the showroom has (in any order)."""

    def key(hours: Iterable[Mapping[str, Any]]) -> list[tuple[int, str, str]]:
        return sorted((int(h["weekday"]), str(h["opens"]), str(h["closes"])) for h in hours)

    return key(typed) == key(kept)


def hours_changeable(fair: Mapping[str, Any]) -> bool:
    """A showroom's hours change until it finishes, while it runs too (registration's
    ``EDITABLE_WHILE_RUNNING``)."""
    return fair.get("kind") == "showroom" and fair.get("status") != "finished"


def kind_parts(form: FormState) -> dict[str, Any] | None:
    """What the chosen kind adds to ``POST /fairs``'s body (``rules.commission_percent`` under
    ``"commission_percent"``), read from the form; None (errors added) when something is
    missing or unreadable. The other kinds' fields are ignored."""
    kind = form.value("fair_kind")
    parts: dict[str, Any] = {}
    if kind == "promotion_week":
        retailer = form.value("host_retailer_id").strip()
        if not retailer:
            form.add("host_retailer_id", "missing")
        else:
            parts["host_retailer_id"] = retailer
            codes = store_codes_of(form)
            if not codes:
                form.add("store_codes", "missing")
            parts["store_codes"] = codes
    elif kind == "showroom":
        parts["opening_hours"] = opening_hours(form)
    commission_field = COMMISSION_OF.get(kind)
    if commission_field is not None:
        parts["commission_percent"] = _whole(form, commission_field)
    if form.has_errors:
        return None
    return parts


def with_kind(body: dict[str, Any], parts: Mapping[str, Any]) -> dict[str, Any]:
    """``POST /fairs``'s body with the kind's parts; an open-ended showroom sends no end."""
    found = {**body, "rules": dict(body["rules"])}
    for key in ("host_retailer_id", "store_codes", "opening_hours"):
        if key in parts:
            found[key] = parts[key]
    if "commission_percent" in parts:
        found["rules"]["commission_percent"] = parts["commission_percent"]
    return found


def with_commission(
    form: FormState, fair: Mapping[str, Any], rules: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The rules to put with the fair's commission: as typed for a promotion week or a
    showroom, else as the fair has it (0); None when something typed cannot be read."""
    kept = (fair.get("rules") or {}).get("commission_percent") or 0
    commission = _whole(form, "commission_percent") if fair.get("kind") in COMMISSION_OF else kept
    if rules is None or commission is None:
        return None
    return {**rules, "commission_percent": commission}


async def fair_page_context(viewer: Viewer, fair: Mapping[str, Any]) -> dict[str, Any]:
    """What a fair's page shows of its kind: the host retailer's name, the weekdays."""
    name = ""
    if fair.get("host_retailer_id"):
        name = retailer_name(await retailers(viewer), fair["host_retailer_id"])
    hours_change = f"/organizer/fairs/{fair['fair_id']}/hours" if hours_changeable(fair) else None
    return {"retailer_name": name, "WEEKDAYS": WEEKDAYS, "hours_change": hours_change}


def add_kind_error(form: FormState, refused: ApiError, body: Mapping[str, Any]) -> ApiError | None:
    """Registration's 422s on a kind's fields put on the form's field with their own words
    (the store or the weekday named); the refusal's other items are answered for the caller
    to place (None when nothing is left)."""
    if refused.status != 422 or not isinstance(refused.body, dict):
        return refused
    detail = refused.body.get("detail")
    if not isinstance(detail, list):
        return refused
    kind = str(body.get("kind", ""))
    rest = []
    for item in detail:
        loc = [str(p) for p in item.get("loc", [])] if isinstance(item, dict) else []
        if loc and loc[0] == "body":
            loc = loc[1:]
        code = str(item.get("type", "value_error")) if isinstance(item, dict) else ""
        where = _kind_field(loc, code, kind, body)
        if where is None:
            rest.append(item)
            continue
        name, message_code, variables = where
        form.add(name, message_code, **variables)
    if not rest:
        return None
    return ApiError(refused.status, {**refused.body, "detail": rest}, refused.headers)


def _kind_field(
    loc: list[str], code: str, kind: str, body: Mapping[str, Any]
) -> tuple[str, str, dict[str, str]] | None:
    if loc == ["host_retailer_id"]:
        return "host_retailer_id", "no_such_retailer", {}
    if loc[:1] == ["store_codes"]:
        codes = list(body.get("store_codes") or [])
        if len(loc) > 1 and loc[1].isdigit() and int(loc[1]) < len(codes):
            return "store_codes", "store_not_of_retailer", {"store": str(codes[int(loc[1])])}
        return "store_codes", "missing", {}
    if loc[:1] == ["opening_hours"]:
        hours = list(body.get("opening_hours") or [])
        if len(loc) > 2 and loc[1].isdigit() and int(loc[1]) < len(hours):
            day = int(hours[int(loc[1])]["weekday"])
            weekday = gettext(WEEKDAYS[day]) if 0 <= day < 7 else str(day)
            if loc[2] == "closes" and code == "value_error":
                return f"hours_{day}_closes", "closes_before_opens", {"day": weekday}
            end = "closes" if loc[2] == "closes" else "opens"
            return f"hours_{day}_{end}", "hours_time_parsing", {"day": weekday}
        return "opening_hours", "no_opening_hours", {}
    if loc == ["rules", "commission_percent"]:
        return COMMISSION_OF.get(kind, "week_commission"), "commission_range", {}
    return None


# --- retailers and their stores, read for the form ---------------------------------------------


async def retailers(viewer: Viewer) -> list[dict[str, Any]] | None:
    """Registration's retailers by name; None when they cannot be read now."""
    try:
        found: list[dict[str, Any]] = await viewer.api.registration.get("/retailers")
    except (ApiError, Unavailable):
        return None
    return sorted(found, key=lambda r: str(r.get("name", "")))


async def stores(viewer: Viewer, retailer_id: str) -> list[dict[str, Any]] | None:
    """A retailer's stores by code; None when none is chosen or they cannot be read."""
    if not retailer_id.strip():
        return None
    try:
        found: list[dict[str, Any]] = await viewer.api.registration.get(
            f"/retailers/{retailer_id.strip()}/stores"
        )
    except (ApiError, Unavailable):
        return None
    return sorted(found, key=lambda s: str(s.get("store_code", "")))


async def kind_context(viewer: Viewer, form: FormState) -> dict[str, Any]:
    """What the form's kind parts show: the retailers, the chosen one's stores, weekdays."""
    found = await retailers(viewer)
    chosen = form.value("host_retailer_id")
    known = {str(r["organization_id"]) for r in found or []}
    return {
        "RETAILERS": found,
        "STORES": await stores(viewer, chosen) if chosen in known else None,
        "WEEKDAYS": WEEKDAYS,
        "OPEN_ENDED": OPEN_ENDED,
        "checked_stores": store_codes_of(form),
    }


def retailer_name(found: list[dict[str, Any]] | None, retailer_id: Any) -> str:
    for retailer in found or []:
        if str(retailer.get("organization_id")) == str(retailer_id):
            return str(retailer.get("name", retailer_id))
    return str(retailer_id or "")


def store_names(found: list[dict[str, Any]] | None, codes: list[str]) -> list[str]:
    names = {str(s["store_code"]): str(s.get("name", "")) for s in found or []}
    return [f"{names[c]} ({c})" if names.get(c) else c for c in codes]


@router.get("/organizer/fairs/new/stores")
async def stores_fragment(
    request: Request, viewer: SignedIn, host_retailer_id: str = ""
) -> Response:
    """The chosen retailer's stores as checkboxes (htmx swaps them in when the retailer is
    chosen; without JavaScript the form's "Show its stores" does the same)."""
    form = FormState.of(KIND_FIELDS, {"host_retailer_id": host_retailer_id})
    context = await kind_context(viewer, form)
    return render(request, "fairs/_stores.html", {"form": form, **context})
