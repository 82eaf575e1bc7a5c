"""Floor plans: zones and booths as rectangles on the hall's plan (metres).

Booths must not overlap and codes must be unique; adjacency comes from the geometry (two
booths touching along an edge), never from data someone typed in. ``publish`` is the
decision: a valid plan and the ``booths.floor_plan_published`` event announcing it (the one
place its zone and booth snapshots are made).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol
from uuid import UUID

from ocop_shared.contracts.booths import BoothSnapshot, FloorPlanPublished, ZoneSnapshot
from ocop_shared.errors import InvalidField

EPS = 1e-6
# A hall's plan in metres, kept to the centimetre (the columns: numeric(6, 2) sizes,
# numeric(8, 2) positions): positions within 10 km of the plan's origin, a booth at most 1 km
# wide or deep. Beyond these a plan is a mistake, and no column can overflow.
HALL_M = 10_000.0
MAX_BOOTH_M = 1_000.0


def to_centimetre(metres: float) -> float:
    """A length as it is stored (to the centimetre), so checks judge the stored plan."""
    return round(metres, 2)


BoothType = Literal["standard", "corner", "premium", "outdoor"]
# A booth on the hall's plan, or (issue 15: a promotion week at a retailer's stores) a stand or
# a shelf slot in one of the fair's stores, placed by its store_code instead of coordinates.
BoothKind = Literal["booth", "stand", "shelf"]
ZoneKind = Literal["district_cluster", "regional", "partners", "services", "stage"]


@dataclass(frozen=True, slots=True)
class Zone:
    code: str
    name: str
    kind: ZoneKind
    product_groups: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class PlannedBooth:
    """A booth on the plan: a rectangle of the hall, its type and price."""

    booth_id: UUID
    code: str
    zone: str
    booth_type: BoothType
    width_m: float
    depth_m: float
    price_vnd: int
    x: float
    y: float
    open_sides: int = 1
    blocked: bool = False
    kind: BoothKind = "booth"
    store_code: str | None = None  # a stand's or a shelf's store (None for a hall booth)

    @property
    def on_plan(self) -> bool:
        """A rectangle of the hall (a stand or a shelf has no place on the plan)."""
        return self.kind == "booth"


class Placed(Protocol):
    """Anything with an id and a rectangle (a planned booth; the benchmark's hall)."""

    @property
    def booth_id(self) -> UUID: ...
    @property
    def x(self) -> float: ...
    @property
    def y(self) -> float: ...
    @property
    def width_m(self) -> float: ...
    @property
    def depth_m(self) -> float: ...


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    w: float
    d: float

    @property
    def x2(self) -> float:
        return self.x + self.w

    @property
    def y2(self) -> float:
        return self.y + self.d


def rect(b: Placed) -> Rect:
    return Rect(b.x, b.y, b.width_m, b.depth_m)


def overlaps(a: Rect, b: Rect) -> bool:
    return a.x < b.x2 - EPS and b.x < a.x2 - EPS and a.y < b.y2 - EPS and b.y < a.y2 - EPS


def touches(a: Rect, b: Rect) -> bool:
    """Share a stretch of edge (not only a corner)."""
    vertical = (abs(a.x2 - b.x) < EPS or abs(b.x2 - a.x) < EPS) and min(a.y2, b.y2) - max(
        a.y, b.y
    ) > EPS
    horizontal = (abs(a.y2 - b.y) < EPS or abs(b.y2 - a.y) < EPS) and min(a.x2, b.x2) - max(
        a.x, b.x
    ) > EPS
    return vertical or horizontal


def _neighbour_pairs(booths: Sequence[Placed]) -> list[tuple[int, int]]:
    """Candidate pairs by a sweep along x, so a 1,000-booth hall is not 500,000 comparisons."""
    order = sorted(range(len(booths)), key=lambda i: booths[i].x)
    pairs: list[tuple[int, int]] = []
    active: list[int] = []
    for i in order:
        r = rect(booths[i])
        active = [j for j in active if rect(booths[j]).x2 >= r.x - EPS]
        pairs.extend((j, i) for j in active)
        active.append(i)
    return pairs


def validate(
    zones: Sequence[Zone], booths: Sequence[PlannedBooth], stores: Sequence[str] = ()
) -> None:
    """The plan's zones and booths; a stand or a shelf names one of the fair's ``stores``
    (registration's, for a promotion week) and is not on the hall's plan."""
    zone_codes = [z.code for z in zones]
    dupes = sorted({c for c in zone_codes if zone_codes.count(c) > 1})
    if dupes:
        raise InvalidField("zones", f"duplicate zone codes: {', '.join(dupes)}")
    seen: dict[str, int] = {}
    for i, b in enumerate(booths):
        if b.code in seen:
            raise InvalidField(
                f"booths.{i}.code",
                f"booth code {b.code} is used twice (also booths.{seen[b.code]})",
            )
        seen[b.code] = i
        if b.zone not in zone_codes:
            raise InvalidField(f"booths.{i}.zone", f"no zone {b.zone}")
        _check_store(i, b, stores)
        _check_geometry(i, b)
        if b.price_vnd < 0:
            raise InvalidField(f"booths.{i}.price_vnd", "cannot be negative")
        if not 0 <= b.open_sides <= 4:
            raise InvalidField(f"booths.{i}.open_sides", "between 0 and 4")
    hall = [i for i, b in enumerate(booths) if b.on_plan]
    for i, j in _neighbour_pairs([booths[k] for k in hall]):
        if overlaps(rect(booths[hall[i]]), rect(booths[hall[j]])):
            first, second = sorted((hall[i], hall[j]))
            raise InvalidField(
                f"booths.{second}",
                f"booth {booths[second].code} overlaps booth {booths[first].code}",
            )


def _check_store(i: int, b: PlannedBooth, stores: Sequence[str]) -> None:
    if b.on_plan:
        if b.store_code is not None:
            raise InvalidField(f"booths.{i}.store_code", "a hall booth has no store: x and y")
        return
    if b.store_code is None:
        raise InvalidField(f"booths.{i}.store_code", f"a {b.kind} names its store's code")
    if b.store_code not in stores:
        raise InvalidField(
            f"booths.{i}.store_code",
            f"{b.store_code} is not one of the fair's stores"
            + (f" ({', '.join(stores)})" if stores else " (it names none)"),
        )


def _check_geometry(i: int, b: PlannedBooth) -> None:
    """Finite numbers within the hall (NaN would overlap nothing: every comparison with it is
    false), sizes above zero; the HTTP models refuse these first, this keeps the rule whole."""
    for name, value, low, high in (
        ("x", b.x, 0.0, HALL_M),
        ("y", b.y, 0.0, HALL_M),
        ("width_m", b.width_m, 0.0, MAX_BOOTH_M),
        ("depth_m", b.depth_m, 0.0, MAX_BOOTH_M),
    ):
        if not math.isfinite(value):
            raise InvalidField(f"booths.{i}.{name}", "must be a finite number")
        if not low <= value <= high:
            raise InvalidField(f"booths.{i}.{name}", f"must be between {low:g} and {high:g} m")
    if b.width_m <= 0 or b.depth_m <= 0:
        field = "width_m" if b.width_m <= 0 else "depth_m"
        raise InvalidField(f"booths.{i}.{field}", "a booth has a positive width and depth")


def adjacency(booths: Sequence[Placed]) -> dict[UUID, set[UUID]]:
    """Booths touching along an edge; a stand or a shelf slot (not on the hall's plan) has
    no neighbours."""
    graph: dict[UUID, set[UUID]] = defaultdict(set)
    booths = [b for b in booths if getattr(b, "on_plan", True)]
    for i, j in _neighbour_pairs(booths):
        if touches(rect(booths[i]), rect(booths[j])):
            graph[booths[i].booth_id].add(booths[j].booth_id)
            graph[booths[j].booth_id].add(booths[i].booth_id)
    return graph


@dataclass(frozen=True, slots=True)
class Published:
    """A floor plan decided valid, and the event announcing it."""

    fair_id: UUID
    zones: tuple[Zone, ...]
    booths: tuple[PlannedBooth, ...]
    events: tuple[FloorPlanPublished, ...]


def publish(
    fair_id: UUID,
    zones: Sequence[Zone],
    booths: Sequence[PlannedBooth],
    stores: Sequence[str] = (),
) -> Published:
    """Validates the plan (stands and shelves among the fair's ``stores``); the plan and its
    ``booths.floor_plan_published`` event."""
    validate(zones, booths, stores)
    event = FloorPlanPublished(
        fair_id=fair_id,
        zones=[
            ZoneSnapshot(code=z.code, name=z.name, kind=z.kind, product_groups=list(z.product_groups))
            for z in zones
        ],
        booths=[
            BoothSnapshot(
                booth_id=b.booth_id, code=b.code, zone=b.zone, booth_type=b.booth_type,
                width_m=b.width_m, depth_m=b.depth_m, price_vnd=b.price_vnd, x=b.x, y=b.y,
                open_sides=b.open_sides, blocked=b.blocked, kind=b.kind, store_code=b.store_code,
            )
            for b in booths
        ],
    )  # fmt: skip
    return Published(fair_id, tuple(zones), tuple(booths), (event,))


def seen_state(blocked: bool, occupied: str | None, *, sees_occupant: bool) -> str:
    """A booth's state as a reader of the plan sees it: organizers and the occupant see the
    occupancy's status, other exhibitors only that the booth is taken."""
    if blocked:
        return "blocked"
    if occupied is None:
        return "available"
    return occupied if sees_occupant else "taken"
