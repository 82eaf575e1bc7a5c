"""Allocation: CP-SAT against the greedy baseline on 1,000 booths and 1,500 applications."""

from __future__ import annotations

import random
import time
import uuid
from datetime import UTC, datetime, timedelta

from bench.common import save
from ocop_booths.domain.allocation import (
    Applicant,
    Proposal,
    Slot,
    Zone,
    allocate,
    greedy,
    objective_of,
    quality,
    served_value,
    solve,
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
                    booth_id=uuid.uuid4(),
                    code=f"{z.code}-{k + 1:03d}",
                    zone=z.code,
                    booth_type=rng.choice(TYPES),
                    width_m=3,
                    depth_m=3,
                    price_vnd=6_000_000,
                    x=col * 3.0,
                    y=zi * 40.0 + row * 3.0,
                )
            )  # type: ignore[arg-type]
    return zones, booths


def demand(zones: list[Zone], n: int, seed: int) -> list[Applicant]:
    rng = random.Random(seed)
    start = datetime(2024, 7, 1, tzinfo=UTC)
    out = []
    for _ in range(n):
        group = rng.randint(1, 6)
        out.append(Applicant(
            application_id=uuid.uuid4(), exhibitor_id=uuid.uuid4(), exhibitor_name="HTX", star=rng.choice([3, 3, 3, 4, 4, 5]),
            submitted_at=start + timedelta(minutes=rng.randint(0, 60 * 24 * 30)), count=rng.choice([1, 1, 1, 2, 2, 3]),
            booth_type=rng.choice(TYPES), zone=rng.choice([None, None, rng.choice(zones).code]), product_group=group,
            product_groups=frozenset({group}), province=rng.choice(PROVINCES), delegation=rng.random() < 0.1,
        ))  # fmt: skip
    return out


def main_sync() -> dict[str, object]:
    zones, booths = hall(1000, 1)
    applicants = demand(zones, 1500, 2)
    slots = [Slot(b.booth_id, b.code, b.zone, b.booth_type, b.x, b.y) for b in booths]
    adjacent = adjacency(booths)
    t = time.perf_counter()
    base = allocate(applicants, zones, slots, adjacent, max_booths=3, use_solver=False)
    greedy_s = time.perf_counter() - t
    t = time.perf_counter()
    best = allocate(applicants, zones, slots, adjacent, max_booths=3, use_solver=True)
    solver_s = time.perf_counter() - t
    assert objective_of(greedy(applicants, zones, slots, 3), applicants, zones) == base.objective
    assert solve(applicants, zones, slots, 3) == solve(applicants, zones, slots, 3), (
        "not deterministic"
    )
    g, c = greedy(applicants, zones, slots, 3), solve(applicants, zones, slots, 3)
    province = {a.application_id: a.province for a in applicants}

    def booths_placed(p: Proposal) -> int:
        return sum(len(x.booth_ids) for x in p.placements)

    def spread(chosen: dict[uuid.UUID, str]) -> int:
        return len({(province[k], z) for k, z in chosen.items()})

    return {
        "booths": len(booths),
        "applications": len(applicants),
        "booths_requested": sum(a.count for a in applicants),
        "greedy": {
            "seconds": round(greedy_s, 3),
            "objective": base.objective,
            "placed_applications": len(base.placements),
            "booths_used": booths_placed(base),
            "adjacent_runs": sum(p.adjacent for p in base.placements),
            "served_value": served_value(g, applicants),
            "placement_quality": quality(g, applicants, zones),
            "province_zone_pairs": spread(g),
        },
        "cp_sat": {
            "seconds": round(solver_s, 3),
            "objective": best.objective,
            "placed_applications": len(best.placements),
            "booths_used": booths_placed(best),
            "adjacent_runs": sum(p.adjacent for p in best.placements),
            "served_value": served_value(c, applicants),
            "placement_quality": quality(c, applicants, zones),
            "province_zone_pairs": spread(c),
        },
        "objective_gain_over_greedy": round(best.objective / base.objective - 1, 6),
        "placement_quality_gain": quality(c, applicants, zones) - quality(g, applicants, zones),
        "goal": "cp-sat under 2 s and better than greedy",
        "goal_met": solver_s < 2.0 and best.objective > base.objective,
    }


async def main() -> None:
    save("allocation", main_sync())
