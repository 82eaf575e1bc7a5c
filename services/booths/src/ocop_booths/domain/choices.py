"""Ranked booth choices, for fairs whose rules say ``allocation_mode: ranked``. No I/O.

In such a fair nobody holds a booth: each approved exhibitor ranks up to ``MAX_CHOICES`` free
booths of the fair, of the type its application asks for, best first, and the organizer's
allocation run takes them as preferences (``domain.allocation``: who is served is still
decided by priority, star then application time; where, by the choices first). A choice is
checked when it is made; a booth taken or blocked later is simply passed over by the run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from ocop_booths.domain.applications import Application
from ocop_booths.domain.booths import Booth
from ocop_booths.domain.refusals import (
    BoothIsBlocked,
    BoothNotFound,
    BoothTaken,
    BoothTypeNotRequested,
)
from ocop_shared.errors import InvalidField

MAX_CHOICES = 5


@dataclass(frozen=True, slots=True)
class Choice:
    rank: int  # 1 is the first choice
    booth_id: UUID


def check_at_fair(fair_id: UUID, booth_ids: Sequence[UUID], booths: Mapping[UUID, Booth]) -> None:
    """Every booth named is a booth of the fair (another fair's is not there, as a missing
    one): judged before anything else about the choices."""
    for i, booth_id in enumerate(booth_ids):
        booth = booths.get(booth_id)
        if booth is None or booth.fair_id != fair_id:
            raise BoothNotFound("no such booth at this fair", field=f"booth_ids.{i}")


def check_choices(
    application: Application, booth_ids: Sequence[UUID], booths: Mapping[UUID, Booth]
) -> list[Choice]:
    """The application's choices in order, each a free, unblocked booth of its fair, of the
    type it asks for; ``booths`` are the named booths as they are now (another fair's booth
    is not there, as a missing one). An empty list withdraws the choices."""
    if len(booth_ids) > MAX_CHOICES:
        raise InvalidField("booth_ids", f"at most {MAX_CHOICES} choices")
    if len(set(booth_ids)) != len(booth_ids):
        raise InvalidField("booth_ids", "a booth is chosen twice")
    check_at_fair(application.fair_id, booth_ids, booths)
    wanted = application.booth_request.booth_type
    for i, booth_id in enumerate(booth_ids):
        field = f"booth_ids.{i}"
        booth = booths[booth_id]
        if booth.blocked:
            raise BoothIsBlocked(f"booth {booth.code} is blocked", field=field)
        if booth.occupant is not None:
            raise BoothTaken(f"booth {booth.code} is taken", field=field)
        if booth.booth_type != wanted:
            raise BoothTypeNotRequested(
                f"booth {booth.code} is a {booth.booth_type} booth; the application asks for "
                f"{wanted} booths",
                field=field,
            )
    return [Choice(rank, booth_id) for rank, booth_id in enumerate(booth_ids, start=1)]
