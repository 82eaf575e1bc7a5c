"""Who am I; an organization and its members, invitations and API keys. An organization
another principal may not see answers 404, as if it did not exist."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from ocop_registration.application.ports import Repositories
from ocop_registration.domain.identity import (
    ApiKey,
    Invitation,
    Member,
    Membership,
    Organization,
    SessionRecord,
    User,
)
from ocop_shared.auth import Principal
from ocop_shared.errors import Forbidden, NotFound


async def organization_in_reach(
    repos: Repositories,
    principal: Principal,
    organization_id: str,
    *,
    owner: bool = False,
    lock: bool = False,
) -> Organization:
    """The organization, if the principal acts for it (or is the platform admin); an owner's
    act refuses its staff (403)."""
    if not (principal.is_admin or principal.acts_for(organization_id)):
        raise NotFound("no such organization")
    found = await repos.organizations.get(organization_id, lock=lock)
    if found is None:
        raise NotFound("no such organization")
    if owner and not (principal.is_admin or principal.is_owner):
        raise Forbidden("only an owner of the organization may")
    return found


@dataclass(frozen=True, slots=True)
class SessionView:
    session: SessionRecord
    user: User
    organization: Organization
    memberships: list[Membership]


async def who_am_i(repos: Repositories, principal: Principal) -> SessionView:
    if principal.credential_id is None or principal.user_id is None:
        raise NotFound("this credential is not a person's session")
    session = await repos.sessions.get(UUID(principal.credential_id))
    user = await repos.users.get(UUID(principal.user_id))
    organization = await repos.organizations.get(principal.subject)
    if session is None or user is None or organization is None:
        raise NotFound("no such session")
    memberships = await repos.users.memberships(user.user.user_id)
    return SessionView(session, user.user, organization, memberships)


@dataclass(frozen=True, slots=True)
class OrganizationView:
    organization: Organization
    members: list[Member]


async def organization(
    repos: Repositories, principal: Principal, organization_id: str
) -> OrganizationView:
    found = await organization_in_reach(repos, principal, organization_id)
    return OrganizationView(found, await repos.users.members(organization_id))


async def invitations(
    repos: Repositories, principal: Principal, organization_id: str
) -> list[Invitation]:
    await organization_in_reach(repos, principal, organization_id, owner=True)
    return await repos.invitations.of_organization(organization_id)


async def api_keys(repos: Repositories, principal: Principal, organization_id: str) -> list[ApiKey]:
    await organization_in_reach(repos, principal, organization_id, owner=True)
    return await repos.api_keys.of_organization(organization_id)
