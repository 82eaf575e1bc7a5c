"""The allocation engine: which approved application gets which booths.

Two stages. First, every application is given a zone (or the waitlist): a greedy pass in
priority order decides who is served (and is the baseline); where each served application
goes is a mixed-integer model of the placement quality (``domain.placement``: an LP bound,
relax and fix, then SCIP if the gap is still above 1 %), answered with the method that
produced it and its proven gap. Second, inside each zone, each application's booths are laid
out as a run of touching booths, with a delegation's and a province's exhibitors next to
each other.

Value of placing an application: per booth, a weight for its best star that dwarfs
everything else (priority by star), then a bonus for applying earlier (then by time), then
a smaller bonus for the zone it asked for or a zone of its product group. The search is
deterministic for the same input (one thread, fixed seeds, limits counted in nodes).

Ranked choices (a fair in ``ranked`` mode: each exhibitor ranks up to five booths) are
preferences, never priority: who is served is decided as before, by star then application
time. Where: in priority order each applicant claims its best choices no one before it
claimed (``with_choices``), a zone holding one of its claimed choices weighs more than any
other affinity (the first choice most, ``CHOICE_WEIGHT``), and in the layout the applicants
with choices, in priority order, take their best choice still free first, their other booths
touching it (other choices preferred). The explanation says which choice was given
(``placed_choice`` and its rank) or that none was left (``choices_unavailable``).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from ocop_booths.domain import placement, reasons
from ocop_booths.domain.reasons import Reason

STAR_WEIGHT = {3: 10_000, 4: 100_000, 5: 1_000_000}
EARLIER_WEIGHT = 10  # per booth, per place earlier in the queue
ZONE_MATCH = 3_000
GROUP_MATCH = 1_500
# A zone holding one of its ranked choices, per booth, by the choice's rank: above the zone
# and group affinities together, and above keeping a province together.
CHOICE_WEIGHT = {1: 11_000, 2: 9_500, 3: 8_000, 4: 6_500, 5: 5_000}


@dataclass(frozen=True, slots=True)
class Slot:
    booth_id: UUID
    code: str
    zone: str
    booth_type: str
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class Zone:
    code: str
    kind: str
    product_groups: frozenset[int]


@dataclass(frozen=True, slots=True)
class Applicant:
    application_id: UUID
    exhibitor_id: UUID
    exhibitor_name: str
    star: int
    submitted_at: datetime
    count: int
    booth_type: str
    zone: str | None
    product_group: int | None
    product_groups: frozenset[int]
    province: str
    delegation: bool
    holders: int = 1  # a delegation shows several holders; the booth limit is per holder
    choices: tuple[UUID, ...] = ()  # its ranked booth choices, best first (ranked fairs)
    # Set by ``with_choices``: the choices it may still get, (rank, booth id, zone).
    reachable: tuple[tuple[int, UUID, str], ...] = ()


@dataclass
class Placement:
    application_id: UUID
    exhibitor_id: UUID
    zone: str
    booth_ids: list[UUID]
    booth_codes: list[str]
    adjacent: bool
    explanation: str
    # The explanation's pieces, each a code and its parameters (domain.reasons, flat form).
    reasons: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Waitlisted:
    application_id: UUID
    rank: int
    reason: str
    reason_code: str | None = None  # domain.reasons: over_booth_limit | no_room_left
    reason_params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Proposal:
    solver: str  # the method that produced the placement (``method``)
    objective: int
    seconds: float
    placements: list[Placement] = field(default_factory=list)
    waitlist: list[Waitlisted] = field(default_factory=list)
    # The placement quality term (``quality``), how it was found and how far from optimal it
    # is proven to be: ``placement.MIP_OPTIMAL | MIP_GAP | MIP_LIMIT | GREEDY``, a proven
    # upper bound on the term (None: none proven) and the gap (bound - quality) / bound.
    method: str = placement.GREEDY
    quality: int = 0
    quality_bound: int | None = None
    quality_gap: float | None = None
    greedy_quality: int = 0


def priority_order(applicants: Sequence[Applicant]) -> list[Applicant]:
    return sorted(applicants, key=lambda a: (-a.star, a.submitted_at, str(a.application_id)))


def with_choices(applicants: Sequence[Applicant], slots: Sequence[Slot]) -> list[Applicant]:
    """Each applicant with the choices it may still get: free booths of its type, not claimed
    by an applicant before it in priority order (each claims its best ones left, as many as
    it asks booths)."""
    by_id = {s.booth_id: s for s in slots}
    claimed: set[UUID] = set()
    out: dict[UUID, Applicant] = {}
    for a in priority_order(applicants):
        reachable = tuple(
            (rank, b, by_id[b].zone)
            for rank, b in enumerate(a.choices, start=1)
            if b in by_id and by_id[b].booth_type == a.booth_type and b not in claimed
        )
        claimed.update(b for _rank, b, _zone in reachable[: a.count])
        same = reachable == a.reachable  # most have no choices: nothing to copy
        out[a.application_id] = a if same else replace(a, reachable=reachable)
    return [out[a.application_id] for a in applicants]


def _affinity(a: Applicant, z: Zone) -> tuple[int, list[Reason]]:
    bonus, why = 0, []
    ranks = [rank for rank, _b, zone in a.reachable if zone == z.code]
    if ranks:
        bonus += CHOICE_WEIGHT.get(min(ranks), 0)
    if a.zone is not None and a.zone == z.code:
        bonus += ZONE_MATCH
        why.append(
            Reason(reasons.PLACED_REQUESTED_ZONE, f"zone {z.code} as requested", {"zone": z.code})
        )
    if a.product_group is not None and a.product_group in z.product_groups:
        bonus += GROUP_MATCH
        why.append(
            Reason(
                reasons.PLACED_GROUP_ZONE,
                f"zone {z.code} is for group {a.product_group}",
                {"zone": z.code, "group": a.product_group},
            )
        )
    elif a.product_group is None and a.product_groups & z.product_groups:
        bonus += GROUP_MATCH
        why.append(
            Reason(
                reasons.PLACED_SHARED_GROUPS_ZONE,
                f"zone {z.code} shares its product groups",
                {"zone": z.code},
            )
        )
    return bonus, why


def affinities(a: Applicant, zones: Sequence[Zone]) -> tuple[int, ...]:
    """Its affinity bonus (per booth) to each zone, in ``zones`` order."""
    return tuple(_affinity(a, z)[0] for z in zones)


def capacities(slots: Sequence[Slot]) -> dict[tuple[str, str], int]:
    cap: dict[tuple[str, str], int] = defaultdict(int)
    for s in slots:
        cap[(s.zone, s.booth_type)] += 1
    return dict(cap)


SPREAD_PENALTY = 2_000  # per extra zone a province's exhibitors are spread over


def served_value(chosen: Mapping[UUID, str], applicants: Sequence[Applicant]) -> int:
    """Who is served: star first, then application time (the part priority decides)."""
    ranked = priority_order(applicants)
    n = len(ranked)
    return sum(
        a.count * (STAR_WEIGHT.get(a.star, 0) + (n - i) * EARLIER_WEIGHT)
        for i, a in enumerate(ranked)
        if a.application_id in chosen
    )


def quality(
    chosen: Mapping[UUID, str], applicants: Sequence[Applicant], zones: Sequence[Zone]
) -> int:
    """Where they are served: zone and product-group affinity, minus provinces spread out."""
    zone_by_code = {z.code: z for z in zones}
    by_id = {a.application_id: a for a in applicants}
    bonus = sum(by_id[a].count * _affinity(by_id[a], zone_by_code[z])[0] for a, z in chosen.items())
    provinces: dict[str, set[str]] = defaultdict(set)
    for a, z in chosen.items():
        provinces[by_id[a].province].add(z)
    return bonus - SPREAD_PENALTY * sum(len(zs) - 1 for zs in provinces.values())


def objective_of(
    chosen: Mapping[UUID, str], applicants: Sequence[Applicant], zones: Sequence[Zone]
) -> int:
    return served_value(chosen, applicants) + quality(chosen, applicants, zones)


def greedy(
    applicants: Sequence[Applicant], zones: Sequence[Zone], slots: Sequence[Slot], max_booths: int
) -> dict[UUID, str]:
    """The baseline: priority order; each takes the zone it likes best that still has room,
    preferring a zone where its province already is."""
    left = capacities(slots)
    chosen: dict[UUID, str] = {}
    present: dict[str, set[str]] = defaultdict(set)
    for a in priority_order(applicants):
        if a.count > max_booths * a.holders:
            continue
        options = [
            (i, z) for i, z in enumerate(zones) if left.get((z.code, a.booth_type), 0) >= a.count
        ]
        if not options:
            continue
        bonus = affinities(a, zones)
        _i, best = max(
            options,
            key=lambda o: (
                bonus[o[0]] + (SPREAD_PENALTY if o[1].code in present[a.province] else 0),
                left[(o[1].code, a.booth_type)],
                o[1].code,
            ),
        )
        chosen[a.application_id] = best.code
        present[a.province].add(best.code)
        left[(best.code, a.booth_type)] -= a.count
    return chosen


def placement_items(
    applicants: Sequence[Applicant], zones: Sequence[Zone], served: Mapping[UUID, str]
) -> list[placement.Item]:
    """The served applications, in priority order, as the placement model sees them."""
    return [
        placement.Item(a.application_id, a.booth_type, a.count, a.province, affinities(a, zones))
        for a in priority_order(applicants)
        if a.application_id in served
    ]


def solve_placement(
    applicants: Sequence[Applicant],
    zones: Sequence[Zone],
    slots: Sequence[Slot],
    max_booths: int,
    *,
    gap_target: float = placement.GAP_TARGET,
    start: Mapping[UUID, str] | None = None,
) -> placement.Placed:
    """Who is served comes from priority order (the greedy pass); where each is served is
    the placement model (``domain.placement``): zone and product-group affinity, with each
    province's exhibitors kept in as few zones as possible, under every zone's capacity,
    solved with a proven bound on the quality term. The answer names its method and gap."""
    if start is None:
        start = greedy(applicants, zones, slots, max_booths)
    return placement.place(
        placement_items(applicants, zones, start),
        [z.code for z in zones],
        capacities(slots),
        start,
        SPREAD_PENALTY,
        gap_target=gap_target,
    )


def solve(
    applicants: Sequence[Applicant],
    zones: Sequence[Zone],
    slots: Sequence[Slot],
    max_booths: int,
) -> dict[UUID, str]:
    """The zones ``solve_placement`` chose (never worse than the greedy's)."""
    return solve_placement(applicants, zones, slots, max_booths).chosen


def _reading_order(slots: list[Slot]) -> list[Slot]:
    """Booths of one zone and type in reading order (rows by y, then x)."""
    return sorted(slots, key=lambda s: (round(s.y, 2), s.x, s.code))


def lay_out(
    chosen: Mapping[UUID, str],
    applicants: Sequence[Applicant],
    zones: Sequence[Zone],
    slots: Sequence[Slot],
    adjacent: Mapping[UUID, set[UUID]],
    solver_name: str,
    seconds: float,
    max_booths: int,
) -> Proposal:
    """Turns zone choices into booths and explanations; the rest becomes a ranked waitlist."""
    ranked = priority_order(applicants)
    rank = {a.application_id: i for i, a in enumerate(ranked)}
    zone_by_code = {z.code: z for z in zones}
    free: dict[tuple[str, str], list[Slot]] = defaultdict(list)
    for s in slots:
        free[(s.zone, s.booth_type)].append(s)
    for key in free:
        free[key] = _reading_order(free[key])
    proposal = Proposal(
        solver=solver_name,
        objective=objective_of(chosen, applicants, zones),
        seconds=round(seconds, 4),
        method=solver_name,
        quality=quality(chosen, applicants, zones),
    )
    # Inside a zone: provinces together, a delegation's and an exhibitor's booths together.
    placed = sorted(
        (a for a in ranked if a.application_id in chosen),
        key=lambda a: (
            chosen[a.application_id],
            a.booth_type,
            a.province,
            not a.delegation,
            -a.count,
            rank[a.application_id],
        ),
    )
    # Ranked choices first, in priority order: the first in the queue gets a booth both chose.
    by_choice: dict[UUID, tuple[list[Slot], int | None]] = {}
    for a in ranked:
        if a.application_id in chosen and a.choices:
            pool = free[(chosen[a.application_id], a.booth_type)]
            by_choice[a.application_id] = _pick_choices(a, pool, adjacent)
            for s in by_choice[a.application_id][0]:
                pool.remove(s)
    for a in placed:
        pool = free[(chosen[a.application_id], a.booth_type)]
        choice_rank: int | None = None
        if a.application_id in by_choice:
            picked, choice_rank = by_choice[a.application_id]
        else:
            picked = _first_touching_run(pool, a.count, adjacent) or pool[: a.count]
            for s in picked:
                pool.remove(s)
        adjacent_ok = _is_chain(picked, adjacent)
        _bonus, why = _affinity(a, zone_by_code[chosen[a.application_id]])
        pieces = [_queue_place(a, rank[a.application_id] + 1, len(ranked))]
        if a.choices:
            pieces.append(_choice_given(a, picked, choice_rank))
        pieces += why
        pieces.append(_booths_given(a, picked, adjacent_ok))
        proposal.placements.append(
            Placement(
                a.application_id,
                a.exhibitor_id,
                chosen[a.application_id],
                [s.booth_id for s in picked],
                [s.code for s in picked],
                adjacent_ok,
                reasons.joined(pieces),
                [p.as_json() for p in pieces],
            )
        )
    for a in ranked:
        if a.application_id in chosen:
            continue
        waits = _why_waiting(a, rank[a.application_id] + 1, max_booths * a.holders)
        proposal.waitlist.append(
            Waitlisted(
                a.application_id,
                len(proposal.waitlist) + 1,
                waits.text,
                waits.code,
                dict(waits.params),
            )
        )
    return proposal


def _pick_choices(
    a: Applicant, pool: list[Slot], adjacent: Mapping[UUID, set[UUID]]
) -> tuple[list[Slot], int | None]:
    """Its best choice still in the pool, and its other booths touching it as a run (other
    choices preferred, then reading order); none left: the usual touching run, no rank."""
    in_pool = {s.booth_id: s for s in pool}
    mine = [(r, in_pool[b]) for r, b in enumerate(a.choices, start=1) if b in in_pool]
    if not mine:
        return _first_touching_run(pool, a.count, adjacent) or pool[: a.count], None
    best, anchor = mine[0]
    preferred = {s.booth_id: r for r, s in mine}
    order = {s.booth_id: i for i, s in enumerate(pool)}
    picked = [anchor]
    while len(picked) < a.count:
        options = [
            (preferred.get(s.booth_id, len(a.choices) + 1), order[s.booth_id], at_end, s)
            for at_end, end in ((True, picked[-1]), (False, picked[0]))
            for s in pool
            if s not in picked and s.booth_id in adjacent.get(end.booth_id, set())
        ]
        if not options:
            break
        _r, _o, at_end, s = min(options, key=lambda o: (o[0], o[1], not o[2]))
        picked = [*picked, s] if at_end else [s, *picked]
    rest = [s for s in pool if s not in picked]
    return picked + rest[: a.count - len(picked)], best


def _choice_given(a: Applicant, picked: Sequence[Slot], rank: int | None) -> Reason:
    if rank is None:
        n = len(a.choices)
        return Reason(
            reasons.CHOICES_UNAVAILABLE,
            f"none of its {n} ranked choice{'s' if n > 1 else ''} was left",
            {"count": n},
        )
    code = next(s.code for s in picked if s.booth_id == a.choices[rank - 1])
    return Reason(
        reasons.PLACED_CHOICE, f"its choice no. {rank} ({code})", {"rank": rank, "booth": code}
    )


def _queue_place(a: Applicant, place: int, of: int) -> Reason:
    return Reason(
        reasons.QUEUE_PLACE,
        f"{a.star}★, queue place {place} of {of} (star, then application time)",
        {"star": a.star, "place": place, "of": of},
    )


def _booths_given(a: Applicant, picked: Sequence[Slot], adjacent_ok: bool) -> Reason:
    codes = [s.code for s in picked]
    text = f"{a.count} {a.booth_type} booth{'s' if a.count > 1 else ''} {', '.join(codes)}"
    if a.count == 1:
        code = reasons.ONE_BOOTH
    elif adjacent_ok:
        code, text = reasons.BOOTHS_SIDE_BY_SIDE, text + " side by side"
    else:
        code, text = reasons.BOOTHS_APART, text + " (no touching run was left)"
    return Reason(code, text, {"count": a.count, "booth_type": a.booth_type, "booths": codes})


def _why_waiting(a: Applicant, place: int, limit: int) -> Reason:
    """Why an application is on the waitlist: its request is above the fair's limit, or no
    zone had room left once the applications before it were placed."""
    head = f"{a.star}★, queue place {place}: "
    if a.count > limit:
        return Reason(
            reasons.OVER_BOOTH_LIMIT,
            head + f"asks {a.count} booths, above the fair's limit of {limit}",
            {"star": a.star, "place": place, "count": a.count, "limit": limit},
        )
    return Reason(
        reasons.NO_ROOM_LEFT,
        head
        + f"no zone had {a.count} {a.booth_type} booth(s) left after higher-priority placements",
        {"star": a.star, "place": place, "count": a.count, "booth_type": a.booth_type},
    )


def _first_touching_run(
    pool: list[Slot], k: int, adjacent: Mapping[UUID, set[UUID]]
) -> list[Slot] | None:
    for i in range(len(pool) - k + 1):
        run = pool[i : i + k]
        if _is_chain(run, adjacent):
            return run
    return None


def _is_chain(run: Sequence[Slot], adjacent: Mapping[UUID, set[UUID]]) -> bool:
    return all(
        run[i + 1].booth_id in adjacent.get(run[i].booth_id, set()) for i in range(len(run) - 1)
    )


def allocate(
    applicants: Sequence[Applicant],
    zones: Sequence[Zone],
    slots: Sequence[Slot],
    adjacent: Mapping[UUID, set[UUID]],
    *,
    max_booths: int,
    use_solver: bool = True,
) -> Proposal:
    """The proposal: who is served (priority), where (the placement model, or the greedy
    pass when ``use_solver`` is False) and the booths; it says which method placed it and
    the proven gap of its quality term."""
    start = time.perf_counter()
    applicants = with_choices(applicants, slots)
    baseline = greedy(applicants, zones, slots, max_booths)
    placed = (
        solve_placement(applicants, zones, slots, max_booths, start=baseline)
        if use_solver
        else placement.Placed(
            baseline, placement.GREEDY, quality(baseline, applicants, zones), None, None, ()
        )
    )
    proposal = lay_out(
        placed.chosen,
        applicants,
        zones,
        slots,
        adjacent,
        placed.method,
        time.perf_counter() - start,
        max_booths,
    )
    proposal.quality_bound = placed.bound
    proposal.quality_gap = None if placed.gap is None else round(placed.gap, 6)
    proposal.greedy_quality = quality(baseline, applicants, zones)
    return proposal
