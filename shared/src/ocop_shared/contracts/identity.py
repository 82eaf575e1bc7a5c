"""Credentials travel as events so that every service can check a token it did not issue.

Only the SHA-256 of a token travels (tokens are 256 random bits, so the hash reveals nothing
usable); the token itself is shown once, to its owner, by the issuing service.

Version 2 (identity and authority): a credential is a person's session or an organization's
API key, always with an absolute expiry, for one organization (the ``subject``) with the
user's role in it, and, for authorities, the province and level they decide for. A
revocation names the credentials it ends (or every credential of the subject) and why.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import Field

from ocop_shared.events import Event, register_upcaster
from ocop_shared.topics import REGISTRATION_CREDENTIALS, Topic

# retailer (issue 15): a supermarket chain hosting promotion weeks, with its stores.
CredentialRole = Literal["organizer", "exhibitor", "certifier", "inspector", "admin", "retailer"]
CredentialKind = Literal["session", "api_key"]
OrgRole = Literal["owner", "staff"]
AuthorityLevel = Literal["provincial", "central"]
RevocationReason = Literal[
    "signed_out",
    "signed_out_everywhere",
    "expired",
    "idle",
    "key_revoked",
    "password_changed",
    "password_reset",
    "membership_ended",
    "suspended",
]

# A v1 credential (before people signed in) had no expiry; it becomes an API key that ends
# on this date (the day v2 shipped, plus a year), so no token lives for ever.
V1_CREDENTIALS_END = datetime.fromisoformat("2027-11-30T00:00:00+07:00")


class CredentialIssued(Event):
    event_type: ClassVar[str] = "registration.credential_issued"
    version: ClassVar[int] = 2
    topic: ClassVar[Topic] = REGISTRATION_CREDENTIALS
    credential_id: UUID
    kind: CredentialKind
    role: CredentialRole
    subject: str  # the organization the credential acts for (organizer id, exhibitor id, ...)
    user_id: UUID | None  # the person (sessions); None for an API key
    org_role: OrgRole
    token_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    expires_at: datetime  # absolute: every service refuses the token from then on
    province: str | None = None  # certifying and inspection authorities of a province
    level: AuthorityLevel | None = None  # certifying authorities
    label: str = ""

    def partition_key(self) -> str:
        return self.subject


class CredentialsRevoked(Event):
    event_type: ClassVar[str] = "registration.credentials_revoked"
    version: ClassVar[int] = 2
    topic: ClassVar[Topic] = REGISTRATION_CREDENTIALS
    role: CredentialRole
    subject: str
    credential_ids: list[UUID] = Field(default_factory=list, max_length=10_000)
    everything_of_subject: bool = False  # every credential of the organization (suspension)
    reason: RevocationReason

    def partition_key(self) -> str:
        return self.subject


def _upcast_issued_v1(payload: dict[str, Any]) -> dict[str, Any]:
    # A v1 credential had no id; its token's hash is unique, so the id is derived from it.
    digest = payload["token_sha256"]
    return {
        "credential_id": str(UUID(digest[:32])),
        "kind": "api_key",
        "role": payload["role"],
        "subject": payload["subject"],
        "user_id": None,
        "org_role": "owner",
        "token_sha256": digest,
        "expires_at": V1_CREDENTIALS_END.isoformat(),
        "label": payload.get("label", ""),
    }


def _upcast_revoked_v1(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "role": payload["role"],
        "subject": payload["subject"],
        "everything_of_subject": True,
        "reason": "suspended",
    }


register_upcaster(CredentialIssued.event_type, 1, _upcast_issued_v1)
register_upcaster(CredentialsRevoked.event_type, 1, _upcast_revoked_v1)
