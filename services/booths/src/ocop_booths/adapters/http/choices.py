"""Ranked booth choices (fairs whose rules say ``allocation_mode: ranked``)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from ocop_booths.adapters.http.deps import Cause, Service
from ocop_booths.adapters.http.schemas import ChoicesIn, ChoicesOut
from ocop_booths.application.commands import choices as commands
from ocop_booths.application.queries import choices as queries
from ocop_shared.authz import Caller

router = APIRouter(tags=["choices"])


@router.put("/fairs/{fair_id}/choices")
async def submit_choices(
    fair_id: UUID, body: ChoicesIn, principal: Caller, cause: Cause, booths: Service
) -> ChoicesOut:
    """An exhibitor with an approved application at a ranked fair ranks up to five free
    booths of the fair (best first; `[]` withdraws them); the organizer's allocation run takes
    them as preferences. A self-service fair: 409 `not_ranked`."""
    chosen = await booths.uow.run(
        lambda uow: commands.submit_choices(uow, principal, fair_id, body.booth_ids), cause=cause
    )
    return ChoicesOut.model_validate(chosen)


@router.get("/fairs/{fair_id}/choices")
async def my_choices(fair_id: UUID, principal: Caller, booths: Service) -> ChoicesOut:
    """The caller's choices at the fair, best first, each booth as it is now."""
    found = await booths.uow.read(lambda repos: queries.my_choices(repos, principal, fair_id))
    return ChoicesOut.model_validate(found)
