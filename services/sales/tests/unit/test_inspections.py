"""A product suspended at one fair by its inspectors (issue 15), decided without I/O: sales
keeps registration's decision (``suspended``) with the inspection's time, and the till's
catalogue says ``suspended`` from that time on."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from ocop_sales.domain.inspections import suspended_reason, suspension_of
from ocop_shared.contracts.registration import InspectionSnapshot

AT = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


def snapshot(decision: str, suspended: bool) -> InspectionSnapshot:
    return InspectionSnapshot(
        inspection_id=uuid.uuid4(), fair_id=uuid.uuid4(), product_id=uuid.uuid4(),
        holder_id=uuid.uuid4(), exhibitor_id=uuid.uuid4(), booth_code="A-12", sample=None,
        finding="Nhãn thiếu hạn sử dụng", decision=decision, suspended=suspended,  # type: ignore[arg-type]
        inspector_id="qltt-quang-ninh", inspected_by=None, recorded_at=AT,
    )  # fmt: skip


def test_sales_keeps_registrations_decision_with_the_inspections_time() -> None:
    for decision, suspended in (("suspend", True), ("refer", True), ("pass", False)):
        s = snapshot(decision, suspended)
        kept = suspension_of(s)
        assert (kept.fair_id, kept.product_id, kept.inspection_id) == (
            s.fair_id,
            s.product_id,
            s.inspection_id,
        )
        assert kept.suspended is suspended and kept.decided_at == AT


def test_the_till_catalogue_says_suspended_from_the_inspections_time() -> None:
    assert suspended_reason(None, AT) is None
    assert suspended_reason(AT, AT - timedelta(seconds=1)) is None
    assert suspended_reason(AT, AT) == "suspended"
    assert suspended_reason(AT, AT + timedelta(hours=1)) == "suspended"
