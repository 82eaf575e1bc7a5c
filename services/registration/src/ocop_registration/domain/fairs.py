"""Fairs: their schedule, their admission rules, and their lifecycle (an explicit state machine)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from ocop_registration.domain import refusals
from ocop_registration.domain.decision import Decision
from ocop_registration.domain.events import fair_snapshot
from ocop_registration.domain.fair_kinds import (
    OPEN_ENDED_UNTIL,
    FairStore,
    KindParts,
    OpeningHours,
    Store,
    check_commission,
    check_kind,
    check_opening_hours,
    rolling_admissions,
)
from ocop_registration.domain.products import TAXONOMIES
from ocop_registration.domain.timezone import as_utc
from ocop_shared.contracts.registration import (
    FairApplicationsClosed,
    FairFinished,
    FairOpenedForApplications,
    FairRulesChanged,
    FairStarted,
)
from ocop_shared.errors import Conflict, InvalidField
from ocop_shared.events import Event

FairKind = Literal["fair", "exhibition", "promotion_week", "showroom"]
FairStatus = Literal["draft", "open", "closed", "running", "finished"]
# How booths are given out: first come on the plan, or by the engine over ranked choices.
AllocationMode = Literal["self_service", "ranked"]
ALLOCATION_MODES: tuple[AllocationMode, ...] = ("self_service", "ranked")


class Rules(BaseModel):
    """A fair's admission rules (and its booth subsidy)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_star: int = 3
    product_groups: list[int] = [1, 2, 3, 4, 5, 6]
    taxonomy: str = "2023"
    max_booths_per_holder: int = 2
    subsidy_percent: int = 0
    subsidy_max_booths: int = 0
    # self_service: approved exhibitors hold free booths on the plan (first come); ranked:
    # they rank booth choices and the organizer runs the allocation engine and commits.
    allocation_mode: AllocationMode = "self_service"
    # The host retailer's or the showroom's commission on consignment sales (whole percent,
    # 0..50; issue 15): the settlement's "commission" column.
    commission_percent: int = 0
    # Issue 15 (district trade fairs): products without a valid 3-5 star certificate are
    # admitted as ordinary local goods (``Admitted.ocop`` False), flagged in every report.
    admits_local_goods: bool = False


class Fair(BaseModel):
    """A fair, its schedule (UTC instants), its rules and where it is in its lifecycle."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fair_id: UUID
    organizer_id: str
    name: str
    kind: FairKind
    venue: str
    province: str
    starts_at: datetime
    ends_at: datetime
    applications_open_at: datetime
    applications_close_at: datetime
    rules: Rules
    status: FairStatus
    # Issue 15 (domain/fair_kinds.py): a promotion week's host retailer and stores; a
    # showroom's weekly opening hours; an open-ended fair runs until its organizer finishes it
    # (its ends_at is OPEN_ENDED_UNTIL).
    host_retailer_id: UUID | None = None
    stores: list[FairStore] = []
    opening_hours: list[OpeningHours] = []
    open_ended: bool = False


FairEvent = (
    type[FairOpenedForApplications]
    | type[FairApplicationsClosed]
    | type[FairStarted]
    | type[FairFinished]
)

# action -> (from states, to state, event announcing it)
TRANSITIONS: dict[str, tuple[frozenset[FairStatus], FairStatus, FairEvent]] = {
    "open": (frozenset({"draft"}), "open", FairOpenedForApplications),
    "close": (frozenset({"open"}), "closed", FairApplicationsClosed),
    "start": (frozenset({"closed"}), "running", FairStarted),
    "finish": (frozenset({"running"}), "finished", FairFinished),
}
# A kind with rolling admissions (a showroom, fair_kinds.ROLLING_ADMISSIONS) also starts
# straight from open (its applications stay open while it runs, within their window) and
# closes its applications while it runs: it stays running, its window's end moved to then.
ROLLING_TRANSITIONS: dict[str, tuple[frozenset[FairStatus], FairStatus, FairEvent]] = {
    **TRANSITIONS,
    "close": (frozenset({"open", "running"}), "closed", FairApplicationsClosed),
    "start": (frozenset({"open", "closed"}), "running", FairStarted),
}


@dataclass(frozen=True)
class FairDraft:
    """A fair as an organizer plans it; naive times are local times in Viet Nam."""

    name: str
    kind: FairKind
    venue: str
    province: str
    starts_at: datetime
    ends_at: datetime | None  # None: open-ended (a showroom)
    applications_open_at: datetime
    applications_close_at: datetime
    rules: Rules = field(default_factory=Rules)
    host_retailer_id: UUID | None = None
    store_codes: tuple[str, ...] = ()
    opening_hours: tuple[OpeningHours, ...] = ()


def check_schedule(
    starts_at: datetime,
    ends_at: datetime,
    applications_open_at: datetime,
    applications_close_at: datetime,
    *,
    kind: str = "fair",
) -> None:
    """The schedule's order, naming the field that breaks it. Applications close before the
    fair starts, except a showroom's (rolling admissions): by its end."""
    if ends_at <= starts_at:
        raise refusals.EndsBeforeStart("ends_at", "the fair must end after it starts")
    if applications_close_at <= applications_open_at:
        raise refusals.WindowClosesBeforeOpening(
            "applications_close_at", "the application window must close after it opens"
        )
    if rolling_admissions(kind):
        if applications_close_at > ends_at:
            raise refusals.WindowClosesAfterEnd(
                "applications_close_at", "a showroom's applications must close by its end"
            )
    elif applications_close_at > starts_at:
        raise refusals.WindowClosesAfterStart(
            "applications_close_at", "applications must close before the fair starts"
        )


