"""The organizer's floor plan of a fair: drawn to scale as SVG on the server (no script needed
to see it), zones, booth codes, each state in colour and in words, a legend, the same data as
a table; a booth's panel (occupant, history) with its actions (block, unblock, move, swap),
each confirmed with a reason; the plan imported from a JSON file and exported as one.

Calls booths ``GET/PUT /fairs/{fair}/floorplan`` (the export: ``?format=import``, exactly
the import's body), ``GET .../booths/{booth}/history``,
``POST .../booths/{booth}/block|unblock|move|swap``; registration ``GET /fairs/{fair}`` (its
name) and ``GET /fairs/{fair}/applications`` (the exhibitors' names). Every rule stays in
booths: a refusal there (an occupied booth cannot be blocked) is shown here, in words by its
code, as are the history's reasons (``booth_codes``)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from ocop_web.api import ApiError
from ocop_web.forms import FORM, Field, FormState
from ocop_web.i18n import N_, gettext
from ocop_web.messages import message_id
from ocop_web.pages.booth_codes import reason_text, refusal_text
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

# A booth's state: always a word as well as a colour.
STATES: dict[str, str] = {
    "available": N_("Available"),
    "held": N_("Held"),
    "assigned": N_("Assigned"),
    "confirmed": N_("Confirmed"),
    "blocked": N_("Blocked"),
    "taken": N_("Taken"),
    "proposed": N_("Proposed"),
}
LEGEND = ("available", "held", "assigned", "confirmed", "blocked")
OCCUPIED = frozenset({"held", "assigned", "confirmed", "taken"})
BOOTH_TYPES: dict[str, str] = {
    "standard": N_("Standard"),
    "corner": N_("Corner"),
    "premium": N_("Premium"),
    "outdoor": N_("Outdoor"),
}
ZONE_KINDS: dict[str, str] = {
    "district_cluster": N_("District cluster"),
    "regional": N_("Provinces and regions"),
    "partners": N_("Partners"),
    "services": N_("Services"),
    "stage": N_("Stage"),
}
HISTORY_ACTIONS: dict[str, str] = {
    "held": N_("Held"),
    "assigned": N_("Assigned"),
    "confirmed": N_("Confirmed"),
    "released": N_("Released"),
    "blocked": N_("Blocked"),
    "unblocked": N_("Unblocked"),
    "moved": N_("Moved"),
}
ACTIONS: dict[str, str] = {
    "block": N_("Block this booth"),
    "unblock": N_("Unblock this booth"),
    "move": N_("Move the exhibitor to another booth"),
    "swap": N_("Swap with another occupied booth"),
}
CONFIRM: dict[str, str] = {
    "block": N_("Block the booth"),
    "unblock": N_("Unblock the booth"),
    "move": N_("Move the exhibitor"),
    "swap": N_("Swap the booths"),
}
DONE: dict[str, str] = {
    "block": N_("Booth %(code)s is blocked."),
    "unblock": N_("Booth %(code)s is back in use."),
    "move": N_("The exhibitor has moved to booth %(code)s."),
    "swap": N_("The exhibitors have swapped places with booth %(code)s."),
    "imported": N_("The floor plan is loaded: %(zones)s zones, %(booths)s booths."),
    "committed": N_(
        "The allocation is committed: %(assigned)s booths assigned, %(waitlisted)s applications on the waitlist."
    ),
}

ACTION_FIELDS = (
    Field("reason", N_("Reason")),
    Field("to_booth_id", N_("Booth to move to")),
    Field("other_booth_id", N_("Booth to swap with")),
)
IMPORT_FIELDS = (Field("file", N_("Floor plan file (JSON)")),)
MAX_PLAN_BYTES = 5 * 1024 * 1024

# Import errors: the plan's fields in words, and the service's sentences about them.
PLAN_FIELDS: dict[str, str] = {
    "code": N_("code"),
    "name": N_("name"),
    "kind": N_("kind"),
    "product_groups": N_("product groups"),
    "zone": N_("zone"),
    "booth_type": N_("booth type"),
    "width_m": N_("width (m)"),
    "depth_m": N_("depth (m)"),
    "price_vnd": N_("price (₫)"),
    "x": N_("position x (m)"),
    "y": N_("position y (m)"),
    "open_sides": N_("open sides"),
}
PLAN_PROBLEMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"duplicate zone codes: (?P<codes>.+)$"), N_("zone codes used twice: %(codes)s")),
    (
        re.compile(r"booth code (?P<code>\S+) is used twice \(also booths\.(?P<other>\d+)\)"),
        N_("booth code %(code)s is used twice (also booth %(other)s)"),
    ),
    (re.compile(r"no zone (?P<zone>\S+)"), N_("there is no zone %(zone)s")),
    (
        re.compile(r"a booth has a positive width and depth"),
        N_("width and depth must be more than 0"),
    ),
    (re.compile(r"cannot be negative"), N_("cannot be negative")),
    (re.compile(r"between 0 and 4"), N_("must be between 0 and 4")),
    (
        re.compile(r"booth (?P<code>\S+) overlaps booth (?P<other>\S+)"),
        N_("booth %(code)s overlaps booth %(other)s"),
    ),
)


def add_refusal(
    form: FormState, error: ApiError, fields: Iterable[str] = (), **values: Any
) -> None:
    """A refusal onto the form, in words by its code (``values``: what the page asked about,
    e.g. the booth's ``code`` and ``state``): on its field when the form has it, else the
    whole form."""
    body = error.body if isinstance(error.body, dict) else {}
    if isinstance(body.get("detail"), list):
        form.add_api_error(error)
        return
    target = body.get("field")
    key = target if isinstance(target, str) and target in set(fields) else FORM
    form.errors.setdefault(key, refusal_text(error, **values))


def history_reason(entry: Mapping[str, Any], groups: Callable[[int], str] | None = None) -> str:
    """A history entry's reason by its code (an organizer's own words as written; an entry
    without a code, or with one unknown here, as booths wrote it)."""
    return reason_text(
        entry.get("reason_code"),
        entry.get("reason_params") or {},
        str(entry.get("reason", "")),
        groups,
    )


# ---------------------------------------------------------------------------------------
# The drawing


@dataclass(frozen=True, slots=True)
class DrawnBooth:
    booth_id: str
    code: str
    zone: str
    booth_type: str
    state: str
    x: float
    y: float
    w: float
    h: float
    href: str
    name: str  # the accessible name: code, state, occupant
    occupant: str | None = None
    note: str | None = None  # a second line (the proposal's exhibitor)
    selected: bool = False

    @property
    def cx(self) -> float:
        return round(self.x + self.w / 2, 1)

    @property
    def cy(self) -> float:
        return round(self.y + self.h / 2, 1)


@dataclass(frozen=True, slots=True)
class DrawnZone:
    code: str
    name: str
    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True, slots=True)
class Drawing:
    key: str  # unique on the page (pattern ids)
    width: float
    height: float
    scale: float  # SVG units per metre
    booths: list[DrawnBooth]
    zones: list[DrawnZone]
    title: str
    states: list[str] = field(default_factory=list)  # the legend's entries

    @property
    def scale_bar(self) -> float:
        return round(5 * self.scale, 1)


def draw(
    plan: Mapping[str, Any],
    *,
    key: str,
    title: str,
    href: str,
    names: Mapping[str, str] | None = None,
    selected: str | None = None,
    override: Mapping[str, tuple[str, str | None, str]] | None = None,
) -> Drawing:
    """The plan at scale: metres times ``scale`` SVG units, the smallest booth wide enough
    for its code and its state's word. ``href`` is formatted with ``booth_id``; ``override``
    replaces a booth's (state, note, href) (the proposal)."""
    booths: list[Mapping[str, Any]] = list(plan.get("booths", []))
    names = names or {}
    override = override or {}
    if not booths:
        return Drawing(key, 0, 0, 0, [], [], title)
    smallest = min(min(float(b["width_m"]), float(b["depth_m"])) for b in booths)
    scale = min(60.0, max(24.0, 72.0 / max(smallest, 0.1)))
    left = min(float(b["x"]) for b in booths)
    top = min(float(b["y"]) for b in booths)
    margin_x, margin_top = 1.0, 2.2  # metres: room for the zones' names

    def sx(metres: float) -> float:
        return round((metres - left + margin_x) * scale, 1)

    def sy(metres: float) -> float:
        return round((metres - top + margin_top) * scale, 1)

    drawn: list[DrawnBooth] = []
    for b in booths:
        state, note, link = str(b.get("state", "available")), None, href.format(**b)
        if str(b["booth_id"]) in override:
            state, note, link = override[str(b["booth_id"])]
        occupant = names.get(str(b.get("exhibitor_id") or "")) if b.get("exhibitor_id") else None
        label = gettext(STATES.get(state, state)).lower()
        who = note or occupant
        name = gettext("Booth %(code)s, %(state)s", code=b["code"], state=label)
        if who:
            name += f", {who}"
        drawn.append(
            DrawnBooth(
                booth_id=str(b["booth_id"]),
                code=str(b["code"]),
                zone=str(b["zone"]),
                booth_type=str(b.get("booth_type", "standard")),
                state=state,
                x=sx(float(b["x"])),
                y=sy(float(b["y"])),
                w=round(float(b["width_m"]) * scale, 1),
                h=round(float(b["depth_m"]) * scale, 1),
                href=link,
                name=name,
                occupant=occupant,
                note=note,
                selected=str(b["booth_id"]) == selected,
            )
        )
    zones: list[DrawnZone] = []
    names_of_zones = {str(z["code"]): str(z.get("name", z["code"])) for z in plan.get("zones", [])}
    for code in dict.fromkeys(str(b["zone"]) for b in booths):
        members = [b for b in booths if str(b["zone"]) == code]
        x1 = min(float(b["x"]) for b in members) - 0.4
        y1 = min(float(b["y"]) for b in members) - 0.4
        x2 = max(float(b["x"]) + float(b["width_m"]) for b in members) + 0.4
        y2 = max(float(b["y"]) + float(b["depth_m"]) for b in members) + 0.4
        zones.append(
            DrawnZone(
                code,
                names_of_zones.get(code, code),
                sx(x1),
                sy(y1),
                round((x2 - x1) * scale, 1),
                round((y2 - y1) * scale, 1),
            )
        )
    right = max(float(b["x"]) + float(b["width_m"]) for b in booths)
    bottom = max(float(b["y"]) + float(b["depth_m"]) for b in booths)
    width = round((right - left + 2 * margin_x) * scale, 1)
    height = round((bottom - top + margin_top + 2.0) * scale, 1)  # room for the scale bar
    seen = {d.state for d in drawn}
    states = [s for s in (*LEGEND, "taken", "proposed") if s in LEGEND or s in seen]
    return Drawing(key, width, height, scale, drawn, zones, title, states)


