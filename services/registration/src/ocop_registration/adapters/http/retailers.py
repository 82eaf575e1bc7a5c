"""Retailers (a promotion week's host, issue 15) and their stores."""

from __future__ import annotations

from fastapi import APIRouter

from ocop_registration.adapters.http.deps import Cause, Uow
from ocop_registration.adapters.http.identity_schemas import OrganizationId
from ocop_registration.adapters.http.schemas import RetailerOut, StoreCreate, StoreOut
from ocop_registration.application.commands import retailers as commands
from ocop_registration.application.queries import retailers as queries
from ocop_shared.authz import Caller

router = APIRouter(tags=["retailers"])


@router.get("/retailers", response_model=list[RetailerOut])
async def list_retailers(_principal: Caller, uow: Uow) -> list[RetailerOut]:
    """The retailers (organizations of kind retailer, not suspended) by name: the hosts a
    promotion week may name (`host_retailer_id` is a retailer's `organization_id`)."""
    return [RetailerOut.of(r) for r in await uow.read(queries.retailers)]


@router.get("/retailers/{retailer_id}/stores", response_model=list[StoreOut])
async def list_stores(retailer_id: OrganizationId, principal: Caller, uow: Uow) -> list[StoreOut]:
    """A retailer's stores by code: to its people, organizers and the admin."""
    found = await uow.read(lambda repos: queries.stores(repos, principal, retailer_id))
    return [StoreOut.of(s) for s in found]


@router.post("/retailers/{retailer_id}/stores", status_code=201, response_model=StoreOut)
async def add_store(
    retailer_id: OrganizationId, body: StoreCreate, principal: Caller, uow: Uow, cause: Cause
) -> StoreOut:
    """A store of the retailer, added by its owner: `store_code` (upper-cased; a code it has
    already is 409 naming it), name and address."""
    store = await uow.run(
        lambda u: commands.add_store(
            u, principal, retailer_id, body.store_code, body.name, body.address
        ),
        cause=cause,
    )
    return StoreOut.of(store)
