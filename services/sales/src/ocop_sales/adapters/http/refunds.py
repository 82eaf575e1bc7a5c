"""Routes: refunds of a sale."""

from __future__ import annotations

from uuid import UUID

import orjson
from fastapi import APIRouter, Response

from ocop_sales.adapters.http.deps import Cause, Wired
from ocop_sales.adapters.http.schemas import (
    ErrorAnswer,
    InvalidAnswer,
    RefundAnswer,
    RefundRequest,
)
from ocop_sales.application.commands import refunds
from ocop_sales.domain.access import selling_terminal
from ocop_sales.domain.refunds import RefundIn, RefundLineIn
from ocop_sales.domain.sales import payload_hash
from ocop_shared.authz import Caller

router = APIRouter(tags=["refunds"])


def to_refund(sale_id: UUID, body: RefundRequest) -> RefundIn:
    digest = payload_hash(
        orjson.dumps(
            {"sale": str(sale_id), "refund": body.model_dump(mode="json")},
            option=orjson.OPT_SORT_KEYS,
        )
    )
    return RefundIn(
        refund_id=body.refund_id,
        sale_id=sale_id,
        lines=[RefundLineIn(line.line_no, line.quantity) for line in body.lines],
        method=body.method,
        reason=body.reason,
        payload_hash=digest,
    )


@router.post(
    "/sales/{sale_id}/refunds",
    status_code=201,
    responses={
        200: {"model": RefundAnswer, "description": "a replay of a refund already recorded"},
        404: {"model": ErrorAnswer, "description": "no such sale at this terminal"},
        409: {"model": ErrorAnswer, "description": "the refund id was used for another refund"},
        422: {"model": InvalidAnswer, "description": "more than is left to refund, named"},
    },
)
async def refund_sale(
    sale_id: UUID,
    body: RefundRequest,
    principal: Caller,
    cause: Cause,
    wired: Wired,
    response: Response,
) -> RefundAnswer:
    """Refunds lines of a sale (a void is a refund of every line). Never more than was sold."""
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
