"""Sessions: sign in, who am I, sign out (here or everywhere), password change and reset, and
accepting an invitation (which signs the person in for the organization)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from ocop_registration.adapters.http.deps import Cause, Uow, Wiring
from ocop_registration.adapters.http.identity_schemas import (
    InvitationAccept,
    PasswordChange,
    PasswordReset,
    SessionOut,
    SignedIn,
    SignIn,
)
from ocop_registration.application import clock
from ocop_registration.application.commands import organizations, sessions
from ocop_registration.application.queries import identity as queries
from ocop_registration.domain.identity import SessionPolicy
from ocop_shared import auth, ratelimit
from ocop_shared.authz import Caller
from ocop_shared.errors import DomainError
from ocop_shared.service import wired

router = APIRouter(tags=["sessions"])

T = TypeVar("T")


async def session_policy(wiring: Annotated[Wiring, Depends(wired(Wiring))]) -> SessionPolicy:
    return wiring.settings.session_policy()


Policy = Annotated[SessionPolicy, Depends(session_policy)]


async def token_cache(request: Request) -> auth.TokenCache:
    cache: auth.TokenCache = request.app.state.service.tokens
    return cache


# After a revocation commits, this replica forgets its cached tokens at once (the others as
# the revocation's NOTIFY reaches them), so a revoked token fails on the very next request.
Tokens = Annotated[auth.TokenCache, Depends(token_cache)]


class FieldError(BaseModel):
    type: str
    loc: list[str | int]
    msg: str


class MembershipChoice(BaseModel):
    organization_id: str
    name: str
    kind: Literal[
        "holder", "delegation", "organizer", "certifier", "inspector", "platform", "retailer"
    ]
    org_role: Literal["owner", "staff"]


class SignInInvalid(BaseModel):
    """A sign-in's 422: the usual validation errors; when the person belongs to several
    organizations and named none, ``memberships`` lists them (with names, so a client can
    offer the choice), and only once the password was verified."""

    detail: list[FieldError]
    memberships: list[MembershipChoice] | None = Field(
        default=None, description="the organizations to choose from, for organization_id"
    )


SIGN_IN_ANSWERS: dict[int | str, dict[str, Any]] = {
    422: {
        "model": SignInInvalid,
        "description": "A field is invalid (each error names it); a person of several "
        "organizations who named none is shown them in memberships",
    }
}


def choose_organization(refusal: sessions.ChooseOrganization) -> JSONResponse:
    body = SignInInvalid(
        detail=[
            FieldError(type=refusal.code, loc=["body", "organization_id"], msg=refusal.message)
        ],
        memberships=[
            MembershipChoice(
                organization_id=m.organization.organization_id,
                name=m.organization.name,
                kind=m.organization.kind,
                org_role=m.org_role,
            )
            for m in refusal.memberships
        ],
    )
    return JSONResponse(status_code=422, content=body.model_dump(mode="json"))


def accepted(outcome: T | DomainError) -> T:
    """A handler's refusal (returned, so that its failure count committed) as the answer."""
    if isinstance(outcome, sessions.Throttled):
        raise HTTPException(
            status_code=429,
            detail=outcome.message,
            headers={"Retry-After": str(outcome.retry_after)},
        )
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


@router.post("/sessions", status_code=201, response_model=SignedIn, responses=SIGN_IN_ANSWERS)
async def sign_in(
    request: Request, body: SignIn, uow: Uow, policy: Policy, cause: Cause
) -> SignedIn | JSONResponse:
    """Sign in with an email or a Vietnamese phone number and a password. The same 401 for an
    unknown login and a wrong password; after 5 failures in a row each attempt waits (429
    with Retry-After), even with the right password; attempts are also limited per client
    address (429). A person of several organizations names one (``organization_id``); without
    it the 422 lists their memberships."""
    await ratelimit.enforce(request, "sign_in")
    outcome = await uow.run(
        lambda u: sessions.sign_in(
            u, body.login, body.password, body.organization_id, policy, clock.now()
        ),
        cause=cause,
    )
    if isinstance(outcome, sessions.ChooseOrganization):
        return choose_organization(outcome)
    return SignedIn.opened(accepted(outcome), policy)


@router.get("/session", response_model=SessionOut)
async def who_am_i(principal: Caller, uow: Uow, policy: Policy) -> SessionOut:
    view = await uow.read(lambda repos: queries.who_am_i(repos, principal))
    return SessionOut.of(view, policy)


@router.delete("/session", status_code=204)
async def sign_out(principal: Caller, uow: Uow, tokens: Tokens, cause: Cause) -> Response:
    await uow.run(lambda u: sessions.sign_out(u, principal, clock.now()), cause=cause)
    tokens.clear()
    return Response(status_code=204)


@router.post("/session/sign-out-everywhere", status_code=204)
async def sign_out_everywhere(
    principal: Caller, uow: Uow, tokens: Tokens, cause: Cause
) -> Response:
    await uow.run(lambda u: sessions.sign_out_everywhere(u, principal, clock.now()), cause=cause)
    tokens.clear()
    return Response(status_code=204)


@router.post("/session/password", status_code=204)
async def change_password(
    body: PasswordChange, principal: Caller, uow: Uow, tokens: Tokens, cause: Cause
) -> Response:
    """A new password; the person's other sessions end."""
    outcome = await uow.run(
        lambda u: sessions.change_password(
            u, principal, body.current_password, body.new_password, clock.now()
        ),
        cause=cause,
    )
    accepted(outcome)
    tokens.clear()
    return Response(status_code=204)


@router.post("/password-resets", status_code=204)
async def reset_password(
    request: Request, body: PasswordReset, uow: Uow, tokens: Tokens, cause: Cause
) -> Response:
    """With a reset code from an owner of the person's organization (or the platform): a new
    password; every session of the person ends. Rate limited per client address with
    sign-ups (429)."""
    await ratelimit.enforce(request, "sign_up")
    await uow.run(
        lambda u: sessions.reset_password(u, body.login, body.code, body.new_password, clock.now()),
        cause=cause,
    )
    tokens.clear()
    return Response(status_code=204)


@router.post("/invitations/accept", status_code=201, response_model=SignedIn)
async def accept_invitation(
    request: Request, body: InvitationAccept, uow: Uow, policy: Policy, cause: Cause
) -> SignedIn:
    """Join an organization with an invitation code (once): as a new person (``account``) or
    with an existing account (``login`` and ``password``); answers with a session for it.
    Rate limited per client address with sign-ups (429)."""
    await ratelimit.enforce(request, "sign_up")
    outcome = await uow.run(
        lambda u: organizations.accept_invitation(
            u,
            body.code,
            account=body.account.draft() if body.account else None,
            login=body.login,
            password=body.password,
            policy=policy,
            now=clock.now(),
        ),
        cause=cause,
    )
    return SignedIn.opened(accepted(outcome), policy)
