"""Organizers (provincial trade departments, promotion centres) are created by the admin."""

from __future__ import annotations

from ocop_registration.application.commands.credentials import issue_credential
from ocop_registration.application.ports import Repositories
from ocop_shared.uow import UnitOfWork


async def create_organizer(uow: UnitOfWork[Repositories], organizer_id: str, name: str) -> str:
    """Records the organizer and answers with its token (shown once)."""
    await uow.repos.organizers.add(organizer_id, name)
    return await issue_credential(uow, "organizer", organizer_id, name)
