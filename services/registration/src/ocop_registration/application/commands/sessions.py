"""People sign in and out: sessions, password change and reset, and the session job (idle and
absolute expiry).

A sign-in that fails is counted per login (known or not) before the refusal is answered, so
the handlers that check a password return their refusal (``Refusal``) rather than raise it:
raising would roll the count back with the rest of the unit of work. The route raises it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from ocop_registration.application import passwords
from ocop_registration.application.commands.credentials import (
    OpenedSession,
    code_digest,
    end_sessions,
    open_session,
)
from ocop_registration.application.ports import Repositories
from ocop_registration.domain.identity import (
    Login,
    Membership,
    SessionPolicy,
    SessionRecord,
    StoredUser,
    check_reset_code,
    parse_login,
    retry_after,
    session_ended,
)
from ocop_registration.domain.passwords import check_password
from ocop_shared.auth import Principal
from ocop_shared.contracts.identity import RevocationReason
from ocop_shared.errors import DomainError, Forbidden, InvalidField, NotFound
from ocop_shared.uow import UnitOfWork

Uow = UnitOfWork[Repositories]


class WrongCredentials(DomainError):
    """The same answer for an unknown login and a wrong password."""

    status_code = 401
    code = "wrong_login_or_password"

    def __init__(self, field: str | None = None) -> None:
        super().__init__("wrong login or password", field=field)


class Throttled(DomainError):
    status_code = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed attempts; try again in {retry_after} s")
        self.retry_after = retry_after


Refusal = DomainError


@dataclass(frozen=True, slots=True)
class Checked:
    user: StoredUser


async def check_password_of(
    uow: Uow, throttle_key: str, user: StoredUser | None, password: str, now: datetime
) -> Checked | Refusal:
    """Verifies a password under the login's throttle: during a backoff even the right
    password is refused (429); a failure is counted, a success clears the count."""
    held = await uow.repos.sign_in_throttle.hold(throttle_key)
    wait = retry_after(held.failures, held.last_failure_at, now)
    if wait is not None:
        return Throttled(wait)
    if user is None or not await passwords.verify_password(password, user.password_hash):
        if user is None:
            await passwords.verify_password(password, None)  # as long as a wrong password
        await uow.repos.sign_in_throttle.failed(throttle_key, now)
        return WrongCredentials()
    await uow.repos.sign_in_throttle.succeeded(throttle_key)
    return Checked(user)


class ChooseOrganization(InvalidField):
    """A person of several organizations signed in without naming one: 422 naming
    ``organization_id``, with the memberships to choose from (only ever returned once the
    password was verified)."""

    def __init__(self, memberships: Sequence[Membership]) -> None:
        ids = ", ".join(m.organization.organization_id for m in memberships)
        super().__init__(
            "organization_id", f"member of several organizations; say which one of: {ids}"
        )
        self.memberships = list(memberships)


def choose_membership(memberships: Sequence[Membership], organization_id: str | None) -> Membership:
    if organization_id is not None:
        for m in memberships:
            if m.organization.organization_id == organization_id:
                chosen = m
                break
        else:
            raise InvalidField("organization_id", "not a member of that organization")
    elif len(memberships) == 1:
        chosen = memberships[0]
    elif not memberships:
        raise InvalidField("organization_id", "this account belongs to no organization")
    else:
        raise ChooseOrganization(memberships)
    if chosen.organization.suspended:
        raise Forbidden("this organization is suspended", field="organization_id")
    return chosen


async def sign_in(
    uow: Uow,
    login: str,
    password: str,
    organization_id: str | None,
    policy: SessionPolicy,
    now: datetime,
) -> OpenedSession | Refusal:
    parsed = parse_login(login)
    user = await uow.repos.users.by_login(parsed)
    checked = await check_password_of(uow, parsed.key, user, password, now)
    if isinstance(checked, Refusal):
        return checked
    memberships = await uow.repos.users.memberships(checked.user.user.user_id)
    try:
        chosen = choose_membership(memberships, organization_id)
    except DomainError as refused:
        return refused  # the count stays cleared: the password was right
    return await open_session(uow, checked.user.user, chosen, policy, now)


async def current_session(repos: Repositories, principal: Principal) -> SessionRecord:
    """The caller's own session (an API key or the platform's token has none: 404)."""
    if principal.credential_id is None or principal.user_id is None:
        raise NotFound("this credential is not a person's session")
    session = await repos.sessions.get(UUID(principal.credential_id))
    if session is None:
        raise NotFound("no such session")
    return session


async def sign_out(uow: Uow, principal: Principal, now: datetime) -> None:
    session = await current_session(uow.repos, principal)
    await end_sessions(uow, [session], "signed_out", now)


async def sign_out_everywhere(uow: Uow, principal: Principal, now: datetime) -> None:
    """Every session of the person, for every organization, this one included."""
    session = await current_session(uow.repos, principal)
    sessions = await uow.repos.sessions.live(user_id=session.user_id)
    await end_sessions(uow, sessions, "signed_out_everywhere", now)


def _logins(user: StoredUser) -> list[str]:
    return [x for x in (user.user.email, user.user.phone) if x]


async def change_password(
    uow: Uow, principal: Principal, current: str, new: str, now: datetime
) -> Refusal | None:
    """Needs the current password (throttled like a sign-in); ends the person's other
    sessions."""
    session_id = (await current_session(uow.repos, principal)).session_id
    assert principal.user_id is not None
    user = await uow.repos.users.get(UUID(principal.user_id))
    if user is None:
        raise NotFound("no such person")
    check_password(new, field="new_password", logins=_logins(user))
    checked = await check_password_of(uow, f"user:{user.user.user_id}", user, current, now)
    if isinstance(checked, Refusal):
        if isinstance(checked, WrongCredentials):
            return WrongCredentials(field="current_password")
        return checked
    await uow.repos.users.set_password(user.user.user_id, await passwords.hash_password(new), now)
    sessions = await uow.repos.sessions.live(user_id=user.user.user_id)
    others = [s for s in sessions if s.session_id != session_id]
    await end_sessions(uow, others, "password_changed", now)
    return None


async def reset_password(uow: Uow, login: str, code: str, new: str, now: datetime) -> None:
    """With a one-time code from an owner of one of the person's organizations (or the
    platform): a new password, and every session of the person ends."""
    parsed: Login = parse_login(login)
    user = await uow.repos.users.by_login(parsed)
    found = await uow.repos.reset_codes.by_code(code_digest(code))
    reset = check_reset_code(found, user.user.user_id if user else None, now)
    assert user is not None
    check_password(new, field="new_password", logins=_logins(user))
    await uow.repos.reset_codes.mark_used(reset.code_id, now)
    await uow.repos.users.set_password(user.user.user_id, await passwords.hash_password(new), now)
    await uow.repos.sign_in_throttle.succeeded(parsed.key)
    sessions = await uow.repos.sessions.live(user_id=user.user.user_id)
    await end_sessions(uow, sessions, "password_reset", now)


async def record_activity(
    repos: Repositories, principal: Principal, policy: SessionPolicy, now: datetime
) -> None:
    """A session was used: its idle clock restarts. One statement, no event, outside any
    unit of work (it runs before each request that is not answered from the token cache):
    written at most once per ``policy.touch_every``, and an idle session is not brought
    back (``domain.identity.needs_touch`` is the rule the statement applies)."""
    if principal.credential_id is None or principal.user_id is None:
        return
    await repos.sessions.touch(
        UUID(principal.credential_id),
        now,
        before=now - policy.touch_every,
        alive_after=now - policy.idle,
    )


async def expire_sessions(uow: Uow, policy: SessionPolicy, now: datetime, limit: int = 1000) -> int:
    """Ends the sessions past their absolute expiry (``expired``) or idle for longer than the
    policy allows (``idle``), announcing each; old sign-in failures are forgotten. Returns
    how many sessions ended."""
    due = await uow.repos.sessions.due(now, now - policy.idle, limit)
    reasons: tuple[RevocationReason, ...] = ("expired", "idle")
    for reason in reasons:
        ended = [s for s in due if session_ended(s.times, now, policy) == reason]
        await end_sessions(uow, ended, reason, now)
    await uow.repos.sign_in_throttle.purge(now - timedelta(days=1))
    return len(due)
