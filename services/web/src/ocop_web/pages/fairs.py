"""The organizer console's fairs: the organization's own fairs, creating one (a form, then a
check-your-answers page with "Change" links, then registration's ``POST /fairs``), a fair's
page, its admission rules changed (``PUT /fairs/{id}/rules``) and its lifecycle steps, each
behind a confirmation page (``POST /fairs/{id}/lifecycle``).

Registration decides every rule (the schedule's order, stars, groups, limits, which step
may follow which); this page only reads what was typed (a date as dd/mm/yyyy, a number)
and names a refusal on its field in the reader's language.

Dates are Viet Nam's: a fair opens at the time given on its first day and closes at the time
given on its last; applications open at 00:00 on their first day and close at 23:59 on their
last (registration reads times without an offset as Viet Nam's)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from ocop_web.api import ApiError
from ocop_web.forms import Field, FormState
from ocop_web.i18n import N_, VIET_NAM
from ocop_web.pages import fair_kinds
from ocop_web.pages.inspector import DECISIONS as INSPECTION_DECISIONS
from ocop_web.pages.product_groups import ProductGroups, product_groups
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

ORGANIZER_ROLES = frozenset({"organizer", "admin"})

KINDS: dict[str, str] = {
    "fair": N_("Fair"),
    "exhibition": N_("Exhibition"),
    "promotion_week": N_("Promotion week"),
    "showroom": N_("Showroom"),
}
STATUSES: dict[str, tuple[str, str]] = {  # status -> (label, tag colour)
    "draft": (N_("Draft"), "grey"),
    "open": (N_("Open for applications"), "green"),
    "closed": (N_("Applications closed"), "yellow"),
    "running": (N_("Running"), "blue"),
    "finished": (N_("Finished"), "grey"),
}
# How booths are given out (registration's ``allocation_mode``; booths honours it).
ALLOCATION_MODES: dict[str, tuple[str, str]] = {
    "self_service": (
        N_("First come, first served"),
        N_(
            "Approved exhibitors choose a free booth on the plan themselves and hold it while "
            "they pay. The first to hold a booth gets it."
        ),
    ),
    "ranked": (
        N_("Ranked choices"),
        N_(
            "Approved exhibitors rank the booths they want on the plan. You then run the "
            "allocation, which places exhibitors by star and application time, each in its "
            "best choice still free, and you commit it."
        ),
    ),
}


@dataclass(frozen=True, slots=True)
class Step:
    """A lifecycle step: the status it starts from, its name, what it does, its button."""

    action: str
    source: str
    title: str
    explanation: str
    button: str


STEPS: dict[str, Step] = {
    s.action: s
    for s in (
        Step(
            "open",
            "draft",
            N_("Open the fair for applications"),
            N_(
                "The fair becomes public: exhibitors see it and can apply until applications close."
            ),
            N_("Open for applications"),
        ),
        Step(
            "close",
            "open",
            N_("Close applications"),
            N_(
                "No more applications are accepted. Review the ones waiting before the fair starts."
            ),
            N_("Close applications"),
        ),
        Step(
            "start",
            "closed",
            N_("Start the fair"),
            N_("The fair is running: tills can sell. Its rules can no longer change."),
            N_("Start the fair"),
        ),
        Step(
            "finish",
            "running",
            N_("Finish the fair"),
            N_("The fair ends: no more sales are recorded. This cannot be undone."),
            N_("Finish the fair"),
        ),
    )
}
NEXT_STEP: dict[str, str] = {step.source: step.action for step in STEPS.values()}
# A showroom admits new producers while it runs (registration's rolling admissions): it
# starts straight from open, its applications staying open within their window, and its
# organizer closes them while it runs (it keeps running). (action, status) -> the step.
ROLLING_ADMISSIONS = ("showroom",)
SHOWROOM_STEPS: dict[tuple[str, str], Step] = {
    ("start", "open"): Step(
        "start",
        "open",
        N_("Open the showroom"),
        N_(
            "The showroom opens: tills can sell. Applications stay open while it runs, until "
            "their closing date or until you close them."
        ),
        N_("Open the showroom"),
    ),
    ("close", "running"): Step(
        "close",
        "running",
        N_("Close applications"),
        N_(
            "No more applications are accepted. The showroom keeps running and selling; "
            "the producers already admitted stay."
        ),
        N_("Close applications"),
    ),
}


def takes_applications(fair: Mapping[str, Any], now: datetime) -> bool:
    """Whether exhibitors may apply now (registration decides; this only lists): an open
    fair, or a running showroom, within its application window."""
    status = fair["status"]
    rolling = status == "running" and fair.get("kind") in ROLLING_ADMISSIONS
    if status != "open" and not rolling:
        return False
    opens = datetime.fromisoformat(str(fair["applications_open_at"]))
    closes = datetime.fromisoformat(str(fair["applications_close_at"]))
    return opens <= now <= closes


def steps_of(fair: Mapping[str, Any], now: datetime) -> list[Step]:
    """The lifecycle steps offered on a fair's page: the next one of its lifecycle; a
    showroom's start from open too, and its applications' close while it runs and takes
    them."""
    status = str(fair["status"])
    steps = [STEPS[NEXT_STEP[status]]] if status in NEXT_STEP else []
    if fair.get("kind") not in ROLLING_ADMISSIONS:
        return steps
    if status == "open":
        steps.append(SHOWROOM_STEPS[("start", "open")])
    if status == "running" and takes_applications(fair, now):
        steps.insert(0, SHOWROOM_STEPS[("close", "running")])
    return steps


def step_for(fair: Mapping[str, Any], action: str) -> Step | None:
    """The confirmation page's wording of a step for this fair (a showroom's own, where it
    differs)."""
    if fair.get("kind") in ROLLING_ADMISSIONS:
        own = SHOWROOM_STEPS.get((action, str(fair["status"])))
        if own is not None:
            return own
    return STEPS.get(action)


FAIR_FIELDS = (
    Field("fair_name", N_("Name of the fair"), api=("name",)),
    Field("fair_kind", N_("Kind of event"), api=("kind",)),
    Field("venue", N_("Venue")),
    Field("province", N_("Province or city")),
    Field("starts_on", N_("First day of the fair"), api=("starts_at",)),
    Field("starts_time", N_("Opening time")),
    Field("ends_on", N_("Last day of the fair"), api=("ends_at",)),
    Field("ends_time", N_("Closing time")),
    Field("applications_open_on", N_("Applications open on"), api=("applications_open_at",)),
    Field("applications_close_on", N_("Applications close on"), api=("applications_close_at",)),
)
RULE_FIELDS = (
    Field("min_star", N_("Minimum star"), api=("rules.min_star",)),
    Field("groups", N_("Product groups admitted"), api=("rules.product_groups", "rules.taxonomy")),
    Field(
        "max_booths_per_holder",
        N_("Booths per OCOP holder, at most"),
        api=("rules.max_booths_per_holder",),
    ),
    Field(
        "subsidy_percent", N_("Subsidy (percent of the booth fee)"), api=("rules.subsidy_percent",)
    ),
    Field(
        "subsidy_max_booths",
        N_("Subsidised booths per holder, at most"),
        api=("rules.subsidy_max_booths",),
    ),
    Field("allocation_mode", N_("How booths are given out"), api=("rules.allocation_mode",)),
)
# The rules page's own rule (issue 15): a district trade fair admits ordinary local goods.
# ``PUT /fairs/{id}/rules`` replaces the rules whole, so it is always sent, as ticked.
LOCAL_GOODS = "yes"
LOCAL_GOODS_FIELDS = (
    Field(
        "admits_local_goods",
        N_("Admit local goods without an OCOP star"),
        api=("rules.admits_local_goods",),
    ),
)
RULES_PAGE_FIELDS = RULE_FIELDS + fair_kinds.COMMISSION_FIELDS + LOCAL_GOODS_FIELDS
# A new fair's form: the kind's own parts (issue 15) follow the kind, as on the page.
NEW_FIELDS = FAIR_FIELDS[:2] + fair_kinds.KIND_FIELDS + FAIR_FIELDS[2:] + RULE_FIELDS
# The fair's details an organizer may edit while it is a draft or open (``PATCH``).
DETAIL_FIELDS = tuple(f for f in FAIR_FIELDS if f.name != "fair_kind")
DEFAULTS = {
    "fair_kind": "fair",
    "starts_time": "08:00",
    "ends_time": "22:00",
    "min_star": "3",
    "max_booths_per_holder": "2",
    "subsidy_percent": "0",
    "subsidy_max_booths": "0",
    "allocation_mode": "self_service",
}
EDITABLE = ("draft", "open")  # a fair's details change only then (registration decides)


# --- reading what was typed -----------------------------------------------------------------


def parse_day(text: str) -> date | None:
    """dd/mm/yyyy (also d/m/yyyy, with - or . between); None when it is no real date."""
    cleaned = text.strip().replace("-", "/").replace(".", "/").replace(" ", "")
    parts = cleaned.split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
        return None
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        return None


def parse_time(text: str) -> str | None:
    """HH:MM (also H:MM or HHhMM); None when it is no time of day."""
    cleaned = text.strip().lower().replace("h", ":").replace(".", ":")
    parts = cleaned.split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or not parts[1]:
        return None
    hours, minutes = int(parts[0]), int(parts[1])
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        return None
    return f"{hours:02d}:{minutes:02d}"


def parse_whole(form: FormState, name: str) -> int | None:
    text = form.value(name).strip().replace(".", "").replace(" ", "")
    if not text:
        form.add(name, "missing")
        return None
    if not text.lstrip("-").isdigit():
        form.add(name, "int_parsing")
        return None
    return int(text)


def groups_of(value: str, groups: ProductGroups) -> list[tuple[str, int]]:
    """``"2023-1,2023-3"`` → ``[("2023", 1), ("2023", 3)]`` (groups registration does not
    name are dropped)."""
    found = []
    for item in value.split(","):
        taxonomy, _, number = item.strip().partition("-")
        if number.isdigit() and groups.knows(taxonomy, int(number)):
            found.append((taxonomy, int(number)))
    return found


def all_groups(groups: ProductGroups) -> str:
    """Every group of the newest classification, ticked on a new fair's form."""
    newest = max(groups.classifications, default="")
    return ",".join(f"{newest}-{n}" for n in groups.numbers(newest))


