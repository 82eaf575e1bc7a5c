"""The consumer that installs credentials issued by registration (booths and sales use it)."""

from __future__ import annotations

import asyncpg

from ocop_shared import auth
from ocop_shared.contracts.identity import CredentialIssued, CredentialsRevoked
from ocop_shared.inbox import Delivery, InboxConsumer
from ocop_shared.service import Service, Subscription
from ocop_shared.topics import REGISTRATION_CREDENTIALS


def grant_of(event: CredentialIssued) -> auth.Grant:
    return auth.Grant(
        token_hash=bytes.fromhex(event.token_sha256),
        role=event.role,
        subject=event.subject,
        credential_id=event.credential_id,
        kind=event.kind,
        user_id=event.user_id,
        org_role=event.org_role,
        expires_at=event.expires_at,
        province=event.province,
        level=event.level,
        label=event.label,
    )


async def _issued(conn: asyncpg.Connection, event: CredentialIssued, _d: Delivery) -> None:
    await auth.store_grant(conn, grant_of(event))


def credentials_subscription(service: Service) -> Subscription:
    """Installs the credentials registration announces and applies their revocations. The
    replica that applies a revocation also empties its own token cache as it does, so its very
    next request looks the token up again; every replica (this one too) empties it again when
    the commit's NOTIFY arrives (``auth.TokenCache.listen``)."""

    async def revoked(conn: asyncpg.Connection, event: CredentialsRevoked, _d: Delivery) -> None:
        if event.everything_of_subject:
            await auth.revoke_subject_tokens(conn, event.role, event.subject)
        if event.credential_ids:
            await auth.revoke_credentials(conn, event.credential_ids)
        service.tokens.clear()

    consumer = InboxConsumer(
        lambda: service.pool,
        f"{service.name}.credentials",
        {CredentialIssued: _issued, CredentialsRevoked: revoked},
    )
    return Subscription(consumer, [REGISTRATION_CREDENTIALS])
