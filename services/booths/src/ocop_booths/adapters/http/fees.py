"""Fees, payments recorded by hand, and bank statements."""

from __future__ import annotations

import asyncio
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Request, UploadFile

from ocop_booths.adapters.http.deps import Cause, Service
from ocop_booths.adapters.http.schemas import (
    FeeStatementOut,
    PaymentIn,
    PaymentRecordedOut,
    StatementMatchedOut,
    UnmatchedLineOut,
)
from ocop_booths.application.commands import payments as commands
from ocop_booths.application.queries import fees as queries
from ocop_booths.application.queries import payments as payment_queries
from ocop_booths.domain.payments import parse_bank_statement
from ocop_shared import ratelimit
from ocop_shared.authz import Caller

router = APIRouter(tags=["fees"])


@router.get("/fairs/{fair_id}/fees", response_model_exclude_none=True)
async def fee_statement(
    fair_id: UUID, principal: Caller, booths: Service, exhibitor_id: UUID | None = None
) -> FeeStatementOut:
    """The exhibitor's fee statement and a VietQR code for the balance (exhibitors: their own)."""
    found = await booths.uow.read(
        lambda repos: queries.fee_statement(
            repos, principal, fair_id, exhibitor_id, booths.terms, booths.bank
        )
    )
    return FeeStatementOut.of(found.statement, vietqr=found.vietqr)


@router.post("/fairs/{fair_id}/payments", status_code=201)
async def record_payment(
    fair_id: UUID, body: PaymentIn, principal: Caller, cause: Cause, booths: Service
) -> PaymentRecordedOut:
    """An organizer marks a payment received; booths it covers are confirmed at once."""
    done = await booths.uow.run(
        lambda uow: commands.record_payment(
            uow,
            principal,
            fair_id,
            body.exhibitor_id,
            body.amount_vnd,
            body.reference,
            booths.terms,
        ),
        cause=cause,
    )
    return PaymentRecordedOut.of(done.statement, confirmed=done.confirmed)


@router.post("/fairs/{fair_id}/payments/statement")
async def import_bank_statement(
    request: Request,
    fair_id: UUID,
    principal: Caller,
    cause: Cause,
    booths: Service,
    file: Annotated[
        UploadFile,
        File(
            description="CSV with columns amount_vnd and description, and (to tell transfers"
            " apart) transaction_id, date and time as the bank's statement gives them"
        ),
    ],
) -> StatementMatchedOut:
    """Matches bank-statement lines to exhibitors by their payment reference and amount."""
    # Imports are limited per organization across replicas (429 with Retry-After).
    await ratelimit.enforce(request, "imports", key=principal.subject)
    lines = await asyncio.to_thread(parse_bank_statement, file.file)  # off the event loop
    matched = await booths.uow.run(
        lambda uow: commands.import_bank_statement(uow, principal, fair_id, lines, booths.terms),
        cause=cause,
    )
    return StatementMatchedOut.model_validate(matched)


@router.get("/fairs/{fair_id}/payments/unmatched")
async def unmatched_lines(
    fair_id: UUID, principal: Caller, booths: Service
) -> list[UnmatchedLineOut]:
    """Bank-statement lines no payment was found for (no payment reference of the fair, or
    an amount that is not one), oldest import first; a later statement that pays a line
    takes it off."""
    rows = await booths.uow.read(
        lambda repos: payment_queries.unmatched_lines(repos, principal, fair_id)
    )
    return [UnmatchedLineOut.model_validate(r) for r in rows]
