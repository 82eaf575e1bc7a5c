"""Routes: sales, one at a time or in offline batches, and their listing.

The sale routes are the hot path: the body is parsed straight from bytes, and the answer is
encoded with orjson without building response models (they are declared for OpenAPI)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Depends, Query, Response

from ocop_sales.adapters.http.deps import Cause, Wired
from ocop_sales.adapters.http.schemas import (
    BatchAnswer,
    SaleAnswer,
    SaleBatch,
    SaleDetail,
    SaleListed,
    SaleRequest,
)
from ocop_sales.application.commands import sales
from ocop_sales.application.queries import sales as sales_queries
from ocop_sales.domain.access import selling_terminal
from ocop_sales.domain.sales import VN, LineIn, PaymentIn, SaleIn, SaleOutcome, payload_hash
from ocop_shared import metrics
from ocop_shared.authz import Caller
from ocop_shared.inputs import QueryCount
from ocop_shared.service import body_schema, json_body

router = APIRouter(tags=["sales"])


def to_sale(body: SaleRequest, terminal: UUID) -> SaleIn:
    """The sale as the domain judges it; its content hash makes a retry recognisable."""
    content = body.model_dump(mode="json")
    if content["receipt_no"] is None:
        # Absent, not null, in the hash: a sale stored before tills numbered their receipts
        # hashes as it did then.
        del content["receipt_no"]
    for line in content["lines"]:
        # Absent, not null, in the hash: a retry of a sale stored before lines had reasons
        # hashes as it did then (a replay, not a conflict).
        if line["discount_reason"] is None:
            del line["discount_reason"]
    for payment in content["payments"]:
        # Absent in the hash unless given: a sale stored before transfers hashes as then.
        if payment["payment_code"] is None:
            del payment["payment_code"]
        if payment["confirmed"] is True:
            del payment["confirmed"]
    canonical = orjson.dumps(
        {"terminal": str(terminal), "sale": content}, option=orjson.OPT_SORT_KEYS
    )
    device_time = (
        body.device_time if body.device_time.tzinfo else body.device_time.replace(tzinfo=VN)
    )
    return SaleIn(
        sale_id=body.sale_id,
        device_time=device_time,
        lines=[
            LineIn(
                line.product_id,
                line.gtin,
                line.quantity,
                line.unit_price_vnd,
                line.discount_vnd,
                line.total_vnd,
                line.discount_reason,
            )
            for line in body.lines
        ],
        payments=[
            PaymentIn(p.method, p.amount_vnd, p.reference, p.payment_code, p.confirmed)
            for p in body.payments
        ],
        total_vnd=body.total_vnd,
        payload_hash=payload_hash(canonical),
        receipt_no=body.receipt_no,
    )


def answer(outcome: SaleOutcome) -> dict[str, Any]:
    """A ``SaleAnswer``, as a plain dict (the hot path skips the model)."""
    out: dict[str, Any] = {"sale_id": str(outcome.sale_id), "status": outcome.status}
    if outcome.receipt_no is not None:
        out |= {
            "receipt_no": outcome.receipt_no,
            "total_vnd": outcome.total_vnd,
            "recorded_at": outcome.recorded_at.isoformat() if outcome.recorded_at else None,
        }
        if outcome.review is not None:
            out["review"] = outcome.review
    if outcome.refusal is not None:
        r = outcome.refusal
        out["error"] = {"field": r.field, "code": r.code, "message": r.message, "status": r.status}
    return out


# Sales by outcome (ocop_sales_total): each sale answered, alone or in a batch.
_COUNTED = {
    "recorded": metrics.SALES.labels(outcome="recorded"),
    "replayed": metrics.SALES.labels(outcome="replayed"),
    "conflict": metrics.SALES.labels(outcome="conflict"),
    "rejected": metrics.SALES.labels(outcome="refused"),
}


def count(outcomes: list[SaleOutcome]) -> None:
    for outcome in outcomes:
        _COUNTED[outcome.status].inc()


def _json(body: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(body), status_code=status_code, headers=headers, media_type="application/json"
    )


@router.post(
    "/sales",
    status_code=201,
    response_model=SaleAnswer,
    responses={200: {"model": SaleAnswer, "description": "a replay of a sale already recorded"}},
    openapi_extra=body_schema(SaleRequest),
)
async def record_sale(
    body: Annotated[SaleRequest, Depends(json_body(SaleRequest))],
    principal: Caller,
    cause: Cause,
    wired: Wired,
) -> Response:
    """Records one sale. Retrying with the same sale id and content answers as the first time."""
    terminal = selling_terminal(principal)
    sale = to_sale(body, terminal)
    # Not uow.run: a sale is two autocommit statements on one connection, the write guarded
    # by the till's receipt counter; a transaction would add BEGIN and COMMIT round trips.
    outcome = await wired.uow.read(
        lambda repos: sales.record_sale(
            repos, terminal_id=terminal, sale=sale, policy=wired.policy, cause=cause
        )
    )
    count([outcome])
    if outcome.status == "recorded":
        return _json(answer(outcome), 201)
    if outcome.status == "replayed":
        return _json(answer(outcome), 200, {"Idempotent-Replay": "true"})
    refusal = outcome.refusal
    assert refusal is not None
    if refusal.status == 422:
        loc = ["body", *str(refusal.field).split(".")]
        return _json({"detail": [{"type": refusal.code, "loc": loc, "msg": refusal.message}]}, 422)
    return _json(
        {"detail": refusal.message, "code": refusal.code, "field": refusal.field}, refusal.status
    )


@router.post(
    "/sales/batch",
    response_model=BatchAnswer,
    openapi_extra=body_schema(SaleBatch),
)
async def record_offline_batch(
    body: Annotated[SaleBatch, Depends(json_body(SaleBatch))],
    principal: Caller,
    cause: Cause,
    wired: Wired,
) -> Response:
    """Uploads sales queued while offline, in any order, repeats included; answers per sale.
    Each sale is judged at its device time (a product revoked later was still sellable); one
    whose device time precedes the till's last online contact by more than the allowed window
    is judged at that bound, recorded and flagged ``review: backdated``."""
    terminal = selling_terminal(principal)
    batch = [to_sale(s, terminal) for s in body.sales]
    outcome = await wired.uow.read(
        lambda repos: sales.record_offline_batch(
            repos, terminal_id=terminal, sales=batch, policy=wired.policy, cause=cause
        )
    )
    count(outcome.results)
    return _json({"results": [answer(o) for o in outcome.results], "counts": outcome.counts})


@router.get("/sales")
async def list_sales(
    principal: Caller,
    wired: Wired,
    fair_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    after_receipt: Annotated[QueryCount, Query(description="receipts after this one")] = 0,
    for_review: Annotated[bool, Query(description="only sales flagged for review")] = False,
) -> list[SaleListed]:
    """A terminal sees its own sales, an exhibitor its own, an organizer one fair's of its own
    (``fair_id`` required). A fair named out of the caller's reach answers 404. With
    ``for_review``, only the sales flagged for a person to look at (``review``)."""
    rows = await wired.uow.read(
        lambda repos: sales_queries.list_sales(
            repos,
            by=principal,
            fair_id=fair_id,
            after_receipt=after_receipt,
            limit=limit,
            for_review=for_review,
        )
    )
    return [SaleListed.model_validate(r) for r in rows]


@router.get("/sales/{sale_id}")
async def sale_detail(sale_id: UUID, principal: Caller, wired: Wired) -> SaleDetail:
    """One sale as its receipt shows it (the till that made it, its exhibitor, the fair's
    organizer, the admin; anyone else: 404): the receipt number as printed, booth, lines with
    product, producer, star and what was refunded of each, payments and refunds."""
    sale = await wired.uow.read(
        lambda repos: sales_queries.sale_detail(repos, sale_id=sale_id, by=principal)
    )
    return SaleDetail.model_validate(sale)
