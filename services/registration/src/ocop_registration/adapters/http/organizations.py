"""Organizations and their people: the platform admin creates organizers and authorities
(answered with an invitation code for the first owner) and suspends; owners invite, remove,
issue reset codes and API keys; members see their organization."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response

from ocop_registration.adapters.http.deps import Cause, Uow
from ocop_registration.adapters.http.identity_schemas import (
    ApiKeyCreate,
    ApiKeyIssued,
    ApiKeyOut,
    CodeOut,
    InvitationCreate,
    InvitationIssued,
    InvitationOut,
    MemberOut,
    OrganizationCreate,
    OrganizationCreated,
    OrganizationDetail,
    OrganizationOut,
)
from ocop_registration.adapters.http.sessions import Tokens
from ocop_registration.application import clock
from ocop_registration.application.commands import organizations as commands
from ocop_registration.application.queries import identity as queries
from ocop_shared.authz import Caller

router = APIRouter(tags=["organizations"])

# An organization's id in a path: bounded (the ids are slugs of at most 63 characters, an
# exhibitor's a UUID); control characters never reach here (``inputs.ControlCharacterGuard``).
OrganizationId = Annotated[str, Path(min_length=1, max_length=100)]


@router.post("/organizations", status_code=201, response_model=OrganizationCreated)
async def create_organization(
    body: OrganizationCreate, _admin: Caller, uow: Uow, cause: Cause
) -> OrganizationCreated:
    """An organizer, a certifying authority (provincial with its province, or central) or an
    inspection authority (with its province); the answer carries the code its first owner
    accepts the invitation with (shown once, valid 7 days)."""
    organization, code = await uow.run(
        lambda u: commands.create_organization(
            u,
            body.kind,
            body.organization_id,
            body.name,
            body.province,
            body.level,
            clock.now(),
        ),
        cause=cause,
    )
    return OrganizationCreated(
        organization=OrganizationOut.of(organization),
        owner_invitation=CodeOut(code=code.code, expires_at=code.expires_at),
    )


@router.get("/organizations/{organization_id}", response_model=OrganizationDetail)
async def get_organization(
    organization_id: OrganizationId, principal: Caller, uow: Uow
) -> OrganizationDetail:
    view = await uow.read(lambda repos: queries.organization(repos, principal, organization_id))
    return OrganizationDetail(
        organization=OrganizationOut.of(view.organization),
        members=[MemberOut.of(m) for m in view.members],
    )


@router.get("/organizations/{organization_id}/members", response_model=list[MemberOut])
async def list_members(
    organization_id: OrganizationId, principal: Caller, uow: Uow
) -> list[MemberOut]:
    view = await uow.read(lambda repos: queries.organization(repos, principal, organization_id))
    return [MemberOut.of(m) for m in view.members]


@router.delete("/organizations/{organization_id}/members/{user_id}", status_code=204)
async def remove_member(
    organization_id: OrganizationId,
    user_id: UUID,
    principal: Caller,
    uow: Uow,
    tokens: Tokens,
    cause: Cause,
) -> Response:
    """An owner removes a member, or a member leaves; their sessions for it end at once."""
    await uow.run(
        lambda u: commands.remove_member(u, principal, organization_id, user_id, clock.now()),
        cause=cause,
    )
    tokens.clear()
    return Response(status_code=204)


@router.post(
    "/organizations/{organization_id}/members/{user_id}/reset-code",
    status_code=201,
    response_model=CodeOut,
)
async def issue_reset_code(
    organization_id: OrganizationId, user_id: UUID, principal: Caller, uow: Uow, cause: Cause
) -> CodeOut:
    """A one-time code (valid 1 hour) the member sets a new password with
    (``POST /password-resets``)."""
    issued = await uow.run(
        lambda u: commands.issue_reset_code(u, principal, organization_id, user_id, clock.now()),
        cause=cause,
    )
    return CodeOut(code=issued.code, expires_at=issued.expires_at)


@router.post(
    "/organizations/{organization_id}/invitations",
    status_code=201,
    response_model=InvitationIssued,
)
async def invite(
    organization_id: OrganizationId,
    body: InvitationCreate,
    principal: Caller,
    uow: Uow,
    cause: Cause,
) -> InvitationIssued:
    """A one-time invitation code (valid 7 days) to join as owner or staff."""
    issued = await uow.run(
        lambda u: commands.invite(u, principal, organization_id, body.org_role, clock.now()),
        cause=cause,
    )
    return InvitationIssued(
        invitation_id=issued.code_id, code=issued.code, expires_at=issued.expires_at
    )


@router.get("/organizations/{organization_id}/invitations", response_model=list[InvitationOut])
async def list_invitations(
    organization_id: OrganizationId, principal: Caller, uow: Uow
) -> list[InvitationOut]:
    found = await uow.read(lambda repos: queries.invitations(repos, principal, organization_id))
    now = clock.now()
    return [InvitationOut.of(i, now) for i in found]


@router.delete("/organizations/{organization_id}/invitations/{invitation_id}", status_code=204)
async def withdraw_invitation(
    organization_id: OrganizationId, invitation_id: UUID, principal: Caller, uow: Uow, cause: Cause
) -> Response:
    await uow.run(
        lambda u: commands.withdraw_invitation(
            u, principal, organization_id, invitation_id, clock.now()
        ),
        cause=cause,
    )
    return Response(status_code=204)


@router.post(
    "/organizations/{organization_id}/api-keys", status_code=201, response_model=ApiKeyIssued
)
async def create_api_key(
    organization_id: OrganizationId, body: ApiKeyCreate, principal: Caller, uow: Uow, cause: Cause
) -> ApiKeyIssued:
    """A key for an integration: it acts in the organization's role, as staff, until it
    expires (at most 365 days) or is revoked. Shown once."""
    key, token = await uow.run(
        lambda u: commands.create_api_key(
            u, principal, organization_id, body.label, body.expires_in_days, clock.now()
        ),
        cause=cause,
    )
    return ApiKeyIssued(key_id=key.key_id, label=key.label, token=token, expires_at=key.expires_at)


@router.get("/organizations/{organization_id}/api-keys", response_model=list[ApiKeyOut])
async def list_api_keys(
    organization_id: OrganizationId, principal: Caller, uow: Uow
) -> list[ApiKeyOut]:
    found = await uow.read(lambda repos: queries.api_keys(repos, principal, organization_id))
    return [ApiKeyOut.of(k) for k in found]


@router.delete("/organizations/{organization_id}/api-keys/{key_id}", status_code=204)
async def revoke_api_key(
    organization_id: OrganizationId,
    key_id: UUID,
    principal: Caller,
    uow: Uow,
    tokens: Tokens,
    cause: Cause,
) -> Response:
    """Revoked here at once, and announced: booths and sales drop it too."""
    await uow.run(
        lambda u: commands.revoke_api_key(u, principal, organization_id, key_id, clock.now()),
        cause=cause,
    )
    tokens.clear()
    return Response(status_code=204)


@router.post("/organizations/{organization_id}/suspension", response_model=OrganizationOut)
async def suspend(
    organization_id: OrganizationId, _admin: Caller, uow: Uow, tokens: Tokens, cause: Cause
) -> OrganizationOut:
    """Every credential of the organization is revoked everywhere; its people cannot sign in
    for it until it is reinstated."""
    organization = await uow.run(
        lambda u: commands.suspend(u, organization_id, clock.now()), cause=cause
    )
    tokens.clear()
    return OrganizationOut.of(organization)


@router.delete("/organizations/{organization_id}/suspension", response_model=OrganizationOut)
async def reinstate(
    organization_id: OrganizationId, _admin: Caller, uow: Uow, cause: Cause
) -> OrganizationOut:
    """Its people may sign in again (credentials revoked by the suspension stay revoked)."""
    organization = await uow.run(lambda u: commands.reinstate(u, organization_id), cause=cause)
    return OrganizationOut.of(organization)
