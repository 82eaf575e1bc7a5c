"""Exhibitors: self-registration (answered with the token, once), an organizer's search among
its applicants, the public directory, details (the receiving bank account to its own people
only), delegation membership by consent, and the banks an account may be at."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from ocop_registration.adapters.http.deps import Cause, Uow
from ocop_registration.adapters.http.identity_schemas import SessionInfo, SignedUp, SignUp, UserOut
from ocop_registration.adapters.http.schemas import (
    BankOut,
    ExhibitorOut,
    ExhibitorUpdate,
    ListingOut,
    MembersAdd,
    MembershipOut,
    checks,
)
from ocop_registration.adapters.http.sessions import Policy
from ocop_registration.application import clock
from ocop_registration.application.access import is_self
from ocop_registration.application.commands import delegations
from ocop_registration.application.commands import exhibitors as commands
from ocop_registration.application.queries import exhibitors as queries
from ocop_registration.domain.banks import BANKS
from ocop_registration.domain.exhibitors import Contact, ExhibitorDraft
from ocop_shared import ratelimit
from ocop_shared.authz import Caller
from ocop_shared.inputs import SearchText

router = APIRouter(tags=["exhibitors"])


@router.post("/exhibitors", status_code=201, response_model=SignedUp)
async def register_exhibitor(
    request: Request, body: SignUp, uow: Uow, policy: Policy, cause: Cause
) -> SignedUp:
    """Sign-up of an OCOP holder or a delegation with its owner's account; answers with the
    owner's first session (its token shown once). A tax code already registered is not taken
    over (409): its owner, or the platform for a register's holder, invites people. Sign-ups
    are rate limited per client address (429 with Retry-After)."""
    await ratelimit.enforce(request, "sign_up")
    draft = ExhibitorDraft(
        kind=body.kind,
        name=body.name,
        province=body.province,
        tax_code=body.tax_code,
        commune=body.commune,
        phone=body.phone,
        contact=Contact(body.address, body.email),
    )
    registered = await uow.run(
        lambda u: commands.register_exhibitor(u, draft, body.owner.draft(), policy, clock.now()),
        cause=cause,
    )
    opened = registered.opened
    return SignedUp(
        exhibitor=ExhibitorOut.of(registered.exhibitor, own=True),
        token=opened.token,
        session=SessionInfo.of(opened.session, policy),
        user=UserOut.of(opened.user),
    )


@router.get("/exhibitors", response_model=list[ExhibitorOut])
async def search_exhibitors(
    principal: Caller,
    uow: Uow,
    q: Annotated[str, *checks(SearchText), Query()] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ExhibitorOut]:
    """An organizer's search among the exhibitors that applied to its fairs (the admin: all);
    with or without Vietnamese diacritics (``%`` and ``_`` match themselves)."""
    found = await uow.read(lambda repos: queries.search_exhibitors(repos, principal, q, limit))
    return [ExhibitorOut.of(e) for e in found]


@router.get("/directory/exhibitors", response_model=list[ListingOut])
async def directory(
    uow: Uow,
    q: Annotated[str, *checks(SearchText), Query()] = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ListingOut]:
    """The public directory: name, kind, province and the products certified now (name, group,
    star, valid until); never tax code, phone, e-mail or address. Matches with or without
    Vietnamese diacritics (``%`` and ``_`` match themselves)."""
    found = await uow.read(lambda repos: queries.directory(repos, q, limit))
    return [ListingOut.of(entry) for entry in found]


@router.get("/exhibitors/{exhibitor_id}", response_model=ExhibitorOut)
async def get_exhibitor(exhibitor_id: UUID, principal: Caller, uow: Uow) -> ExhibitorOut:
    """The full record: its own users, the admin, organizers of a fair it applied to. The
    receiving bank account is answered to its own users only."""
    found = await uow.read(lambda repos: queries.get_exhibitor(repos, principal, exhibitor_id))
    return ExhibitorOut.of(found, own=is_self(principal, exhibitor_id))


@router.patch("/exhibitors/{exhibitor_id}", response_model=ExhibitorOut)
async def update_exhibitor(
    exhibitor_id: UUID, body: ExhibitorUpdate, principal: Caller, uow: Uow, cause: Cause
) -> ExhibitorOut:
    """The fields set change (announced). The receiving bank account (``bank_bin``,
    ``bank_account``, ``bank_account_name``) is set together, or removed with all three
    null, by an owner of the exhibitor only: its staff, API keys and the admin get 403; a bank
    not in ``GET /banks`` is 422 ``unknown_bank``, one of the three missing 422
    ``bank_account_incomplete`` naming it."""
    changes: dict[str, str | None] = body.model_dump(exclude_unset=True)
    updated = await uow.run(
        lambda u: commands.update_exhibitor(u, principal, exhibitor_id, changes), cause=cause
    )
    return ExhibitorOut.of(updated, own=is_self(principal, exhibitor_id))


@router.get("/banks", response_model=list[BankOut], tags=["exhibitors"])
async def banks(response: Response) -> list[BankOut]:
    """The banks an exhibitor's receiving account may be at (NAPAS 247 members, from VietQR's
    public list): BIN, short name, full name; the largest first. The same for everyone and
    shipped with the service, so cacheable for a day."""
    response.headers["Cache-Control"] = "public, max-age=86400"
    return [BankOut.of(bank) for bank in BANKS]


@router.post(
    "/exhibitors/{delegation_id}/members", status_code=201, response_model=list[MembershipOut]
)
async def invite_members(
    delegation_id: UUID, body: MembersAdd, principal: Caller, uow: Uow, cause: Cause
) -> list[MembershipOut]:
    """A delegation invites holders; each becomes a member when it accepts (until then its
    products cannot be shown in the delegation's applications)."""
    invited = await uow.run(
        lambda u: delegations.invite_members(u, principal, delegation_id, body.member_ids),
        cause=cause,
    )
    return [MembershipOut.of(m) for m in invited]


@router.get("/exhibitors/{exhibitor_id}/memberships", response_model=list[MembershipOut])
async def memberships(exhibitor_id: UUID, principal: Caller, uow: Uow) -> list[MembershipOut]:
    """A delegation's invitations and members; a holder's invitations and delegations."""
    found = await uow.read(lambda repos: queries.memberships(repos, principal, exhibitor_id))
    return [MembershipOut.of(m) for m in found]


@router.post(
    "/exhibitors/{holder_id}/delegations/{delegation_id}/accept", response_model=MembershipOut
)
async def accept_membership(
    holder_id: UUID, delegation_id: UUID, principal: Caller, uow: Uow, cause: Cause
) -> MembershipOut:
    """The invited holder accepts: announced with the delegation's members."""
    accepted = await uow.run(
        lambda u: delegations.accept_membership(u, principal, holder_id, delegation_id),
        cause=cause,
    )
    return MembershipOut.of(accepted)


@router.post(
    "/exhibitors/{holder_id}/delegations/{delegation_id}/decline", response_model=MembershipOut
)
async def decline_membership(
    holder_id: UUID, delegation_id: UUID, principal: Caller, uow: Uow, cause: Cause
) -> MembershipOut:
    declined = await uow.run(
        lambda u: delegations.decline_membership(u, principal, holder_id, delegation_id),
        cause=cause,
    )
    return MembershipOut.of(declined)


@router.delete("/exhibitors/{delegation_id}/members/{holder_id}", status_code=204)
async def end_membership(
    delegation_id: UUID, holder_id: UUID, principal: Caller, uow: Uow, cause: Cause
) -> Response:
    """Either side ends a membership: the delegation, or the member holder (it leaves)."""
    await uow.run(
        lambda u: delegations.end_membership(u, principal, delegation_id, holder_id),
        cause=cause,
    )
    return Response(status_code=204)
