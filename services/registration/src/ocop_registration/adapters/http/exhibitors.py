"""Exhibitors: self-registration (answered with the token, once), search, details, members."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from ocop_registration.adapters.http.deps import Anyone, Cause, Exhibitor, Organizer, Uow
from ocop_registration.adapters.http.schemas import (
    ExhibitorCreate,
    ExhibitorIssued,
    ExhibitorOut,
    ExhibitorUpdate,
    MembersAdd,
)
from ocop_registration.application.commands import exhibitors as commands
from ocop_registration.application.queries import exhibitors as queries
from ocop_registration.domain.exhibitors import Contact, ExhibitorDraft

router = APIRouter(tags=["exhibitors"])


@router.post("/exhibitors", status_code=201, response_model=ExhibitorIssued)
async def register_exhibitor(body: ExhibitorCreate, uow: Uow, cause: Cause) -> ExhibitorIssued:
    """Self-registration of an OCOP holder or a delegation; answers with its token, once."""
    draft = ExhibitorDraft(
        kind=body.kind,
        name=body.name,
        province=body.province,
        tax_code=body.tax_code,
        commune=body.commune,
        phone=body.phone,
        contact=Contact(body.address, body.email),
    )
    registered = await uow.run(lambda u: commands.register_exhibitor(u, draft), cause=cause)
    return ExhibitorIssued(exhibitor=ExhibitorOut.of(registered.exhibitor), token=registered.token)


@router.get("/exhibitors", response_model=list[ExhibitorOut])
async def search_exhibitors(
    _p: Organizer,
    uow: Uow,
    q: Annotated[str, Query(max_length=100)] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ExhibitorOut]:
    found = await uow.read(lambda repos: queries.search_exhibitors(repos, q, limit))
    return [ExhibitorOut.of(e) for e in found]


@router.get("/exhibitors/{exhibitor_id}", response_model=ExhibitorOut)
async def get_exhibitor(exhibitor_id: UUID, principal: Anyone, uow: Uow) -> ExhibitorOut:
    found = await uow.read(lambda repos: queries.get_exhibitor(repos, principal, exhibitor_id))
    return ExhibitorOut.of(found)


@router.patch("/exhibitors/{exhibitor_id}", response_model=ExhibitorOut)
async def update_exhibitor(
    exhibitor_id: UUID, body: ExhibitorUpdate, principal: Exhibitor, uow: Uow, cause: Cause
) -> ExhibitorOut:
    changes: dict[str, str | None] = body.model_dump(exclude_unset=True)
    updated = await uow.run(
        lambda u: commands.update_exhibitor(u, principal, exhibitor_id, changes), cause=cause
    )
    return ExhibitorOut.of(updated)


@router.post("/exhibitors/{exhibitor_id}/members", response_model=ExhibitorOut)
async def add_delegation_members(
    exhibitor_id: UUID, body: MembersAdd, principal: Exhibitor, uow: Uow, cause: Cause
) -> ExhibitorOut:
    delegation = await uow.run(
        lambda u: commands.add_delegation_members(u, principal, exhibitor_id, body.member_ids),
        cause=cause,
    )
    return ExhibitorOut.of(delegation)
