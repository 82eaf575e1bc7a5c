"""Fairs: their schedule, their admission rules, and their lifecycle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ocop_registration.domain.products import TAXONOMIES
from ocop_shared.contracts.registration import (
    AdmissionRules,
    FairApplicationsClosed,
    FairFinished,
    FairOpenedForApplications,
    FairSnapshot,
    FairStarted,
    FairStatus,
)
from ocop_shared.errors import Conflict, InvalidField

# action -> (from states, to state, event announcing it)
TRANSITIONS: dict[str, tuple[frozenset[FairStatus], FairStatus, type]] = {
    "open": (frozenset({"draft"}), "open", FairOpenedForApplications),
    "close": (frozenset({"open"}), "closed", FairApplicationsClosed),
    "start": (frozenset({"closed"}), "running", FairStarted),
    "finish": (frozenset({"running"}), "finished", FairFinished),
}


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


def check_rules(rules: AdmissionRules) -> None:
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


@dataclass(frozen=True)
class Transition:
    fair: FairSnapshot
    event: type


def transition(fair: FairSnapshot, action: str) -> Transition:
    if action not in TRANSITIONS:
        raise InvalidField("action", f"unknown action; one of {', '.join(TRANSITIONS)}")
    sources, target, event = TRANSITIONS[action]
    if fair.status not in sources:
        raise Conflict(f"a fair that is {fair.status} cannot {action}", field="status")
    return Transition(fair.model_copy(update={"status": target}), event)


def change_rules(fair: FairSnapshot, rules: AdmissionRules) -> FairSnapshot:
    if fair.status in ("running", "finished"):
        raise Conflict(f"rules of a {fair.status} fair cannot change", field="status")
    check_rules(rules)
    return fair.model_copy(update={"rules": rules})


__all__ = ["Transition", "change_rules", "check_rules", "check_schedule", "transition"]