def form_values(submitted: FormData) -> dict[str, str]:
    """The form's text fields, and the checked product groups joined by commas."""
    values = {k: v for k, v in submitted.items() if isinstance(v, str) and k != "groups"}
    if "groups" in submitted:
        checked = [str(v) for v in submitted.getlist("groups") if isinstance(v, str)]
        values["groups"] = ",".join(c for part in checked for c in part.split(",") if c)
    else:
        values["groups"] = ""
    values.update(fair_kinds.multi_values(submitted))  # a promotion week's stores (issue 15)
    return values


def rules_body(form: FormState, groups: ProductGroups) -> dict[str, Any] | None:
    """The ``rules`` object from the form, or None (errors added) when a value is unreadable."""
    star = form.value("min_star")
    if not star:
        form.add("min_star", "missing")
    mode = form.value("allocation_mode")
    if mode not in ALLOCATION_MODES:
        form.add("allocation_mode", "missing")
    chosen = groups_of(form.value("groups"), groups)
    taxonomies = {t for t, _ in chosen}
    if not chosen:
        form.add("groups", "missing")
    elif len(taxonomies) > 1:
        form.add("groups", "mixed_taxonomies")
    numbers = {
        name: parse_whole(form, name)
        for name in ("max_booths_per_holder", "subsidy_percent", "subsidy_max_booths")
    }
    if form.has_errors:
        return None
    return {
        "min_star": int(star) if star.isdigit() else star,
        "taxonomy": taxonomies.pop(),
        "product_groups": sorted(n for _, n in chosen),
        **numbers,
        "allocation_mode": mode,
    }


