"""Who sees which inspections (issue 15): a fair's to its organizer and the inspectors of its
province; a product's to its holder, the council whose jurisdiction it is, the inspectors of
a province (that province's fairs) and organizers (their own fairs); referrals to the council
that decides them. Out of reach answers 404."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from ocop_registration.application.access import authority_of, is_self
from ocop_registration.application.ports import Repositories
from ocop_registration.domain import inspections
from ocop_registration.domain.authority import same_province
from ocop_registration.domain.fairs import Fair
from ocop_registration.domain.inspections import Exhibit, Inspection, Referral, Summary
from ocop_shared.auth import Principal
from ocop_shared.errors import NotFound

MAX_REFERRALS_READ = 5000


@dataclass(frozen=True, slots=True)
class FairInspections:
    fair: Fair
    summary: Summary
    exhibits: list[Exhibit]
    inspections: list[Inspection]


async def fair_inspections(
    repos: Repositories, principal: Principal, fair_id: UUID
) -> FairInspections:
    fair = await repos.fairs.get(fair_id)
    reaches = fair is not None and (
        principal.is_admin
        or (principal.role == "organizer" and fair.organizer_id == principal.subject)
        or (
            principal.role == "inspector"
            and fair.status != "draft"
            and same_province(principal.province, fair.province)
        )
    )
    if fair is None or not reaches:
        raise NotFound("no such fair", field="fair_id")
    found = await repos.inspections.of_fair(fair.fair_id)
    return FairInspections(
        fair, inspections.summarize(found), await repos.inspections.exhibits(fair.fair_id), found
    )


async def product_inspections(
    repos: Repositories, principal: Principal, product_id: UUID
) -> list[Inspection]:
    product = await repos.products.get(product_id)
    if product is None:
        raise NotFound("no such product", field="product_id")
    found = await repos.inspections.of_product(product_id)
    if principal.is_admin or is_self(principal, product.holder_id):
        return found
    if principal.role == "inspector" and principal.province:
        return inspections.seen_by_inspector(principal.province, found)
    if principal.role == "organizer":
        return inspections.seen_by_organizer(principal.subject, found)
    if principal.role == "certifier":
        holder = await repos.exhibitors.get(product.holder_id)
        star = product.certificate.star if product.certificate else None
        if holder is not None and inspections.refers_to(
            authority_of(principal), holder.province, star
        ):
            return found
    raise NotFound("no such product", field="product_id")


async def referrals(repos: Repositories, principal: Principal, limit: int) -> list[Referral]:
    """The referrals for revocation a council decides (the admin: all), newest first."""
    found = await repos.inspections.referrals(MAX_REFERRALS_READ)
    if not principal.is_admin:
        authority = authority_of(principal)
        found = [r for r in found if inspections.refers_to(authority, r.holder_province, r.star)]
    return found[:limit]
