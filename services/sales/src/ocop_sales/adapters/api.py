"""HTTP routes of the sales service."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

import asyncpg
import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from ocop_sales.adapters import reports, store
from ocop_sales.adapters.schemas import (
    RefundRequest,
    ReportDimension,
    SaleBatch,
    SaleRequest,
    SessionClose,
    SessionOpen,
    TerminalEnrol,
)
from ocop_sales.domain.model import (
    VN,
    Limits,
    LineIn,
    PaymentIn,
    RefundLineIn,
    SaleIn,
    payload_hash,
    price_refund,
    utcnow,
    z_report,
)
from ocop_shared import auth
from ocop_shared.contracts.sales import SaleRefunded, SessionClosed, SoldLine
from ocop_shared.db import transact
from ocop_shared.errors import Conflict, InvalidField, LimitExceeded, NotFound
from ocop_shared.outbox import Causation, append
from ocop_shared.service import body_schema, get_service, json_body, request_cause, require

T = TypeVar("T")
router = APIRouter()
Organizer = Annotated[auth.Principal, Depends(require("organizer"))]
Terminal = Annotated[auth.Principal, Depends(require("terminal"))]
Reader = Annotated[auth.Principal, Depends(require("organizer", "exhibitor", "terminal"))]
Cause = Annotated[Causation, Depends(request_cause)]


def settings_of(request: Request) -> Any:
    return get_service(request).settings


def limits_of(request: Request) -> Limits:
    s = settings_of(request)
    return Limits(max_lines=s.max_lines_per_sale, max_batch=s.max_batch_sales)


async def run(request: Request, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    return await transact(get_service(request).pool, work)


def terminal_id(principal: auth.Principal) -> UUID:
    if principal.role != "terminal":
        raise Conflict("sales are recorded with a terminal's token", field="terminal_id")
    return UUID(principal.subject)


async def fair_of_organizer(
    conn: asyncpg.Connection | asyncpg.Pool, fair_id: UUID, principal: auth.Principal
) -> asyncpg.Record:
    fair = await conn.fetchrow(
        "select fair_id, organizer_id from fairs where fair_id = $1", fair_id
    )
    if fair is None or not (principal.is_admin or fair["organizer_id"] == principal.subject):
        raise NotFound("no such fair")
    return fair


# --- terminals --------------------------------------------------------------------------


@router.post("/fairs/{fair_id}/terminals", status_code=201, tags=["terminals"])
async def enrol_terminal(
    fair_id: UUID, body: TerminalEnrol, request: Request, principal: Organizer
) -> dict[str, Any]:
    """Enrols a till for a booth; its token is shown once and stored hashed."""

    async def work(conn: asyncpg.Connection) -> dict[str, Any]:
        await fair_of_organizer(conn, fair_id, principal)
        holder = await conn.fetchrow(
            "select exhibitor_id, booth_code from booth_holders where booth_id = $1 and fair_id = $2",
            body.booth_id,
            fair_id,
        )
        if holder is None:
            raise InvalidField("booth_id", "no exhibitor holds this booth at this fair")
        terminal = uuid.uuid4()
        await conn.execute(
            "insert into terminals (terminal_id, fair_id, booth_id, label, enrolled_by) values ($1, $2, $3, $4, $5)",
            terminal, fair_id, body.booth_id, body.label, principal.subject,
        )  # fmt: skip
        token = await auth.issue_token(conn, "terminal", str(terminal), body.label)
        return {
            "terminal_id": str(terminal),
            "booth_id": str(body.booth_id),
            "booth_code": holder["booth_code"],
            "exhibitor_id": str(holder["exhibitor_id"]),
            "token": token,
            "note": "shown once; only a hash is stored",
        }

    return await run(request, work)


@router.post("/terminals/{terminal}/suspend", tags=["terminals"])
async def suspend_terminal(
    terminal: UUID, request: Request, principal: Organizer
) -> dict[str, str]:
    async def work(conn: asyncpg.Connection) -> dict[str, str]:
        row = await conn.fetchrow(
            "select fair_id from terminals where terminal_id = $1 for update", terminal
        )
        if row is None:
            raise NotFound("no such terminal")
        await fair_of_organizer(conn, row["fair_id"], principal)
        await conn.execute(
            "update terminals set status = 'suspended' where terminal_id = $1", terminal
        )
        await auth.revoke_subject_tokens(conn, "terminal", str(terminal))
        return {"terminal_id": str(terminal), "status": "suspended"}

    return await run(request, work)


# --- sales ------------------------------------------------------------------------------


def to_sale(body: SaleRequest, terminal: UUID) -> SaleIn:
    canonical = orjson.dumps(
        {"terminal": str(terminal), "sale": body.model_dump(mode="json")},
        option=orjson.OPT_SORT_KEYS,
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
            )
            for line in body.lines
        ],
        payments=[PaymentIn(p.method, p.amount_vnd, p.reference) for p in body.payments],
        total_vnd=body.total_vnd,
        payload_hash=payload_hash(canonical),
    )


async def _record(
    request: Request, terminal: UUID, sales: list[SaleIn], *, offline: bool, cause: Causation
) -> list[store.Outcome]:
    s = settings_of(request)
    grace, window = (
        timedelta(minutes=s.selling_grace_minutes),
        timedelta(hours=s.offline_upload_hours),
    )
    limits = limits_of(request)

    # Two statements per attempt, no explicit transaction: read, then a write that applies
    # only if no other request of this till wrote in between (then: read and decide again).
    async with get_service(request).pool.acquire() as conn:
        for _attempt in range(20):
            till = await store.read_till(
                conn, terminal, grace, window, [sale.sale_id for sale in sales]
            )
            try:
                return await store.record(
                    conn, till, sales, now=utcnow(), offline=offline, limits=limits, cause=cause
                )
            except store.Raced:
                continue
    raise Conflict("this terminal is busy with other requests; retry", field="terminal_id")


@router.post(
    "/sales",
    tags=["sales"],
    responses={
        200: {"description": "a replay of a sale already recorded"},
        409: {"description": "the sale id was used for a different sale"},
    },
    openapi_extra=body_schema(SaleRequest),
)
async def record_sale(
    body: Annotated[SaleRequest, Depends(json_body(SaleRequest))],
    request: Request,
    principal: Terminal,
    cause: Cause,
) -> JSONResponse:
    """Records one sale. Retrying with the same sale id and content answers as the first time."""
    terminal = terminal_id(principal)
    [outcome] = await _record(
        request, terminal, [to_sale(body, terminal)], offline=False, cause=cause
    )
    if outcome.status == "recorded":
        return JSONResponse(outcome.body(), status_code=201)
    if outcome.status == "replayed":
        return JSONResponse(outcome.body(), status_code=200, headers={"Idempotent-Replay": "true"})
    error = outcome.error or {}
    status = 409 if outcome.status == "conflict" else int(error.get("status", 422))
    if status == 422:
        return JSONResponse(
            {
                "detail": [
                    {
                        "type": error["code"],
                        "loc": ["body", *str(error["field"]).split(".")],
                        "msg": error["message"],
                    }
                ]
            },
            status_code=422,
        )
    return JSONResponse(
        {"detail": error["message"], "code": error["code"], "field": error["field"]},
        status_code=status,
    )


@router.post("/sales/batch", tags=["sales"], openapi_extra=body_schema(SaleBatch))
async def record_offline_batch(
    body: Annotated[SaleBatch, Depends(json_body(SaleBatch))],
    request: Request,
    principal: Terminal,
    cause: Cause,
) -> Response:
    """Uploads sales queued while offline, in any order, repeats included; answers per sale.
    Each sale is judged at its device time (a product revoked later was still sellable)."""
    limit = limits_of(request).max_batch
    if len(body.sales) > limit:
        raise LimitExceeded(
            f"at most {limit} sales per batch (limit max_batch_sales)", field="sales"
        )
    terminal = terminal_id(principal)
    outcomes = await _record(
        request, terminal, [to_sale(s, terminal) for s in body.sales], offline=True, cause=cause
    )
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    return Response(
        orjson.dumps({"results": [o.body() for o in outcomes], "counts": counts}),
        media_type="application/json",
    )


@router.get("/sales", tags=["sales"])
async def list_sales(
    request: Request,
    principal: Reader,
    fair_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    after_receipt: int = 0,
) -> list[dict[str, Any]]:
    """A terminal sees its own sales, an exhibitor its own, an organizer its fair's."""
    pool = get_service(request).pool
    where, arg = _scope(principal)
    if principal.role == "organizer" or principal.is_admin:
        if fair_id is None:
            raise InvalidField("fair_id", "organizers list one fair's sales")
        await fair_of_organizer(pool, fair_id, principal)
        where, arg = "s.fair_id = $1", fair_id
    rows = await pool.fetch(
        f"""select s.sale_id, s.fair_id, s.terminal_id, s.booth_id, s.exhibitor_id, s.receipt_no, s.device_time, s.total_vnd,
                   s.payments, s.offline, s.recorded_at from sales s where {where} and s.receipt_no > $2
             order by s.terminal_id, s.receipt_no limit $3""",
        arg, after_receipt, limit,
    )  # fmt: skip
    return [dict(r) for r in rows]


