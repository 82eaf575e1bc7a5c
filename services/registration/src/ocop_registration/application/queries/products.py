"""The public catalogue."""

from __future__ import annotations

from uuid import UUID

from ocop_registration.application.ports import Repositories
from ocop_registration.domain.products import CLASSIFICATIONS, Classification, Product
from ocop_registration.domain.text import fold
from ocop_shared.errors import NotFound


async def search_products(
    repos: Repositories, q: str, *, group: int | None, holder_id: UUID | None, limit: int
) -> list[Product]:
    """Matches with or without Vietnamese diacritics."""
    return await repos.products.search(
        folded=fold(q), group=group, holder_id=holder_id, limit=limit
    )


async def get_product(repos: Repositories, product_id: UUID) -> Product:
    found = await repos.products.get(product_id)
    if found is None:
        raise NotFound("no such product")
    return found


def product_groups() -> tuple[Classification, ...]:
    """The OCOP product groups per classification, as registration checks them."""
    return CLASSIFICATIONS