def fair_body(form: FormState, groups: ProductGroups) -> dict[str, Any] | None:
    """``POST /fairs``'s body from the form; None (errors on their fields) when something
    typed cannot be read. Whether the dates are in order is registration's to say."""
    form.require("fair_kind")
    open_ended = fair_kinds.is_open_ended(form)  # a showroom with no end (issue 15)
    if form.value("fair_kind") == "showroom" and not open_ended and not form.value("ends_on"):
        form.add("ends_on", "showroom_end")
    details = details_body(form, open_ended=open_ended)
    rules = rules_body(form, groups)
    parts = fair_kinds.kind_parts(form)
    if details is None or rules is None or parts is None or form.has_errors:
        return None
    body = {**details, "kind": form.value("fair_kind"), "rules": rules}
    return fair_kinds.with_kind(body, parts)


def details_body(form: FormState, *, open_ended: bool = False) -> dict[str, Any] | None:
    """The name, venue, province and the four dates from the form (local times in Viet
    Nam); None (errors on their fields) when something typed cannot be read. An open-ended
    showroom has no end: its last day is not read and no ``ends_at`` is sent."""
    form.require("fair_name", "venue", "province")
    days: dict[str, date] = {}
    day_names = ("starts_on", "ends_on", "applications_open_on", "applications_close_on")
    for name in (n for n in day_names if not (open_ended and n == "ends_on")):
        text = form.value(name)
        if not text.strip():
            form.add(name, "missing")
            continue
        found = parse_day(text)
        if found is None:
            form.add(name, "date_parsing")
        else:
            days[name] = found
    times: dict[str, str] = {}
    for name in ("starts_time",) if open_ended else ("starts_time", "ends_time"):
        found_time = parse_time(form.value(name) or DEFAULTS[name])
        if found_time is None:
            form.add(name, "time_parsing")
        else:
            times[name] = found_time
    if len(days) < (3 if open_ended else 4) or len(times) < (1 if open_ended else 2):
        return None
    body: dict[str, Any] = {
        "name": form.value("fair_name").strip(),
        "venue": form.value("venue").strip(),
        "province": form.value("province").strip(),
        "starts_at": f"{days['starts_on'].isoformat()}T{times['starts_time']}:00",
        "applications_open_at": f"{days['applications_open_on'].isoformat()}T00:00:00",
        "applications_close_at": f"{days['applications_close_on'].isoformat()}T23:59:00",
    }
    if not open_ended:
        body["ends_at"] = f"{days['ends_on'].isoformat()}T{times['ends_time']}:00"
    return body


