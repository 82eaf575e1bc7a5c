"""Identity: organizations, the people who act for them, and the rules on their credentials.

An organization is a holder or a delegation (an exhibitor: its id is the exhibitor's), an
organizer, a certifying authority (a province's council, or the central one), an inspection
authority (a province's market surveillance), or the platform itself. Its members act in the
role its kind implies, as its owner or its staff. Pure: time is passed in, nothing is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID, uuid4

from ocop_registration.domain.exhibitors import parse_phone
from ocop_registration.domain.text import nfc
from ocop_shared.auth import OrgRole, Role
from ocop_shared.contracts.identity import RevocationReason
from ocop_shared.errors import InvalidField

OrganizationKind = Literal[
    "holder", "delegation", "organizer", "certifier", "inspector", "platform", "retailer"
]
AuthorityLevel = Literal["provincial", "central"]

ROLE_OF_KIND: dict[OrganizationKind, Role] = {
    "holder": "exhibitor",
    "delegation": "exhibitor",
    "organizer": "organizer",
    "certifier": "certifier",
    "inspector": "inspector",
    "platform": "admin",
    "retailer": "retailer",  # a supermarket chain hosting promotion weeks (issue 15)
}
PLATFORM_ID = "platform"
# The kinds the platform admin creates by hand (holders and delegations sign up).
CREATED_BY_ADMIN: tuple[OrganizationKind, ...] = ("organizer", "certifier", "inspector", "retailer")

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

INVITATION_DAYS = 7
RESET_CODE_HOURS = 1
API_KEY_MAX_DAYS = 365


@dataclass(frozen=True, slots=True)
class Organization:
    organization_id: str
    kind: OrganizationKind
    name: str
    province: str | None = None
    level: AuthorityLevel | None = None
    suspended: bool = False

    @property
    def role(self) -> Role:
        return ROLE_OF_KIND[self.kind]

    @property
    def scope_province(self) -> str | None:
        """The province an authority decides for (None for others and the central council)."""
        return self.province if self.kind in ("certifier", "inspector") else None

    @property
    def scope_level(self) -> AuthorityLevel | None:
        return self.level if self.kind == "certifier" else None


def new_organization(
    kind: str,
    organization_id: str | None,
    name: str,
    province: str | None = None,
    level: str | None = None,
) -> Organization:
    """An organizer, an authority or a retailer, as the platform admin creates it. A
    retailer's id is a UUID (the fairs it hosts name it as ``host_retailer_id``): given, or
    made here when left out; the others' is a slug the admin chooses."""
    if kind not in CREATED_BY_ADMIN:
        raise InvalidField("kind", f"one of {', '.join(CREATED_BY_ADMIN)}")
    if kind == "retailer":
        return _retailer(organization_id, name, province, level)
    if organization_id is None:
        raise InvalidField("organization_id", "required (a slug, e.g. so-cong-thuong-qn)")
    if not _SLUG.match(organization_id) or organization_id == PLATFORM_ID:
        raise InvalidField(
            "organization_id", "lower-case letters, digits and dashes, e.g. so-cong-thuong-qn"
        )
    province = nfc(province) if province else None
    if kind == "certifier":
        if level == "provincial" and not province:
            raise InvalidField("province", "a provincial council names its province")
        if level == "central":
            province = None
        elif level != "provincial":
            raise InvalidField("level", "a certifier is provincial or central")
        checked: AuthorityLevel | None = "central" if level == "central" else "provincial"
    else:
        if level is not None:
            raise InvalidField("level", "only a certifier has a level")
        if kind == "inspector" and not province:
            raise InvalidField("province", "an inspection authority names its province")
        checked = None
    return Organization(organization_id, kind, nfc(name), province, checked)


def _retailer(
    organization_id: str | None, name: str, province: str | None, level: str | None
) -> Organization:
    if level is not None:
        raise InvalidField("level", "only a certifier has a level")
    if organization_id is None:
        retailer_id = uuid4()
    else:
        try:
            retailer_id = UUID(organization_id)
        except ValueError:
            raise InvalidField(
                "organization_id", "a retailer's id is a UUID (or leave it out: one is made)"
            ) from None
    return Organization(
        str(retailer_id), "retailer", nfc(name), nfc(province) if province else None
    )


@dataclass(frozen=True, slots=True)
class Membership:
    organization: Organization
    org_role: OrgRole


@dataclass(frozen=True, slots=True)
class User:
    user_id: UUID
    name: str
    email: str | None
    phone: str | None


@dataclass(frozen=True, slots=True)
class StoredUser:
    user: User
    password_hash: str


@dataclass(frozen=True, slots=True)
class Member:
    user: User
    org_role: OrgRole
    joined_at: datetime


@dataclass(frozen=True, slots=True)
class SessionRecord:
    session_id: UUID
    user_id: UUID
    organization_id: str
    role: Role
    org_role: OrgRole
    times: SessionTimes
    revoked_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Invitation:
    invitation_id: UUID
    organization_id: str
    org_role: OrgRole
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    used_by: UUID | None = None
    revoked_at: datetime | None = None

    def status(self, now: datetime) -> Literal["open", "used", "revoked", "expired"]:
        if self.used_at is not None:
            return "used"
        if self.revoked_at is not None:
            return "revoked"
        if now >= self.expires_at:
            return "expired"
        return "open"


