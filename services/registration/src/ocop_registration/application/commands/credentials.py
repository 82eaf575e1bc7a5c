"""Registration is the identity provider: it issues sessions and API keys, installs them in its
own ``api_tokens`` (so it authenticates them like booths and sales do) and announces their
hash, with their absolute expiry, so booths and sales accept them too. Every revocation is
local at once (the revoking transaction empties every replica's token cache) and announced,
with its reason. The token itself is shown once, to its owner."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast
from uuid import UUID

from ocop_registration.application.ports import Repositories
from ocop_registration.domain.identity import (
    ApiKey,
    Membership,
    Organization,
    SessionPolicy,
    SessionRecord,
    User,
    session_times,
)
from ocop_shared import auth
from ocop_shared.contracts.identity import (
    CredentialIssued,
    CredentialRole,
    CredentialsRevoked,
    RevocationReason,
)
from ocop_shared.uow import UnitOfWork


def new_code() -> tuple[str, bytes]:
    """A one-time code (invitation, password reset): 144 random bits, stored as SHA-256."""
    code = secrets.token_urlsafe(18)
    return code, code_digest(code)


def code_digest(code: str) -> bytes:
    return hashlib.sha256(code.strip().encode()).digest()


@dataclass(frozen=True, slots=True)
class OpenedSession:
    token: str
    session: SessionRecord
    user: User
    organization: Organization
    memberships: list[Membership]


def _role(organization: Organization) -> CredentialRole:
    return cast(CredentialRole, organization.role)


async def open_session(
    uow: UnitOfWork[Repositories],
    user: User,
    membership: Membership,
    policy: SessionPolicy,
    now: datetime,
) -> OpenedSession:
    """A new session of ``user`` acting for the membership's organization."""
    organization = membership.organization
    token = auth.new_token(organization.role)
    digest = auth.hash_token(token)
    session = SessionRecord(
        session_id=uuid.uuid4(),
        user_id=user.user_id,
        organization_id=organization.organization_id,
        role=organization.role,
        org_role=membership.org_role,
        times=session_times(now, policy),
    )
    await uow.repos.sessions.add(session, digest)
    label = f"session of {user.name}"
    await uow.repos.credentials.store(
        auth.Grant(
            token_hash=digest,
            role=organization.role,
            subject=organization.organization_id,
            credential_id=session.session_id,
            kind="session",
            user_id=user.user_id,
            org_role=membership.org_role,
            expires_at=session.times.expires_at,
            province=organization.scope_province,
            level=organization.scope_level,
            label=label,
        )
    )
    uow.emit(
        CredentialIssued(
            credential_id=session.session_id,
            kind="session",
            role=_role(organization),
            subject=organization.organization_id,
            user_id=user.user_id,
            org_role=membership.org_role,
            token_sha256=digest.hex(),
            expires_at=session.times.expires_at,
            province=organization.scope_province,
            level=organization.scope_level,
            label=label,
        )
    )
    memberships = await uow.repos.users.memberships(user.user_id)
    return OpenedSession(token, session, user, organization, memberships)


async def issue_api_key(
    uow: UnitOfWork[Repositories],
    organization: Organization,
    label: str,
    expires_at: datetime,
    created_by: UUID | None,
    now: datetime,
) -> tuple[ApiKey, str]:
    """An API key for an integration of the organization: it acts in the organization's role,
    as staff (it cannot create keys or invite people), until ``expires_at``."""
    token = auth.new_token(organization.role)
    digest = auth.hash_token(token)
    key = ApiKey(uuid.uuid4(), organization.organization_id, label, now, expires_at)
    await uow.repos.api_keys.add(key, digest, created_by)
    await uow.repos.credentials.store(
        auth.Grant(
            token_hash=digest,
            role=organization.role,
            subject=organization.organization_id,
            credential_id=key.key_id,
            kind="api_key",
            org_role="staff",
            expires_at=expires_at,
            province=organization.scope_province,
            level=organization.scope_level,
            label=label,
        )
    )
    uow.emit(
        CredentialIssued(
            credential_id=key.key_id,
            kind="api_key",
            role=_role(organization),
            subject=organization.organization_id,
            user_id=None,
            org_role="staff",
            token_sha256=digest.hex(),
            expires_at=expires_at,
            province=organization.scope_province,
            level=organization.scope_level,
            label=label,
        )
    )
    return key, token


async def end_sessions(
    uow: UnitOfWork[Repositories],
    sessions: Sequence[SessionRecord],
    reason: RevocationReason,
    now: datetime,
) -> None:
    """Revokes sessions here at once and announces it, one event per organization."""
    if not sessions:
        return
    ids = [s.session_id for s in sessions]
    await uow.repos.sessions.revoke(ids, reason, now)
    await uow.repos.credentials.revoke(ids)
    by_subject: dict[tuple[str, str], list[UUID]] = defaultdict(list)
    for s in sessions:
        by_subject[(s.role, s.organization_id)].append(s.session_id)
    for (role, subject), credential_ids in sorted(by_subject.items()):
        uow.emit(
            CredentialsRevoked(
                role=cast(CredentialRole, role),
                subject=subject,
                credential_ids=credential_ids,
                reason=reason,
            )
        )


async def end_api_keys(
    uow: UnitOfWork[Repositories],
    organization: Organization,
    key_ids: Sequence[UUID],
    now: datetime,
) -> None:
    if not key_ids:
        return
    await uow.repos.api_keys.revoke(key_ids, now)
    await uow.repos.credentials.revoke(key_ids)
    uow.emit(
        CredentialsRevoked(
            role=_role(organization),
            subject=organization.organization_id,
            credential_ids=list(key_ids),
            reason="key_revoked",
        )
    )


async def end_everything_of(
    uow: UnitOfWork[Repositories], organization: Organization, now: datetime
) -> None:
    """Every credential of the organization (suspension): its sessions and keys here, every
    token of its subject in every service."""
    sessions = await uow.repos.sessions.live(organization_id=organization.organization_id)
    await uow.repos.sessions.revoke([s.session_id for s in sessions], "suspended", now)
    keys = await uow.repos.api_keys.live_of_organization(organization.organization_id)
    await uow.repos.api_keys.revoke([k.key_id for k in keys], now)
    await uow.repos.credentials.revoke_subject(organization.role, organization.organization_id)
    uow.emit(
        CredentialsRevoked(
            role=_role(organization),
            subject=organization.organization_id,
            everything_of_subject=True,
            reason="suspended",
        )
    )
