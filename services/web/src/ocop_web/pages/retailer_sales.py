"""A host retailer's promotion week (issue 15): its daily sales file uploaded (CSV or XLSX:
store, date, GTIN, quantity, amount), the report row by row (each refused row with its row
number, its column and the reason in the reader's words), "import only the valid rows", what
was imported; the week's stock at the booths and its consignment settlement (pages/
settlement.py).

Calls sales: ``POST /fairs/{id}/retailer-sales`` (multipart ``file``, ``valid_rows_only``;
nothing imported unless every row is valid or valid rows only are asked for; the same file
again answers its first report), ``GET /fairs/{id}/reports/stock``. The week is one of those
registration lists naming the retailer as host (``pages/retailer.hosted_weeks``).

The file a report was about is carried in the report page (base64, up to
``CARRIED_FILE_BYTES``) so "import only the valid rows" sends it again without choosing it;
a larger one is chosen again with the box ticked."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from ocop_web.api import ApiError
from ocop_web.forms import Field, FormState
from ocop_web.i18n import N_, gettext
from ocop_web.pages.certifier import file_error
from ocop_web.pages.settlement import hosted_week
from ocop_web.pages.stock import booth_rows, stock_report, stock_xlsx
from ocop_web.session import SignedIn, Viewer
from ocop_web.templating import render

router = APIRouter()

CARRIED_FILE_BYTES = 2 << 20
UPLOAD_FIELDS = (Field("file", N_("Daily sales file")),)
COLUMNS: dict[str, str] = {
    "store": N_("Store"),
    "date": N_("Date"),
    "gtin": N_("Barcode (GTIN)"),
    "quantity": N_("Quantity"),
    "amount": N_("Amount"),
    "row": N_("The whole row"),
}
# Sales' row codes (domain/retailer_import.py), in the reader's words.
ROW_CODES: dict[str, str] = {
    "unknown_gtin": N_("No product admitted at this promotion week has this barcode"),
    "negative_quantity": N_("The quantity cannot be negative"),
    "invalid_quantity": N_("The quantity must be a whole number of at least 1"),
    "unknown_store": N_("Not one of your stores taking part in this promotion week"),
    "duplicate_row": N_("The same store, date and barcode are on an earlier row"),
    "amount_not_integer": N_("The amount must be a whole number of dong, with no fraction"),
    "negative_amount": N_("The amount cannot be negative"),
    "invalid_date": N_("Write the date as dd/mm/yyyy, a day of the promotion week"),
}
NOT_A_DAY_OF_THE_FAIR = N_("This day is not a day of the promotion week")
STATUSES: dict[str, tuple[str, str]] = {
    "imported": (N_("Imported"), "green"),
    "already_imported": (N_("Already imported"), "grey"),
    "rejected": (N_("Refused"), "red"),
    "valid": (N_("Valid, not imported"), "yellow"),
}


def row_errors(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Every refused row's errors: its row number, its column and the reason."""
    found = []
    for row in report.get("report") or []:
        for error in row.get("errors") or []:
            code = str(error.get("code", ""))
            if code == "invalid_date" and "not a day" in str(error.get("message", "")):
                text = gettext(NOT_A_DAY_OF_THE_FAIR)
            elif code in ROW_CODES:
                text = gettext(ROW_CODES[code])
            else:
                text = gettext("Not accepted")
            found.append(
                {
                    "line": row.get("line"),
                    "field": str(error.get("field", "")),
                    "message": text,
                    "value": row.get(str(error.get("field", ""))) or "",
                }
            )
    return found


def imported_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        r for r in report.get("report") or [] if r.get("status") in ("imported", "already_imported")
    ]


def week_page(
    request: Request,
    week: dict[str, Any],
    form: FormState,
    *,
    report: dict[str, Any] | None = None,
    filename: str = "",
    carried: str | None = None,
) -> Response:
    return render(
        request,
        "retailer/week.html",
        {
            "week": week,
            "form": form,
            "report": report,
            "errors": row_errors(report) if report else [],
            "imported": imported_rows(report) if report else [],
            "filename": filename,
            "carried": carried,
            "request_key": str(uuid.uuid4()),
            "COLUMNS": COLUMNS,
            "ROW_STATUSES": STATUSES,
        },
        status_code=422 if form.has_errors else 200,
    )


@router.get("/retailer/weeks/{fair_id}")
async def week(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    """The week's page: the sales file's form, links to its stock and settlement."""
    found = await hosted_week(viewer, fair_id)
    return week_page(request, found, FormState.of(UPLOAD_FIELDS))


async def send_sales_file(
    viewer: Viewer, fair_id: UUID, filename: str, content: bytes, valid_rows_only: bool, key: str
) -> dict[str, Any]:
    answer = await viewer.api.sales.send(
        "POST",
        f"/fairs/{fair_id}/retailer-sales",
        files={"file": (filename, content, "application/octet-stream")},
        data={"valid_rows_only": "true" if valid_rows_only else "false"},
        idempotency_key=key,
    )
    found: dict[str, Any] = answer.json()
    return found


@router.post("/retailer/weeks/{fair_id}/sales")
async def upload_sales(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    """A file chosen (with "valid rows only" ticked or not), or the file of the report
    carried back with "import only the valid rows"."""
    found = await hosted_week(viewer, fair_id)
    submitted = await request.form()
    form = FormState.of(UPLOAD_FIELDS)
    upload = submitted.get("file")
    carried = submitted.get("carried")
    valid_rows_only = submitted.get("valid_rows_only") in ("1", "true", "on")
    key = str(submitted.get("request_key") or uuid.uuid4())
    filename, content = "", b""
    if isinstance(upload, UploadFile) and upload.filename:
        filename, content = upload.filename, await upload.read()
    elif isinstance(carried, str) and carried:
        filename = str(submitted.get("filename") or "sales.csv")
        try:
            content = base64.b64decode(carried, validate=True)
        except (binascii.Error, ValueError):
            content = b""
    if not content:
        form.errors["file"] = (
            gettext("Choose the daily sales file") if not filename else gettext("The file is empty")
        )
        return week_page(request, found, form)
    try:
        report = await send_sales_file(viewer, fair_id, filename, content, valid_rows_only, key)
    except ApiError as refused:
        if refused.status in (403, 404):
            raise
        file_error(form, refused)
        return week_page(request, found, form)
    keep = (
        base64.b64encode(content).decode()
        if report.get("rejected")
        and not report.get("applied")
        and len(content) <= CARRIED_FILE_BYTES
        else None
    )
    return week_page(request, found, form, report=report, filename=filename, carried=keep)


@router.get("/retailer/weeks/{fair_id}/stock")
async def week_stock(request: Request, viewer: SignedIn, fair_id: UUID) -> Response:
    found = await hosted_week(viewer, fair_id)
    report = await stock_report(viewer, fair_id)
    return render(
        request,
        "stock/report.html",
        {
            "fair": found,
            "report": report,
            "rows": booth_rows(report),
            "xlsx": f"/retailer/weeks/{fair_id}/stock.xlsx",
            "back": f"/retailer/weeks/{fair_id}",
        },
    )


@router.get("/retailer/weeks/{fair_id}/stock.xlsx")
async def week_stock_xlsx(viewer: SignedIn, fair_id: UUID) -> Response:
    await hosted_week(viewer, fair_id)
    return await stock_xlsx(viewer, fair_id)
