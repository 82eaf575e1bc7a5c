"""The placement model (issue 16): its proven gap is honest (checked against the optimum found
by brute force), the same input gives the same answer, and the proposal names its method."""

from __future__ import annotations

import itertools
import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from ocop_booths.domain import allocation as al
from ocop_booths.domain import placement

PROVINCES = ["Quảng Ninh", "Hải Phòng", "Lạng Sơn"]
TYPES = ["standard", "standard", "corner"]


def _instance(
    seed: int, n_zones: int = 3, per_zone: int = 4, n_apps: int = 7
) -> tuple[list[al.Zone], list[al.Slot], list[al.Applicant]]:
    rng = random.Random(seed)
    zones = [
        al.Zone(f"Z{i}", "regional", frozenset(rng.sample(range(1, 5), 2))) for i in range(n_zones)
    ]
    slots = [
        al.Slot(
            uuid.UUID(int=rng.getrandbits(128)),
            f"{z.code}-{k}",
            z.code,
            rng.choice(TYPES),
            3.0 * k,
            10.0 * zi,
        )
        for zi, z in enumerate(zones)
        for k in range(per_zone)
    ]
    start = datetime(2025, 3, 1, tzinfo=UTC)
    apps = []
    for _ in range(n_apps):
        group = rng.randint(1, 4)
        apps.append(
            al.Applicant(
                application_id=uuid.UUID(int=rng.getrandbits(128)),
                exhibitor_id=uuid.UUID(int=rng.getrandbits(128)),
                exhibitor_name="HTX",
                star=rng.choice([3, 4, 5]),
                submitted_at=start + timedelta(minutes=rng.randint(0, 10_000)),
                count=rng.choice([1, 1, 2]),
                booth_type=rng.choice(TYPES),
                zone=rng.choice([None, rng.choice(zones).code]),
                product_group=group,
                product_groups=frozenset({group}),
                province=rng.choice(PROVINCES),
                delegation=False,
            )
        )
    return zones, slots, apps


def _brute_force_optimum(
    zones: list[al.Zone], slots: list[al.Slot], apps: list[al.Applicant], served: set[uuid.UUID]
) -> int:
    """Every way of giving the served applications a zone with room: the best quality."""
    cap = al.capacities(slots)
    mine = [a for a in apps if a.application_id in served]
    best: int | None = None
    for combo in itertools.product([z.code for z in zones], repeat=len(mine)):
        used: dict[tuple[str, str], int] = {}
        for a, z in zip(mine, combo, strict=True):
            used[(z, a.booth_type)] = used.get((z, a.booth_type), 0) + a.count
        if any(v > cap.get(k, 0) for k, v in used.items()):
            continue
        q = al.quality({a.application_id: z for a, z in zip(mine, combo, strict=True)}, apps, zones)
        best = q if best is None else max(best, q)
    assert best is not None  # the greedy's placement is one of them
    return best


@pytest.mark.parametrize("seed", range(8))
def test_the_proven_gap_holds_against_the_brute_force_optimum(seed: int) -> None:
    zones, slots, apps = _instance(seed)
    served = set(al.greedy(apps, zones, slots, 3))
    optimum = _brute_force_optimum(zones, slots, apps, served)
    found = al.solve_placement(apps, zones, slots, 3)
    assert set(found.chosen) == served  # who is served is priority's, never the model's
    assert found.quality == al.quality(found.chosen, apps, zones)
    assert found.bound is not None and found.gap is not None
    assert found.quality <= optimum <= found.bound  # the bound is a bound, the answer feasible
    assert found.gap == pytest.approx((found.bound - found.quality) / found.bound)
    assert found.gap <= placement.GAP_TARGET and found.method in (
        placement.MIP_OPTIMAL,
        placement.MIP_GAP,
    )
    if found.method == placement.MIP_OPTIMAL:
        assert found.quality == optimum and found.gap == 0.0


@pytest.mark.parametrize("seed", range(4))
def test_with_no_gap_allowed_it_finds_the_brute_force_optimum_and_says_optimal(seed: int) -> None:
    zones, slots, apps = _instance(seed + 100)
    served = set(al.greedy(apps, zones, slots, 3))
    found = al.solve_placement(apps, zones, slots, 3, gap_target=0.0)
    assert found.quality == _brute_force_optimum(zones, slots, apps, served)
    assert (found.method, found.bound, found.gap) == (placement.MIP_OPTIMAL, found.quality, 0.0)


def test_a_gap_is_computed_on_the_quality_term_against_the_bound() -> None:
    assert placement.gap_of(990, 1000) == pytest.approx(0.01)
    assert placement.gap_of(1000, 1000) == 0.0
    assert placement.gap_of(1000, None) is None