def check_rules(rules: Rules) -> None:
    if rules.min_star not in (3, 4, 5):
        raise InvalidField("rules.min_star", "OCOP certifies 3, 4 or 5 stars")
    groups = TAXONOMIES.get(rules.taxonomy)
    if groups is None:
        raise InvalidField("rules.taxonomy", f"unknown taxonomy; known: {', '.join(TAXONOMIES)}")
    unknown = sorted(set(rules.product_groups) - set(groups))
    if unknown or not rules.product_groups:
        raise InvalidField(
            "rules.product_groups",
            f"groups must be among {sorted(groups)}; got {unknown or 'none'}",
        )
    if rules.max_booths_per_holder < 1:
        raise InvalidField("rules.max_booths_per_holder", "must be at least 1")
    if not 0 <= rules.subsidy_percent <= 100:
        raise InvalidField("rules.subsidy_percent", "must be between 0 and 100")
    if rules.subsidy_max_booths < 0:
        raise InvalidField("rules.subsidy_max_booths", "must not be negative")


def plan(
    draft: FairDraft,
    fair_id: UUID,
    organizer_id: str,
    retailer_stores: Sequence[Store] | None = None,
) -> Fair:
    """A new fair, as a draft: private, so nothing is announced until it opens. A showroom
    without an end is open-ended; a promotion week's stores are among its host retailer's
    (``retailer_stores``: None when there is no such retailer)."""
    open_ended = draft.ends_at is None
    parts = KindParts(
        host_retailer_id=draft.host_retailer_id,
        store_codes=draft.store_codes,
        opening_hours=draft.opening_hours,
        open_ended=open_ended,
    )
    stores = check_kind(
        draft.kind,
        parts,
        commission_percent=draft.rules.commission_percent,
        retailer_stores=retailer_stores,
    )
    starts = as_utc(draft.starts_at)
    ends = OPEN_ENDED_UNTIL if draft.ends_at is None else as_utc(draft.ends_at)
    opens, closes = as_utc(draft.applications_open_at), as_utc(draft.applications_close_at)
    check_schedule(starts, ends, opens, closes, kind=draft.kind)
    check_rules(draft.rules)
    return Fair(
        host_retailer_id=draft.host_retailer_id,
        stores=list(stores),
        opening_hours=check_opening_hours(draft.opening_hours),
        open_ended=open_ended,
        fair_id=fair_id,
        organizer_id=organizer_id,
        name=draft.name,
        kind=draft.kind,
        venue=draft.venue,
        province=draft.province,
        starts_at=starts,
        ends_at=ends,
        applications_open_at=opens,
        applications_close_at=closes,
        rules=draft.rules,
        status="draft",
    )


@dataclass(frozen=True)
class Transition:
    fair: Fair
    events: list[Event]


def transition(fair: Fair, action: str, now: datetime | None = None) -> Transition:
    """One step of the lifecycle draft → open → closed → running → finished, announced. A
    showroom (rolling admissions) may also start from open, and close its applications while
    it runs (``now``: the moment they close; it keeps running)."""
    steps = ROLLING_TRANSITIONS if rolling_admissions(fair.kind) else TRANSITIONS
    if action not in steps:
        raise InvalidField("action", f"unknown action; one of {', '.join(steps)}")
    sources, target, event = steps[action]
    if fair.status not in sources:
        raise Conflict(f"a fair that is {fair.status} cannot {action}", field="status")
    if action == "close" and fair.status == "running":
        return _close_while_running(fair, now)
    moved = fair.model_copy(update={"status": target})
    return Transition(moved, [event(fair=fair_snapshot(moved))])


