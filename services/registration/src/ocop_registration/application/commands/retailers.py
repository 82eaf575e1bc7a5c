"""A retailer's stores, kept by its owner (issue 15)."""

from __future__ import annotations

from ocop_registration.application.ports import Repositories
from ocop_registration.application.queries.identity import organization_in_reach
from ocop_registration.domain import fair_kinds
from ocop_shared.auth import Principal
from ocop_shared.errors import NotFound
from ocop_shared.uow import UnitOfWork


async def add_store(
    uow: UnitOfWork[Repositories],
    principal: Principal,
    retailer_id: str,
    code: str,
    name: str,
    address: str,
) -> fair_kinds.Store:
    """A new store of the retailer (its owner, or the admin); a code it has already: 409."""
    organization = await organization_in_reach(
        uow.repos, principal, retailer_id, owner=True, lock=True
    )
    if organization.kind != "retailer":
        raise NotFound("no such retailer")
    store = fair_kinds.new_store(retailer_id, code, name, address)
    await uow.repos.retailers.add_store(store)
    return store
