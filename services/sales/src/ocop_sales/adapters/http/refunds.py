"""Routes: refunds of a sale, and an organizer's approval of another refund method."""

from __future__ import annotations

from uuid import UUID

import orjson
from fastapi import APIRouter, Response

from ocop_sales.adapters.http.deps import Cause, Wired
from ocop_sales.adapters.http.schemas import (
    RefundAnswer,
    RefundApprovalRequest,
    RefundApproved,
    RefundRequest,
)
from ocop_sales.application.commands import refunds
from ocop_sales.domain.access import selling_terminal
from ocop_sales.domain.refunds import ApprovalIn, RefundIn, RefundLineIn
from ocop_sales.domain.sales import payload_hash
from ocop_shared.answers import replay_of
from ocop_shared.authz import Caller

router = APIRouter(tags=["refunds"])


def to_refund(sale_id: UUID, body: RefundRequest) -> RefundIn:
    content = body.model_dump(mode="json")
    if content["approval_id"] is None:
        # Absent, not null, in the hash: a retry of a refund stored before approvals existed
        # hashes as it did then (a replay, not a conflict).
        del content["approval_id"]
    digest = payload_hash(
        orjson.dumps({"sale": str(sale_id), "refund": content}, option=orjson.OPT_SORT_KEYS)
    )
    return RefundIn(
        refund_id=body.refund_id,
        sale_id=sale_id,
        lines=[RefundLineIn(line.line_no, line.quantity) for line in body.lines],
        method=body.method,
        reason=body.reason,
        payload_hash=digest,
        approval_id=body.approval_id,
    )


@router.post(
    "/sales/{sale_id}/refunds",
    status_code=201,
    responses=replay_of(RefundAnswer, "refund"),
)
async def refund_sale(
    sale_id: UUID,
    body: RefundRequest,
    principal: Caller,
    cause: Cause,
    wired: Wired,
    response: Response,
) -> RefundAnswer:
    """Refunds lines of a sale (a void is a refund of every line). Never more than was sold,
    and the money goes back the way it came: by the sale's payment method, at most what was
    paid by it; another method only with an organizer's approval (``approval_id``)."""
    terminal = selling_terminal(principal)
    refund = to_refund(sale_id, body)
    decision = await wired.uow.run(
        lambda uow: refunds.refund_sale(uow, terminal_id=terminal, refund=refund), cause=cause
    )
    if decision.status == "replayed":
        response.status_code = 200
    return RefundAnswer(
        refund_id=decision.refund_id,
        sale_id=decision.sale_id,
        total_vnd=decision.total_vnd,
        status=decision.status,
    )


@router.post(
    "/sales/{sale_id}/refund-approvals",
    status_code=201,
    responses=replay_of(RefundApproved, "approval"),
)
async def approve_refund_method(
    sale_id: UUID,
    body: RefundApprovalRequest,
    principal: Caller,
    cause: Cause,
    wired: Wired,
    response: Response,
) -> RefundApproved:
    """An organizer of the sale's fair lets the sale be refunded by another method than it
    was paid with (say, a transfer refunded in cash), with the reason; the till's refund cites
    the approval (``approval_id``) and the refund's event carries it."""
    content = orjson.dumps(
        {"sale": str(sale_id), "approval": body.model_dump(mode="json")},
        option=orjson.OPT_SORT_KEYS,
    )
    approval = ApprovalIn(
        body.approval_id, sale_id, body.method, body.reason, payload_hash(content)
    )
    status, approved = await wired.uow.run(
        lambda uow: refunds.approve_refund_method(uow, approval=approval, by=principal),
        cause=cause,
    )
    if status == "replayed":
        response.status_code = 200
    return RefundApproved(
        approval_id=approved.approval_id,
        sale_id=approved.sale_id,
        method=approved.method,
        reason=approved.reason,
        approved_by=approved.approved_by,
        approved_at=approved.approved_at,
        status="replayed" if status == "replayed" else "recorded",
    )
