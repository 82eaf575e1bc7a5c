"""On-site quality inspection at sales (issue 15): a product a province's inspectors
suspended at one fair is not sold at that fair's tills from the inspection's time, and
nowhere else changes; a pass there lifts it.

Registration decides (``InspectionSnapshot.suspended``: a suspension or a referral for
revocation suspends, a pass lifts); sales applies the decision and never re-reads the
inspection's kind. Per fair and product the newest inspection wins, by its time, so the
same events delivered in any order leave the same state. A sale is judged at its moment like
a revoked product's: an online sale after the suspension's time is refused naming the line;
an offline sale made before it still counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

from ocop_shared.contracts.registration import InspectionSnapshot


@dataclass(frozen=True, slots=True)
class FairSuspension:
    """A product's newest inspection decision at one fair."""

    fair_id: UUID
    product_id: UUID
    suspended: bool  # False: on sale again at this fair (a pass)
    decided_at: datetime  # the inspection's time: suspended from then on
    inspection_id: UUID


def suspension_of(inspection: InspectionSnapshot) -> FairSuspension:
    """The decision registration announced, as sales keeps it."""
    return FairSuspension(
        fair_id=inspection.fair_id,
        product_id=inspection.product_id,
        suspended=inspection.suspended,
        decided_at=inspection.recorded_at,
        inspection_id=inspection.inspection_id,
    )


def suspended_reason(suspended_at: datetime | None, now: datetime) -> Literal["suspended"] | None:
    """The till's catalogue: ``suspended`` while the product is suspended at the till's fair."""
    if suspended_at is not None and now >= suspended_at:
        return "suspended"
    return None