def add_fair_error(form: FormState, refused: ApiError) -> None:
    """Registration's refusal on the form's field. Its schedule check names the later of two
    instants; a 409 on ``status`` is a step the fair's state does not allow (an edit of a fair
    no longer a draft or open: ``fair_not_editable``)."""
    body = refused.body if isinstance(refused.body, dict) else {}
    if refused.code == "fair_not_editable":
        form.add(None, "fair_not_editable")
        return
    if refused.status == 409 and body.get("field") == "status":
        form.add(None, "fair_state_changed")
        return
    form.add_api_error(refused)


# --- what the pages show ----------------------------------------------------------------------


def fair_values(fair: Mapping[str, Any]) -> dict[str, str]:
    """A fair's rules as the rules form's values."""
    rules = fair.get("rules") or {}
    taxonomy = str(rules.get("taxonomy", "2023"))
    return {
        "min_star": str(rules.get("min_star", 3)),
        "groups": ",".join(f"{taxonomy}-{g}" for g in rules.get("product_groups", [])),
        "max_booths_per_holder": str(rules.get("max_booths_per_holder", 2)),
        "subsidy_percent": str(rules.get("subsidy_percent", 0)),
        "subsidy_max_booths": str(rules.get("subsidy_max_booths", 0)),
        "allocation_mode": str(rules.get("allocation_mode") or "self_service"),
        "commission_percent": str(rules.get("commission_percent") or 0),  # issue 15
        "admits_local_goods": LOCAL_GOODS if rules.get("admits_local_goods") else "",
    }


def _local(value: Any) -> datetime:
    found = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return (found if found.tzinfo else found.replace(tzinfo=VIET_NAM)).astimezone(VIET_NAM)


def detail_values(fair: Mapping[str, Any]) -> dict[str, str]:
    """A fair's name, venue, province and dates as the details form's values (Viet Nam's)."""
    starts, ends = _local(fair["starts_at"]), _local(fair["ends_at"])
    return {
        "fair_name": str(fair["name"]),
        "venue": str(fair["venue"]),
        "province": str(fair["province"]),
        "starts_on": starts.strftime("%d/%m/%Y"),
        "starts_time": starts.strftime("%H:%M"),
        "ends_on": ends.strftime("%d/%m/%Y"),
        "ends_time": ends.strftime("%H:%M"),
        "applications_open_on": _local(fair["applications_open_at"]).strftime("%d/%m/%Y"),
        "applications_close_on": _local(fair["applications_close_at"]).strftime("%d/%m/%Y"),
    }


