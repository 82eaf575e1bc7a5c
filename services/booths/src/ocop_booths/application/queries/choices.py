"""Reading an exhibitor's ranked booth choices at a fair."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from ocop_booths.application.ports import Repositories
from ocop_booths.domain import floorplan
from ocop_booths.domain.refusals import ApplicationNotFound
from ocop_shared.auth import Principal


@dataclass(frozen=True, slots=True)
class ChosenBooth:
    rank: int
    booth_id: UUID
    code: str
    zone: str
    booth_type: str
    state: str  # as the exhibitor sees it on the plan: available, taken, blocked, or its own


@dataclass(frozen=True, slots=True)
class MyChoices:
    fair_id: UUID
    application_id: UUID | None
    allocation_mode: str
    choices: list[ChosenBooth] = field(default_factory=list)


async def my_choices(repos: Repositories, principal: Principal, fair_id: UUID) -> MyChoices:
    """The caller's choices at a fair it applied to (another fair: 404), best first, each
    booth with its state as the caller may see it now."""
    exhibitor_id = UUID(principal.subject)
    application = await repos.applications.latest_of(fair_id, exhibitor_id)
    if application is None:
        raise ApplicationNotFound("you have no application at this fair", field="fair_id")
    fair = await repos.fairs.get(fair_id)
    mode = fair.rules.allocation_mode if fair is not None else "self_service"
    chosen = await repos.choices.of_application(application.application_id)
    booths = await repos.booths.get_many([c.booth_id for c in chosen])
    out = []
    for c in chosen:
        b = booths[c.booth_id]
        o = b.occupant
        state = floorplan.seen_state(
            b.blocked,
            o.status if o else None,
            sees_occupant=o is not None and o.exhibitor_id == exhibitor_id,
        )
        out.append(ChosenBooth(c.rank, b.booth_id, b.code, b.zone, b.booth_type, state))
    return MyChoices(fair_id, application.application_id, mode, out)
