"""Identity's request bodies and answers: sign-up's owner, sign-in, sessions, organizations,
invitations, reset codes and API keys. Tokens and codes appear once, in the answer that
creates them; only their hash is stored."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt

from ocop_registration.adapters.http.schemas import (
    ExhibitorCreate,
    ExhibitorOut,
    Phone,
    Strict,
    checks,
)
from ocop_registration.application.commands.credentials import OpenedSession
from ocop_registration.application.queries.identity import SessionView
from ocop_registration.domain.identity import (
    AccountDraft,
    ApiKey,
    Invitation,
    Member,
    Membership,
    Organization,
    SessionPolicy,
    SessionRecord,
    User,
)
from ocop_registration.domain.text import nfc
from ocop_shared.inputs import text

# Issue 11's input classes (``ocop_shared.inputs``): text NFC, without control characters,
# not blank, bounded; a refusal is a 422 naming the field.
Name = Annotated[str, *checks(text(200)), AfterValidator(nfc)]
# Checked by the policy (domain/passwords.py), which names the field and the reason; only
# bounded here (any character may be part of a password; it is only ever hashed).
Password = Annotated[str, Field(max_length=1000)]
Login = Annotated[str, *checks(text(254)), Field(description="email or phone number")]
Code = Annotated[str, *checks(text(100))]
OrganizationId = Annotated[str, *checks(text(100))]

SHOWN_ONCE = "shown once; only a hash is stored"


class AccountIn(Strict):
    """A new person: email or phone (or both) to sign in with, and a password."""

    name: Name
    email: Annotated[str, *checks(text(254))] | None = None
    phone: Phone | None = None
    password: Password

    def draft(self) -> AccountDraft:
        return AccountDraft(self.name, self.email, self.phone, self.password)


class SignUp(ExhibitorCreate):
    """An OCOP holder or a delegation, with its owner's account."""

    owner: AccountIn


class SignIn(Strict):
    login: Login
    password: Password
    organization_id: OrganizationId | None = Field(
        default=None,
        description="which of the person's organizations; needed when they have several",
    )


class PasswordChange(Strict):
    current_password: Password
    new_password: Password


class PasswordReset(Strict):
    login: Login
    code: Code
    new_password: Password


class OrganizationCreate(Strict):
    kind: Literal["organizer", "certifier", "inspector", "retailer"]
    organization_id: Annotated[str, *checks(text(63)), Field(min_length=2)] | None = Field(
        default=None,
        description="a slug for organizers and authorities (required); a retailer's is a "
        "UUID, made when left out",
    )
    name: Name
    province: Name | None = None
    level: Literal["provincial", "central"] | None = None


class InvitationCreate(Strict):
    org_role: Literal["owner", "staff"] = "staff"


class InvitationAccept(Strict):
    """Either ``account`` (a new person) or ``login`` and ``password`` (someone with an
    account already)."""

    code: Code
    account: AccountIn | None = None
    login: Login | None = None
    password: Password | None = None


class ApiKeyCreate(Strict):
    label: Name
    expires_in_days: Annotated[StrictInt, Field(ge=1, le=365)]


# --- answers -------------------------------------------------------------------------------


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserOut(Out):
    user_id: UUID
    name: str
    email: str | None
    phone: str | None

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(user_id=user.user_id, name=user.name, email=user.email, phone=user.phone)


class OrganizationOut(Out):
    organization_id: str
    kind: Literal[
        "holder", "delegation", "organizer", "certifier", "inspector", "platform", "retailer"
    ]
    name: str
    role: str
    province: str | None = None
    level: Literal["provincial", "central"] | None = None
    suspended: bool = False

    @classmethod
    def of(cls, o: Organization) -> OrganizationOut:
        return cls(
            organization_id=o.organization_id,
            kind=o.kind,
            name=o.name,
            role=o.role,
            province=o.province,
            level=o.level,
            suspended=o.suspended,
        )


class MembershipOut(OrganizationOut):
    org_role: Literal["owner", "staff"]

    @classmethod
    def of_membership(cls, m: Membership) -> MembershipOut:
        return cls(**OrganizationOut.of(m.organization).model_dump(), org_role=m.org_role)


class SessionInfo(Out):
    session_id: UUID
    created_at: datetime
    expires_at: datetime
    idle_expires_at: datetime

    @classmethod
    def of(cls, s: SessionRecord, policy: SessionPolicy) -> SessionInfo:
        return cls(
            session_id=s.session_id,
            created_at=s.times.created_at,
            expires_at=s.times.expires_at,
            idle_expires_at=s.times.idle_expires_at(policy),
        )


class SessionOut(Out):
    """Who is signed in, for which organization, as what."""

    session: SessionInfo
    user: UserOut
    organization: MembershipOut
    memberships: list[MembershipOut]

    @classmethod
    def of(cls, view: SessionView | OpenedSession, policy: SessionPolicy) -> SessionOut:
        org_role = view.session.org_role
        return cls(
            session=SessionInfo.of(view.session, policy),
            user=UserOut.of(view.user),
            organization=MembershipOut.of_membership(Membership(view.organization, org_role)),
            memberships=[MembershipOut.of_membership(m) for m in view.memberships],
        )


class SignedIn(SessionOut):
    token: str
    note: str = SHOWN_ONCE

    @classmethod
    def opened(cls, opened: OpenedSession, policy: SessionPolicy) -> SignedIn:
        return cls(**SessionOut.of(opened, policy).model_dump(), token=opened.token)


class SignedUp(Out):
    exhibitor: ExhibitorOut
    token: str
    session: SessionInfo
    user: UserOut
    note: str = SHOWN_ONCE


class CodeOut(Out):
    code: str
    expires_at: datetime
    note: str = SHOWN_ONCE


class InvitationIssued(CodeOut):
    invitation_id: UUID


class OrganizationCreated(Out):
    organization: OrganizationOut
    owner_invitation: CodeOut


class MemberOut(Out):
    user_id: UUID
    name: str
    email: str | None
    phone: str | None
    org_role: Literal["owner", "staff"]
    joined_at: datetime

    @classmethod
    def of(cls, m: Member) -> MemberOut:
        u = m.user
        return cls(
            user_id=u.user_id,
            name=u.name,
            email=u.email,
            phone=u.phone,
            org_role=m.org_role,
            joined_at=m.joined_at,
        )


class OrganizationDetail(Out):
    organization: OrganizationOut
    members: list[MemberOut]


class InvitationOut(Out):
    invitation_id: UUID
    org_role: Literal["owner", "staff"]
    status: Literal["open", "used", "revoked", "expired"]
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    used_by: UUID | None

    @classmethod
    def of(cls, i: Invitation, now: datetime) -> InvitationOut:
        return cls(
            invitation_id=i.invitation_id,
            org_role=i.org_role,
            status=i.status(now),
            created_at=i.created_at,
            expires_at=i.expires_at,
            used_at=i.used_at,
            used_by=i.used_by,
        )


class ApiKeyOut(Out):
    key_id: UUID
    label: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, k: ApiKey) -> ApiKeyOut:
        return cls(
            key_id=k.key_id,
            label=k.label,
            created_at=k.created_at,
            expires_at=k.expires_at,
            revoked_at=k.revoked_at,
        )


class ApiKeyIssued(Out):
    key_id: UUID
    label: str
    token: str
    expires_at: datetime
    note: str = SHOWN_ONCE
