"""Stock at the booth (issue 15): received, returned and adjusted movements."""

from __future__ import annotations

from uuid import UUID

from ocop_sales.application.ports import Repositories
from ocop_sales.domain.settlement import stock_reach
from ocop_sales.domain.stock import MovementDecision, MovementIn, decide_movement
from ocop_shared.auth import Principal
from ocop_shared.errors import NotFound
from ocop_shared.uow import UnitOfWork


async def move_stock(
    uow: UnitOfWork[Repositories], *, movement: MovementIn, by: Principal
) -> MovementDecision:
    """Records a movement at a booth of the fair: by the exhibitor holding the booth, the
    fair's organizer or its host retailer (anyone else, another fair or a booth held by
    another exhibitor: 404, nothing moved). Replayed by its id; ``sales.stock_moved``."""
    repos = uow.repos
    stock = repos.stock
    fair = await stock.fair(movement.fair_id)
    exhibits = by.role == "exhibitor" and await stock.exhibits(movement.fair_id, UUID(by.subject))
    own = stock_reach(by, fair, exhibits=exhibits)
    booth = await stock.booth(movement.fair_id, movement.booth_id)  # locks its levels
    if own is not None and (booth is None or booth.exhibitor_id != own):
        raise NotFound("no booth of yours at this fair by this id", field="booth_id")
    prior = await stock.movement(movement.movement_id)
    decision = decide_movement(movement, booth, prior, now=await repos.sessions.clock())
    if decision.event is not None and booth is not None and booth.exhibitor_id is not None:
        await stock.record(movement, booth.exhibitor_id, decision, by.user_id or by.subject)
        uow.emit(decision.event)
    return decision