def _three() -> tuple[list[placement.Item], dict[tuple[str, str], int], dict[uuid.UUID, str]]:
    """Zone A has one booth, B two; the first likes A, the others B. The optimum (290) puts
    the first in A; the start (90) puts the second there."""
    items = [
        placement.Item(uuid.UUID(int=1), "standard", 1, "P", (100, 0)),
        placement.Item(uuid.UUID(int=2), "standard", 1, "P", (0, 100)),
        placement.Item(uuid.UUID(int=3), "standard", 1, "P", (0, 100)),
    ]
    cap = {("A", "standard"): 1, ("B", "standard"): 2}
    start = {items[0].key: "B", items[1].key: "A", items[2].key: "B"}
    return items, cap, start


def test_the_small_case_is_solved_to_its_optimum() -> None:
    items, cap, start = _three()
    assert placement.quality_of(start, items, ["A", "B"], 10) == 90
    found = placement.place(items, ["A", "B"], cap, start, 10, gap_target=0.0)
    assert (found.method, found.quality, found.bound, found.gap) == (
        placement.MIP_OPTIMAL,
        290,
        290,
        0.0,
    )
    assert found.chosen[items[0].key] == "A"


def test_when_the_solver_steps_give_nothing_the_greedy_answer_is_named_with_its_gap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    items, cap, start = _three()
    monkeypatch.setattr(placement, "_relax_and_fix", lambda *a, **k: None)
    monkeypatch.setattr(placement, "_whole_mip", lambda *a, **k: None)
    found = placement.place(items, ["A", "B"], cap, start, 10)
    assert (found.method, found.quality, found.chosen) == (placement.GREEDY, 90, start)
    assert found.bound is not None and found.bound >= 290  # the LP's bound, still proven
    assert found.gap == pytest.approx((found.bound - 90) / found.bound)


def test_a_limit_ending_above_the_target_is_said_with_its_gap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The whole MIP stopped by its node limit with a better answer than the start, but not
    within the target: ``mip_limit`` and its gap, never ``mip_gap``."""
    items = [
        placement.Item(uuid.UUID(int=1), "standard", 1, "P", (100, 50)),
        placement.Item(uuid.UUID(int=2), "standard", 1, "Q", (0, 100)),
        placement.Item(uuid.UUID(int=3), "standard", 1, "Q", (0, 60)),
    ]
    cap = {("A", "standard"): 1, ("B", "standard"): 2}
    zones = ["A", "B"]
    start = {items[0].key: "B", items[1].key: "A", items[2].key: "B"}  # 100
    stopped_at = {items[0].key: "B", items[1].key: "B", items[2].key: "A"}  # 140
    assert placement.quality_of(start, items, zones, 10) == 100
    assert placement.quality_of(stopped_at, items, zones, 10) == 140
    assert placement.place(items, zones, cap, start, 10, gap_target=0.0).quality == 260
    monkeypatch.setattr(placement, "_relax_and_fix", lambda *a, **k: None)
    monkeypatch.setattr(placement, "_whole_mip", lambda *a, **k: (stopped_at, 400.0, "node_limit"))
    found = placement.place(items, zones, cap, start, 10, gap_target=0.01)
    assert (found.method, found.quality, found.bound) == (placement.MIP_LIMIT, 140, 260)
    assert found.gap == pytest.approx(120 / 260)  # the LP's bound: the smaller proven one


def _bench_like(n_booths: int) -> tuple[list[al.Zone], list[al.Slot], list[al.Applicant]]:
    zones, slots, apps = _instance(7, n_zones=6, per_zone=n_booths // 6, n_apps=n_booths * 3 // 2)
    return zones, slots, apps


def test_the_same_input_gives_the_same_answer() -> None:
    zones, slots, apps = _bench_like(120)
    adjacent: dict[uuid.UUID, set[uuid.UUID]] = {}
    first = al.allocate(apps, zones, slots, adjacent, max_booths=3)
    for _ in range(2):
        again = al.allocate(apps, zones, slots, adjacent, max_booths=3)
        assert [(p.application_id, p.booth_ids) for p in again.placements] == [
            (p.application_id, p.booth_ids) for p in first.placements
        ]
        assert (again.method, again.quality, again.quality_bound, again.quality_gap) == (
            first.method,
            first.quality,
            first.quality_bound,
            first.quality_gap,
        )


def test_the_proposal_names_its_method_and_proven_gap() -> None:
    zones, slots, apps = _bench_like(60)
    adjacent: dict[uuid.UUID, set[uuid.UUID]] = {}
    found = al.allocate(apps, zones, slots, adjacent, max_booths=3)
    assert found.method in (placement.MIP_OPTIMAL, placement.MIP_GAP)
    assert found.solver == found.method
    chosen = {p.application_id: p.zone for p in found.placements}
    assert found.quality == al.quality(chosen, apps, zones)
    assert found.quality_bound is not None and found.quality_bound >= found.quality
    assert found.quality_gap is not None and 0 <= found.quality_gap <= placement.GAP_TARGET
    assert found.quality >= found.greedy_quality
    baseline = al.allocate(apps, zones, slots, adjacent, max_booths=3, use_solver=False)
    assert (baseline.method, baseline.solver) == (placement.GREEDY, placement.GREEDY)
    assert (baseline.quality_bound, baseline.quality_gap) == (None, None)
    assert baseline.quality == baseline.greedy_quality
