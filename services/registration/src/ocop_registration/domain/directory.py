"""The public directory of exhibitors: what anyone may read about an OCOP holder or a
delegation, and nothing more: its name, kind and province, and its products that are
OCOP-certified now (name, group, star, the last day the certificate is in force). Never its
tax code, phone, e-mail or address."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from ocop_registration.domain.exhibitors import Exhibitor, ExhibitorKind
from ocop_registration.domain.products import Product


class _Public(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ListedProduct(_Public):
    product_id: UUID
    name: str
    group: int
    star: int
    valid_until: date


class Listing(_Public):
    exhibitor_id: UUID
    name: str
    kind: ExhibitorKind
    province: str
    products: list[ListedProduct]


def listing(exhibitor: Exhibitor, products: Sequence[Product]) -> Listing:
    """An exhibitor as the directory shows it, with its products certified now (revoked,
    expired and uncertified products are not shown)."""
    shown = [
        ListedProduct(
            product_id=p.product_id,
            name=p.name,
            group=p.group,
            star=p.certificate.star,
            valid_until=p.ocop_until,
        )
        for p in sorted(products, key=lambda p: p.name)
        if p.holder_id == exhibitor.exhibitor_id
        and p.certificate is not None
        and p.ocop_until is not None
    ]
    return Listing(
        exhibitor_id=exhibitor.exhibitor_id,
        name=exhibitor.name,
        kind=exhibitor.kind,
        province=exhibitor.province,
        products=shown,
    )
