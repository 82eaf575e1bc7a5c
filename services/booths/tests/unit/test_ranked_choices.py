"""Ranked fairs: choices checked when made, holds refused, and the allocation engine taking
the choices as preferences (the first weighs most) without changing who is served. No I/O.

Before: a fair had one mode (self-service holds), and the engine knew no choices."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ocop_booths.domain import allocation as al
from ocop_booths.domain import applications as apps
from ocop_booths.domain import choices
from ocop_booths.domain.booths import Booth, Occupant
from ocop_booths.domain.floorplan import PlannedBooth, adjacency
from ocop_shared.contracts.registration import AdmissionRules
from ocop_shared.errors import DomainError

FAIR = uuid.uuid4()
NOW = datetime(2026, 9, 1, tzinfo=UTC)


def _fair(mode: str) -> apps.Fair:
    return apps.Fair(FAIR, "org", "open", apps.Rules(allocation_mode=mode), "Hội chợ", NOW, NOW)  # type: ignore[arg-type]


def _application(booth_type: str = "standard") -> apps.Application:
    return apps.Application(
        application_id=uuid.uuid4(), fair_id=FAIR, exhibitor_id=uuid.uuid4(),
        exhibitor_name="HTX", exhibitor_kind="cooperative", province="Quảng Ninh",
        booth_request=apps.BoothRequest(1, booth_type),  # type: ignore[arg-type]
        best_star=4, submitted_at=NOW, status="approved", product_groups=(1,), holder_count=1,
    )  # fmt: skip


def test_the_mode_decides_whether_one_holds_or_ranks() -> None:
    apps.check_self_service(_fair("self_service"))
    apps.check_ranked(_fair("ranked"))
    with pytest.raises(DomainError) as holding:
        apps.check_self_service(_fair("ranked"))
    assert (holding.value.status_code, holding.value.code) == (409, "not_self_service")
    with pytest.raises(DomainError) as ranking:
        apps.check_ranked(_fair("self_service"))
    assert ranking.value.code == "not_ranked"
    # A message from before the field, and a fair stored before it: self-service.
    assert AdmissionRules.model_validate({"max_booths_per_holder": 2}).allocation_mode == (
        "self_service"
    )
    assert apps.Rules.of({"max_booths_per_holder": 2}).allocation_mode == "self_service"
    assert apps.Rules.of({"allocation_mode": "ranked"}).allocation_mode == "ranked"


def test_choices_are_free_unblocked_booths_of_the_fair_of_the_requested_type() -> None:
    a = _application()
    free = [Booth(uuid.uuid4(), FAIR, f"A-{i}", "A", "standard") for i in range(3)]
    by_id = {b.booth_id: b for b in free}
    chosen = choices.check_choices(a, [free[2].booth_id, free[0].booth_id], by_id)
    assert [(c.rank, c.booth_id) for c in chosen] == [(1, free[2].booth_id), (2, free[0].booth_id)]
    assert choices.check_choices(a, [], by_id) == []
    other_fair = Booth(uuid.uuid4(), uuid.uuid4(), "B-1", "B", "standard")
    blocked = Booth(uuid.uuid4(), FAIR, "A-9", "A", "standard", blocked=True)
    corner = Booth(uuid.uuid4(), FAIR, "A-8", "A", "corner")
    taken = dataclasses.replace(
        free[1],
        occupant=Occupant(
            fair_id=FAIR, booth_id=free[1].booth_id, booth_code="A-1", zone="A",
            exhibitor_id=uuid.uuid4(), application_id=uuid.uuid4(), status="held",
        ),
    )  # fmt: skip
    known = {**by_id, **{b.booth_id: b for b in (other_fair, blocked, corner, taken)}}
    cases = [
        ([free[0].booth_id, other_fair.booth_id], "booth_not_found", "booth_ids.1"),
        ([uuid.uuid4()], "booth_not_found", "booth_ids.0"),
        ([blocked.booth_id], "booth_blocked", "booth_ids.0"),
        ([taken.booth_id], "booth_taken", "booth_ids.0"),
        ([corner.booth_id], "booth_type_not_requested", "booth_ids.0"),
        ([free[0].booth_id, free[0].booth_id], "value_error", "booth_ids"),
        ([b.booth_id for b in free] * 2, "value_error", "booth_ids"),
    ]
    for booth_ids, code, field in cases:
        with pytest.raises(DomainError) as refused:
            choices.check_choices(a, booth_ids, known)
        assert (refused.value.code, refused.value.field) == (code, field), booth_ids


def _row(n: int, zone: str = "A", y: float = 0.0) -> list[PlannedBooth]:
    return [
        PlannedBooth(
            booth_id=uuid.uuid4(), code=f"{zone}-{k + 1}", zone=zone, booth_type="standard",
            width_m=3, depth_m=3, price_vnd=1, x=k * 3.0, y=y,
        )  # type: ignore[arg-type]
        for k in range(n)
    ]  # fmt: skip


def _engine(planned: list[PlannedBooth]) -> tuple[list[al.Zone], list[al.Slot], Any]:
    zones = [al.Zone(z, "regional", frozenset({1})) for z in sorted({b.zone for b in planned})]
    slots = [al.Slot(b.booth_id, b.code, b.zone, b.booth_type, b.x, b.y) for b in planned]
    return zones, slots, adjacency(planned)


def _applicant(i: int, star: int, choices_: list[uuid.UUID], count: int = 1) -> al.Applicant:
    return al.Applicant(
        uuid.uuid4(), uuid.uuid4(), f"HTX {i}", star, NOW + timedelta(hours=i), count,
        "standard", None, None, frozenset({1}), "Quảng Ninh", False, choices=tuple(choices_),
    )  # fmt: skip


@pytest.mark.parametrize("solver", [False, True])
def test_the_engine_gives_choices_by_priority_and_says_which(solver: bool) -> None:
    a_row, b_row = _row(4, "A"), _row(4, "B", y=10.0)
    zones, slots, adjacent = _engine(a_row + b_row)
    b3, a2, b1 = b_row[2].booth_id, a_row[1].booth_id, b_row[0].booth_id
    # The 3-star applied first and the 5-star later, both want B-3 first.
    early = _applicant(0, 3, [b3, b1])
    star = _applicant(1, 5, [b3, a2])
    none = _applicant(2, 4, [])
    p = al.allocate([early, star, none], zones, slots, adjacent, max_booths=2, use_solver=solver)
    placed = {x.application_id: x for x in p.placements}
    assert placed[star.application_id].booth_ids == [b3]
    assert {"code": "placed_choice", "rank": 1, "booth": "B-3"} in placed[
        star.application_id
    ].reasons
    assert placed[early.application_id].booth_ids == [b1]  # its second choice
    assert {"code": "placed_choice", "rank": 2, "booth": "B-1"} in placed[
        early.application_id
    ].reasons
    assert "its choice no. 2 (B-1)" in placed[early.application_id].explanation
    assert not any(r["code"].endswith("choice") for r in placed[none.application_id].reasons)


@pytest.mark.parametrize("solver", [False, True])
def test_choices_never_change_who_is_served(solver: bool) -> None:
    row = _row(2)
    zones, slots, adjacent = _engine(row)
    first, second = row[0].booth_id, row[1].booth_id
    # Three want two booths: the 3-star, who applied first, still waits; choices decide only
    # where the served are placed.
    low = _applicant(0, 3, [first])
    high = [_applicant(1, 4, [second]), _applicant(2, 5, [second, first])]
    p = al.allocate([low, *high], zones, slots, adjacent, max_booths=2, use_solver=solver)
    assert {x.application_id for x in p.placements} == {a.application_id for a in high}
    assert [w.application_id for w in p.waitlist] == [low.application_id]
    placed = {x.application_id: x.booth_ids for x in p.placements}
    assert placed[high[1].application_id] == [second] and placed[high[0].application_id] == [first]
    without = al.allocate(
        [dataclasses.replace(a, choices=()) for a in (low, *high)],
        zones, slots, adjacent, max_booths=2, use_solver=solver,
    )  # fmt: skip
    assert {x.application_id for x in without.placements} == set(placed)


def test_a_chosen_zone_outweighs_the_others_and_the_run_touches_the_choice() -> None:
    a_row, b_row = _row(4, "A"), _row(4, "B", y=10.0)
    zones, slots, adjacent = _engine(a_row + b_row)
    two = _applicant(0, 4, [b_row[2].booth_id], count=2)
    asked_a = dataclasses.replace(two, zone="A")  # it asked for zone A, but chose B-3
    p = al.allocate([asked_a], zones, slots, adjacent, max_booths=2)
    [placement] = p.placements
    assert placement.zone == "B" and b_row[2].booth_id in placement.booth_ids
    assert placement.adjacent and len(placement.booth_ids) == 2
    # A choice no one can have any more (blocked or taken: not among the free slots).
    gone = _applicant(1, 4, [uuid.uuid4(), uuid.uuid4()])
    p = al.allocate([gone], zones, slots, adjacent, max_booths=2)
    assert {"code": "choices_unavailable", "count": 2} in p.placements[0].reasons