def _scope(principal: auth.Principal) -> tuple[str, Any]:
    if principal.role == "terminal":
        return "s.terminal_id = $1", UUID(principal.subject)
    if principal.role == "exhibitor":
        return "s.exhibitor_id = $1", UUID(principal.subject)
    return "true", None


# --- refunds ----------------------------------------------------------------------------


@router.post("/sales/{sale_id}/refunds", status_code=201, tags=["refunds"])
async def refund(
    sale_id: UUID, body: RefundRequest, request: Request, principal: Terminal, cause: Cause
) -> JSONResponse:
    """Refunds lines of a sale (a void is a refund of every line). Never more than was sold."""
    terminal = terminal_id(principal)
    digest = payload_hash(
        orjson.dumps(
            {"sale": str(sale_id), "refund": body.model_dump(mode="json")},
            option=orjson.OPT_SORT_KEYS,
        )
    )

    async def work(conn: asyncpg.Connection) -> tuple[int, dict[str, Any]]:
        sale = await conn.fetchrow(
            "select sale_id, fair_id, terminal_id, exhibitor_id from sales where sale_id = $1 for update",
            sale_id,
        )
        if sale is None or sale["terminal_id"] != terminal:
            raise NotFound("no such sale at this terminal")
        prior = await conn.fetchrow(
            "select refund_id, sale_id, total_vnd, payload_hash from refunds where refund_id = $1",
            body.refund_id,
        )
        if prior is not None:
            if prior["payload_hash"] != digest:
                raise Conflict(
                    f"refund {body.refund_id} was already recorded with a different content",
                    field="refund_id",
                )
            return 200, {
                "refund_id": str(prior["refund_id"]),
                "sale_id": str(prior["sale_id"]),
                "total_vnd": prior["total_vnd"],
                "status": "replayed",
            }
        lines = [
            SoldLine(
                **{
                    k: r[k]
                    for k in (
                        "product_id",
                        "producer_id",
                        "quantity",
                        "unit_price_vnd",
                        "discount_vnd",
                        "total_vnd",
                        "product_group",
                        "star",
                    )
                }
            )
            for r in await conn.fetch(
                "select * from sale_lines where sale_id = $1 order by line_no", sale_id
            )
        ]
        done = {
            r["line_no"]: r["quantity"]
            for r in await conn.fetch(
                "select line_no, sum(quantity)::int as quantity from refund_lines where sale_id = $1 group by line_no",
                sale_id,
            )
        }
        priced = price_refund(
            lines, done, [RefundLineIn(line.line_no, line.quantity) for line in body.lines]
        )
        total = sum(line.total_vnd for _, line in priced)
        if total <= 0:
            raise InvalidField("lines", "this refund would return nothing")
        await conn.execute(
            "insert into refunds (refund_id, sale_id, terminal_id, total_vnd, method, reason, payload_hash) values ($1, $2, $3, $4, $5, $6, $7)",
            body.refund_id, sale_id, terminal, total, body.method, body.reason, digest,
        )  # fmt: skip
        await conn.executemany(
            "insert into refund_lines (refund_id, sale_id, line_no, quantity, total_vnd) values ($1, $2, $3, $4, $5)",
            [(body.refund_id, sale_id, n, line.quantity, line.total_vnd) for n, line in priced],
        )
        event = SaleRefunded(
            refund_id=body.refund_id,
            sale_id=sale_id,
            fair_id=sale["fair_id"],
            terminal_id=terminal,
            exhibitor_id=sale["exhibitor_id"],
            lines=[line for _, line in priced],
            total_vnd=total,
            method=body.method,
        )
        await append(conn, [event], producer="sales", cause=cause)
        return 201, {
            "refund_id": str(body.refund_id),
            "sale_id": str(sale_id),
            "total_vnd": total,
            "status": "recorded",
        }

    status, out = await run(request, work)
    return JSONResponse(out, status_code=status)


