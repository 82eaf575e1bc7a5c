"""Registration's inspections at fairs (issue 15), consumed: a product suspended at a fair
stops at that fair's tills only; a pass there puts it on sale again. Runs in the inbox's
transaction (a redelivery has no second effect); the newest inspection per fair and product
wins whatever the arrival order. The time from the inspection to the block is logged."""

from __future__ import annotations

from ocop_sales.application.ports import Repositories
from ocop_sales.domain.inspections import suspension_of
from ocop_shared.contracts.registration import InspectionRecorded
from ocop_shared.logging import get_logger
from ocop_shared.uow import UnitOfWork

log = get_logger(__name__)


async def on_inspection_recorded(uow: UnitOfWork[Repositories], event: InspectionRecorded) -> None:
    decided = suspension_of(event.inspection)
    applied_at = await uow.repos.suspensions.apply(decided)
    if applied_at is None:
        log.info(
            "older than the newest inspection of the product at this fair: ignored",
            fair_id=str(decided.fair_id),
            product_id=str(decided.product_id),
        )
        return
    log.info(
        "product suspended at the fair" if decided.suspended else "suspension at the fair lifted",
        fair_id=str(decided.fair_id),
        product_id=str(decided.product_id),
        lag_seconds=max(0.0, (applied_at - decided.decided_at).total_seconds()),
    )