# ---------------------------------------------------------------------------------------
# Reading what the pages need


async def fair_of(viewer: Viewer, fair_id: str) -> dict[str, Any]:
    fair: dict[str, Any] = await viewer.api.registration.get(f"/fairs/{fair_id}")
    return fair


async def exhibitor_names(viewer: Viewer, fair_id: str) -> tuple[dict[str, str], dict[str, str]]:
    """(exhibitor id → name, application id → name) from the fair's applications; empty when
    the reader may not list them (the plan is drawn all the same)."""
    try:
        rows = await viewer.api.registration.get(f"/fairs/{fair_id}/applications")
    except ApiError:
        return {}, {}
    by_exhibitor = {str(r["exhibitor_id"]): str(r["exhibitor_name"]) for r in rows}
    by_application = {str(r["application_id"]): str(r["exhibitor_name"]) for r in rows}
    return by_exhibitor, by_application


async def plan_of(viewer: Viewer, fair_id: str) -> dict[str, Any] | None:
    """The fair's plan, or None while it has none."""
    try:
        plan: dict[str, Any] = await viewer.api.booths.get(f"/fairs/{fair_id}/floorplan")
    except ApiError as e:
        if e.status == 404:  # no plan yet (or booths has not heard of the fair yet)
            return None
        raise
    return plan