@dataclass(frozen=True, slots=True)
class ResetCode:
    code_id: UUID
    user_id: UUID
    organization_id: str
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ApiKey:
    key_id: UUID
    organization_id: str
    label: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Throttle:
    failures: int = 0
    last_failure_at: datetime | None = None


def check_code(invitation: Invitation | None, now: datetime) -> Invitation:
    """An invitation code may be used once, before it expires, unless withdrawn."""
    if invitation is None:
        raise InvalidField("code", "no such invitation code")
    status = invitation.status(now)
    if status == "used":
        raise InvalidField("code", "this invitation code has already been used")
    if status == "revoked":
        raise InvalidField("code", "this invitation was withdrawn")
    if status == "expired":
        raise InvalidField("code", "this invitation code has expired; ask for a new one")
    return invitation


def check_reset_code(code: ResetCode | None, user_id: UUID | None, now: datetime) -> ResetCode:
    """A reset code works once, within its hour, for the person it was issued for."""
    if code is None or user_id is None or code.user_id != user_id:
        raise InvalidField("code", "no such reset code for this login")
    if code.used_at is not None:
        raise InvalidField("code", "this reset code has already been used")
    if now >= code.expires_at:
        raise InvalidField("code", "this reset code has expired; ask for a new one")
    return code


@dataclass(frozen=True, slots=True)
class Login:
    """What a person signs in with: an email (folded) or a phone number (E.164)."""

    email: str | None = None
    phone: str | None = None

    @property
    def key(self) -> str:
        return self.email or self.phone or ""


def normalize_email(raw: str, field: str) -> str:
    email = raw.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidField(field, "not an email address")
    return email


def parse_login(raw: str, field: str = "login") -> Login:
    """An email address or a Vietnamese phone number."""
    if "@" in raw:
        return Login(email=normalize_email(raw, field))
    try:
        return Login(phone=parse_phone(raw))
    except InvalidField:
        raise InvalidField(field, "an email address or a Vietnamese phone number") from None


@dataclass(frozen=True, slots=True)
class AccountDraft:
    """A new person's details as given."""

    name: str
    email: str | None
    phone: str | None
    password: str


@dataclass(frozen=True, slots=True)
class NewAccount:
    name: str
    email: str | None
    phone: str | None

    @property
    def logins(self) -> list[str]:
        return [x for x in (self.email, self.phone) if x]


def new_account(draft: AccountDraft, *, prefix: str) -> NewAccount:
    """A person's details, normalized; fields named under ``prefix`` (``owner``, ``account``)."""
    if not draft.email and not draft.phone:
        raise InvalidField(f"{prefix}.email", "give an email address or a phone number")
    try:
        phone_e164 = parse_phone(draft.phone) if draft.phone else None
    except InvalidField as exc:
        raise InvalidField(f"{prefix}.phone", exc.message) from None
    return NewAccount(
        name=nfc(draft.name),
        email=normalize_email(draft.email, f"{prefix}.email") if draft.email else None,
        phone=phone_e164,
    )


# Sessions ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    absolute: timedelta = timedelta(hours=12)
    idle: timedelta = timedelta(minutes=30)
    # A session's activity is written at most this often (one cheap update per session).
    touch_every: timedelta = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class SessionTimes:
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime

    def idle_expires_at(self, policy: SessionPolicy) -> datetime:
        return min(self.last_seen_at + policy.idle, self.expires_at)


def session_times(now: datetime, policy: SessionPolicy) -> SessionTimes:
    return SessionTimes(created_at=now, last_seen_at=now, expires_at=now + policy.absolute)


def session_ended(
    times: SessionTimes, now: datetime, policy: SessionPolicy
) -> RevocationReason | None:
    """Why a session is over at ``now`` (past its absolute expiry, or idle), or None."""
    if now >= times.expires_at:
        return "expired"
    if now >= times.last_seen_at + policy.idle:
        return "idle"
    return None


def needs_touch(times: SessionTimes, now: datetime, policy: SessionPolicy) -> bool:
    """Whether a use at ``now`` should be recorded: the session is live and its last recorded
    activity is older than ``touch_every`` (an idle session is not brought back to life)."""
    return session_ended(times, now, policy) is None and now - times.last_seen_at >= (
        policy.touch_every
    )


# Sign-in throttling ----------------------------------------------------------------------------

FREE_FAILURES = 5
MAX_WAIT = timedelta(minutes=15)


def throttle_wait(failures: int) -> timedelta:
    """After ``failures`` consecutive failed sign-ins, how long the next attempt waits:
    nothing for the first 5, then 1 s, 2 s, 4 s, ... up to 15 minutes."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    exponent = failures - FREE_FAILURES
    if exponent >= 10:  # 2^10 s > 15 min
        return MAX_WAIT
    return min(timedelta(seconds=2**exponent), MAX_WAIT)


def retry_after(failures: int, last_failure_at: datetime | None, now: datetime) -> int | None:
    """Whole seconds to wait before the next attempt, or None when one may be made now."""
    if last_failure_at is None:
        return None
    allowed_at = last_failure_at + throttle_wait(failures)
    if now >= allowed_at:
        return None
    remaining = (allowed_at - now).total_seconds()
    return max(1, int(-(-remaining // 1)))


def api_key_expiry(now: datetime, days: int) -> datetime:
    if not 1 <= days <= API_KEY_MAX_DAYS:
        raise InvalidField("expires_in_days", f"from 1 to {API_KEY_MAX_DAYS} days")
    return now + timedelta(days=days)