def changed_details(fair: Mapping[str, Any], body: Mapping[str, Any]) -> dict[str, Any]:
    """What ``PATCH /fairs/{id}`` should change: the texts and the fair's opening and closing
    as typed when they differ; an application date only when its day differs (its time of
    day is kept as registration has it otherwise)."""
    changes: dict[str, Any] = {}
    for key in ("name", "venue", "province"):
        if body[key] != fair.get(key):
            changes[key] = body[key]
    for key in ("starts_at", "ends_at"):
        if key in body and _local(body[key]) != _local(fair[key]):
            changes[key] = body[key]
    for key in ("applications_open_at", "applications_close_at"):
        if _local(body[key]).date() != _local(fair[key]).date():
            changes[key] = body[key]
    return changes


async def own_fairs(viewer: Viewer) -> list[dict[str, Any]]:
    """The organization's fairs, drafts included (registration: ``GET /organizer/fairs``)."""
    fairs: list[dict[str, Any]] = await viewer.api.registration.get("/organizer/fairs")
    return sorted(fairs, key=lambda f: str(f["starts_at"]), reverse=True)


async def own_fair(viewer: Viewer, fair_id: UUID) -> dict[str, Any]:
    """One of the organization's fairs. Registration's ``GET /fairs/{id}`` shows no drafts,
    so the organization's list is read; a fair not in it answers 404 (not found)."""
    for fair in await own_fairs(viewer):
        if str(fair["fair_id"]) == str(fair_id):
            return fair
    raise ApiError(404, {"detail": "no such fair", "code": "not_found"})


def console_context(groups: ProductGroups | None = None) -> dict[str, Any]:
    """The console's labels; with registration's product groups (``GROUPS``) where a page
    names groups."""
    found = groups or ProductGroups()
    return {
        "KINDS": KINDS,
        "STATUSES": STATUSES,
        "STEPS": STEPS,
        "NEXT_STEP": NEXT_STEP,
        "ALLOCATION_MODES": ALLOCATION_MODES,
        "GROUPS": found,
        "group_names": found.names,
    }


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# --- pages ------------------------------------------------------------------------------------


@router.get("/organizer/fairs")
async def fairs_page(request: Request, viewer: SignedIn, notice: str = "") -> Response:
    fairs = await own_fairs(viewer)
    return render(
        request,
        "fairs/list.html",
        {**console_context(), "fairs": fairs, "notice": NOTICES.get(notice)},
    )


@router.get("/organizer/fairs/new")
async def new_fair_page(request: Request, viewer: SignedIn) -> Response:
    """The form, empty or (from a "Change" link) with the answers given so far."""
    groups = await product_groups(viewer)
    given = {k: v for k, v in request.query_params.items() if k != "lang"}
    defaults = {**DEFAULTS, **fair_kinds.KIND_DEFAULTS, "groups": all_groups(groups)}
    values = {**defaults, **given} if given else defaults
    form = FormState.of(NEW_FIELDS, values)
    return await _new_fair_form(request, viewer, form, groups)


async def _new_fair_form(
    request: Request,
    viewer: Viewer,
    form: FormState,
    groups: ProductGroups,
    status_code: int = 200,
) -> Response:
    """The form with what the kinds need: the retailers, the chosen one's stores."""
    return render(
        request,
        "fairs/new.html",
        {
            **console_context(groups),
            **await fair_kinds.kind_context(viewer, form),
            "form": form,
        },
        status_code=status_code,
    )


@router.post("/organizer/fairs/new")
async def check_new_fair(request: Request, viewer: SignedIn) -> Response:
    """The answers read; errors back on the form, else the check-your-answers page."""
    groups = await product_groups(viewer)
    submitted = await request.form()
    form = FormState.of(NEW_FIELDS, form_values(submitted))
    if submitted.get("show_stores"):  # without JavaScript: the retailer chosen, its stores
        return see_other(new_fair_url(form.values, "stores-group"))
    body = fair_body(form, groups)
    if body is None:
        return await _new_fair_form(request, viewer, form, groups, status_code=422)
    kinds = await fair_kinds.kind_context(viewer, form) if body["kind"] == "promotion_week" else {}
    return render(
        request,
        "fairs/check.html",
        {
            **console_context(groups),
            "form": form,
            "body": body,
            "when": {
                k: datetime.fromisoformat(body[k]).replace(tzinfo=VIET_NAM)
                for k in ("starts_at", "ends_at", "applications_open_at", "applications_close_at")
                if k in body  # an open-ended showroom has no end
            },
            "retailer_name": fair_kinds.retailer_name(
                kinds.get("RETAILERS"), body.get("host_retailer_id")
            ),
            "store_names": fair_kinds.store_names(
                kinds.get("STORES"), list(body.get("store_codes") or [])
            ),
            "WEEKDAYS": fair_kinds.WEEKDAYS,
            "change": change_links(form.values),
            "request_key": str(uuid.uuid4()),
        },
    )


