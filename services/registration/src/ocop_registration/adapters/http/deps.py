"""What routes depend on: the request's causation and the unit of work. Who calls is
``ocop_shared.authz.Caller``, let through by the authorization table (``authorization.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends

from ocop_registration.application.ports import Repositories
from ocop_shared.outbox import Causation
from ocop_shared.service import request_cause, wired
from ocop_shared.uow import UnitOfWorkFactory

if TYPE_CHECKING:
    from ocop_registration.app import RegistrationSettings

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
