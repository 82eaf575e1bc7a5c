"""Bulk import of a province's OCOP product register (CSV or XLSX), answered row by row."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile

from ocop_registration.adapters import register_file
from ocop_registration.adapters.http.deps import Cause, Uow
from ocop_registration.adapters.http.schemas import ImportReportOut, RejectedRow, RowErrorOut
from ocop_registration.application.access import authority_of
from ocop_registration.application.commands import imports
from ocop_shared import ratelimit
from ocop_shared.authz import Caller

router = APIRouter(tags=["imports"])


@router.post("/imports/register", response_model=ImportReportOut)
async def import_product_register(
    request: Request,
    principal: Caller,
    uow: Uow,
    cause: Cause,
    file: Annotated[
        UploadFile, File(description="CSV (UTF-8) or XLSX: a province's OCOP product register")
    ],
    valid_rows_only: Annotated[bool, Form()] = False,
) -> ImportReportOut:
    """A certifying council's register: a province's council imports the 3-4★ certificates of
    its province's holders, the central council 5★ ones; other rows are row errors. Imports
    are rate limited per organization (429 with Retry-After), before the file is read."""
    authority = authority_of(principal)
    await ratelimit.enforce(request, "imports", key=principal.subject)
    rows = await register_file.parse_upload(file.filename or "", file.file)  # a worker thread
    report = await uow.run(
        lambda u: imports.import_register(u, authority, rows, valid_rows_only=valid_rows_only),
        cause=cause,
    )
    return ImportReportOut(
        rows=report.rows,
        imported=report.imported,
        rejected=len(report.rejected),
        applied=report.applied,
        errors=[
            RejectedRow(
                line=r.line,
                errors=[RowErrorOut(field=e.field, message=e.message) for e in r.errors],
            )
            for r in report.rejected
        ],
    )
