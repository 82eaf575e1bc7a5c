"""What routes depend on: the request's cause and typed access to the service's settings, its
unit-of-work factory and its sale policy. Who calls is ``ocop_shared.authz.Caller``, gated by
the authorization table (``authorization.TABLE``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends

from ocop_sales.application.ports import Repositories
from ocop_sales.domain.sales import SalePolicy
from ocop_shared import auth
from ocop_shared.outbox import Causation
from ocop_shared.service import request_cause, wired
from ocop_shared.uow import UnitOfWorkFactory

if TYPE_CHECKING:
    from ocop_sales.app import SalesSettings


@dataclass(frozen=True, slots=True)
class Wiring:
    """What app.py hands the routes (``create_app(..., wiring=...)``)."""

    settings: SalesSettings
    uow: UnitOfWorkFactory[Repositories]
    policy: SalePolicy
    # This replica's accepted-token cache: emptied as soon as a till's tokens are revoked
    # here (the other replicas empty theirs on the revocation's NOTIFY).
    tokens: auth.TokenCache


Wired = Annotated[Wiring, Depends(wired(Wiring))]
Cause = Annotated[Causation, Depends(request_cause)]
