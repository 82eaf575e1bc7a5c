"""Products: registered and changed by their holder's users only (a province's register
import registers them too); their certificates change only through the certificate
commands."""

from __future__ import annotations

import uuid
from uuid import UUID

from ocop_registration.application.access import is_self
from ocop_registration.application.ports import Repositories
from ocop_registration.domain import products
from ocop_shared.auth import Principal
from ocop_shared.errors import NotFound
from ocop_shared.uow import UnitOfWork


async def register_product(
    uow: UnitOfWork[Repositories], draft: products.ProductDraft, *, holder_id: UUID
) -> products.NewProduct:
    """POST /products and each row of a register import."""
    new = products.new_product(draft, uuid.uuid4(), holder_id)
    holder = await uow.repos.exhibitors.get(holder_id)
    decided = products.register(new, holder)
    await uow.repos.products.add(decided.state)
    uow.emit_all(decided.events)
    return decided.state


async def update_product(
    uow: UnitOfWork[Repositories],
    principal: Principal,
    product_id: UUID,
    changes: products.ProductChanges,
) -> products.Product:
    products.check_changes(changes)
    current = await uow.repos.products.get(product_id, lock=True)
    if current is None or not is_self(principal, current.holder_id):
        raise NotFound("no such product")
    decided = products.update(current, changes)
    await uow.repos.products.update(product_id, changes)
    uow.emit_all(decided.events)
    return decided.state
