"""Routes: enrolling, listing, suspending and unpairing tills; pairing a device with a
one-time code; a till's own view of itself and of its catalogue."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import orjson
from fastapi import APIRouter, Header, Request, Response

from ocop_sales.adapters.http.deps import Cause, Wired
from ocop_sales.adapters.http.schemas import (
    PairingCodeIssued,
    PairRequest,
    TerminalEnrol,
    TerminalEnrolled,
    TerminalListed,
    TerminalPaired,
    TerminalSuspended,
    TillCatalog,
    TillProfile,
)
from ocop_sales.application.commands import terminals
from ocop_sales.application.queries import terminals as terminal_queries
from ocop_sales.domain.terminals import etag_matches, show_pairing_code
from ocop_shared import ratelimit
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
    stored hashed. With `pairing: true`, no device token: a one-time pairing code (valid
    24 h) for a device to pair with (`POST /terminals/pair`). A booth of another fair answers
    404 naming `booth_id`."""
    enrolled = await wired.uow.run(
        lambda uow: terminals.enrol_terminal(
            uow,
            fair_id=fair_id,
            booth_id=body.booth_id,
            label=body.label,
            by=principal,
            pairing=body.pairing,
        ),
        cause=cause,
    )
    e, code = enrolled.enrolment, enrolled.pairing
    return TerminalEnrolled(
        terminal_id=e.terminal_id,
        booth_id=e.booth_id,
        booth_code=e.booth_code,
        exhibitor_id=e.exhibitor_id,
        receipt_prefix=enrolled.receipt_prefix,
        token=enrolled.token,
        pairing_code=show_pairing_code(code.code) if code else None,
        pairing_expires_at=code.expires_at if code else None,
        note="shown once; only a hash is stored",
    )


@router.post("/terminals/pair")
async def pair_terminal(
    request: Request, body: PairRequest, cause: Cause, wired: Wired
) -> TerminalPaired:
    """A device pairs with a till's one-time code and receives the till's device credential
    (shown once); the code is used up in the same transaction. An unknown, used or expired
    code, or a suspended or unpaired till, answers 404 naming `code` (the same answer for
    each). Attempts are limited per client address like sign-in (429 with Retry-After)."""
    await ratelimit.enforce(request, "sign_in")
    paired = await wired.uow.run(
        lambda uow: terminals.pair_device(uow, code=body.code), cause=cause
    )
    wired.tokens.clear()  # committed: a replaced device's token is refused here at once too
    t = paired.till
    return TerminalPaired(
        terminal_id=t.terminal_id,
        token=paired.token,
        receipt_prefix=t.receipt_prefix,
        fair_id=t.fair_id,
        booth_id=t.booth_id,
        booth_code=t.booth_code,
        label=t.label,
    )


@router.post("/terminals/{terminal}/pairing-code", status_code=201)
async def issue_pairing_code(
    terminal: UUID, principal: Caller, cause: Cause, wired: Wired
) -> PairingCodeIssued:
    """A new one-time pairing code for the till (a replacement device): its device
    credential is revoked at once on every replica, its earlier unused codes too. A
    suspended or unpaired till gets none (409 naming `terminal`)."""
    code = await wired.uow.run(
        lambda uow: terminals.issue_pairing_code(uow, terminal_id=terminal, by=principal),
        cause=cause,
    )
    wired.tokens.clear()  # committed: not even this replica's cache may answer for it now
    return PairingCodeIssued(
        terminal_id=terminal,
        pairing_code=show_pairing_code(code.code),
        pairing_expires_at=code.expires_at,
        note="shown once, valid once; only a hash is stored",
    )


@router.get("/terminals/me")
async def till_profile(principal: Caller, wired: Wired) -> TillProfile:
    """The calling till: status, receipt prefix and the server's receipt counter, its fair,
    booth, the exhibitor holding it (with its receiving bank account when known), the
    fair's till rules, its open session and the server's time."""
    profile = await wired.uow.read(
        lambda repos: terminal_queries.till_profile(
            repos, by=principal, default_discount_percent=wired.policy.max_discount_percent
        )
    )
    return TillProfile.model_validate(profile)


@router.get(
    "/terminals/me/catalog",
    response_model=TillCatalog,
    responses={304: {"description": "If-None-Match names the current ETag: nothing changed"}},
)
async def till_catalog(
    principal: Caller,
    wired: Wired,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """The calling till's catalogue: every product its booth's exhibitor lists at the fair,
    with producer, star, GTIN and list price; blocked ones too, `sellable: false` with the
    reason. A strong `ETag`; `If-None-Match` with it answers 304 without a body (tills poll
    this every second)."""
    catalog = await wired.uow.read(lambda repos: terminal_queries.till_catalog(repos, by=principal))
    headers = {"ETag": catalog.etag, "Cache-Control": "no-cache"}
    if etag_matches(if_none_match, catalog.etag):
        return Response(status_code=304, headers=headers)
    return Response(
        orjson.dumps({"items": catalog.items}), headers=headers, media_type="application/json"
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
