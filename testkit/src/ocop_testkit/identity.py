"""Credentials as registration announces them, for services' tests that feed events in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from ocop_shared import auth
from ocop_shared.contracts.identity import (
    AuthorityLevel,
    CredentialIssued,
    CredentialKind,
    CredentialRole,
    OrgRole,
)


def issued_credential(
    role: CredentialRole,
    subject: str,
    *,
    org_role: OrgRole = "owner",
    kind: CredentialKind = "session",
    province: str | None = None,
    level: AuthorityLevel | None = None,
    lasts: timedelta = timedelta(hours=12),
) -> tuple[str, CredentialIssued]:
    """A new token and the ``CredentialIssued`` event that announces it."""
    token = auth.new_token(role)
    event = CredentialIssued(
        credential_id=uuid.uuid4(),
        kind=kind,
        role=role,
        subject=subject,
        user_id=uuid.uuid4() if kind == "session" else None,
        org_role=org_role,
        token_sha256=auth.hash_token(token).hex(),
        expires_at=datetime.now(UTC) + lasts,
        province=province,
        level=level,
    )
    return token, event
