"""Products and their OCOP certificates: registration, the public catalogue, changes,
certificates issued and revoked."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from ocop_registration.adapters.http.deps import Anyone, Cause, Organizer, Uow
from ocop_registration.adapters.http.schemas import (
    CertificateCreate,
    ProductCreate,
    ProductOut,
    ProductUpdate,
    RegisteredProductOut,
    Revocation,
    RevocationResult,
)
from ocop_registration.application.access import holder_of_new_product
from ocop_registration.application.commands import certificates
from ocop_registration.application.commands import products as commands
from ocop_registration.application.queries import products as queries
from ocop_registration.domain.products import CertificateDraft, ProductChanges, ProductDraft

router = APIRouter()


@router.post("/products", status_code=201, response_model=RegisteredProductOut, tags=["products"])
async def register_product(
    body: ProductCreate, principal: Anyone, uow: Uow, cause: Cause
) -> RegisteredProductOut:
    holder_id = holder_of_new_product(principal, body.holder_id)
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
    q: Annotated[str, Query(max_length=100)] = "",
    group: int | None = None,
    holder_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[ProductOut]:
    """Public catalogue search; matches with or without Vietnamese diacritics."""
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
    product_id: UUID, body: ProductUpdate, principal: Anyone, uow: Uow, cause: Cause
) -> ProductOut:
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
    product_id: UUID, body: CertificateCreate, _p: Organizer, uow: Uow, cause: Cause
) -> ProductOut:
    draft = CertificateDraft(**body.model_dump())
    certified = await uow.run(
        lambda u: certificates.issue_certificate(u, product_id, draft), cause=cause
    )
    return ProductOut.of(certified)


@router.post("/certificates/revocations", response_model=RevocationResult, tags=["certificates"])
async def revoke_certificates(
    body: Revocation, _p: Organizer, uow: Uow, cause: Cause
) -> RevocationResult:
    """Revokes one or many certificates by one decision: all or none, one event per product."""
    revoked = await uow.run(
        lambda u: certificates.revoke_certificates(
            u, body.certificate_numbers, reason=body.reason, decision_number=body.decision_number
        ),
        cause=cause,
    )
    return RevocationResult(
        decision_number=revoked.decision_number,
        revoked=revoked.numbers,
        products=revoked.product_ids,
    )
