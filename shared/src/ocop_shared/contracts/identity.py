"""Credentials travel as events so that every service can check a token it did not issue.

Only the SHA-256 of a token travels (tokens are 256 random bits, so the hash reveals nothing
usable); the token itself is shown once, to its owner, by the issuing service.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from ocop_shared.events import Event
from ocop_shared.topics import REGISTRATION_CREDENTIALS, Topic


class CredentialIssued(Event):
    event_type: ClassVar[str] = "registration.credential_issued"
    topic: ClassVar[Topic] = REGISTRATION_CREDENTIALS
    role: Literal["organizer", "exhibitor"]
    subject: str
    token_sha256: str
    label: str = ""

    def partition_key(self) -> str:
        return self.subject


class CredentialsRevoked(Event):
    event_type: ClassVar[str] = "registration.credentials_revoked"
    topic: ClassVar[Topic] = REGISTRATION_CREDENTIALS
    role: Literal["organizer", "exhibitor"]
    subject: str

    def partition_key(self) -> str:
        return self.subject
