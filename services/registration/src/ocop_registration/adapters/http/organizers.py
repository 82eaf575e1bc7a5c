"""Organizers and their credentials: the admin creates an organizer and hands it its token."""

from __future__ import annotations

from fastapi import APIRouter

from ocop_registration.adapters.http.deps import Admin, Cause, Uow
from ocop_registration.adapters.http.schemas import OrganizerCreate, OrganizerIssued
from ocop_registration.application.commands import organizers

router = APIRouter(tags=["organizers"])


@router.post("/organizers", status_code=201, response_model=OrganizerIssued)
async def create_organizer(
    body: OrganizerCreate, _admin: Admin, uow: Uow, cause: Cause
) -> OrganizerIssued:
    token = await uow.run(
        lambda u: organizers.create_organizer(u, body.organizer_id, body.name), cause=cause
    )
    return OrganizerIssued(organizer_id=body.organizer_id, token=token)
