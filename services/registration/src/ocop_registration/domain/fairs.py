"""Fairs: their schedule, their admission rules, and their lifecycle (an explicit state machine)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

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


class Rules(BaseModel):
    """A fair's admission rules (and its booth subsidy)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_star: int = 3
    product_groups: list[int] = [1, 2, 3, 4, 5, 6]
    taxonomy: str = "2023"
    max_booths_per_holder: int = 2
    subsidy_percent: int = 0
    subsidy_max_booths: int = 0


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
        raise InvalidField("ends_at", "the fair must end after it starts")
    if applications_close_at <= applications_open_at:
        raise InvalidField(
            "applications_close_at", "the application window must close after it opens"
        )
    if applications_close_at > starts_at:
        raise InvalidField(
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
