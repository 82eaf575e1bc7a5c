"""Events the booths service publishes."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from ocop_shared.events import Event
from ocop_shared.topics import BOOTHS_ASSIGNMENTS, BOOTHS_FLOORPLANS, Topic

BoothType = Literal["standard", "corner", "premium", "outdoor"]
OccupancyStatus = Literal["held", "assigned", "confirmed"]


class _Snapshot(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ZoneSnapshot(_Snapshot):
    code: str
    name: str
    kind: Literal["district_cluster", "regional", "partners", "services", "stage"]
    product_groups: list[int] = []


class BoothSnapshot(_Snapshot):
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
    # Issue 15: a hall booth ("booth"), or a stand or a shelf slot in one of a promotion
    # week's stores (``store_code``; its x and y are 0, it is on no hall plan). Absent in
    # older messages: a hall booth.
    kind: Literal["booth", "stand", "shelf"] = "booth"
    store_code: str | None = None


class FloorPlanPublished(Event):
    event_type: ClassVar[str] = "booths.floor_plan_published"
    topic: ClassVar[Topic] = BOOTHS_FLOORPLANS
    fair_id: UUID
    zones: list[ZoneSnapshot]
    booths: list[BoothSnapshot]

    def partition_key(self) -> str:
        return str(self.fair_id)


class _BoothChange(Event):
    topic: ClassVar[Topic] = BOOTHS_FLOORPLANS
    fair_id: UUID
    booth_id: UUID
    booth_code: str
    reason: str
    actor: str

    def partition_key(self) -> str:
        return str(self.fair_id)


class BoothBlocked(_BoothChange):
    event_type: ClassVar[str] = "booths.booth_blocked"


class BoothUnblocked(_BoothChange):
    event_type: ClassVar[str] = "booths.booth_unblocked"


class Occupancy(_Snapshot):
    fair_id: UUID
    booth_id: UUID
    booth_code: str
    zone: str
    exhibitor_id: UUID
    application_id: UUID
    status: OccupancyStatus
    hold_expires_at: datetime | None = None
    payment_due_at: datetime | None = None


class _AssignmentEvent(Event):
    topic: ClassVar[Topic] = BOOTHS_ASSIGNMENTS
    occupancy: Occupancy
    reason: str
    actor: str

    def partition_key(self) -> str:
        return str(self.occupancy.fair_id)


class BoothHeld(_AssignmentEvent):
    event_type: ClassVar[str] = "booths.booth_held"


class BoothAssigned(_AssignmentEvent):
    event_type: ClassVar[str] = "booths.booth_assigned"


class BoothConfirmed(_AssignmentEvent):
    event_type: ClassVar[str] = "booths.booth_confirmed"


class BoothReleased(_AssignmentEvent):
    event_type: ClassVar[str] = "booths.booth_released"


class BoothMoved(_AssignmentEvent):
    event_type: ClassVar[str] = "booths.booth_moved"
    from_booth_id: UUID
    from_booth_code: str


class AllocationCommitted(Event):
    event_type: ClassVar[str] = "booths.allocation_committed"
    topic: ClassVar[Topic] = BOOTHS_ASSIGNMENTS
    fair_id: UUID
    run_id: UUID
    assigned: int
    waitlisted: list[UUID]
    solver: str
    objective: int
    # How the placement was found (mip_optimal | mip_gap | mip_limit | greedy) and the proven
    # gap of its quality term, (bound - quality) / bound; None when the run did not keep them.
    method: str | None = None
    quality_gap: float | None = None

    def partition_key(self) -> str:
        return str(self.fair_id)