# --- sessions and closing ---------------------------------------------------------------


@router.post("/sessions", status_code=201, tags=["sessions"])
async def open_session(body: SessionOpen, request: Request, principal: Terminal) -> dict[str, Any]:
    terminal = terminal_id(principal)

    async def work(conn: asyncpg.Connection) -> dict[str, Any]:
        session = uuid.uuid4()
        try:
            async with conn.transaction():
                opened = await conn.fetchval(
                    "insert into sessions (session_id, terminal_id, opening_cash_vnd) values ($1, $2, $3) returning opened_at",
                    session, terminal, body.opening_cash_vnd,
                )  # fmt: skip
        except asyncpg.UniqueViolationError:
            raise Conflict(
                "this terminal already has an open session", field="terminal_id"
            ) from None
        return {
            "session_id": str(session),
            "opened_at": opened.isoformat(),
            "opening_cash_vnd": body.opening_cash_vnd,
        }

    return await run(request, work)


@router.post("/sessions/{session_id}/close", tags=["sessions"])
async def close_session(
    session_id: UUID, body: SessionClose, request: Request, principal: Terminal, cause: Cause
) -> dict[str, Any]:
    """Closes the session with the cash counted and answers its Z-report: the sales and
    refunds this terminal recorded while the session was open."""
    terminal = terminal_id(principal)

    async def work(conn: asyncpg.Connection) -> dict[str, Any]:
        session = await conn.fetchrow(
            "select * from sessions where session_id = $1 and terminal_id = $2 for update",
            session_id,
            terminal,
        )
        if session is None:
            raise NotFound("no such session at this terminal")
        if session["closed_at"] is not None:
            return dict(session["z_report"])
        closed_at = await conn.fetchval("select now()")
        sales = await conn.fetch(
            "select total_vnd, payments from sales where terminal_id = $1 and recorded_at >= $2 and recorded_at <= $3",
            terminal,
            session["opened_at"],
            closed_at,
        )
        refunds = await conn.fetch(
            "select total_vnd, method from refunds where terminal_id = $1 and recorded_at >= $2 and recorded_at <= $3",
            terminal,
            session["opened_at"],
            closed_at,
        )
        report = z_report(
            session["opening_cash_vnd"],
            body.counted_cash_vnd,
            [(r["total_vnd"], r["payments"]) for r in sales],
            [(r["total_vnd"], r["method"]) for r in refunds],
        )
        fair_id = await conn.fetchval(
            "select fair_id from terminals where terminal_id = $1", terminal
        )
        report |= {
            "session_id": str(session_id),
            "terminal_id": str(terminal),
            "opened_at": session["opened_at"].isoformat(),
            "closed_at": closed_at.isoformat(),
            "opening_cash_vnd": session["opening_cash_vnd"],
        }
        await conn.execute(
            "update sessions set closed_at = $2, counted_cash_vnd = $3, z_report = $4 where session_id = $1",
            session_id,
            closed_at,
            body.counted_cash_vnd,
            report,
        )
        event = SessionClosed(
            session_id=session_id, fair_id=fair_id, terminal_id=terminal, opened_at=session["opened_at"], closed_at=closed_at,
            sales=report["sales"], gross_vnd=report["gross_vnd"], refunds_vnd=report["refunds_vnd"], net_by_method=report["net_by_method"],
            cash_expected_vnd=report["cash_expected_vnd"], cash_counted_vnd=body.counted_cash_vnd, cash_variance_vnd=report["cash_variance_vnd"],
        )  # fmt: skip
        await append(conn, [event], producer="sales", cause=cause)
        return report

    return await run(request, work)


# --- reports ----------------------------------------------------------------------------


@router.get("/fairs/{fair_id}/reports/revenue", tags=["reports"])
async def revenue_report(
    fair_id: UUID,
    request: Request,
    principal: Annotated[auth.Principal, Depends(require("organizer", "exhibitor"))],
    by: ReportDimension = "product_group",
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Any:
    """Revenue by fair, day, booth, exhibitor, producer, product, group, star or province.
    An exhibitor gets only its own figures."""
    pool = get_service(request).pool
    exhibitor = None
    if principal.role == "exhibitor":
        exhibitor = UUID(principal.subject)
    else:
        await fair_of_organizer(pool, fair_id, principal)
    rows = await reports.revenue(pool, fair_id, by, exhibitor)
    if format == "csv":
        return Response(
            reports.to_csv(rows, by),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="revenue-by-{by}.csv"'},
        )
    if format == "xlsx":
        return Response(
            reports.to_xlsx(rows, by),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="revenue-by-{by}.xlsx"'},
        )
    return {
        "fair_id": str(fair_id),
        "by": by,
        "rows": rows,
        "total_net_vnd": sum(r["net_vnd"] for r in rows),
        "generated_at": datetime.now(VN).isoformat(),
    }