def new_fair_url(values: Mapping[str, str], anchor: str) -> str:
    """The form again with every answer so far, at ``anchor``."""
    kept = {k: v for k, v in values.items() if k in {f.name for f in NEW_FIELDS}}
    return f"/organizer/fairs/new?{urlencode(kept)}#{anchor}"


def change_links(values: Mapping[str, str]) -> dict[str, str]:
    """Each answer's "Change" link: the form again with every answer so far, at that field."""
    return {f.name: new_fair_url(values, f.name) for f in NEW_FIELDS}


@router.post("/organizer/fairs")
async def create_fair(request: Request, viewer: SignedIn) -> Response:
    """Confirmed on the check page: registration creates the fair as a draft."""
    submitted = await request.form()
    form = FormState.of(NEW_FIELDS, form_values(submitted))
    key = str(submitted.get("request_key") or uuid.uuid4())
    groups = await product_groups(viewer)
    body = fair_body(form, groups)
    if body is not None:
        try:
            created = await viewer.api.registration.post("/fairs", body, idempotency_key=key)
        except ApiError as refused:
            rest = fair_kinds.add_kind_error(form, refused, body)  # a kind's fields (issue 15)
            if rest is not None:
                add_fair_error(form, rest)
        else:
            return see_other(f"/organizer/fairs/{created['fair_id']}?notice=created")
    return await _new_fair_form(request, viewer, form, groups, status_code=422)


NOTICES: dict[str, str] = {
    "created": N_(
        "The fair has been created as a draft. Open it for applications when it is ready."
    ),
    "rules_changed": N_("The fair's rules have been changed."),
    "details_changed": N_("The fair's details have been changed."),
    "details_unchanged": N_("Nothing was changed: the details are as they were."),
    "open": N_("The fair is open for applications."),
    "close": N_("Applications are closed."),
    "start": N_("The fair has started."),
    "finish": N_("The fair has finished."),
    **fair_kinds.NOTICES,  # a showroom's hours page (pages/showroom_hours.py)
}


async def inspections_of(viewer: Viewer, fair: dict[str, Any]) -> dict[str, Any] | None:
    """The fair's quality inspections, counted (issue 15): once it is set up or selling."""
    if fair["status"] not in ("closed", "running", "finished"):
        return None
    try:
        found: dict[str, Any] = await viewer.api.registration.get(
            f"/fairs/{fair['fair_id']}/inspections"
        )
    except ApiError:
        return None
    return found


@router.get("/organizer/fairs/{fair_id}")
async def fair_page(
    request: Request, viewer: SignedIn, fair_id: UUID, notice: str = ""
) -> Response:
    fair = await own_fair(viewer, fair_id)
    waiting: int | None = None
    if fair["status"] != "draft":
        try:
            queue = await viewer.api.registration.get(
                f"/fairs/{fair_id}/applications", params={"status": "submitted"}
            )
            waiting = len(queue)
        except ApiError:
            waiting = None
    inspected = await inspections_of(viewer, fair)  # issue 15
    return render(
        request,
        "fairs/fair.html",
        {
            **await fair_kinds.fair_page_context(viewer, fair),  # the kind's parts (issue 15)
            "inspected": inspected,
            "DECISIONS": INSPECTION_DECISIONS,
            **console_context(await product_groups(viewer)),
            "fair": fair,
            "editable": fair["status"] in EDITABLE,
            "waiting": waiting,
            "next_steps": steps_of(fair, datetime.now(UTC)),
            "taking_applications": fair["status"] == "running"
            and takes_applications(fair, datetime.now(UTC)),
            "notice": NOTICES.get(notice),
        },
    )


