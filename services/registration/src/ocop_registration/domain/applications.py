"""Applications to a fair and their review."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from ocop_registration.domain.products import admits, check_group
from ocop_registration.domain.timezone import local_date
from ocop_shared.contracts.registration import (
    ApplicationStatus,
    BoothRequest,
    ExhibitorSnapshot,
    FairSnapshot,
    ProductSnapshot,
)
from ocop_shared.errors import Conflict, InvalidField

REVIEW_DECISIONS: dict[str, frozenset[ApplicationStatus]] = {
    "approved": frozenset({"submitted", "waitlisted"}),
    "rejected": frozenset({"submitted", "waitlisted"}),
    "waitlisted": frozenset({"submitted"}),
}
WITHDRAWABLE: frozenset[ApplicationStatus] = frozenset({"submitted", "waitlisted", "approved"})
BOOTH_TYPES = ("standard", "corner", "premium", "outdoor")


def check_application(
    fair: FairSnapshot,
    applicant: ExhibitorSnapshot,
    products: Sequence[ProductSnapshot],
    booth_request: BoothRequest,
    now: datetime,
) -> int:
    """Enforces the fair's rules on an application; returns the best star it shows."""
    if fair.status != "open":
        raise Conflict(f"the fair is {fair.status}, not open for applications", field="fair_id")
    if not fair.applications_open_at <= now <= fair.applications_close_at:
        raise Conflict("the fair's application window is not open now", field="fair_id")
    if not products:
        raise InvalidField("product_ids", "list at least one certified product")
    allowed_holders = {applicant.exhibitor_id, *applicant.member_ids}
    through = local_date(fair.ends_at)
    rules = fair.rules
    holders: set[UUID] = set()
    for i, product in enumerate(products):
        field = f"product_ids.{i}"
        if product.holder_id not in allowed_holders:
            who = "your delegation's members" if applicant.kind == "delegation" else "you"
            raise InvalidField(field, f"product {product.product_id} is not held by {who}")
        if product.taxonomy != rules.taxonomy:
            raise InvalidField(
                field,
                f"'{product.name}' is classed under the {product.taxonomy} taxonomy; the fair uses {rules.taxonomy}",
            )
        check_group(product.taxonomy, product.group, field)
        if product.group not in rules.product_groups:
            raise InvalidField(
                field, f"'{product.name}' is in group {product.group}, not admitted to this fair"
            )
        refusal = admits(product.certificate, min_star=rules.min_star, through=through)
        if refusal:
            raise InvalidField(field, f"'{product.name}' {refusal}")
        holders.add(product.holder_id)
    if booth_request.booth_type not in BOOTH_TYPES:
        raise InvalidField("booth_request.booth_type", f"one of {', '.join(BOOTH_TYPES)}")
    limit = rules.max_booths_per_holder * max(1, len(holders))
    if not 1 <= booth_request.count <= limit:
        raise InvalidField(
            "booth_request.count", f"between 1 and {limit} booths for this application"
        )
    if (
        booth_request.product_group is not None
        and booth_request.product_group not in rules.product_groups
    ):
        raise InvalidField(
            "booth_request.product_group", "not a product group admitted to this fair"
        )
    return max(p.certificate.star for p in products if p.certificate)


def check_review(status: ApplicationStatus, decision: str, reason: str | None) -> ApplicationStatus:
    if decision not in REVIEW_DECISIONS:
        raise InvalidField("decision", f"one of {', '.join(REVIEW_DECISIONS)}")
    if status not in REVIEW_DECISIONS[decision]:
        raise Conflict(f"an application that is {status} cannot be {decision}", field="decision")
    if decision == "rejected" and not (reason and reason.strip()):
        raise InvalidField("reason", "a rejection must say why")
    return decision  # type: ignore[return-value]


def check_withdraw(status: ApplicationStatus) -> None:
    if status not in WITHDRAWABLE:
        raise Conflict(f"an application that is {status} cannot be withdrawn", field="status")
