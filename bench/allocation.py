"""Allocation: the placement quality term, measured against a proven optimum, at 250, 1,000
and 5,000 booths (1.5 applications per booth).

Per size: the engine's time (wall and CPU), the method it names and the gap it proves; its
quality against the optimum (the placement model run to proof, zero gap, no node limit);
the greedy priority pass and the previous engine (CP-SAT with a 0.6 deterministic-second
budget, which silently fell back to the greedy answer) measured in the same run. The served
set is fixed by priority, so only the quality term differs between them.

Goals (issue 16): within 1 % of a proven optimum in < 2 s at 1,000 × 1,500 and < 10 s at
5,000 × 7,500, the method and the proven gap said, the same answer every run.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import save
from ocop_booths.domain import placement
from ocop_booths.domain.allocation import (
    SPREAD_PENALTY,
    Applicant,
    Slot,
    Zone,
    _affinity,
    allocate,
    capacities,
    greedy,
    placement_items,
    priority_order,
    quality,
    served_value,
    with_choices,
)
from ocop_booths.domain.floorplan import adjacency
from ocop_shared.contracts.booths import BoothSnapshot

PROVINCES = [
    "Quảng Ninh",
    "Hải Phòng",
    "Lạng Sơn",
    "Bắc Giang",
    "Thái Nguyên",
    "Cao Bằng",
    "Hà Giang",
    "Tuyên Quang",
]
TYPES = ["standard"] * 7 + ["corner"] * 2 + ["premium"]
SIZES = (250, 1000, 5000)
BUDGET_SECONDS = {1000: 2.0, 5000: 10.0}  # the budgets (250: none set)
GAP_GOAL = 0.01


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)  # the same ids every run


def hall(n_booths: int, seed: int) -> tuple[list[Zone], list[BoothSnapshot]]:
    rng = random.Random(seed)
    zones = [
        Zone(
            f"Z{i:02d}",
            "district_cluster" if i < 6 else "regional",
            frozenset(rng.sample(range(1, 7), 2)),
        )
        for i in range(10)
    ]
    booths = []
    per_zone = n_booths // len(zones)
    for zi, z in enumerate(zones):
        for k in range(per_zone):
            row, col = divmod(k, 20)
            booths.append(
                BoothSnapshot(
                    booth_id=_uuid(rng),
                    code=f"{z.code}-{k + 1:03d}",
                    zone=z.code,
                    booth_type=rng.choice(TYPES),
                    width_m=3,
                    depth_m=3,
                    price_vnd=6_000_000,
                    x=col * 3.0,
                    y=zi * 40.0 + row * 3.0,
                )
            )
    return zones, booths


def demand(zones: list[Zone], n: int, seed: int) -> list[Applicant]:
    rng = random.Random(seed)
    start = datetime(2024, 7, 1, tzinfo=UTC)
    out = []
    for _ in range(n):
        group = rng.randint(1, 6)
        out.append(Applicant(
            application_id=_uuid(rng), exhibitor_id=_uuid(rng), exhibitor_name="HTX", star=rng.choice([3, 3, 3, 4, 4, 5]),
            submitted_at=start + timedelta(minutes=rng.randint(0, 60 * 24 * 30)), count=rng.choice([1, 1, 1, 2, 2, 3]),
            booth_type=rng.choice(TYPES), zone=rng.choice([None, None, rng.choice(zones).code]), product_group=group,
            product_groups=frozenset({group}), province=rng.choice(PROVINCES), delegation=rng.random() < 0.1,
        ))  # fmt: skip
    return out


def previous_cpsat(
    applicants: Sequence[Applicant], zones: Sequence[Zone], slots: Sequence[Slot]
) -> dict[uuid.UUID, str]:
    """The engine before issue 16 (commit ff577fb), kept here to measure it in the same run:
    CP-SAT seeded with the greedy answer, 0.6 deterministic seconds, greedy when it ends
    without a better answer (silently, then)."""
    from ortools.sat.python import cp_model

    hint = greedy(applicants, zones, slots, 3)
    cap = capacities(slots)
    served = [a for a in priority_order(applicants) if a.application_id in hint]
    model = cp_model.CpModel()
    choice: dict[tuple[uuid.UUID, str], Any] = {}
    buckets: dict[tuple[str, str], tuple[list[Any], list[int]]] = defaultdict(lambda: ([], []))
    present: dict[tuple[str, str], Any] = {}
    weights: list[int] = []
    for a in served:
        mine = []
        for z in zones:
            if cap.get((z.code, a.booth_type), 0) < a.count:
                continue
            var = model.new_bool_var("")
            choice[(a.application_id, z.code)] = var
            weights.append(a.count * _affinity(a, z)[0])
            mine.append(var)
            vs, cs = buckets[(z.code, a.booth_type)]
            vs.append(var)
            cs.append(a.count)
            if (a.province, z.code) not in present:
                present[(a.province, z.code)] = model.new_bool_var("")
            model.add_implication(var, present[(a.province, z.code)])
            model.add_hint(var, hint[a.application_id] == z.code)
        model.add_exactly_one(mine)
    for bucket, (vs, cs) in buckets.items():
        if sum(cs) > cap[bucket]:
            model.add(cp_model.LinearExpr.weighted_sum(vs, cs) <= cap[bucket])
    terms = [*choice.values(), *present.values()]
    model.maximize(
        cp_model.LinearExpr.weighted_sum(terms, weights + [-SPREAD_PENALTY] * len(present))
    )
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = 0.6
    solver.parameters.random_seed = 7
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return hint
    chosen = {a: z for (a, z), var in choice.items() if solver.value(var)}
    return (
        chosen if quality(chosen, applicants, zones) >= quality(hint, applicants, zones) else hint
    )


def _vs(value: int, optimum: int) -> float:
    return round((optimum - value) / optimum, 6)


def one_size(n_booths: int) -> dict[str, Any]:
    zones, booths = hall(n_booths, 1)
    applicants = demand(zones, n_booths * 3 // 2, 2)
    slots = [Slot(b.booth_id, b.code, b.zone, b.booth_type, b.x, b.y) for b in booths]
    adjacent = adjacency(booths)
    ranked = with_choices(applicants, slots)

    wall, cpu = time.perf_counter(), time.process_time()
    engine = allocate(applicants, zones, slots, adjacent, max_booths=3)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    again = allocate(applicants, zones, slots, adjacent, max_booths=3)
    deterministic = [(p.application_id, p.booth_ids) for p in engine.placements] == [
        (p.application_id, p.booth_ids) for p in again.placements
    ] and (engine.method, engine.quality_bound) == (again.method, again.quality_bound)

    base = greedy(ranked, zones, slots, 3)
    t = time.perf_counter()
    before = previous_cpsat(ranked, zones, slots)
    before_s = time.perf_counter() - t
    t = time.perf_counter()
    proof = placement.place(
        placement_items(ranked, zones, base),
        [z.code for z in zones],
        capacities(slots),
        base,
        SPREAD_PENALTY,
        gap_target=0.0,
        node_limit=10**7,
        safety_seconds=600.0,
    )
    proof_s = time.perf_counter() - t
    optimum = proof.quality if proof.gap == 0.0 else None
    reference = optimum if optimum is not None else proof.bound
    assert reference is not None
    q_greedy, q_before = quality(base, ranked, zones), quality(before, ranked, zones)
    budget = BUDGET_SECONDS.get(n_booths)
    gap_ok = engine.quality_gap is not None and engine.quality_gap <= GAP_GOAL
    return {
        "booths": len(booths),
        "applications": len(applicants),
        "served_applications": len(engine.placements),
        "served_value": served_value(base, ranked),
        "reference": {
            "kind": "proven optimum" if optimum is not None else "proven bound",
            "quality": reference,
            "seconds": round(proof_s, 3),
            "method": proof.method,
        },
        "engine": {
            "seconds": round(wall, 3),
            "cpu_seconds": round(cpu, 3),
            "method": engine.method,
            "quality": engine.quality,
            "quality_bound": engine.quality_bound,
            "proven_gap": engine.quality_gap,
            "below_reference": _vs(engine.quality, reference),
            "deterministic": deterministic,
        },
        "greedy": {"quality": q_greedy, "below_reference": _vs(q_greedy, reference)},
        "previous_cpsat": {
            "seconds": round(before_s, 3),
            "quality": q_before,
            "below_reference": _vs(q_before, reference),
            "silently_greedy": before == base,
        },
        "budget_seconds": budget,
        "goal_met": gap_ok
        and deterministic
        and _vs(engine.quality, reference) <= GAP_GOAL
        and (budget is None or wall < budget),
    }


def _line(r: Mapping[str, Any]) -> str:
    e, ref = r["engine"], r["reference"]
    return (
        f"{r['booths']:>5} booths × {r['applications']:>5}: {e['seconds']:6.2f} s "
        f"(cpu {e['cpu_seconds']:.2f}) {e['method']:<11} quality {e['quality']:>9} "
        f"gap {100 * (e['proven_gap'] or 0):.3f} % proven, {100 * e['below_reference']:.3f} % "
        f"below the {ref['kind']} {ref['quality']}; greedy {100 * r['greedy']['below_reference']:.2f} %, "
        f"previous CP-SAT {100 * r['previous_cpsat']['below_reference']:.2f} % below "
        f"({r['previous_cpsat']['seconds']:.2f} s) {'ok' if r['goal_met'] else 'GOAL MISSED'}"
    )


def main_sync() -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    sizes = [one_size(n) for n in SIZES]
    for r in sizes:
        print(_line(r))
    return {
        # The machine is shared: wall time stretches with its load, CPU time much less.
        "load_average_1min": {"before": load_before, "after": os.getloadavg()[0]},
        "sizes": sizes,
        "goal": "placement quality within 1 % of a proven optimum (the engine proves its gap "
        "and names its method), < 2 s at 1,000 × 1,500, < 10 s at 5,000 × 7,500, deterministic",
        "goal_met": all(r["goal_met"] for r in sizes),
    }


async def main() -> None:
    save("allocation", main_sync())
