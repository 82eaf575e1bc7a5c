"""Routes: sales, one at a time or in offline batches, and their listing.

The sale routes are the hot path: the body is parsed straight from bytes, and the answer is
encoded with orjson without building response models (they are declared for OpenAPI). They run
as ``LeanRoute``s: the declared endpoint (its dependencies, body and answers) is what OpenAPI
shows and the authorization table gates; the request is served by a plain handler doing the
same steps in the same order (body, then ``authorized``, the cause, the wiring) without
FastAPI's per-request dependency solving."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer
from pydantic import TypeAdapter

from ocop_sales.adapters.http.deps import Cause, Wired, Wiring
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
from ocop_shared import auth, metrics
from ocop_shared.answers import replay_of
from ocop_shared.authz import Caller, authorized
from ocop_shared.inputs import QueryCount
from ocop_shared.outbox import Causation
from ocop_shared.service import body_schema, json_body

router = APIRouter(tags=["sales"])


_TIME = TypeAdapter(datetime)  # a device time as the JSON of model_dump(mode="json") has it


def canonical_content(body: SaleRequest) -> dict[str, Any]:
    """The sale's content as its hash reads it: ``body.model_dump(mode="json")`` with the fields
    added since the first stored sales left out when absent, built field by field (the batch's
    hot path; ``tests/unit/test_sale_hash.py`` holds it equal to the dump)."""
    # Absent, not null, in the hash: a retry of a sale stored before lines had reasons, before
    # tills numbered their receipts or before transfers hashes as it did then (a replay, not a
    # conflict).
    lines = []
    for line in body.lines:
        out: dict[str, Any] = {
            "product_id": None if line.product_id is None else str(line.product_id),
            "gtin": line.gtin,
            "quantity": line.quantity,
            "unit_price_vnd": line.unit_price_vnd,
            "discount_vnd": line.discount_vnd,
            "total_vnd": line.total_vnd,
        }
        if line.discount_reason is not None:
            out["discount_reason"] = line.discount_reason
        lines.append(out)
    payments = []
    for p in body.payments:
        paid: dict[str, Any] = {
            "method": p.method,
            "amount_vnd": p.amount_vnd,
            "reference": p.reference,
        }
        if p.payment_code is not None:
            paid["payment_code"] = p.payment_code
        if p.confirmed is not True:
            paid["confirmed"] = p.confirmed
        payments.append(paid)
    content: dict[str, Any] = {
        "sale_id": str(body.sale_id),
        "device_time": _TIME.dump_python(body.device_time, mode="json"),
        "lines": lines,
        "payments": payments,
        "total_vnd": body.total_vnd,
    }
    if body.receipt_no is not None:
        content["receipt_no"] = body.receipt_no
    return content


def to_sale(body: SaleRequest, terminal: UUID) -> SaleIn:
    """The sale as the domain judges it; its content hash makes a retry recognisable."""
    canonical = orjson.dumps(
        {"terminal": str(terminal), "sale": canonical_content(body)}, option=orjson.OPT_SORT_KEYS
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


Handler = Callable[[Request], Coroutine[Any, Any, Response]]
_LEAN: dict[Callable[..., Any], Handler] = {}  # declared endpoint -> the handler serving it
_bearer = HTTPBearer(auto_error=False)


class LeanRoute(APIRoute):
    """A route served by its lean handler (``lean``), not by FastAPI's dependency solving; its
    declared endpoint stays what OpenAPI and the authorization table see."""

    def get_route_handler(self) -> Handler:
        return _LEAN[self.endpoint]


def lean(declared: Callable[..., Any]) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _LEAN[declared] = handler
        return handler

    return register


async def _caller(request: Request) -> tuple[auth.Principal, Causation, Wiring]:
    """What ``Caller``, ``Cause`` and ``Wired`` give a declared endpoint, in their order."""
    principal = await authorized(request, await _bearer(request))
    wiring = request.app.state.wiring
    if not isinstance(wiring, Wiring):
        raise TypeError(f"the app was wired with {type(wiring).__name__}, not Wiring")
    return principal, Causation(correlation_id=request.state.correlation_id), wiring


_parse_sale = json_body(SaleRequest)
_parse_batch = json_body(SaleBatch)


async def record_sale(
    body: Annotated[SaleRequest, Depends(json_body(SaleRequest))],
    principal: Caller,
    cause: Cause,
    wired: Wired,
) -> Response:
    """Records one sale. Retrying with the same sale id and content answers as the first time."""
    return await _record_sale(body, principal, cause, wired)


@lean(record_sale)
async def _serve_sale(request: Request) -> Response:
    body = await _parse_sale(request)
    return await _record_sale(body, *await _caller(request))


async def _record_sale(
    body: SaleRequest, principal: auth.Principal, cause: Causation, wired: Wiring
) -> Response:
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
    return await _record_batch(body, principal, cause, wired)


# Offline batches judged at once by one process; the others wait their turn with their body
# read but not parsed. A batch is CPU-bound, so more at once adds no throughput, only memory:
# eight 1,000-sale batches at once took a worker from 90 to 190 MB.
BATCHES_AT_ONCE = 2
_batch_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def _batch_slot() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    slot = _batch_slots.get(loop)
    if slot is None:
        slot = _batch_slots[loop] = asyncio.Semaphore(BATCHES_AT_ONCE)
    return slot


@lean(record_offline_batch)
async def _serve_batch(request: Request) -> Response:
    async with _batch_slot():
        body = await _parse_batch(request)
        return await _record_batch(body, *await _caller(request))


async def _record_batch(
    body: SaleBatch, principal: auth.Principal, cause: Causation, wired: Wiring
) -> Response:
    terminal = selling_terminal(principal)
    batch = [to_sale(s, terminal) for s in body.sales]
    outcome = await wired.uow.read(
        lambda repos: sales.record_offline_batch(
            repos, terminal_id=terminal, sales=batch, policy=wired.policy, cause=cause
        )
    )
    count(outcome.results)
    return _json({"results": [answer(o) for o in outcome.results], "counts": outcome.counts})


router.add_api_route(
    "/sales",
    record_sale,
    methods=["POST"],
    status_code=201,
    response_model=SaleAnswer,
    responses=replay_of(SaleAnswer, "sale"),
    openapi_extra=body_schema(SaleRequest),
    route_class_override=LeanRoute,
)
router.add_api_route(
    "/sales/batch",
    record_offline_batch,
    methods=["POST"],
    response_model=BatchAnswer,
    openapi_extra=body_schema(SaleBatch),
    route_class_override=LeanRoute,
)


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
