"""Tills (terminals) and the booths they sell at. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from ocop_shared.errors import NotFound


@dataclass(frozen=True, slots=True)
class BoothHolder:
    """Which exhibitor holds a booth now (assigned or confirmed), as booths announced it."""

    booth_id: UUID
    fair_id: UUID
    booth_code: str
    exhibitor_id: UUID
    status: str


@dataclass(frozen=True, slots=True)
class Enrolment:
    terminal_id: UUID
    fair_id: UUID
    booth_id: UUID
    booth_code: str
    exhibitor_id: UUID
    label: str
    enrolled_by: str


def enrol(
    terminal_id: UUID, fair_id: UUID, label: str, holder: BoothHolder | None, *, enrolled_by: str
) -> Enrolment:
    """A till sells at a booth that an exhibitor holds at this fair (a booth of another fair,
    even the organizer's own other fair, is not found here)."""
    if holder is None or holder.fair_id != fair_id:
        raise NotFound("no exhibitor holds this booth at this fair", field="booth_id")
    return Enrolment(
        terminal_id,
        fair_id,
        holder.booth_id,
        holder.booth_code,
        holder.exhibitor_id,
        label,
        enrolled_by,
    )
