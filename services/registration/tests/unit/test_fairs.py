"""The fair lifecycle as a state machine, planning a fair, and its admission rules."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ocop_registration.domain import fairs
from ocop_registration.domain.events import fair_snapshot
from ocop_shared.contracts.registration import (
    FairApplicationsClosed,
    FairFinished,
    FairOpenedForApplications,
    FairRulesChanged,
    FairStarted,
)
from ocop_shared.errors import Conflict, InvalidField

from .builders import fair

STATUSES = ["draft", "open", "closed", "running", "finished"]
ALLOWED = {
    ("open", "draft"): ("open", FairOpenedForApplications),
    ("close", "open"): ("closed", FairApplicationsClosed),
    ("start", "closed"): ("running", FairStarted),
    ("finish", "running"): ("finished", FairFinished),
}


@pytest.mark.parametrize(("action", "source"), sorted(ALLOWED))
def test_each_transition_moves_the_fair_and_announces_it(action: str, source: str) -> None:
    target, event_type = ALLOWED[(action, source)]
    before = fair(source)
    step = fairs.transition(before, action)
    assert step.fair.status == target
    assert step.fair.model_copy(update={"status": source}) == before
    [event] = step.events
    assert type(event) is event_type
    assert event.fair == fair_snapshot(step.fair)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("action", "source"),
    [(a, s) for a in fairs.TRANSITIONS for s in STATUSES if (a, s) not in ALLOWED],
)
def test_every_other_transition_is_refused(action: str, source: str) -> None:
    with pytest.raises(Conflict, match=f"a fair that is {source} cannot {action}") as refused:
        fairs.transition(fair(source), action)
    assert refused.value.field == "status"


def test_an_unknown_action_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidField) as refused:
        fairs.transition(fair("draft"), "publish")
    assert refused.value.field == "action"


def _draft(**changes: Any) -> fairs.FairDraft:
    local = datetime(2026, 5, 10, 8, 0)
    values: dict[str, Any] = {
        "name": "Tuần lễ OCOP",
        "kind": "fair",
        "venue": "Hà Nội",
        "province": "Hà Nội",
        "starts_at": local,
        "ends_at": local + timedelta(days=5),
        "applications_open_at": local - timedelta(days=30),
        "applications_close_at": local - timedelta(days=3),
        **changes,
    }
    return fairs.FairDraft(**values)


def test_a_planned_fair_is_a_private_draft_in_utc() -> None:
    fair_id = uuid.uuid4()
    planned = fairs.plan(_draft(), fair_id, "org-qn")
    assert planned.status == "draft" and planned.fair_id == fair_id
    assert planned.organizer_id == "org-qn"
    assert planned.starts_at == datetime(2026, 5, 10, 1, 0, tzinfo=UTC)  # 08:00 in Viet Nam


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_at": datetime(2026, 5, 10, 7, 0)}, "ends_at"),
        ({"applications_close_at": datetime(2026, 4, 1)}, "applications_close_at"),
        ({"applications_close_at": datetime(2026, 5, 11)}, "applications_close_at"),
        ({"rules": fairs.Rules(min_star=2)}, "rules.min_star"),
        ({"rules": fairs.Rules(taxonomy="2030")}, "rules.taxonomy"),
        ({"rules": fairs.Rules(product_groups=[1, 7])}, "rules.product_groups"),
        ({"rules": fairs.Rules(product_groups=[])}, "rules.product_groups"),
        ({"rules": fairs.Rules(max_booths_per_holder=0)}, "rules.max_booths_per_holder"),
        ({"rules": fairs.Rules(subsidy_percent=101)}, "rules.subsidy_percent"),
        ({"rules": fairs.Rules(subsidy_max_booths=-1)}, "rules.subsidy_max_booths"),
    ],
)
def test_a_fair_breaking_a_schedule_or_rule_is_refused(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidField) as refused:
        fairs.plan(_draft(**changes), uuid.uuid4(), "org")
    assert refused.value.field == field


def test_rules_of_a_draft_change_silently() -> None:
    decided = fairs.change_rules(fair("draft"), fairs.Rules(min_star=5))
    assert decided.state.rules.min_star == 5 and decided.events == []


@pytest.mark.parametrize("status", ["open", "closed"])
def test_rules_of_a_published_fair_change_with_an_announcement(status: str) -> None:
    decided = fairs.change_rules(fair(status), fairs.Rules(min_star=4, product_groups=[1, 2]))
    [event] = decided.events
    assert isinstance(event, FairRulesChanged)
    assert event.fair.rules.product_groups == [1, 2] and event.fair == fair_snapshot(decided.state)


@pytest.mark.parametrize("status", ["running", "finished"])
def test_rules_of_a_running_or_finished_fair_are_frozen(status: str) -> None:
    with pytest.raises(Conflict) as refused:
        fairs.change_rules(fair(status), fairs.Rules(min_star=4))
    assert refused.value.field == "status"


def test_new_rules_are_checked_too() -> None:
    with pytest.raises(InvalidField) as refused:
        fairs.change_rules(fair("open"), fairs.Rules(min_star=6))
    assert refused.value.field == "rules.min_star"
