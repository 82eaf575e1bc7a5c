"""Routes: enrolling and suspending tills."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from ocop_sales.adapters.http.deps import Cause, Organizer, Wired
from ocop_sales.adapters.http.schemas import (
    ErrorAnswer,
    InvalidAnswer,
    TerminalEnrol,
    TerminalEnrolled,
    TerminalSuspended,
)
from ocop_sales.application.commands import terminals

router = APIRouter(tags=["terminals"])


@router.post(
    "/fairs/{fair_id}/terminals",
    status_code=201,
    responses={404: {"model": ErrorAnswer}, 422: {"model": InvalidAnswer}},
)
async def enrol_terminal(
    fair_id: UUID, body: TerminalEnrol, principal: Organizer, cause: Cause, wired: Wired
) -> TerminalEnrolled:
    """Enrols a till for a booth; its token is shown once and stored hashed."""
    enrolled = await wired.uow.run(
        lambda uow: terminals.enrol_terminal(
            uow, fair_id=fair_id, booth_id=body.booth_id, label=body.label, by=principal
        ),
        cause=cause,
    )
    e = enrolled.enrolment
    return TerminalEnrolled(
        terminal_id=e.terminal_id,
        booth_id=e.booth_id,
        booth_code=e.booth_code,
        exhibitor_id=e.exhibitor_id,
        token=enrolled.token,
        note="shown once; only a hash is stored",
    )


@router.post("/terminals/{terminal}/suspend", responses={404: {"model": ErrorAnswer}})
async def suspend_terminal(
    terminal: UUID, principal: Organizer, cause: Cause, wired: Wired
) -> TerminalSuspended:
    """Suspends a till: its tokens stop working and it records no more sales."""
    await wired.uow.run(
        lambda uow: terminals.suspend_terminal(uow, terminal_id=terminal, by=principal),
        cause=cause,
    )
    return TerminalSuspended(terminal_id=terminal, status="suspended")
