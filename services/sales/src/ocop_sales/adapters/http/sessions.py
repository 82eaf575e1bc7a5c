"""Routes: a till's sessions and its Z-report (closing totals)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from ocop_sales.adapters.http.deps import Cause, Wired
from ocop_sales.adapters.http.schemas import (
    SessionClose,
    SessionDetail,
    SessionOpen,
    SessionOpened,
    ZReport,
)
from ocop_sales.application.commands import sessions
from ocop_sales.application.queries import sessions as session_queries
from ocop_sales.domain.access import selling_terminal
from ocop_shared.authz import Caller

router = APIRouter(tags=["sessions"])


@router.post(
    "/sessions",
    status_code=201,
)
async def open_session(
    body: SessionOpen, principal: Caller, cause: Cause, wired: Wired
) -> SessionOpened:
    """Opens the till's session with the cash in the drawer."""
    terminal = selling_terminal(principal)
    opened = await wired.uow.run(
        lambda uow: sessions.open_session(
            uow, terminal_id=terminal, opening_cash_vnd=body.opening_cash_vnd
        ),
        cause=cause,
    )
    return SessionOpened.model_validate(opened)


@router.post("/sessions/{session_id}/close")
async def close_session(
    session_id: UUID, body: SessionClose, principal: Caller, cause: Cause, wired: Wired
) -> ZReport:
    """Closes the session with the cash counted and answers its Z-report: the sales and
    refunds this terminal recorded while the session was open."""
    terminal = selling_terminal(principal)
    report = await wired.uow.run(
        lambda uow: sessions.close_till_session(
            uow, terminal_id=terminal, session_id=session_id, counted_cash_vnd=body.counted_cash_vnd
        ),
        cause=cause,
    )
    return ZReport.model_validate(report)


@router.get("/sessions/{session_id}")
async def session_detail(session_id: UUID, principal: Caller, wired: Wired) -> SessionDetail:
    """The session (its till's; its fair's organizer's) and, once closed, its Z-report as
    answered when it closed, for a reprint. Anyone else's answers 404."""
    session = await wired.uow.read(
        lambda repos: session_queries.session_detail(repos, session_id=session_id, by=principal)
    )
    return SessionDetail.model_validate(session)
