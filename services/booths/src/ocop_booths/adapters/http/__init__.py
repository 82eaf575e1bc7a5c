"""The booths service's HTTP routes, one module per resource."""

from __future__ import annotations

from fastapi import APIRouter

from ocop_booths.adapters.http import allocations, choices, fees, floorplans, holds

routers: list[APIRouter] = [
    floorplans.router,
    allocations.router,
    holds.router,
    choices.router,
    fees.router,
]