def _close_while_running(fair: Fair, now: datetime | None) -> Transition:
    """A running showroom stops taking applications now: its window's end moves to now (the
    status stays running), announced as ``FairApplicationsClosed`` with the running fair."""
    if now is None:
        raise ValueError("closing a running showroom's applications needs the time")
    if now >= fair.applications_close_at:
        raise Conflict("this showroom's applications are closed already", field="status")
    if now <= fair.applications_open_at:
        raise Conflict(
            "this showroom's application window has not opened yet",
            field="applications_open_at",
        )
    moved = fair.model_copy(update={"applications_close_at": now})
    return Transition(moved, [FairApplicationsClosed(fair=fair_snapshot(moved))])


def takes_applications(fair: Fair, now: datetime) -> bool:
    """Whether exhibitors may apply to the fair now: open, or a running showroom, within its
    application window."""
    taking = fair.status == "open" or (fair.status == "running" and rolling_admissions(fair.kind))
    return taking and fair.applications_open_at <= now <= fair.applications_close_at


# What an organizer may edit of a fair besides its rules, and while it may.
EDITABLE_FIELDS = (
    "name",
    "venue",
    "province",
    "starts_at",
    "ends_at",
    "applications_open_at",
    "applications_close_at",
    "store_codes",  # a promotion week's stores (among its host retailer's)
    "opening_hours",  # a showroom's: these change while it runs too (until it finishes)
)
EDITABLE_WHILE: frozenset[FairStatus] = frozenset({"draft", "open"})
EDITABLE_WHILE_RUNNING = frozenset({"opening_hours"})
SCHEDULE_FIELDS = ("starts_at", "ends_at", "applications_open_at", "applications_close_at")


def edit(
    fair: Fair, changes: dict[str, Any], retailer_stores: Sequence[Store] | None = None
) -> Decision[Fair]:
    """A fair's name, venue, province and dates, changed while it is a draft or open (not
    once applications have closed: exhibitors have planned on them). The new schedule is
    checked whole, naming the field that breaks it; naive times are Viet Nam's. An open
    fair's change is announced (``FairRulesChanged`` carries the whole fair), a draft's is
    not."""
    running_edit = set(changes) <= EDITABLE_WHILE_RUNNING and fair.status != "finished"
    if fair.status not in EDITABLE_WHILE and not running_edit:
        raise refusals.FairNotEditable(
            f"a {fair.status} fair's details cannot change (only a draft's or an open fair's)",
            field="status",
        )
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidField(unknown[0], "not a field of a fair that may be edited")
    if fair.open_ended and changes.get("ends_at") is not None:
        raise InvalidField("ends_at", "an open-ended fair has no end: its organizer finishes it")
    kind_changes = {k: changes.pop(k) for k in ("store_codes", "opening_hours") if k in changes}
    update: dict[str, Any] = {
        k: as_utc(v) if k in SCHEDULE_FIELDS else v for k, v in changes.items() if v is not None
    }
    if kind_changes:
        codes = kind_changes.get("store_codes")
        hours = kind_changes.get("opening_hours")
        parts = KindParts(
            host_retailer_id=fair.host_retailer_id,
            store_codes=tuple(codes if codes is not None else (s.store_code for s in fair.stores)),
            opening_hours=tuple(hours if hours is not None else fair.opening_hours),
            open_ended=fair.open_ended,
        )
        stores = check_kind(
            fair.kind,
            parts,
            commission_percent=fair.rules.commission_percent,
            retailer_stores=retailer_stores,
        )
        if codes is not None:
            update["stores"] = list(stores)
        if hours is not None:
            update["opening_hours"] = check_opening_hours(parts.opening_hours)
    changed = fair.model_copy(update=update)
    check_schedule(
        changed.starts_at,
        changed.ends_at,
        changed.applications_open_at,
        changed.applications_close_at,
        kind=changed.kind,
    )
    if changed == fair:
        return Decision(fair, [])
    events: list[Event] = (
        [] if changed.status == "draft" else [FairRulesChanged(fair=fair_snapshot(changed))]
    )
    return Decision(changed, events)


def change_rules(fair: Fair, rules: Rules) -> Decision[Fair]:
    """New admission rules until the fair runs; announced unless the fair is still a draft."""
    if fair.status in ("running", "finished"):
        raise Conflict(f"rules of a {fair.status} fair cannot change", field="status")
    check_rules(rules)
    check_commission(fair.kind, rules.commission_percent)
    changed = fair.model_copy(update={"rules": rules})
    events: list[Event] = (
        [] if changed.status == "draft" else [FairRulesChanged(fair=fair_snapshot(changed))]
    )
    return Decision(changed, events)
