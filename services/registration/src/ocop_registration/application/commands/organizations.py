"""Organizations and their people: the platform admin creates organizers and authorities (with
an invitation for their first owner), owners invite staff and owners, people accept, members
leave or are removed, owners issue reset codes and API keys, the admin suspends."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from ocop_registration.application import passwords
from ocop_registration.application.commands.credentials import (
    OpenedSession,
    code_digest,
    end_api_keys,
    end_everything_of,
    end_sessions,
    issue_api_key,
    new_code,
    open_session,
)
from ocop_registration.application.commands.sessions import Refusal, check_password_of
from ocop_registration.application.ports import Repositories
from ocop_registration.application.queries.identity import organization_in_reach
from ocop_registration.domain.identity import (
    INVITATION_DAYS,
    PLATFORM_ID,
    RESET_CODE_HOURS,
    AccountDraft,
    ApiKey,
    Invitation,
    Membership,
    Organization,
    ResetCode,
    SessionPolicy,
    User,
    api_key_expiry,
    check_code,
    new_account,
    new_organization,
    parse_login,
)
from ocop_registration.domain.passwords import check_password
from ocop_shared.auth import OrgRole, Principal
from ocop_shared.errors import Conflict, Forbidden, InvalidField, NotFound
from ocop_shared.uow import UnitOfWork

Uow = UnitOfWork[Repositories]


@dataclass(frozen=True, slots=True)
class IssuedCode:
    """A one-time code, shown once."""

    code_id: UUID
    code: str
    expires_at: datetime


def _by(principal: Principal) -> UUID | None:
    return UUID(principal.user_id) if principal.user_id else None


async def _invite(
    uow: Uow, organization_id: str, org_role: OrgRole, created_by: UUID | None, now: datetime
) -> IssuedCode:
    code, digest = new_code()
    invitation = Invitation(
        invitation_id=uuid.uuid4(),
        organization_id=organization_id,
        org_role=org_role,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    await uow.repos.invitations.add(invitation, digest, created_by)
    return IssuedCode(invitation.invitation_id, code, invitation.expires_at)


async def create_organization(
    uow: Uow,
    kind: str,
    organization_id: str | None,
    name: str,
    province: str | None,
    level: str | None,
    now: datetime,
) -> tuple[Organization, IssuedCode]:
    """An organizer, an authority or a retailer (platform admin), with an invitation for its
    owner."""
    organization = new_organization(kind, organization_id, name, province, level)
    await uow.repos.organizations.add(organization)
    return organization, await _invite(uow, organization.organization_id, "owner", None, now)


async def invite(
    uow: Uow, principal: Principal, organization_id: str, org_role: OrgRole, now: datetime
) -> IssuedCode:
    await organization_in_reach(uow.repos, principal, organization_id, owner=True)
    return await _invite(uow, organization_id, org_role, _by(principal), now)


async def withdraw_invitation(
    uow: Uow, principal: Principal, organization_id: str, invitation_id: UUID, now: datetime
) -> None:
    await organization_in_reach(uow.repos, principal, organization_id, owner=True)
    found = await uow.repos.invitations.get(invitation_id, organization_id)
    if found is None:
        raise NotFound("no such invitation")
    await uow.repos.invitations.revoke(invitation_id, now)


async def create_user(uow: Uow, draft: AccountDraft, prefix: str, now: datetime) -> User:
    """A new person: details normalized, the password checked against the policy, email and
    phone not taken (409 naming ``{prefix}.email`` or ``{prefix}.phone``)."""
    account = new_account(draft, prefix=prefix)
    check_password(draft.password, field=f"{prefix}.password", logins=account.logins)
    taken = await uow.repos.users.taken(account.email, account.phone)
    if taken:
        field = f"{prefix}.{taken[0]}"
        raise Conflict(f"{field} is already registered to an account; sign in", field=field)
    user = User(uuid.uuid4(), account.name, account.email, account.phone)
    try:
        await uow.repos.users.add(user, await passwords.hash_password(draft.password), now)
    except Conflict as exc:  # a twin registered in between
        field = f"{prefix}.{exc.field}"
        raise Conflict(f"{field} is already registered to an account", field=field) from None
    return user


async def accept_invitation(
    uow: Uow,
    code: str,
    *,
    account: AccountDraft | None,
    login: str | None,
    password: str | None,
    policy: SessionPolicy,
    now: datetime,
) -> OpenedSession | Refusal:
    """A new person (``account``) or someone with an account (``login`` and ``password``)
    joins the organization with the invitation's role: a session for it. A code works
    once."""
    invitation = check_code(await uow.repos.invitations.by_code(code_digest(code)), now)
    organization = await uow.repos.organizations.get(invitation.organization_id)
    if organization is None:
        raise NotFound("no such organization")
    if organization.suspended:
        raise Forbidden("this organization is suspended", field="code")
    if account is not None:
        user = await create_user(uow, account, "account", now)
    else:
        if login is None or password is None:
            raise InvalidField("account", "give a new account, or the login and password of yours")
        parsed = parse_login(login)
        stored = await uow.repos.users.by_login(parsed)
        checked = await check_password_of(uow, parsed.key, stored, password, now)
        if isinstance(checked, Refusal):
            return checked
        user = checked.user.user
    await uow.repos.users.add_membership(
        user.user_id, organization.organization_id, invitation.org_role, now
    )
    await uow.repos.invitations.mark_used(invitation.invitation_id, user.user_id, now)
    membership = Membership(organization, invitation.org_role)
    return await open_session(uow, user, membership, policy, now)


async def remove_member(
    uow: Uow, principal: Principal, organization_id: str, user_id: UUID, now: datetime
) -> None:
    """An owner removes a member, or a member leaves; their sessions for the organization end.
    The last owner stays."""
    await organization_in_reach(uow.repos, principal, organization_id)
    itself = principal.user_id == str(user_id)
    if not (principal.is_admin or principal.is_owner or itself):
        raise Forbidden("only an owner may remove another member")
    members = await uow.repos.users.members(organization_id, lock=True)
    target = next((m for m in members if m.user.user_id == user_id), None)
    if target is None:
        raise NotFound("no such member")
    owners = [m for m in members if m.org_role == "owner"]
    if target.org_role == "owner" and len(owners) == 1:
        raise Conflict("the organization's last owner cannot leave it", field="user_id")
    await uow.repos.users.remove_membership(user_id, organization_id)
    sessions = await uow.repos.sessions.live(user_id=user_id, organization_id=organization_id)
    await end_sessions(uow, sessions, "membership_ended", now)


async def issue_reset_code(
    uow: Uow, principal: Principal, organization_id: str, user_id: UUID, now: datetime
) -> IssuedCode:
    """An owner (or the platform admin) gives a member a one-time code to set a new password."""
    await organization_in_reach(uow.repos, principal, organization_id, owner=True)
    members = await uow.repos.users.members(organization_id)
    if not any(m.user.user_id == user_id for m in members):
        raise NotFound("no such member")
    code, digest = new_code()
    reset = ResetCode(
        code_id=uuid.uuid4(),
        user_id=user_id,
        organization_id=organization_id,
        expires_at=now + timedelta(hours=RESET_CODE_HOURS),
    )
    await uow.repos.reset_codes.add(reset, digest, _by(principal), now)
    return IssuedCode(reset.code_id, code, reset.expires_at)


async def create_api_key(
    uow: Uow,
    principal: Principal,
    organization_id: str,
    label: str,
    expires_in_days: int,
    now: datetime,
) -> tuple[ApiKey, str]:
    organization = await organization_in_reach(uow.repos, principal, organization_id, owner=True)
    if organization.suspended:
        raise Forbidden("this organization is suspended")
    expires_at = api_key_expiry(now, expires_in_days)
    return await issue_api_key(uow, organization, label, expires_at, _by(principal), now)


async def revoke_api_key(
    uow: Uow, principal: Principal, organization_id: str, key_id: UUID, now: datetime
) -> None:
    organization = await organization_in_reach(uow.repos, principal, organization_id, owner=True)
    key = await uow.repos.api_keys.get(key_id, organization_id)
    if key is None:
        raise NotFound("no such API key")
    if key.revoked_at is None:
        await end_api_keys(uow, organization, [key_id], now)


async def suspend(uow: Uow, organization_id: str, now: datetime) -> Organization:
    """Every credential of the organization is revoked; sign-in refused until reinstated."""
    organization = await uow.repos.organizations.get(organization_id, lock=True)
    if organization is None:
        raise NotFound("no such organization")
    if organization.organization_id == PLATFORM_ID:
        raise InvalidField("organization_id", "the platform itself cannot be suspended")
    await uow.repos.organizations.set_suspended(organization_id, now)
    await end_everything_of(uow, organization, now)
    return await _reloaded(uow, organization_id)


async def reinstate(uow: Uow, organization_id: str) -> Organization:
    organization = await uow.repos.organizations.get(organization_id, lock=True)
    if organization is None:
        raise NotFound("no such organization")
    await uow.repos.organizations.set_suspended(organization_id, None)
    return await _reloaded(uow, organization_id)


async def _reloaded(uow: Uow, organization_id: str) -> Organization:
    found = await uow.repos.organizations.get(organization_id)
    assert found is not None
    return found
