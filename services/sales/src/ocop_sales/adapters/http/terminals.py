"""Routes: enrolling, listing, suspending and unpairing tills."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from ocop_sales.adapters.http.deps import Cause, Wired
from ocop_sales.adapters.http.schemas import (
    TerminalEnrol,
    TerminalEnrolled,
    TerminalListed,
    TerminalSuspended,
)
from ocop_sales.application.commands import terminals
from ocop_sales.application.queries import terminals as terminal_queries
from ocop_shared.authz import Caller

router = APIRouter(tags=["terminals"])


@router.post(
    "/fairs/{fair_id}/terminals",
    status_code=201,
)
async def enrol_terminal(
    fair_id: UUID, body: TerminalEnrol, principal: Caller, cause: Cause, wired: Wired
) -> TerminalEnrolled:
    """Enrols a till for a booth held at this fair; its device token is shown once and
    stored hashed. A booth of another fair answers 404 naming `booth_id`."""
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


@router.get("/fairs/{fair_id}/terminals")
async def list_terminals(fair_id: UUID, principal: Caller, wired: Wired) -> list[TerminalListed]:
    """The fair's tills: booth, status, whether a session is open, when it last sold online."""
    rows = await wired.uow.read(
        lambda repos: terminal_queries.list_terminals(repos, fair_id=fair_id, by=principal)
    )
    return [TerminalListed.model_validate(r) for r in rows]


@router.get("/fairs/{fair_id}/my-terminals")
async def my_terminals(fair_id: UUID, principal: Caller, wired: Wired) -> list[TerminalListed]:
    """The tills at the caller's booths at the fair (a fair it does not sell at: 404): booth,
    status, whether a session is open, when it last sold online. Never a device token."""
    rows = await wired.uow.read(
        lambda repos: terminal_queries.my_terminals(repos, fair_id=fair_id, by=principal)
    )
    return [TerminalListed.model_validate(r) for r in rows]


@router.post("/terminals/{terminal}/suspend")
async def suspend_terminal(
    terminal: UUID, principal: Caller, cause: Cause, wired: Wired
) -> TerminalSuspended:
    """Suspends a till: its device token is refused at once on every replica and it records
    no more sales. An unpaired till stays unpaired."""
    status = await wired.uow.run(
        lambda uow: terminals.suspend_terminal(uow, terminal_id=terminal, by=principal),
        cause=cause,
    )
    wired.tokens.clear()  # committed: not even this replica's cache may answer for it now
    return TerminalSuspended(terminal_id=terminal, status=status)


@router.delete("/terminals/{terminal}", status_code=204)
async def unpair_terminal(
    terminal: UUID, principal: Caller, cause: Cause, wired: Wired
) -> Response:
    """Unpairs a till from its device for good: its token is refused at once on every
    replica; its sales stay in the reports. Unpairing again answers 204 too."""
    await wired.uow.run(
        lambda uow: terminals.unpair_terminal(uow, terminal_id=terminal, by=principal),
        cause=cause,
    )
    wired.tokens.clear()  # committed: not even this replica's cache may answer for it now
    return Response(status_code=204)
