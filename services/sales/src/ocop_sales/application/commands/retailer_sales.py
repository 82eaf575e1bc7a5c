"""The host retailer's sales file imported (issue 15): its rows judged and reported, the valid
ones recorded as sales of source ``retailer`` with their stock movements."""

from __future__ import annotations

import hashlib
from typing import Any
from uuid import UUID, uuid4

from ocop_sales.application.ports import Repositories
from ocop_sales.domain.access import Viewer
from ocop_sales.domain.retailer_import import ImportDecision, RowIn, judge_rows, sold_events
from ocop_sales.domain.sales import VN
from ocop_sales.domain.settlement import ConsignmentFair
from ocop_shared.errors import NotFound
from ocop_shared.uow import UnitOfWork


def check_import_reach(viewer: Viewer, fair: ConsignmentFair | None) -> ConsignmentFair:
    """The fair's organizer or its host retailer's people import its retailer's sales;
    anyone else (another fair, another retailer): 404 naming ``fair_id``."""
    if fair is not None:
        if viewer.role == "organizer" and viewer.subject == fair.organizer_id:
            return fair
        if viewer.role == "retailer" and viewer.subject == str(fair.host_retailer_id):
            return fair
    raise NotFound("no such fair", field="fair_id")


async def import_retailer_sales(
    uow: UnitOfWork[Repositories],
    *,
    fair_id: UUID,
    filename: str,
    content: bytes,
    rows: list[RowIn],
    valid_rows_only: bool,
    by: Viewer,
    by_user: str | None,
) -> dict[str, Any]:
    """Judges every row (domain/retailer_import.py) and, if all are valid or ``valid_rows_only``,
    records the valid ones not imported before; the same file again answers its first report
    (``replayed``) and records nothing."""
    repos = uow.repos
    fair = check_import_reach(by, await repos.stock.fair(fair_id))
    file_hash = hashlib.sha256(content).digest()
    prior = await repos.retailer_sales.prior(fair_id, file_hash)
    if prior is not None:
        return {**prior, "replayed": True}
    by_gtin = await repos.retailer_sales.admitted_by_gtin(fair_id)
    first, last = fair.starts_at.astimezone(VN).date(), fair.ends_at.astimezone(VN).date()

    def judge(already: set[UUID]) -> ImportDecision:
        return judge_rows(
            fair_id,
            rows,
            stores=fair.stores.keys(),
            by_gtin=by_gtin,
            already=already,
            valid_rows_only=valid_rows_only,
            first_day=first,
            last_day=last,
        )

    candidates = [r.sale_id for r in judge(set()).rows if r.sale_id is not None]
    decision = judge(await repos.retailer_sales.existing(candidates))
    now = await repos.sessions.clock()
    import_id = uuid4()
    written: set[UUID] = set()
    if decision.applied and decision.sales:
        written, moved = await repos.retailer_sales.record(fair_id, decision.sales, now)
        for event in sold_events(import_id, fair_id, moved, now):
            uow.emit(event)
    report = _report(import_id, fair_id, filename, decision, written, valid_rows_only)
    await repos.retailer_sales.keep(
        import_id, fair_id, file_hash, filename, by_user or by.subject, decision.applied, report
    )
    return {**report, "replayed": False}


def _report(
    import_id: UUID,
    fair_id: UUID,
    filename: str,
    decision: ImportDecision,
    written: set[UUID],
    valid_rows_only: bool,
) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for r in decision.rows:
        status = r.status
        if status == "imported" and r.sale_id not in written:
            status = "already_imported"  # a twin upload in flight stored it first
        rows.append(
            {
                "line": r.line,
                "status": status,
                "store": r.store,
                "date": r.day.isoformat() if r.day else None,
                "gtin": r.gtin,
                "quantity": r.quantity,
                "amount_vnd": r.amount_vnd,
                "product_id": str(r.product_id) if r.product_id else None,
                "producer_id": str(r.producer_id) if r.producer_id else None,
                "errors": [
                    {"field": e.field, "code": e.code, "message": e.message} for e in r.errors
                ],
            }
        )
    counts = {"imported": 0, "already_imported": 0, "rejected": 0, "valid": 0}
    for row in rows:
        counts[row["status"]] += 1
    return {
        "import_id": str(import_id),
        "fair_id": str(fair_id),
        "filename": filename,
        "rows": len(rows),
        "imported": counts["imported"],
        "already_imported": counts["already_imported"],
        "rejected": counts["rejected"],
        "not_imported": counts["valid"],
        "applied": decision.applied,
        "valid_rows_only": valid_rows_only,
        "imported_vnd": sum(r["amount_vnd"] or 0 for r in rows if r["status"] == "imported"),
        "report": rows,
    }
