"""Refunding lines of a sale (terminals), and approving another refund method (organizers)."""

from __future__ import annotations

from uuid import UUID

from ocop_sales.application.ports import Repositories
from ocop_sales.domain.refunds import (
    ApprovalIn,
    RefundApproval,
    RefundDecision,
    RefundIn,
    decide_approval,
    decide_refund,
)
from ocop_shared.auth import Principal
from ocop_shared.uow import UnitOfWork


async def refund_sale(
    uow: UnitOfWork[Repositories], *, terminal_id: UUID, refund: RefundIn
) -> RefundDecision:
    """Refunds lines of one of the terminal's sales (a void refunds every line), never more
    than was sold; the same refund id and content answers as the first time."""
    repos = uow.repos
    sale = await repos.sales.sold(refund.sale_id)  # locks the sale: refunds of it serialize
    prior = await repos.refunds.get(refund.refund_id)
    decision = decide_refund(sale, terminal_id, prior, refund)
    if decision.event is not None:
        await repos.refunds.add(refund, decision, terminal_id)
        # issue 15: the refunded quantities go back to the booth's stock (tracked products)
        await repos.stock.refunded(refund.sale_id, [(n, x.quantity) for n, x in decision.lines])
        uow.emit(decision.event)
    return decision


async def approve_refund_method(
    uow: UnitOfWork[Repositories], *, approval: ApprovalIn, by: Principal
) -> tuple[str, RefundApproval]:
    """An organizer of the sale's fair lets the sale be refunded by another method than it
    was paid with; the same approval id and content answers as the first time."""
    repos = uow.repos
    sale = await repos.sales.sold(approval.sale_id)  # locks the sale, like a refund
    organizer = await repos.fairs.organizer_of(sale.fair_id) if sale is not None else None
    prior = await repos.refunds.approval(approval.approval_id)
    now = await repos.sessions.clock()
    status, decided = decide_approval(sale, organizer, by.subject, by.user_id, prior, approval, now)
    if status == "recorded":
        await repos.refunds.approve(decided, approval.payload_hash)
    return status, decided
