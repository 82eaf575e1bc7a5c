"""The sales service's HTTP API, one module per resource."""

from __future__ import annotations

from fastapi import APIRouter

from ocop_sales.adapters.http import (
    refunds,
    reports,
    sales,
    sessions,
    stock,
    terminals,
    till_rules,
    transfers,
)

router = APIRouter()
for module in (terminals, till_rules, sales, refunds, sessions, reports, transfers, stock):
    router.include_router(module.router)