def booth_rows(plan: Mapping[str, Any], names: Mapping[str, str]) -> list[dict[str, Any]]:
    """The plan as a table's rows (the same data as the drawing)."""
    zones = {str(z["code"]): str(z.get("name", z["code"])) for z in plan.get("zones", [])}
    rows = []
    for b in sorted(plan.get("booths", []), key=lambda b: (str(b["zone"]), str(b["code"]))):
        rows.append(
            {
                **b,
                "booth_id": str(b["booth_id"]),
                "zone_name": zones.get(str(b["zone"]), str(b["zone"])),
                "occupant": names.get(str(b.get("exhibitor_id") or ""), "")
                if b.get("exhibitor_id")
                else "",
            }
        )
    return rows


def notice_of(kind: str, values: Mapping[str, str]) -> str | None:
    if kind not in DONE:
        return None
    return gettext(DONE[kind]) % {
        k: values.get(k, "") for k in ("code", "zones", "booths", "assigned", "waitlisted")
    }


# ---------------------------------------------------------------------------------------
# Pages


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def is_panel_request(request: Request) -> bool:
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == "booth-panel"
    )


@router.get("/organizer/floorplans")
async def fairs(request: Request, viewer: SignedIn) -> Response:
    """The organizer's fairs, each with its floor plan and its allocation."""
    listed = await viewer.api.registration.get("/organizer/fairs")
    return render(request, "floorplan/fairs.html", {"fairs": listed})


