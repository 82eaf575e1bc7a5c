"""The sales service's HTTP API, one module per resource."""

from __future__ import annotations

from fastapi import APIRouter

from ocop_sales.adapters.http import refunds, reports, sales, sessions, terminals

router = APIRouter()
for module in (terminals, sales, refunds, sessions, reports):
    router.include_router(module.router)
