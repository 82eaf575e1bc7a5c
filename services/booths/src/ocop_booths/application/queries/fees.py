"""Reading a fee statement, with a VietQR code for the balance."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from ocop_booths.application import occupancy
from ocop_booths.application.ports import Repositories
from ocop_booths.domain import fees
from ocop_booths.domain.applications import check_organizer
from ocop_booths.domain.booths import Terms
from ocop_booths.domain.refusals import ExhibitorNotFound, StatementNotFound
from ocop_shared.auth import Principal
from ocop_shared.errors import InvalidField


@dataclass(frozen=True, slots=True)
class BankAccount:
    """The organizer's account that booth fees are paid into."""

    bank_bin: str
    account: str


@dataclass(frozen=True, slots=True)
class FeeStatement:
    statement: fees.Statement
    vietqr: str | None  # while something is due


async def fee_statement(
    repos: Repositories,
    principal: Principal,
    fair_id: UUID,
    exhibitor_id: UUID | None,
    terms: Terms,
    bank: BankAccount,
) -> FeeStatement:
    """An exhibitor's fee statement at a fair it applied to (exhibitors: their own; another
    exhibitor's, or a fair it did not apply to, answers 404)."""
    if principal.role == "exhibitor":
        if exhibitor_id is not None and not principal.acts_for(exhibitor_id):
            raise StatementNotFound("no such statement", field="exhibitor_id")
        exhibitor_id = UUID(principal.subject)
    else:
        check_organizer(await repos.fairs.get(fair_id), principal)
        if exhibitor_id is None:
            raise InvalidField("exhibitor_id", "say whose statement")
    if not await repos.applications.exhibits(fair_id, exhibitor_id):
        raise ExhibitorNotFound("no such exhibitor at this fair", field="exhibitor_id")
    statement = await occupancy.statement(repos, fair_id, exhibitor_id, terms)
    vietqr = None
    if statement.balance_vnd > 0:
        vietqr = fees.vietqr_payload(
            bank_bin=bank.bank_bin,
            account=bank.account,
            amount_vnd=statement.balance_vnd,
            purpose=statement.payment_reference,
        )
    return FeeStatement(statement, vietqr)
