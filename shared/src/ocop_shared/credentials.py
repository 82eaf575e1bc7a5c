"""The consumer that installs credentials issued by registration (booths and sales use it)."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg

from ocop_shared import auth
from ocop_shared.contracts.identity import CredentialIssued, CredentialsRevoked
from ocop_shared.inbox import Delivery, InboxConsumer
from ocop_shared.service import Subscription
from ocop_shared.topics import REGISTRATION_CREDENTIALS


async def _issued(conn: asyncpg.Connection, event: CredentialIssued, _d: Delivery) -> None:
    await auth.install_credential(conn, event.role, event.subject, event.token_sha256, event.label)


async def _revoked(conn: asyncpg.Connection, event: CredentialsRevoked, _d: Delivery) -> None:
    await auth.revoke_subject_tokens(conn, event.role, event.subject)


def credentials_subscription(service_name: str, pool: Callable[[], asyncpg.Pool]) -> Subscription:
    consumer = InboxConsumer(
        pool,
        f"{service_name}.credentials",
        {CredentialIssued: _issued, CredentialsRevoked: _revoked},
    )
    return Subscription(consumer, [REGISTRATION_CREDENTIALS])
