"""Fairs: their schedule, their admission rules, and their lifecycle (an explicit state machine)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from ocop_registration.domain import refusals
from ocop_registration.domain.decision import Decision
from ocop_registration.domain.events import fair_snapshot
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


@dataclass(frozen=True)
class FairDraft:
    """A fair as an organizer plans it; naive times are local times in Viet Nam."""

    name: str
    kind: FairKind
    venue: str
    province: str
    starts_at: datetime
    ends_at: datetime
    applications_open_at: datetime
    applications_close_at: datetime
    rules: Rules = field(default_factory=Rules)


def check_schedule(
    starts_at: datetime,
    ends_at: datetime,
    applications_open_at: datetime,
    applications_close_at: datetime,
) -> None:
    if ends_at <= starts_at:
        raise refusals.EndsBeforeStart("ends_at", "the fair must end after it starts")
    if applications_close_at <= applications_open_at:
        raise refusals.WindowClosesBeforeOpening(
            "applications_close_at", "the application window must close after it opens"
        )
    if applications_close_at > starts_at:
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


def plan(draft: FairDraft, fair_id: UUID, organizer_id: str) -> Fair:
    """A new fair, as a draft: private, so nothing is announced until it opens."""
    starts, ends = as_utc(draft.starts_at), as_utc(draft.ends_at)
    opens, closes = as_utc(draft.applications_open_at), as_utc(draft.applications_close_at)
    check_schedule(starts, ends, opens, closes)
    check_rules(draft.rules)
    return Fair(
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


def transition(fair: Fair, action: str) -> Transition:
    """One step of the lifecycle draft → open → closed → running → finished, announced."""
    if action not in TRANSITIONS:
        raise InvalidField("action", f"unknown action; one of {', '.join(TRANSITIONS)}")
    sources, target, event = TRANSITIONS[action]
    if fair.status not in sources:
        raise Conflict(f"a fair that is {fair.status} cannot {action}", field="status")
    moved = fair.model_copy(update={"status": target})
    return Transition(moved, [event(fair=fair_snapshot(moved))])


# What an organizer may edit of a fair besides its rules, and while it may.
EDITABLE_FIELDS = (
    "name",
    "venue",
    "province",
    "starts_at",
    "ends_at",
    "applications_open_at",
    "applications_close_at",
)
EDITABLE_WHILE: frozenset[FairStatus] = frozenset({"draft", "open"})
SCHEDULE_FIELDS = ("starts_at", "ends_at", "applications_open_at", "applications_close_at")


def edit(fair: Fair, changes: dict[str, Any]) -> Decision[Fair]:
    """A fair's name, venue, province and dates, changed while it is a draft or open (not
    once applications have closed: exhibitors have planned on them). The new schedule is
    checked whole, naming the field that breaks it; naive times are Viet Nam's. An open
    fair's change is announced (``FairRulesChanged`` carries the whole fair), a draft's is
    not."""
    if fair.status not in EDITABLE_WHILE:
        raise refusals.FairNotEditable(
            f"a {fair.status} fair's details cannot change (only a draft's or an open fair's)",
            field="status",
        )
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidField(unknown[0], "not a field of a fair that may be edited")
    update = {
        k: as_utc(v) if k in SCHEDULE_FIELDS else v for k, v in changes.items() if v is not None
    }
    changed = fair.model_copy(update=update)
    check_schedule(
        changed.starts_at,
        changed.ends_at,
        changed.applications_open_at,
        changed.applications_close_at,
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
    changed = fair.model_copy(update={"rules": rules})
    events: list[Event] = (
        [] if changed.status == "draft" else [FairRulesChanged(fair=fair_snapshot(changed))]
    )
    return Decision(changed, events)
