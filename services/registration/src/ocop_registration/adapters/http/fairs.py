"""Fairs: planned, listed, moved through their lifecycle, their rules changed."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from ocop_registration.adapters.http.deps import Cause, Organizer, Uow
from ocop_registration.adapters.http.schemas import FairAction, FairCreate, RulesBody
from ocop_registration.application.commands import fairs as commands
from ocop_registration.application.queries import fairs as queries
from ocop_registration.domain.fairs import FairDraft
from ocop_shared.contracts.registration import AdmissionRules, FairSnapshot

router = APIRouter(tags=["fairs"])


@router.post("/fairs", status_code=201, response_model=FairSnapshot)
async def create_fair(
    body: FairCreate, principal: Organizer, uow: Uow, cause: Cause
) -> FairSnapshot:
    draft = FairDraft(
        name=body.name,
        kind=body.kind,
        venue=body.venue,
        province=body.province,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        applications_open_at=body.applications_open_at,
        applications_close_at=body.applications_close_at,
        rules=AdmissionRules.model_validate(body.rules.model_dump()),
    )
    return await uow.run(lambda u: commands.create_fair(u, principal, draft), cause=cause)


@router.get("/fairs", response_model=list[FairSnapshot])
async def list_fairs(uow: Uow) -> list[FairSnapshot]:
    """Every fair that has opened, public."""
    return await uow.read(queries.public_fairs)


@router.get("/organizer/fairs", response_model=list[FairSnapshot])
async def my_fairs(principal: Organizer, uow: Uow) -> list[FairSnapshot]:
    return await uow.read(lambda repos: queries.organizer_fairs(repos, principal))


@router.get("/fairs/{fair_id}", response_model=FairSnapshot)
async def get_fair(fair_id: UUID, uow: Uow) -> FairSnapshot:
    return await uow.read(lambda repos: queries.public_fair(repos, fair_id))


@router.post("/fairs/{fair_id}/lifecycle", response_model=FairSnapshot)
async def change_fair_status(
    fair_id: UUID, body: FairAction, principal: Organizer, uow: Uow, cause: Cause
) -> FairSnapshot:
    return await uow.run(
        lambda u: commands.change_status(u, principal, fair_id, body.action), cause=cause
    )


@router.put("/fairs/{fair_id}/rules", response_model=FairSnapshot)
async def change_fair_rules(
    fair_id: UUID, body: RulesBody, principal: Organizer, uow: Uow, cause: Cause
) -> FairSnapshot:
    rules = AdmissionRules.model_validate(body.model_dump())
    return await uow.run(lambda u: commands.change_rules(u, principal, fair_id, rules), cause=cause)