async def _plan_page(
    request: Request,
    viewer: Viewer,
    fair_id: str,
    *,
    booth_id: str | None = None,
    panel: dict[str, Any] | None = None,
    import_form: FormState | None = None,
    problems: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    fair = await fair_of(viewer, fair_id)
    plan = await plan_of(viewer, fair_id)
    names, _ = await exhibitor_names(viewer, fair_id) if plan else ({}, {})
    drawing = (
        draw(
            plan,
            key="plan",
            title=gettext("Floor plan of %(fair)s", fair=fair["name"]),
            href=f"/organizer/fairs/{fair_id}/floorplan/booths/{{booth_id}}",
            names=names,
            selected=booth_id,
        )
        if plan
        else None
    )
    query = request.query_params
    return render(
        request,
        "floorplan/plan.html",
        {
            "fair": fair,
            "fair_id": fair_id,
            "plan": plan,
            "drawing": drawing,
            "rows": booth_rows(plan, names) if plan else [],
            "panel": panel,
            "import_form": import_form or FormState.of(IMPORT_FIELDS),
            "problems": problems or [],
            "notice": None if panel else notice_of(query.get("done", ""), query),
            **LABELS,
        },
        status_code=status_code,
    )


LABELS = {
    "STATES": STATES,
    "LEGEND": LEGEND,
    "BOOTH_TYPES": BOOTH_TYPES,
    "ZONE_KINDS": ZONE_KINDS,
    "HISTORY_ACTIONS": HISTORY_ACTIONS,
    "ACTIONS": ACTIONS,
    "CONFIRM": CONFIRM,
}


@router.get("/organizer/fairs/{fair_id}/floorplan")
async def plan_page(request: Request, fair_id: uuid.UUID, viewer: SignedIn) -> Response:
    return await _plan_page(request, viewer, str(fair_id))


@router.get("/organizer/fairs/{fair_id}/floorplan.json")
async def export_plan(fair_id: uuid.UUID, viewer: SignedIn) -> Response:
    plan = await viewer.api.booths.get(
        f"/fairs/{fair_id}/floorplan", params={"format": "import"}
    )  # exactly the body the import takes: no ids, states, neighbours or occupants
    body = json.dumps(plan, ensure_ascii=False, indent=2)
    return Response(
        body.encode(),
        media_type="application/json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="floorplan-{fair_id}.json"'},
    )


def _problem_place(loc: Sequence[str], plan: Mapping[str, Any]) -> str:
    """``booths.3.width_m`` → "Booth 4 (A4), width (m)"."""
    parts = list(loc)
    words: list[str] = []
    if parts and parts[0] in ("booths", "zones"):
        kind = parts.pop(0)
        if parts and parts[0].isdigit():
            index = int(parts.pop(0))
            items = plan.get(kind) if isinstance(plan.get(kind), list) else []
            item = items[index] if isinstance(items, list) and index < len(items) else {}
            code = item.get("code") if isinstance(item, dict) else None
            noun = gettext("Booth %(n)s") if kind == "booths" else gettext("Zone %(n)s")
            words.append(noun % {"n": index + 1} + (f" ({code})" if code else ""))
        else:
            words.append(gettext("Booths") if kind == "booths" else gettext("Zones"))
    if parts:
        words.append(gettext(PLAN_FIELDS.get(parts[0], parts[0])))
    return ", ".join(words) or gettext("The file")


def plan_problems(error: ApiError, plan: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The service's 422 for an imported plan, one (where, what) per field."""
    detail = error.body.get("detail") if isinstance(error.body, dict) else None
    found: list[tuple[str, str]] = []
    if not isinstance(detail, list):
        return found
    for item in detail:
        if not isinstance(item, dict):
            continue
        loc = [str(p) for p in item.get("loc", [])]
        if loc and loc[0] == "body":
            loc = loc[1:]
        where = _problem_place(loc, plan)
        text = str(item.get("msg", ""))
        what = None
        for pattern, message in PLAN_PROBLEMS:
            hit = pattern.search(text)
            if hit:
                what = gettext(message) % hit.groupdict()
                break
        if what is None:
            label = gettext(PLAN_FIELDS.get(loc[-1], "")) if loc else ""
            generic = gettext(message_id(None, str(item.get("type", "value_error"))))
            try:
                what = generic % {"field": label or gettext("this answer")}
            except (KeyError, ValueError, TypeError):
                what = generic
        found.append((where, what[:1].upper() + what[1:]))
    return found


@router.post("/organizer/fairs/{fair_id}/floorplan")
async def import_plan(request: Request, fair_id: uuid.UUID, viewer: SignedIn) -> Response:
    submitted = await request.form()
    form = FormState.of(IMPORT_FIELDS)
    upload = submitted.get("file")
    plan: Any = None
    if not isinstance(upload, UploadFile) or not upload.filename:
        form.errors["file"] = gettext("Select a floor plan file (JSON)")
    else:
        raw = await upload.read(MAX_PLAN_BYTES + 1)
        if len(raw) > MAX_PLAN_BYTES:
            form.errors["file"] = gettext("The file must be smaller than 5 MB")
        else:
            try:
                plan = json.loads(raw.decode("utf-8-sig"))
            except (UnicodeDecodeError, ValueError):
                form.errors["file"] = gettext(
                    "The file is not a floor plan: it must be JSON with zones and booths"
                )
            if plan is not None and not isinstance(plan, dict):
                form.errors["file"] = gettext(
                    "The file is not a floor plan: it must be JSON with zones and booths"
                )
    problems: list[tuple[str, str]] = []
    if not form.has_errors:
        try:
            done = await viewer.api.booths.put(f"/fairs/{fair_id}/floorplan", json=plan)
        except ApiError as e:
            if e.status == 403:
                raise
            problems = plan_problems(e, plan)
            if problems:
                form.errors["file"] = gettext(
                    "The service found %(count)s problems in the file: see the list below",
                    count=len(problems),
                )
            else:
                form.errors["file"] = refusal_text(e)
        else:
            return see_other(
                f"/organizer/fairs/{fair_id}/floorplan?done=imported&zones={done['zones']}&booths={done['booths']}"
            )
    return await _plan_page(
        request, viewer, str(fair_id), import_form=form, problems=problems, status_code=422
    )


async def _panel(viewer: Viewer, fair_id: str, booth_id: str) -> dict[str, Any]:
    plan = await viewer.api.booths.get(f"/fairs/{fair_id}/floorplan")
    booth = next((b for b in plan["booths"] if str(b["booth_id"]) == booth_id), None)
    if booth is None:
        raise ApiError(404, {"detail": "no such booth at this fair", "code": "not_found"})
    names, _ = await exhibitor_names(viewer, fair_id)
    history = await viewer.api.booths.get(f"/fairs/{fair_id}/booths/{booth_id}/history")
    zones = {str(z["code"]): z for z in plan["zones"]}
    state = str(booth["state"])
    actions = ["unblock"] if state == "blocked" else ["block"]
    if state in OCCUPIED:
        actions += ["move", "swap"]
    for h in history:
        h["exhibitor_name"] = names.get(str(h.get("exhibitor_id") or ""), "")
        h["reason"] = history_reason(h)
    return {
        "booth": booth,
        "zone": zones.get(str(booth["zone"]), {"code": booth["zone"], "name": booth["zone"]}),
        "occupant": names.get(str(booth.get("exhibitor_id") or ""))
        if booth.get("exhibitor_id")
        else None,
        "history": list(reversed(history)),
        "actions": actions,
        "plan": plan,
        "fair_id": fair_id,
        "confirm": None,
        "notice": None,
    }


@router.get("/organizer/fairs/{fair_id}/floorplan/booths/{booth_id}")
async def booth_page(
    request: Request, fair_id: uuid.UUID, booth_id: uuid.UUID, viewer: SignedIn
) -> Response:
    panel = await _panel(viewer, str(fair_id), str(booth_id))
    query = request.query_params
    panel["notice"] = notice_of(query.get("done", ""), query)
    if is_panel_request(request):
        return render(request, "floorplan/_panel.html", {"panel": panel, **LABELS})
    return await _plan_page(request, viewer, str(fair_id), booth_id=str(booth_id), panel=panel)


def _choices(panel: Mapping[str, Any], action: str) -> list[dict[str, Any]]:
    """The booths a move or a swap may name: free ones for a move, occupied others for a
    swap (the service checks again)."""
    me = str(panel["booth"]["booth_id"])
    booths = panel["plan"]["booths"]
    if action == "move":
        return [b for b in booths if b["state"] == "available" and str(b["booth_id"]) != me]
    if action == "swap":
        return [b for b in booths if b["state"] in OCCUPIED and str(b["booth_id"]) != me]
    return []


async def _action_page(
    request: Request,
    viewer: Viewer,
    fair_id: str,
    booth_id: str,
    action: str,
    form: FormState,
    *,
    status_code: int = 200,
    panel: dict[str, Any] | None = None,
) -> Response:
    panel = panel or await _panel(viewer, fair_id, booth_id)
    panel["confirm"] = {
        "action": action,
        "form": form,
        "choices": _choices(panel, action),
        "key": form.value("idempotency_key") or str(uuid.uuid4()),
    }
    if is_panel_request(request):
        return render(
            request, "floorplan/_panel.html", {"panel": panel, **LABELS}, status_code=status_code
        )
    return await _plan_page(
        request, viewer, fair_id, booth_id=booth_id, panel=panel, status_code=status_code
    )


@router.get("/organizer/fairs/{fair_id}/floorplan/booths/{booth_id}/{action}")
async def confirm_action(
    request: Request, fair_id: uuid.UUID, booth_id: uuid.UUID, action: str, viewer: SignedIn
) -> Response:
    if action not in ACTIONS:
        raise ApiError(404, {"detail": "no such action", "code": "not_found"})
    return await _action_page(
        request, viewer, str(fair_id), str(booth_id), action, FormState.of(ACTION_FIELDS)
    )


@router.post("/organizer/fairs/{fair_id}/floorplan/booths/{booth_id}/{action}")
async def do_action(
    request: Request, fair_id: uuid.UUID, booth_id: uuid.UUID, action: str, viewer: SignedIn
) -> Response:
    if action not in ACTIONS:
        raise ApiError(404, {"detail": "no such action", "code": "not_found"})
    form = FormState.of(ACTION_FIELDS, dict(await request.form()))
    required = ["reason"]
    if action == "move":
        required.insert(0, "to_booth_id")
    if action == "swap":
        required.insert(0, "other_booth_id")
    form.require(*required)
    body: dict[str, str] = {"reason": form.value("reason").strip()}
    for name in ("to_booth_id", "other_booth_id"):
        if name in required and form.value(name):
            body[name] = form.value(name)
    if not form.has_errors:
        try:
            done = await viewer.api.booths.post(
                f"/fairs/{fair_id}/booths/{booth_id}/{action}",
                json=body,
                idempotency_key=form.value("idempotency_key") or None,
            )
        except ApiError as e:
            if e.status == 403:
                raise
            panel = await _panel(viewer, str(fair_id), str(booth_id))
            booth = panel["booth"]
            state = str(booth["state"])
            add_refusal(
                form,
                e,
                fields=("to_booth_id", "other_booth_id", "reason"),
                code=booth["code"],
                state=gettext(STATES.get(state, state)).lower(),
            )
            return await _action_page(
                request,
                viewer,
                str(fair_id),
                str(booth_id),
                action,
                form,
                status_code=422,
                panel=panel,
            )
        else:
            code = _done_code(done, booth_id)
            target = (
                f"/organizer/fairs/{fair_id}/floorplan/booths/{booth_id}?done={action}&code={code}"
            )
            if request.headers.get("HX-Request") == "true":
                return Response(status_code=204, headers={"HX-Redirect": target})
            return see_other(target)
    return await _action_page(
        request, viewer, str(fair_id), str(booth_id), action, form, status_code=422
    )


def _done_code(done: Any, booth_id: uuid.UUID) -> str:
    if isinstance(done, dict) and "booth" in done:
        return str(done["booth"])
    if isinstance(done, dict) and "booth_code" in done:
        return str(done["booth_code"])
    if isinstance(done, list):
        for o in done:
            if isinstance(o, dict) and o.get("booth_id") != str(booth_id):
                return str(o.get("booth_code", ""))
    return ""
