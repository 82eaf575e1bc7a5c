"""Refunding lines of a sale (terminals)."""

from __future__ import annotations

from uuid import UUID

from ocop_sales.application.ports import Repositories
from ocop_sales.domain.refunds import RefundDecision, RefundIn, decide_refund
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
        uow.emit(decision.event)
    return decision
