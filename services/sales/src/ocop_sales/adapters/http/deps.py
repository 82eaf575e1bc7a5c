"""What routes depend on: who calls (by role), the request's cause, and typed access to the
service's settings, its unit-of-work factory and its sale policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

from fastapi import Depends

from ocop_sales.application.ports import Repositories
from ocop_sales.domain.access import selling_terminal
from ocop_sales.domain.sales import SalePolicy
from ocop_shared import auth
from ocop_shared.outbox import Causation
from ocop_shared.service import request_cause, require, wired
from ocop_shared.uow import UnitOfWorkFactory

if TYPE_CHECKING:
    from ocop_sales.app import SalesSettings


@dataclass(frozen=True, slots=True)
class Wiring:
    """What app.py hands the routes (``create_app(..., wiring=...)``)."""

    settings: SalesSettings
    uow: UnitOfWorkFactory[Repositories]
    policy: SalePolicy


async def terminal_of(principal: Annotated[auth.Principal, Depends(require("terminal"))]) -> UUID:
    return selling_terminal(principal)


Wired = Annotated[Wiring, Depends(wired(Wiring))]
Cause = Annotated[Causation, Depends(request_cause)]
Organizer = Annotated[auth.Principal, Depends(require("organizer"))]
Reader = Annotated[auth.Principal, Depends(require("organizer", "exhibitor", "terminal"))]
ReportReader = Annotated[auth.Principal, Depends(require("organizer", "exhibitor"))]
TerminalId = Annotated[UUID, Depends(terminal_of)]
"""The calling terminal (sales and refunds are recorded with a terminal's token)."""
