"""Fairs: planned as a private draft, then moved through their lifecycle by their organizer."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from ocop_registration.application import clock
from ocop_registration.application.access import owns_fair
from ocop_registration.application.ports import Repositories
from ocop_registration.domain import fairs
from ocop_shared.auth import Principal
from ocop_shared.errors import Conflict
from ocop_shared.uow import UnitOfWork


async def create_fair(
    uow: UnitOfWork[Repositories], principal: Principal, draft: fairs.FairDraft
) -> fairs.Fair:
    if principal.is_admin:
        raise Conflict(
            "fairs belong to an organizer: use an organizer's token", field="organizer_id"
        )
    stores = (
        await uow.repos.retailers.stores(str(draft.host_retailer_id))
        if draft.host_retailer_id is not None
        else None
    )
    fair = fairs.plan(draft, uuid.uuid4(), principal.subject, stores)
    await uow.repos.fairs.add(fair)  # a draft is private: no event until it opens
    return fair


async def change_status(
    uow: UnitOfWork[Repositories], principal: Principal, fair_id: UUID, action: str
) -> fairs.Fair:
    fair = owns_fair(principal, await uow.repos.fairs.get(fair_id, lock=True))
    step = fairs.transition(fair, action, clock.now())  # now: a running showroom's close
    await uow.repos.fairs.save(step.fair)
    uow.emit_all(step.events)
    return step.fair


async def edit_fair(
    uow: UnitOfWork[Repositories], principal: Principal, fair_id: UUID, changes: dict[str, Any]
) -> fairs.Fair:
    """Its organizer edits a fair's name, venue, province or dates (a draft or an open fair)."""
    fair = owns_fair(principal, await uow.repos.fairs.get(fair_id, lock=True))
    stores = (
        await uow.repos.retailers.stores(str(fair.host_retailer_id))
        if fair.host_retailer_id is not None and changes.get("store_codes") is not None
        else None
    )
    decided = fairs.edit(fair, changes, stores)
    await uow.repos.fairs.save(decided.state)
    uow.emit_all(decided.events)
    return decided.state


async def change_rules(
    uow: UnitOfWork[Repositories], principal: Principal, fair_id: UUID, rules: fairs.Rules
) -> fairs.Fair:
    fair = owns_fair(principal, await uow.repos.fairs.get(fair_id, lock=True))
    decided = fairs.change_rules(fair, rules)
    await uow.repos.fairs.save(decided.state)
    uow.emit_all(decided.events)
    return decided.state
