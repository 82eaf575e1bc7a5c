"""What routes depend on: who calls (by role), the request's causation, the unit of work."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ocop_registration.application.ports import Repositories
from ocop_shared import auth
from ocop_shared.outbox import Causation
from ocop_shared.service import request_cause, require
from ocop_shared.uow import UnitOfWorkFactory

# The admin passes every role check.
Admin = Annotated[auth.Principal, Depends(require("admin"))]
Organizer = Annotated[auth.Principal, Depends(require("organizer"))]
Exhibitor = Annotated[auth.Principal, Depends(require("exhibitor"))]
Anyone = Annotated[auth.Principal, Depends(require("organizer", "exhibitor"))]
Cause = Annotated[Causation, Depends(request_cause)]


def uow_factory(request: Request) -> UnitOfWorkFactory[Repositories]:
    """The factory app.py wired (``app.state.uow``)."""
    factory: UnitOfWorkFactory[Repositories] = request.app.state.uow
    return factory


Uow = Annotated[UnitOfWorkFactory[Repositories], Depends(uow_factory)]
