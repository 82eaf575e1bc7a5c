"""Retailers and their stores, as organizers choose a promotion week's host (issue 15)."""

from __future__ import annotations

from ocop_registration.application.ports import Repositories
from ocop_registration.domain.fair_kinds import Store
from ocop_registration.domain.identity import Organization
from ocop_shared.auth import Principal
from ocop_shared.errors import NotFound


async def retailers(repos: Repositories) -> list[Organization]:
    return await repos.retailers.retailers()


async def stores(repos: Repositories, principal: Principal, retailer_id: str) -> list[Store]:
    """A retailer's stores: to its own people, organizers (who name them in a promotion
    week) and the admin; another retailer's are not there (404)."""
    if principal.role == "retailer" and not principal.acts_for(retailer_id):
        raise NotFound("no such retailer")
    found = await repos.retailers.stores(retailer_id)
    if found is None:
        raise NotFound("no such retailer")
    return found
