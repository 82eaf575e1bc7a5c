"""Where the served applications go: the placement quality term, solved with a proven bound.

Who is served is fixed before this (priority: star, then application time). What is left is
to give each served application a zone with room for its booths (per booth type), maximising
the placement quality (``allocation.quality``): zone and product-group affinity per booth,
minus ``SPREAD_PENALTY`` for every extra zone a province's exhibitors are spread over.

The model is a mixed-integer program over *classes*: applications alike in booth type, booth
count, province and affinity to every zone are interchangeable, so one integer variable
counts how many of a class go to a zone (exact, and as strong in its LP relaxation as one
variable per application, since that relaxation can always be averaged over a class). A
binary per province and zone says "someone of this province is in this zone"; it is tied to
every class of the province (at most the class's size there) and to each booth type's
capacity in the zone (a cut that closes most of the relaxation's gap).

Three steps, all deterministic (one thread, fixed order, limits in nodes, not seconds, except
a wall-clock safety net the answer names when it is hit):

1. the LP relaxation (HiGHS, dual simplex): an upper bound on the quality term;
2. relax and fix: every class keeps the whole part of its LP zones, and the few applications
   left are placed by a small exact MIP over the room left; with the bound this proves a gap;
3. when that gap is above the target: the whole MIP (SCIP), started from the best answer so
   far, until the target gap is proven or its node limit (or the safety net) ends it.

The result says which method produced it and its proven gap, ``(bound - quality) / bound``:
``mip_optimal`` (gap 0), ``mip_gap`` (at most the target), ``mip_limit`` (a limit ended the
search above the target; the gap is still proven) or ``greedy`` (the solver could not be run
or found nothing as good: the greedy answer, with its gap to the bound when there is one).
The greedy answer is never returned without saying so.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

GAP_TARGET = 0.01  # the promise: within 1 % of the proven bound
NODE_LIMIT = 20_000  # the whole MIP's deterministic limit
RESIDUAL_NODES = 500  # relax and fix's small MIP: past this, the whole MIP does better
SAFETY_SECONDS = 20.0  # wall-clock net, only if the node limit is far too generous

MIP_OPTIMAL = "mip_optimal"
MIP_GAP = "mip_gap"
MIP_LIMIT = "mip_limit"
GREEDY = "greedy"


@dataclass(frozen=True, slots=True)
class Item:
    """One served application, as the placement sees it."""

    key: UUID
    booth_type: str
    count: int
    province: str
    affinity: tuple[int, ...]  # per zone (in ``zones`` order): the bonus per booth


@dataclass(frozen=True, slots=True)
class Placed:
    chosen: dict[UUID, str]
    method: str
    quality: int  # the placement quality term of ``chosen``
    bound: int | None  # a proven upper bound on the quality term (None: none was proven)
    gap: float | None  # (bound - quality) / |bound|; None without a bound
    steps: tuple[str, ...]  # what ran: "lp", "round", "mip", and what stopped it


def _floor(value: float, step: int) -> int:
    """A solver's bound as a multiple of ``step`` (every answer's quality is one: the gcd of
    the model's coefficients), never below the bound by a rounding error: the solvers work to
    tolerances far below 1e-9 of the objective here."""
    return step * math.floor((value + 1e-9 * max(1.0, abs(value)) + 1e-6) / step)


def gap_of(value: int, bound: int | None) -> float | None:
    if bound is None:
        return None
    if bound <= value:
        return 0.0
    return (bound - value) / max(abs(bound), 1)


def quality_of(
    chosen: Mapping[UUID, str], items: Sequence[Item], zones: Sequence[str], penalty: int
) -> int:
    zi = {z: i for i, z in enumerate(zones)}
    by_key = {it.key: it for it in items}
    bonus = sum(by_key[k].count * by_key[k].affinity[zi[z]] for k, z in chosen.items())
    pairs = {(by_key[k].province, z) for k, z in chosen.items()}
    provinces = {by_key[k].province for k in chosen}
    return bonus - penalty * (len(pairs) - len(provinces))


@dataclass
class _Class:
    booth_type: str
    count: int
    province: str
    affinity: tuple[int, ...]
    members: list[UUID]


def _classes(items: Sequence[Item]) -> list[_Class]:
    out: dict[tuple[Any, ...], _Class] = {}
    for it in items:
        k = (it.booth_type, it.count, it.province, it.affinity)
        if k not in out:
            out[k] = _Class(it.booth_type, it.count, it.province, it.affinity, [])
        out[k].members.append(it.key)
    return list(out.values())


class _Model:
    """The class model in OR-Tools' linear solver wrapper (LP or MIP)."""

    def __init__(
        self,
        solver_name: str,
        classes: Sequence[_Class],
        demand: Sequence[int],
        zones: Sequence[str],
        cap: Mapping[tuple[str, str], int],
        penalty: int,
        paid: frozenset[tuple[str, str]] = frozenset(),
        *,
        integer: bool,
    ) -> None:
        from ortools.linear_solver import pywraplp

        solver = pywraplp.Solver.CreateSolver(solver_name)
        if solver is None:  # pragma: no cover - a build of OR-Tools without it
            raise RuntimeError(f"no {solver_name} in this OR-Tools")
        self.solver = solver
        inf = solver.infinity()
        obj = solver.Objective()
        self.y: dict[tuple[int, int], Any] = {}
        self.pres: dict[tuple[str, str], Any] = {}
        buckets: dict[tuple[str, str], list[tuple[Any, int, int]]] = defaultdict(list)
        same: dict[tuple[str, str, str], list[tuple[Any, int]]] = defaultdict(list)
        for ci, c in enumerate(classes):
            n = demand[ci]
            if n == 0:
                continue
            row = solver.Constraint(n, n)
            for zi, z in enumerate(zones):
                room = cap.get((z, c.booth_type), 0)
                if room < c.count:
                    continue
                ub = min(n, room // c.count)
                v = solver.IntVar(0, ub, "") if integer else solver.NumVar(0, ub, "")
                self.y[(ci, zi)] = v
                row.SetCoefficient(v, 1)
                if c.affinity[zi]:
                    obj.SetCoefficient(v, c.count * c.affinity[zi])
                buckets[(z, c.booth_type)].append((v, c.count, ub))
                if (c.province, z) in paid:
                    continue
                p = self.pres.get((c.province, z))
                if p is None:
                    p = solver.IntVar(0, 1, "") if integer else solver.NumVar(0, 1, "")
                    self.pres[(c.province, z)] = p
                    obj.SetCoefficient(p, -penalty)
                link = solver.Constraint(-inf, 0)
                link.SetCoefficient(v, 1)
                link.SetCoefficient(p, -ub)
                same[(c.province, z, c.booth_type)].append((v, c.count))
        for (province, z, booth_type), alike in same.items():
            link = solver.Constraint(-inf, 0)
            for v, k in alike:
                link.SetCoefficient(v, k)
            link.SetCoefficient(self.pres[(province, z)], -cap[(z, booth_type)])
        for bucket, in_bucket in buckets.items():
            if sum(k * ub for _v, k, ub in in_bucket) > cap[bucket]:
                row = solver.Constraint(0, cap[bucket])
                for v, k, _ub in in_bucket:
                    row.SetCoefficient(v, k)
        obj.SetMaximization()

    def counts(self) -> dict[tuple[int, int], float]:
        return {k: v.solution_value() for k, v in self.y.items()}


def _assign(
    classes: Sequence[_Class], counts: Mapping[tuple[int, int], int], zones: Sequence[str]
) -> dict[UUID, str]:
    """Each class's members, in their order, to its zones, in zone order."""
    chosen: dict[UUID, str] = {}
    per_class: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for (ci, zi), k in sorted(counts.items()):
        if k > 0:
            per_class[ci].append((zi, k))
    for ci, c in enumerate(classes):
        members = iter(m for m in c.members if m not in chosen)
        for zi, k in per_class.get(ci, []):
            for _ in range(k):
                chosen[next(members)] = zones[zi]
    return chosen


def place(
    items: Sequence[Item],
    zones: Sequence[str],
    cap: Mapping[tuple[str, str], int],
    start: Mapping[UUID, str],
    penalty: int,
    *,
    gap_target: float = GAP_TARGET,
    node_limit: int = NODE_LIMIT,
    safety_seconds: float = SAFETY_SECONDS,
) -> Placed:
    """The best placement found and its proven gap; ``start`` (a feasible placement of every
    item, the greedy's) is the answer to beat: it is what is returned, named ``greedy`` with
    its gap to the bound when one was proven, if no solver step gives one as good."""
    best = dict(start)
    best_q = quality_of(best, items, zones, penalty)
    best_from = GREEDY
    steps: list[str] = []
    if not items:
        return Placed(best, MIP_OPTIMAL, best_q, best_q, 0.0, ("empty",))
    provinces = len({it.province for it in items})
    offset = penalty * provinces  # the quality term counts spread beyond one zone each
    classes = _classes(items)
    demand = [len(c.members) for c in classes]
    step = math.gcd(penalty, *(c.count * w for c in classes for w in c.affinity)) or 1
    bound: int | None = None
    try:
        lp = _Model("HIGHS", classes, demand, zones, cap, penalty, integer=False)
        if lp.solver.Solve() == lp.solver.OPTIMAL:
            bound = _floor(lp.solver.Objective().Value() + offset, step)
            steps.append("lp")
            # The rest needs no proof of its own: within a tenth of the target, in quality units.
            slack = gap_target * abs(bound) / 10
            rounded = _relax_and_fix(classes, lp.counts(), zones, cap, penalty, slack)
            if rounded is not None:
                steps.append("round")
                q = quality_of(rounded, items, zones, penalty)
                if q >= best_q:  # the solver's answer, at least as good, is the one kept
                    best, best_q, best_from = rounded, q, MIP_GAP
    except RuntimeError:  # pragma: no cover - no LP solver in this OR-Tools build
        steps.append("lp_unavailable")
    g = gap_of(best_q, bound)
    if g is None or g > gap_target:
        found = _whole_mip(
            classes, items, zones, cap, penalty, best, gap_target, node_limit, safety_seconds
        )
        if found is not None:
            chosen, mip_bound, why = found
            steps += ["mip", why]
            q = quality_of(chosen, items, zones, penalty)
            if mip_bound is not None:
                mb = _floor(mip_bound + offset, step)
                bound = mb if bound is None else min(bound, mb)
            if q >= best_q:
                best, best_q, best_from = chosen, q, MIP_GAP
    if bound is not None and bound < best_q:  # a bound a rounding error below: the answer is
        bound = best_q  # feasible, so the optimum is at least it
    g = gap_of(best_q, bound)
    if best_from == GREEDY:
        method = GREEDY  # with its gap to the bound when one was proven
    elif g == 0.0:
        method = MIP_OPTIMAL
    elif g is not None and g <= gap_target:
        method = MIP_GAP
    else:
        method = MIP_LIMIT
    return Placed(best, method, best_q, bound, g, tuple(steps))


def _relax_and_fix(
    classes: Sequence[_Class],
    lp: Mapping[tuple[int, int], float],
    zones: Sequence[str],
    cap: Mapping[tuple[str, str], int],
    penalty: int,
    slack: float,
) -> dict[UUID, str] | None:
    """Keeps the whole part of the LP's counts and places the rest exactly in the room left.
    Booths are scarce (the served set fills the hall), so the room left may be too broken
    for the applications of two or three booths left: then only theirs are kept and the
    one-booth applications are placed again with them (they fill any gap)."""
    for keep in (lambda c: True, lambda c: c.count > 1):
        found = _fix_and_fill(classes, lp, zones, cap, penalty, keep, slack)
        if found is not None:
            return found
    return None


def _fix_and_fill(
    classes: Sequence[_Class],
    lp: Mapping[tuple[int, int], float],
    zones: Sequence[str],
    cap: Mapping[tuple[str, str], int],
    penalty: int,
    keep: Any,
    slack: float,
) -> dict[UUID, str] | None:
    fixed = {k: math.floor(v + 1e-6) for k, v in lp.items() if keep(classes[k[0]])}
    left = dict(cap)
    rest = [len(c.members) for c in classes]
    paid: set[tuple[str, str]] = set()
    for (ci, zi), k in fixed.items():
        if k:
            c = classes[ci]
            left[(zones[zi], c.booth_type)] -= k * c.count
            rest[ci] -= k
            paid.add((c.province, zones[zi]))
    if any(v < 0 for v in left.values()) or any(r < 0 for r in rest):
        return None  # pragma: no cover - the LP's solution was not feasible
    counts = {k: v for k, v in fixed.items() if v}
    if any(rest):
        mip = _Model("SCIP", classes, rest, zones, left, penalty, frozenset(paid), integer=True)
        mip.solver.SetNumThreads(1)
        mip.solver.SetSolverSpecificParametersAsString(
            f"randomization/randomseedshift = 7\nlimits/nodes = {RESIDUAL_NODES}\n"
            f"limits/absgap = {slack}\nseparating/maxroundsroot = 3\nseparating/maxrounds = 1\n"
        )
        if mip.solver.Solve() not in (mip.solver.OPTIMAL, mip.solver.FEASIBLE):
            return None
        for key, v in mip.counts().items():
            counts[key] = counts.get(key, 0) + round(v)
    return _assign(classes, counts, zones)


def _whole_mip(
    classes: Sequence[_Class],
    items: Sequence[Item],
    zones: Sequence[str],
    cap: Mapping[tuple[str, str], int],
    penalty: int,
    hint: Mapping[UUID, str],
    gap_target: float,
    node_limit: int,
    safety_seconds: float,
) -> tuple[dict[UUID, str], float | None, str] | None:
    from ortools.linear_solver import pywraplp

    demand = [len(c.members) for c in classes]
    try:
        mip = _Model("SCIP", classes, demand, zones, cap, penalty, integer=True)
    except RuntimeError:  # pragma: no cover
        return None
    solver = mip.solver
    solver.SetNumThreads(1)
    solver.SetTimeLimit(int(safety_seconds * 1000))
    solver.SetSolverSpecificParametersAsString(
        f"limits/nodes = {node_limit}\nrandomization/randomseedshift = 7\n"
    )
    # The hint: how many of each class sit in each zone in the best answer so far.
    zi = {z: i for i, z in enumerate(zones)}
    where = {m: ci for ci, c in enumerate(classes) for m in c.members}
    hinted: dict[tuple[int, int], int] = defaultdict(int)
    for m, z in hint.items():
        hinted[(where[m], zi[z])] += 1
    hint_vars, hint_values = [], []
    for key, v in mip.y.items():
        hint_vars.append(v)
        hint_values.append(float(hinted.get(key, 0)))
    present = {(classes[ci].province, zones[z]) for (ci, z), k in hinted.items() if k}
    for pair, v in mip.pres.items():
        hint_vars.append(v)
        hint_values.append(1.0 if pair in present else 0.0)
    solver.SetHint(hint_vars, hint_values)
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, gap_target)
    started = time.perf_counter()
    status = solver.Solve(params)
    if status not in (solver.OPTIMAL, solver.FEASIBLE):
        return None
    counts = {k: round(v) for k, v in mip.counts().items()}
    bound = solver.Objective().BestBound()
    if status == solver.OPTIMAL:
        why = "gap_reached"
    elif time.perf_counter() - started >= safety_seconds * 0.98:
        why = "time_limit"
    else:
        why = "node_limit"
    return _assign(classes, counts, zones), bound, why
