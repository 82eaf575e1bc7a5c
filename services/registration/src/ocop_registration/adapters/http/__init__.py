"""The HTTP API: one router per resource."""

from __future__ import annotations

from fastapi import APIRouter

from ocop_registration.adapters.http import (
    applications,
    exhibitors,
    fairs,
    imports,
    inspections,
    organizations,
    products,
    retailers,
    sessions,
    trade,
)

routers: list[APIRouter] = [
    sessions.router,
    organizations.router,
    fairs.router,
    exhibitors.router,
    products.router,
    applications.router,
    imports.router,
    inspections.router,
    retailers.router,
    trade.router,
]
