"""What routes depend on: who calls (roles), the request's correlation, and typed access to
the service's unit-of-work factory and terms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from ocop_booths.application.ports import Repositories
from ocop_booths.application.queries.fees import BankAccount
from ocop_booths.domain.booths import Terms
from ocop_shared import auth
from ocop_shared.outbox import Causation
from ocop_shared.service import request_cause, require
from ocop_shared.uow import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Booths:
    """The service as routes see it (set on ``app.state.booths`` by app.py)."""

    uow: UnitOfWorkFactory[Repositories]
    terms: Terms
    bank: BankAccount


def booths(request: Request) -> Booths:
    wiring: Booths = request.app.state.booths
    return wiring


Service = Annotated[Booths, Depends(booths)]
Organizer = Annotated[auth.Principal, Depends(require("organizer"))]
Exhibitor = Annotated[auth.Principal, Depends(require("exhibitor"))]
Anyone = Annotated[auth.Principal, Depends(require("organizer", "exhibitor"))]
Cause = Annotated[Causation, Depends(request_cause)]