@router.get("/organizer/fairs/{fair_id}/rules")
async def rules_page(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    fair = await own_fair(viewer, fair_id)
    form = FormState.of(RULES_PAGE_FIELDS, fair_values(fair))
    groups = await product_groups(viewer)
    return render(
        request, "fairs/rules.html", {**console_context(groups), "fair": fair, "form": form}
    )


@router.post("/organizer/fairs/{fair_id}/rules")
async def change_rules(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    fair = await own_fair(viewer, fair_id)
    submitted = await request.form()
    form = FormState.of(RULES_PAGE_FIELDS, form_values(submitted))
    groups = await product_groups(viewer)
    rules = fair_kinds.with_commission(form, fair, rules_body(form, groups))  # issue 15
    if rules is not None:
        rules["admits_local_goods"] = form.value("admits_local_goods") == LOCAL_GOODS
        try:
            await viewer.api.registration.put(
                f"/fairs/{fair_id}/rules",
                rules,
                idempotency_key=str(submitted.get("request_key") or uuid.uuid4()),
            )
        except ApiError as refused:
            add_fair_error(form, refused)
        else:
            return see_other(f"/organizer/fairs/{fair_id}?notice=rules_changed")
    return render(
        request,
        "fairs/rules.html",
        {**console_context(groups), "fair": fair, "form": form},
        status_code=422,
    )


@router.get("/organizer/fairs/{fair_id}/details")
async def details_page(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    """The fair's name, venue, province and dates, changeable while it is a draft or open."""
    fair = await own_fair(viewer, fair_id)
    form = FormState.of(DETAIL_FIELDS, detail_values(fair))
    return _details_page(request, fair, form)


def _details_page(
    request: Request, fair: dict[str, Any], form: FormState, status_code: int = 200
) -> Response:
    return render(
        request,
        "fairs/details.html",
        {
            **console_context(),
            "fair": fair,
            "form": form,
            "editable": fair["status"] in EDITABLE,
            "request_key": str(uuid.uuid4()),
        },
        status_code=status_code,
    )


@router.post("/organizer/fairs/{fair_id}/details")
async def change_details(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    """Registration ``PATCH /fairs/{id}`` with what changed; it checks the schedule whole and
    refuses a fair that is no longer a draft or open (``fair_not_editable``)."""
    fair = await own_fair(viewer, fair_id)
    submitted = await request.form()
    form = FormState.of(DETAIL_FIELDS, form_values(submitted))
    form.values.pop("groups", None)
    body = details_body(form, open_ended=bool(fair.get("open_ended")))  # issue 15
    if body is not None:
        changes = changed_details(fair, body)
        if not changes:
            return see_other(f"/organizer/fairs/{fair_id}?notice=details_unchanged")
        try:
            await viewer.api.registration.patch(
                f"/fairs/{fair_id}",
                changes,
                idempotency_key=str(submitted.get("request_key") or uuid.uuid4()),
            )
        except ApiError as refused:
            if refused.status in (403, 404):
                raise
            add_fair_error(form, refused)
        else:
            return see_other(f"/organizer/fairs/{fair_id}?notice=details_changed")
    return _details_page(request, fair, form, status_code=422)


@router.get("/organizer/fairs/{fair_id}/steps/{action}")
async def step_page(request: Request, viewer: SignedIn, fair_id: UUID, action: str) -> Response:
    """The confirmation page of one lifecycle step."""
    if action not in STEPS:
        raise ApiError(404, {"detail": "no such step", "code": "not_found"})
    fair = await own_fair(viewer, fair_id)
    step = step_for(fair, action)
    return render(
        request,
        "fairs/step.html",
        {
            **console_context(),
            "fair": fair,
            "step": step,
            "form": FormState.of(()),
            "request_key": str(uuid.uuid4()),
        },
    )


@router.post("/organizer/fairs/{fair_id}/steps/{action}")
async def take_step(request: Request, viewer: SignedIn, fair_id: UUID, action: str) -> Response:
    if action not in STEPS:
        raise ApiError(404, {"detail": "no such step", "code": "not_found"})
    submitted = await request.form()
    form = FormState.of(())
    try:
        await viewer.api.registration.post(
            f"/fairs/{fair_id}/lifecycle",
            {"action": action},
            idempotency_key=str(submitted.get("request_key") or uuid.uuid4()),
        )
    except ApiError as refused:
        if refused.status == 404:
            raise
        add_fair_error(form, refused)
        status = 409 if refused.status == 409 else 422
    else:
        return see_other(f"/organizer/fairs/{fair_id}?notice={action}")
    fair = await own_fair(viewer, fair_id)
    step = step_for(fair, action)
    return render(
        request,
        "fairs/step.html",
        {
            **console_context(),
            "fair": fair,
            "step": step,
            "form": form,
            "request_key": str(uuid.uuid4()),
        },
        status_code=status,
    )
