"""Sessions: sign in, who am I, sign out (here or everywhere), password change and reset, and
accepting an invitation (which signs the person in for the organization)."""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Request, Response

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
from ocop_shared import auth
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


@router.post("/sessions", status_code=201, response_model=SignedIn)
async def sign_in(body: SignIn, uow: Uow, policy: Policy, cause: Cause) -> SignedIn:
    """Sign in with an email or a Vietnamese phone number and a password. The same 401 for an
    unknown login and a wrong password; after 5 failures in a row each attempt waits (429
    with Retry-After), even with the right password."""
    outcome = await uow.run(
        lambda u: sessions.sign_in(
            u, body.login, body.password, body.organization_id, policy, clock.now()
        ),
        cause=cause,
    )
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
async def reset_password(body: PasswordReset, uow: Uow, tokens: Tokens, cause: Cause) -> Response:
    """With a reset code from an owner of the person's organization (or the platform): a new
    password; every session of the person ends."""
    await uow.run(
        lambda u: sessions.reset_password(u, body.login, body.code, body.new_password, clock.now()),
        cause=cause,
    )
    tokens.clear()
    return Response(status_code=204)


@router.post("/invitations/accept", status_code=201, response_model=SignedIn)
async def accept_invitation(
    body: InvitationAccept, uow: Uow, policy: Policy, cause: Cause
) -> SignedIn:
    """Join an organization with an invitation code (once): as a new person (``account``) or
    with an existing account (``login`` and ``password``); answers with a session for it."""
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
