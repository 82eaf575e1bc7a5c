"""Products and their OCOP certificates: registration, the public catalogue, changes,
certificates issued and revoked."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from ocop_registration.adapters.http.deps import Cause, Uow
from ocop_registration.adapters.http.schemas import (
    CertificateCreate,
    ClassificationOut,
    ProductCreate,
    ProductOut,
    ProductUpdate,
    RegisteredProductOut,
    Revocation,
    RevocationResult,
    checks,
)
from ocop_registration.application.access import authority_of, holder_of
from ocop_registration.application.commands import certificates
from ocop_registration.application.commands import products as commands
from ocop_registration.application.queries import products as queries
from ocop_registration.domain.products import CertificateDraft, ProductChanges, ProductDraft
from ocop_shared.authz import Caller
from ocop_shared.inputs import QueryInt32, SearchText

router = APIRouter()


@router.get("/product-groups", response_model=list[ClassificationOut], tags=["products"])
async def product_groups() -> list[ClassificationOut]:
    """The OCOP product groups, per classification (the decision that set it): each group's
    number and its names in Vietnamese and English. Products and fairs' rules name groups
    by these numbers, within their taxonomy."""
    return [ClassificationOut.of(c) for c in queries.product_groups()]


@router.post("/products", status_code=201, response_model=RegisteredProductOut, tags=["products"])
async def register_product(
    body: ProductCreate, principal: Caller, uow: Uow, cause: Cause
) -> RegisteredProductOut:
    """A holder's users register its products (a province's register import does too)."""
    holder_id = holder_of(principal)
    draft = ProductDraft(
        name=body.name,
        group=body.group,
        unit=body.unit,
        list_price_vnd=body.list_price_vnd,
        taxonomy=body.taxonomy,
        gtin=body.gtin,
        traceability_url=str(body.traceability_url) if body.traceability_url else None,
    )
    new = await uow.run(
        lambda u: commands.register_product(u, draft, holder_id=holder_id), cause=cause
    )
    return RegisteredProductOut(
        **dict(ProductOut.of(new.product)), gtin_vietnamese=new.gtin_vietnamese
    )


@router.get("/products", response_model=list[ProductOut], tags=["products"])
async def search_products(
    uow: Uow,
    q: Annotated[str, *checks(SearchText), Query()] = "",
    group: Annotated[QueryInt32 | None, Query()] = None,
    holder_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[ProductOut]:
    """Public catalogue search; matches with or without Vietnamese diacritics (``%`` and
    ``_`` match themselves)."""
    found = await uow.read(
        lambda repos: queries.search_products(
            repos, q, group=group, holder_id=holder_id, limit=limit
        )
    )
    return [ProductOut.of(p) for p in found]


@router.get("/products/{product_id}", response_model=ProductOut, tags=["products"])
async def get_product(product_id: UUID, uow: Uow) -> ProductOut:
    return ProductOut.of(await uow.read(lambda repos: queries.get_product(repos, product_id)))


@router.patch("/products/{product_id}", response_model=ProductOut, tags=["products"])
async def update_product(
    product_id: UUID, body: ProductUpdate, principal: Caller, uow: Uow, cause: Cause
) -> ProductOut:
    """Its holder's users change name, unit, price and traceability URL; certificate fields
    change only through the certificate routes."""
    url_set = "traceability_url" in body.model_fields_set
    changes = ProductChanges(
        name=body.name,
        unit=body.unit,
        list_price_vnd=body.list_price_vnd,
        traceability_url=str(body.traceability_url) if body.traceability_url else None,
        clears_traceability_url=url_set and body.traceability_url is None,
    )
    updated = await uow.run(
        lambda u: commands.update_product(u, principal, product_id, changes), cause=cause
    )
    return ProductOut.of(updated)


@router.post(
    "/products/{product_id}/certificates",
    status_code=201,
    response_model=ProductOut,
    tags=["certificates"],
)
async def issue_certificate(
    product_id: UUID, body: CertificateCreate, principal: Caller, uow: Uow, cause: Cause
) -> ProductOut:
    """Issues or renews a product's certificate: a province's council for 3-4★ of its
    province's holders, the central council for 5★. Outside the council's jurisdiction: 404;
    a star beyond its level: 403 naming ``star``."""
    authority = authority_of(principal)
    draft = CertificateDraft(**body.model_dump())
    certified = await uow.run(
        lambda u: certificates.issue_certificate(u, authority, product_id, draft), cause=cause
    )
    return ProductOut.of(certified)


@router.post("/certificates/revocations", response_model=RevocationResult, tags=["certificates"])
async def revoke_certificates(
    body: Revocation, principal: Caller, uow: Uow, cause: Cause
) -> RevocationResult:
    """Revokes one or many certificates by one council's decision: all or none, one event per
    product. A number unknown or outside the council's jurisdiction: 404 for the whole
    decision; a star beyond its level: 403 naming ``star``."""
    authority = authority_of(principal)
    revoked = await uow.run(
        lambda u: certificates.revoke_certificates(
            u,
            authority,
            body.certificate_numbers,
            reason=body.reason,
            decision_number=body.decision_number,
        ),
        cause=cause,
    )
    return RevocationResult(
        decision_number=revoked.decision_number,
        revoked=revoked.numbers,
        products=revoked.product_ids,
        authority_id=revoked.authority.authority_id,
        decided_by=revoked.authority.decided_by,
    )
