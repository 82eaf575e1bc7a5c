"""Registration is the identity provider: it issues tokens and announces their hash, so booths
and sales accept them too. The token itself is shown once, to its owner."""

from __future__ import annotations

from typing import Literal

from ocop_registration.application.ports import Repositories
from ocop_shared import auth
from ocop_shared.contracts.identity import CredentialIssued
from ocop_shared.uow import UnitOfWork


async def issue_credential(
    uow: UnitOfWork[Repositories],
    role: Literal["organizer", "exhibitor"],
    subject: str,
    label: str,
) -> str:
    token = auth.new_token(role)
    digest = auth.hash_token(token)
    await uow.repos.credentials.add(digest, role, subject, label)
    uow.emit(CredentialIssued(role=role, subject=subject, token_sha256=digest.hex(), label=label))
    return token
