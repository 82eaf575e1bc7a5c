"""On-site quality inspection (issue 15): an inspector of the province records an inspection
of a product exhibited at a fair; the decision (pass, suspend at this fair, refer for
revocation) is announced for the tills of that fair only."""

from __future__ import annotations

from uuid import UUID

from ocop_registration.application import clock
from ocop_registration.application.ports import Repositories
from ocop_registration.domain import inspections
from ocop_registration.domain.inspections import InspectionDraft, Inspector, Recorded
from ocop_shared.errors import NotFound
from ocop_shared.uow import UnitOfWork


async def record_inspection(
    uow: UnitOfWork[Repositories], inspector: Inspector, fair_id: UUID, draft: InspectionDraft
) -> Recorded:
    """POST /fairs/{fair_id}/inspections: a fair of another province, or a product not
    exhibited at this fair, answers 404 and changes nothing; the same ``inspection_id`` sent
    again answers the first recording."""
    repos = uow.repos
    fair = inspections.check_reaches(inspector, await repos.fairs.get(fair_id))
    stored = await repos.inspections.get(draft.inspection_id)
    if stored is not None:
        return inspections.replay(draft, fair.fair_id, inspector, stored)
    # One product's inspections are decided one at a time (its newest decides its state).
    if await repos.products.get(draft.product_id, lock=True) is None:
        raise NotFound("the product is not exhibited at this fair", field="product_id")
    exhibits = await repos.inspections.exhibits(fair.fair_id)
    decided = inspections.record(draft, fair, inspector, exhibits, clock.now())
    if not await repos.inspections.add(decided.state):
        twin = await repos.inspections.get(draft.inspection_id)
        assert twin is not None  # its id was taken by a committed twin
        return inspections.replay(draft, fair.fair_id, inspector, twin)
    uow.emit_all(decided.events)
    return Recorded(decided.state, replayed=False)
