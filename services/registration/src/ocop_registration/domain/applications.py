"""Applications to a fair: submission (with the admission of its products), review (with
their re-admission at approval) and withdrawal. Each decision returns the new application and
the event announcing it."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from ocop_registration.domain.decision import Decision
from ocop_registration.domain.events import application_snapshot
from ocop_registration.domain.exhibitors import Exhibitor, ExhibitorKind
from ocop_registration.domain.fairs import Fair
from ocop_registration.domain.products import Product, admits, check_group
from ocop_registration.domain.timezone import local_date
from ocop_shared.contracts.registration import (
    ApplicationApproved,
    ApplicationRejected,
    ApplicationSubmitted,
    ApplicationWaitlisted,
    ApplicationWithdrawn,
)
from ocop_shared.errors import Conflict, DomainError, InvalidField

ApplicationStatus = Literal["submitted", "approved", "rejected", "waitlisted", "withdrawn"]
BoothType = Literal["standard", "corner", "premium", "outdoor"]


class BoothRequest(BaseModel):
    """What an application asks for: how many booths, of which type, where, for which group."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    count: int
    booth_type: BoothType = "standard"
    zone: str | None = None
    product_group: int | None = None
    notes: str = ""


class Admitted(BaseModel):
    """A product the fair's rules admit with an application, until the day it stops being."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    product_id: UUID
    until: date


class Application(BaseModel):
    """An exhibitor's application to a fair: the products it shows (as they are now), its
    booth request, its review, and which products are admitted."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    application_id: UUID
    fair_id: UUID
    exhibitor_id: UUID
    exhibitor_name: str
    exhibitor_kind: ExhibitorKind
    province: str
    products: list[Product]
    booth_request: BoothRequest
    status: ApplicationStatus
    submitted_at: datetime
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    reason: str | None = None
    best_star: int
    admitted: list[Admitted]


# decision -> (the states it may be taken from, the event announcing it)
REVIEW_DECISIONS: dict[str, frozenset[ApplicationStatus]] = {
    "approved": frozenset({"submitted", "waitlisted"}),
    "rejected": frozenset({"submitted", "waitlisted"}),
    "waitlisted": frozenset({"submitted"}),
}
REVIEWED: dict[
    str,
    tuple[
        ApplicationStatus,
        type[ApplicationApproved] | type[ApplicationRejected] | type[ApplicationWaitlisted],
    ],
] = {
    "approved": ("approved", ApplicationApproved),
    "rejected": ("rejected", ApplicationRejected),
    "waitlisted": ("waitlisted", ApplicationWaitlisted),
}
WITHDRAWABLE: frozenset[ApplicationStatus] = frozenset({"submitted", "waitlisted", "approved"})
BOOTH_TYPES = ("standard", "corner", "premium", "outdoor")


def check_application(
    fair: Fair,
    applicant: Exhibitor,
    products: Sequence[Product],
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
    return REVIEWED[decision][0]


def check_withdraw(status: ApplicationStatus) -> None:
    if status not in WITHDRAWABLE:
        raise Conflict(f"an application that is {status} cannot be withdrawn", field="status")


def check_distinct(product_ids: Sequence[UUID]) -> None:
    if len(set(product_ids)) != len(product_ids):
        raise InvalidField("product_ids", "a product is listed twice")


def admit(
    products: Sequence[Product],
    fair: Fair,
    refuse: Callable[[int, str], DomainError],
) -> list[Admitted]:
    """Which products the fair's rules admit, each until its certificate's last day; the first
    product the rules refuse is refused with ``refuse(position, why)``."""
    through = local_date(fair.ends_at)
    admitted = []
    for i, product in enumerate(products):
        refusal = admits(product.certificate, min_star=fair.rules.min_star, through=through)
        if refusal or product.certificate is None:
            raise refuse(i, f"'{product.name}' {refusal}")
        admitted.append(Admitted(product_id=product.product_id, until=product.certificate.valid_to))
    return admitted


def submit(
    fair: Fair,
    applicant: Exhibitor,
    products: Sequence[Product],
    booth_request: BoothRequest,
    *,
    application_id: UUID,
    now: datetime,
) -> Decision[Application]:
    """An application that meets the fair's rules, with the products they admit."""
    best = check_application(fair, applicant, products, booth_request, now)
    admitted = admit(products, fair, lambda i, why: InvalidField(f"product_ids.{i}", why))
    application = Application(
        application_id=application_id,
        fair_id=fair.fair_id,
        exhibitor_id=applicant.exhibitor_id,
        exhibitor_name=applicant.name,
        exhibitor_kind=applicant.kind,
        province=applicant.province,
        products=list(products),
        booth_request=booth_request,
        status="submitted",
        submitted_at=now,
        best_star=best,
        admitted=admitted,
    )
    return Decision(
        application, [ApplicationSubmitted(application=application_snapshot(application))]
    )


def review(
    application: Application,
    fair: Fair,
    *,
    decision: str,
    reason: str | None,
    reviewer: str,
    now: datetime,
    holders: Collection[UUID] | None = None,
) -> Decision[Application]:
    """Approve, reject or waitlist. Certificates may have changed since submission, so an
    approval re-decides admission on the products as they are now (``application.products``)
    and is refused if one of them is no longer admitted. Membership may have changed too:
    ``holders`` are the holders whose products the applicant may show now (itself, and a
    delegation's accepted members); a product of any other holder refuses the approval."""
    status = check_review(application.status, decision, reason)
    admitted = application.admitted
    if status == "approved" and holders is not None:
        for i, product in enumerate(application.products):
            if product.holder_id not in holders:
                raise Conflict(
                    f"'{product.name}' is held by a holder that is no longer a member of "
                    "this delegation",
                    field=f"products.{i}",
                )
    if status == "approved":
        admitted = admit(
            application.products, fair, lambda i, why: Conflict(why, field=f"products.{i}")
        )
    reviewed = application.model_copy(
        update={
            "status": status,
            "reviewed_by": reviewer,
            "reviewed_at": now,
            "reason": reason,
            "admitted": admitted,
        }
    )
    return Decision(reviewed, [REVIEWED[decision][1](application=application_snapshot(reviewed))])


def withdraw(application: Application) -> Decision[Application]:
    check_withdraw(application.status)
    withdrawn = application.model_copy(update={"status": "withdrawn"})
    return Decision(withdrawn, [ApplicationWithdrawn(application=application_snapshot(withdrawn))])
