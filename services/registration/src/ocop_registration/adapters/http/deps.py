"""What routes depend on: who calls (by role), the request's causation, the unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends

from ocop_registration.application.ports import Repositories
from ocop_shared import auth
from ocop_shared.outbox import Causation
from ocop_shared.service import request_cause, require, wired
from ocop_shared.uow import UnitOfWorkFactory

if TYPE_CHECKING:
    from ocop_registration.app import RegistrationSettings

# The admin passes every role check.
Admin = Annotated[auth.Principal, Depends(require("admin"))]
Organizer = Annotated[auth.Principal, Depends(require("organizer"))]
Exhibitor = Annotated[auth.Principal, Depends(require("exhibitor"))]
Anyone = Annotated[auth.Principal, Depends(require("organizer", "exhibitor"))]
Cause = Annotated[Causation, Depends(request_cause)]


@dataclass(frozen=True, slots=True)
class Wiring:
    """What app.py hands the routes (``create_app(..., wiring=...)``)."""

    settings: RegistrationSettings
    uow: UnitOfWorkFactory[Repositories]


async def uow_factory(
    wiring: Annotated[Wiring, Depends(wired(Wiring))],
) -> UnitOfWorkFactory[Repositories]:
    return wiring.uow


Uow = Annotated[UnitOfWorkFactory[Repositories], Depends(uow_factory)]
