"""A till's sessions: opening with the cash in the drawer, closing with a Z-report."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from ocop_sales.application.ports import Repositories
from ocop_sales.domain.sessions import already_open, close_session, found
from ocop_shared.errors import NotFound
from ocop_shared.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Opened:
    session_id: UUID
    opened_at: datetime
    opening_cash_vnd: int


async def open_session(
    uow: UnitOfWork[Repositories], *, terminal_id: UUID, opening_cash_vnd: int
) -> Opened:
    """Opens a session; a till has at most one open at a time. Sales and refunds recorded
    while no session was open count in this one."""
    session_id = uuid.uuid4()
    opened_at = await uow.repos.sessions.open(session_id, terminal_id, opening_cash_vnd)
    if opened_at is None:
        raise already_open()
    return Opened(session_id, opened_at, opening_cash_vnd)


async def close_till_session(
    uow: UnitOfWork[Repositories], *, terminal_id: UUID, session_id: UUID, counted_cash_vnd: int
) -> dict[str, Any]:
    """Closes the session with the cash counted and answers its Z-report: every sale and
    refund the till wrote in this session, and only those (each is in exactly one session).
    Closing again answers the same report."""
    sessions = uow.repos.sessions
    session = found(await sessions.get(session_id, terminal_id))  # locked until commit
    if session.closed_at is not None:
        return session.answer()
    # The till's row is locked from here to commit: sales in flight finish before, later
    # ones wait and land in no session (then the next one the till opens).
    fair_id = await sessions.end(terminal_id)
    if fair_id is None:
        raise NotFound("no such terminal")
    closed_at = await sessions.clock()
    closing = close_session(
        session,
        fair_id=fair_id,
        counted_cash_vnd=counted_cash_vnd,
        closed_at=closed_at,
        takings=await sessions.takings(terminal_id, session_id),
    )
    await sessions.close(session_id, closed_at, counted_cash_vnd, closing.report)
    uow.emit(closing.event)
    return closing.report
