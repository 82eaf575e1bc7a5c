"""Payments: recorded by an organizer, or matched from a bank statement. Booths the payments
now cover are confirmed at once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from ocop_booths.application import occupancy
from ocop_booths.application.ports import Payment, Repositories
from ocop_booths.domain import fees
from ocop_booths.domain.applications import check_organizer
from ocop_booths.domain.booths import Terms
from ocop_booths.domain.payments import (
    BankLine,
    Matched,
    Unmatched,
    already_recorded,
    match_line,
)
from ocop_booths.domain.refusals import ExhibitorNotFound, PaymentAlreadyRecorded
from ocop_shared.auth import Principal
from ocop_shared.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class PaymentRecorded:
    confirmed: list[str]  # codes of the booths confirmed
    statement: fees.Statement


@dataclass(frozen=True, slots=True)
class MatchedLine:
    line: int
    exhibitor_id: UUID
    amount_vnd: int
    confirmed: list[str]


@dataclass(frozen=True, slots=True)
class StatementMatched:
    matched: list[MatchedLine]
    unmatched: list[Unmatched]


async def record_payment(
    uow: UnitOfWork[Repositories],
    principal: Principal,
    fair_id: UUID,
    exhibitor_id: UUID,
    amount_vnd: int,
    reference: str,
    terms: Terms,
) -> PaymentRecorded:
    """An organizer marks a payment received; booths it covers are confirmed at once."""
    repos = uow.repos
    check_organizer(await repos.fairs.get(fair_id), principal)
    if not await repos.applications.exhibits(fair_id, exhibitor_id):
        raise ExhibitorNotFound("no such exhibitor at this fair", field="exhibitor_id")
    payment = Payment(
        uuid.uuid4(), fair_id, exhibitor_id, amount_vnd, reference, "manual", principal.subject
    )
    if not await repos.payments.record(payment):
        raise PaymentAlreadyRecorded(
            "this payment (reference and amount) is already recorded", field="reference"
        )
    confirmed = await occupancy.confirm_paid(
        uow, fair_id, exhibitor_id, actor=principal.subject, terms=terms
    )
    return PaymentRecorded(
        confirmed, await occupancy.statement(repos, fair_id, exhibitor_id, terms)
    )


async def import_bank_statement(
    uow: UnitOfWork[Repositories],
    principal: Principal,
    fair_id: UUID,
    lines: Sequence[BankLine],
    terms: Terms,
) -> StatementMatched:
    """Matches bank-statement lines to exhibitors by their payment reference; a line already
    recorded (the same bank transfer: ``BankLine.identity``) pays nothing twice, while two
    transfers with the same reference and amount are two payments. Lines no payment was found
    for are kept for the organizer (``queries.payments.unmatched_lines``) until a later
    statement pays them."""
    repos = uow.repos
    check_organizer(await repos.fairs.get(fair_id), principal)
    references = {
        fees.payment_reference(fair_id, e): e for e in await repos.booths.exhibitors(fair_id)
    }
    matched: list[MatchedLine] = []
    unmatched: list[Unmatched] = []
    kept: list[tuple[BankLine, Unmatched]] = []
    paid: list[str] = []
    for line in lines:
        found = match_line(line, references)
        if not isinstance(found, Matched):
            unmatched.append(found)
            kept.append((line, found))
            continue
        payment = Payment(
            uuid.uuid4(), fair_id, found.exhibitor_id, found.amount_vnd, found.reference,
            "statement", principal.subject, bank_line=found.bank_line,
        )  # fmt: skip
        if not await repos.payments.record(payment):
            unmatched.append(already_recorded(line))
            continue
        confirmed = await occupancy.confirm_paid(
            uow, fair_id, found.exhibitor_id, actor=principal.subject, terms=terms
        )
        matched.append(MatchedLine(line.line, found.exhibitor_id, found.amount_vnd, confirmed))
        paid.append(found.bank_line)
    await repos.payments.forget_unmatched(fair_id, paid)
    await repos.payments.keep_unmatched(fair_id, kept, principal.subject)
    return StatementMatched(matched, unmatched)
