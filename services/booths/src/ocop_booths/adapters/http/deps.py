"""What routes depend on: the request's correlation and typed access to the service's
unit-of-work factory and terms. Who calls is ``ocop_shared.authz.Caller``, admitted by the
authorization table (``authorization.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from ocop_booths.application.ports import Repositories
from ocop_booths.application.queries.fees import BankAccount
from ocop_booths.domain.booths import Terms
from ocop_shared.outbox import Causation
from ocop_shared.service import request_cause, wired
from ocop_shared.uow import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Wiring:
    """The service as routes see it (``create_app(..., wiring=...)`` in app.py)."""

    uow: UnitOfWorkFactory[Repositories]
    terms: Terms
    bank: BankAccount


Service = Annotated[Wiring, Depends(wired(Wiring))]
Cause = Annotated[Causation, Depends(request_cause)]
