"""Routes (issue 15): stock at the booth (received, returned, adjusted), the end-of-fair stock
report, the consignment settlement, and the host retailer's sales file."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import orjson
from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from ocop_sales.adapters import retailer_file, stock_export
from ocop_sales.adapters.http.deps import Cause, Wired
from ocop_sales.adapters.http.schemas import Answer, Reason, Strict
from ocop_sales.application.commands import retailer_sales
from ocop_sales.application.commands import stock as stock_commands
from ocop_sales.application.queries import stock as stock_queries
from ocop_sales.domain.sales import payload_hash
from ocop_sales.domain.stock import MovementIn, MovementKind, MovementLineIn
from ocop_shared import ratelimit
from ocop_shared.answers import replay_of
from ocop_shared.authz import Caller
from ocop_shared.inputs import Int32

router = APIRouter(tags=["stock"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StockLineRequest(Strict):
    product_id: UUID
    quantity: Int32 = Field(
        description="received and returned: how many (1..1,000,000); adjusted: the correction, "
        "negative to take away"
    )


class MovementRequest(Strict):
    movement_id: UUID = Field(description="the client's id: sending it again records it once")
    booth_id: UUID
    lines: list[StockLineRequest] = Field(min_length=1, max_length=1000)
    reason: Reason | None = Field(
        default=None, description="why (required for returns and adjustments)"
    )


class MovedLineAnswer(Answer):
    product_id: UUID
    producer_id: UUID
    quantity: int
    on_hand: int


class MovementAnswer(Answer):
    movement_id: UUID
    kind: str
    status: Literal["recorded", "replayed"]
    lines: list[MovedLineAnswer]
    recorded_at: datetime


async def _move(
    kind: MovementKind,
    fair_id: UUID,
    body: MovementRequest,
    principal: Any,
    cause: Any,
    wired: Any,
    response: Response,
) -> MovementAnswer:
    content = orjson.dumps(
        {"fair": str(fair_id), "kind": kind, "movement": body.model_dump(mode="json")},
        option=orjson.OPT_SORT_KEYS,
    )
    movement = MovementIn(
        body.movement_id,
        fair_id,
        body.booth_id,
        kind,
        [MovementLineIn(x.product_id, x.quantity) for x in body.lines],
        body.reason,
        payload_hash(content),
    )
    decision = await wired.uow.run(
        lambda uow: stock_commands.move_stock(uow, movement=movement, by=principal), cause=cause
    )
    if decision.status == "replayed":
        response.status_code = 200
    return MovementAnswer(
        movement_id=decision.movement_id,
        kind=decision.kind,
        status=decision.status,
        lines=[MovedLineAnswer.model_validate(x) for x in decision.lines],
        recorded_at=decision.recorded_at,
    )


_REPLAY = replay_of(MovementAnswer, "movement")


@router.post("/fairs/{fair_id}/stock/receipts", status_code=201, responses=_REPLAY)
async def receive_stock(
    fair_id: UUID, body: MovementRequest, principal: Caller, cause: Cause, wired: Wired,
    response: Response,
) -> MovementAnswer:  # fmt: skip
    """What the exhibitor brings to its booth (or a retailer or showroom receives on
    consignment), per product: from then on the product's stock is tracked there, tills
    decrement it and show it sold out. A product not admitted to the booth's exhibitor at this
    fair is 422 naming `lines.N.product_id`; a booth that is not the caller's, 404 naming
    `booth_id`. Sending the same `movement_id` again answers 200 and moves nothing."""
    return await _move("received", fair_id, body, principal, cause, wired, response)


@router.post("/fairs/{fair_id}/stock/returns", status_code=201, responses=_REPLAY)
async def return_stock(
    fair_id: UUID, body: MovementRequest, principal: Caller, cause: Cause, wired: Wired,
    response: Response,
) -> MovementAnswer:  # fmt: skip
    """Stock returned to its producer (at the end), with the reason; more than is on hand
    is 409 `out_of_stock` naming `lines.N.quantity`."""
    return await _move("returned", fair_id, body, principal, cause, wired, response)


@router.post("/fairs/{fair_id}/stock/adjustments", status_code=201, responses=_REPLAY)
async def adjust_stock(
    fair_id: UUID, body: MovementRequest, principal: Caller, cause: Cause, wired: Wired,
    response: Response,
) -> MovementAnswer:  # fmt: skip
    """A count corrected (signed quantity), with the reason; below zero is 409
    `out_of_stock` naming `lines.N.quantity`."""
    return await _move("adjusted", fair_id, body, principal, cause, wired, response)


class StockFigures(Answer):
    received: int
    sold: int
    returned: int
    adjusted: int
    on_hand: int
    oversold: int


class BoothStockRow(StockFigures):
    booth_id: UUID
    booth_code: str | None
    product_id: UUID
    product_name: str | None
    producer_id: UUID
    producer_name: str | None


class ProductStockRow(StockFigures):
    product_id: UUID
    product_name: str | None
    producer_id: UUID
    producer_name: str | None


class ProducerStockRow(StockFigures):
    producer_id: UUID
    producer_name: str | None


class StockReportAnswer(Answer):
    fair_id: UUID
    products: list[ProductStockRow]
    producers: list[ProducerStockRow]
    booths: list[BoothStockRow]
    oversold: int = Field(description="units sold offline while none was on hand")
    generated_at: datetime


@router.get(
    "/fairs/{fair_id}/reports/stock",
    response_model=StockReportAnswer,
    responses={200: {"description": "the report; XLSX with format=xlsx", "content": {XLSX: {}}}},
)
async def stock_report(
    fair_id: UUID, principal: Caller, wired: Wired, format: Literal["json", "xlsx"] = "json"
) -> StockReportAnswer | Response:
    """Per product, producer and booth: received, sold (net of refunds), returned, adjusted,
    on hand and oversold (sold offline while none was on hand). An exhibitor: its own booths."""
    report = await wired.uow.read(
        lambda repos: stock_queries.stock_report(repos, fair_id=fair_id, viewer=principal)
    )
    if format == "xlsx":
        return Response(
            stock_export.stock_xlsx(report),
            media_type=XLSX,
            headers={"Content-Disposition": 'attachment; filename="stock.xlsx"'},
        )
    return StockReportAnswer.model_validate(report)


class SettlementRowAnswer(Answer):
    producer_id: UUID
    producer_name: str | None
    received: int
    sold_quantity: int
    sold_vnd: int
    returned: int
    amount_vnd: int
    commission_vnd: int
    amount_due_vnd: int


class SettlementAnswer(Answer):
    fair_id: UUID
    period: str = Field(description="'fair' (the whole fair) or the month, YYYY-MM")
    start: date | None
    end: date | None
    commission_percent: int
    rows: list[SettlementRowAnswer]
    amount_vnd: int
    commission_vnd: int
    amount_due_vnd: int


@router.get(
    "/fairs/{fair_id}/reports/settlement",
    response_model=SettlementAnswer,
    responses={200: {"description": "XLSX with format=xlsx", "content": {XLSX: {}}}},
)
async def settlement(
    fair_id: UUID,
    principal: Caller,
    wired: Wired,
    month: Annotated[str | None, Query(max_length=7)] = None,
    format: Literal["json", "xlsx"] = "json",
) -> SettlementAnswer | Response:
    """The consignment settlement per producer over the whole fair, or one month
    (`month=2026-11`, a showroom's): received, sold (quantity, amount), returned, amount, the
    fair's commission (`commission_percent` of the amount, rounded half up to the dong) and
    the amount due. An exhibitor: its own producers."""
    result = await wired.uow.read(
        lambda repos: stock_queries.settlement(
            repos, fair_id=fair_id, month=month, viewer=principal
        )
    )
    if format == "xlsx":
        return Response(
            stock_export.settlement_xlsx(result),
            media_type=XLSX,
            headers={
                "Content-Disposition": f'attachment; filename="settlement-{result.period}.xlsx"'
            },
        )
    return SettlementAnswer.model_validate(result)


class RowErrorAnswer(BaseModel):
    field: str
    code: str
    message: str


class ImportRowAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")
    line: int
    status: Literal["imported", "already_imported", "rejected", "valid"] = Field(
        description="valid: not imported because other rows were rejected"
    )
    store: str
    date: str | None
    gtin: str
    quantity: int | None
    amount_vnd: int | None
    product_id: UUID | None
    producer_id: UUID | None
    errors: list[RowErrorAnswer]


class RetailerImportAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")
    import_id: UUID
    fair_id: UUID
    filename: str
    rows: int
    imported: int
    already_imported: int
    rejected: int
    not_imported: int = Field(description="valid rows left out because others were rejected")
    applied: bool
    valid_rows_only: bool
    imported_vnd: int
    replayed: bool = Field(description="this file was imported before: its first report")
    report: list[ImportRowAnswer]


@router.post("/fairs/{fair_id}/retailer-sales", response_model=RetailerImportAnswer)
async def import_retailer_sales(
    fair_id: UUID,
    request: Request,
    principal: Caller,
    cause: Cause,
    wired: Wired,
    file: Annotated[UploadFile, File(description="CSV (UTF-8) or XLSX: store, date, gtin, quantity, amount")],
    valid_rows_only: Annotated[bool, Form()] = False,
) -> RetailerImportAnswer:  # fmt: skip
    """The host retailer's daily sales file: a report row by row (unknown GTIN, negative
    quantity, another retailer's store, duplicate row, amount not a whole number of dong);
    nothing imported unless every row is valid or `valid_rows_only=true`. Each (store, date,
    GTIN) is recorded once as a sale of source `retailer` (revenue reports count it, `by=source`
    shows it apart), attributed to its producer by GTIN, with its stock movement; the same file
    again answers its first report. Rate limited per organization (429 with Retry-After)."""
    await ratelimit.enforce(request, "imports", key=principal.subject)
    content = await file.read()
    filename = file.filename or ""
    rows = await retailer_file.parse_upload(filename, content)
    report = await wired.uow.run(
        lambda uow: retailer_sales.import_retailer_sales(
            uow,
            fair_id=fair_id,
            filename=filename,
            content=content,
            rows=rows,
            valid_rows_only=valid_rows_only,
            by=principal,
            by_user=principal.user_id,
        ),
        cause=cause,
    )
    return RetailerImportAnswer.model_validate(report)
