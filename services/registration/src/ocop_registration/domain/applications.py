"""Applications to a fair: submission (with the admission of its products), review (with
their re-admission at approval) and withdrawal. Each decision returns the new application and
the event announcing it."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from ocop_registration.domain import refusals
from ocop_registration.domain.decision import Decision
from ocop_registration.domain.events import application_snapshot
from ocop_registration.domain.exhibitors import Exhibitor, ExhibitorKind
from ocop_registration.domain.fair_kinds import rolling_admissions
from ocop_registration.domain.fairs import Fair
from ocop_registration.domain.products import TAXONOMIES, NotAdmitted, Product, admits
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
    # Issue 15: False for ordinary local goods a fair's rules admit (``admits_local_goods``):
    # no valid 3-5 star certificate; sold until the fair's last day. Stored before: True.
    ocop: bool = True


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
    reason_code: str | None = None  # domain.refusals.REVIEW_REASONS, beside the free text
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


# A product the rules do not admit at submission: its 422, by ``products.NotAdmitted.code``.
NOT_ADMITTED: dict[str, type[InvalidField]] = {
    "no_certificate": refusals.NoCertificate,
    "certificate_revoked": refusals.CertificateRevoked,
    "certificate_expires_before_fair_ends": refusals.CertificateExpiresBeforeFairEnds,
    "below_min_star": refusals.BelowMinimumStar,
}


def check_application(
    fair: Fair,
    applicant: Exhibitor,
    products: Sequence[Product],
    booth_request: BoothRequest,
    now: datetime,
) -> int:
    """Enforces the fair's rules on an application; returns the best star it shows. Each rule
    broken is a 422 with its own code (``domain.refusals``), naming the field. A running
    showroom (rolling admissions) takes applications within its window too."""
    running_showroom = fair.status == "running" and rolling_admissions(fair.kind)
    if fair.status != "open" and not running_showroom:
        raise refusals.FairNotOpen(
            "fair_id", f"the fair is {fair.status}, not open for applications"
        )
    if not fair.applications_open_at <= now <= fair.applications_close_at:
        raise refusals.ApplicationsClosed(
            "fair_id", "the fair's application window is not open now"
        )
    if not products:
        raise refusals.NoProducts("product_ids", "list at least one certified product")
    allowed_holders = {applicant.exhibitor_id, *applicant.member_ids}
    through = admission_through(fair, now)
    rules = fair.rules
    holders: set[UUID] = set()
    stars: list[int] = []  # of the products admitted as OCOP (local goods have none)
    for i, product in enumerate(products):
        field = f"product_ids.{i}"
        if product.holder_id not in allowed_holders:
            if applicant.kind == "delegation":
                raise refusals.MemberNotAccepted(
                    field,
                    f"product {product.product_id} is not held by your delegation's members "
                    "(its accepted members)",
                )
            raise refusals.NotYourProduct(field, f"product {product.product_id} is not held by you")
        if product.taxonomy != rules.taxonomy:
            raise refusals.TaxonomyMismatch(
                field,
                f"'{product.name}' is classed under the {product.taxonomy} taxonomy; the fair uses {rules.taxonomy}",
            )
        if product.group not in TAXONOMIES.get(product.taxonomy, {}):
            raise refusals.GroupUnknown(
                field, f"group {product.group} is not in the {product.taxonomy} taxonomy"
            )
        if product.group not in rules.product_groups:
            raise refusals.GroupNotAdmitted(
                field, f"'{product.name}' is in group {product.group}, not admitted to this fair"
            )
        refusal = admits(product.certificate, min_star=rules.min_star, through=through)
        if refusal and not as_local_goods(refusal, fair):
            raise NOT_ADMITTED[refusal.code](field, f"'{product.name}' {refusal.text}")
        if refusal is None and product.certificate is not None:
            stars.append(product.certificate.star)
        holders.add(product.holder_id)
    if booth_request.booth_type not in BOOTH_TYPES:
        raise InvalidField("booth_request.booth_type", f"one of {', '.join(BOOTH_TYPES)}")
    limit = rules.max_booths_per_holder * max(1, len(holders))
    if not 1 <= booth_request.count <= limit:
        raise refusals.BoothLimit(
            "booth_request.count", f"between 1 and {limit} booths for this application"
        )
    if (
        booth_request.product_group is not None
        and booth_request.product_group not in rules.product_groups
    ):
        raise refusals.BoothGroupNotAdmitted(
            "booth_request.product_group", "not a product group admitted to this fair"
        )
    return max(stars, default=0)


def check_review(
    status: ApplicationStatus, decision: str, reason: str | None, reason_code: str | None = None
) -> ApplicationStatus:
    if decision not in REVIEW_DECISIONS:
        raise InvalidField("decision", f"one of {', '.join(REVIEW_DECISIONS)}")
    if reason_code is not None and reason_code not in refusals.REVIEW_REASONS:
        raise InvalidField("reason_code", f"one of {', '.join(refusals.REVIEW_REASONS)}")
    if status not in REVIEW_DECISIONS[decision]:
        raise Conflict(f"an application that is {status} cannot be {decision}", field="decision")
    if decision == "rejected" and not (reason and reason.strip()) and reason_code is None:
        raise InvalidField("reason", "a rejection must say why (a reason or a reason_code)")
    return REVIEWED[decision][0]


def check_withdraw(status: ApplicationStatus) -> None:
    if status not in WITHDRAWABLE:
        raise Conflict(f"an application that is {status} cannot be withdrawn", field="status")


def check_distinct(product_ids: Sequence[UUID]) -> None:
    if len(set(product_ids)) != len(product_ids):
        raise refusals.ProductListedTwice("product_ids", "a product is listed twice")


def admit(
    products: Sequence[Product],
    fair: Fair,
    refuse: Callable[[int, NotAdmitted, str], DomainError],
    now: datetime | None = None,
) -> list[Admitted]:
    """Which products the fair's rules admit, each until its certificate's last day; the first
    product the rules refuse is refused with ``refuse(position, why, words)``. A fair that
    admits local goods admits a product its certificate does not admit as local goods
    (``ocop`` False) until the fair's last day, unless its certificate was revoked."""
    through = admission_through(fair, now)
    admitted = []
    for i, product in enumerate(products):
        refusal = admits(product.certificate, min_star=fair.rules.min_star, through=through)
        if refusal and as_local_goods(refusal, fair):
            last_day = local_date(fair.ends_at)
            admitted.append(Admitted(product_id=product.product_id, until=last_day, ocop=False))
            continue
        if refusal or product.certificate is None:
            why = refusal or NotAdmitted("no_certificate", "has no OCOP certificate")
            raise refuse(i, why, f"'{product.name}' {why.text}")
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
    admitted = admit(
        products,
        fair,
        lambda i, why, words: NOT_ADMITTED[why.code](f"product_ids.{i}", words),
        now,
    )
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
    reason_code: str | None = None,
) -> Decision[Application]:
    """Approve, reject or waitlist. Certificates may have changed since submission, so an
    approval re-decides admission on the products as they are now (``application.products``)
    and is refused if one of them is no longer admitted. Membership may have changed too:
    ``holders`` are the holders whose products the applicant may show now (itself, and a
    delegation's accepted members); a product of any other holder refuses the approval."""
    status = check_review(application.status, decision, reason, reason_code)
    admitted = application.admitted
    if status == "approved" and holders is not None:
        for i, product in enumerate(application.products):
            if product.holder_id not in holders:
                raise refusals.HolderNoLongerMember(
                    f"'{product.name}' is held by a holder that is no longer a member of "
                    "this delegation",
                    field=f"products.{i}",
                )
    if status == "approved":
        admitted = admit(
            application.products,
            fair,
            lambda i, _why, words: refusals.ProductNoLongerAdmitted(words, field=f"products.{i}"),
            now,
        )
    reviewed = application.model_copy(
        update={
            "status": status,
            "reviewed_by": reviewer,
            "reviewed_at": now,
            "reason": reason,
            "reason_code": reason_code,
            "admitted": admitted,
        }
    )
    return Decision(reviewed, [REVIEWED[decision][1](application=application_snapshot(reviewed))])


def withdraw(application: Application) -> Decision[Application]:
    check_withdraw(application.status)
    withdrawn = application.model_copy(update={"status": "withdrawn"})
    return Decision(withdrawn, [ApplicationWithdrawn(application=application_snapshot(withdrawn))])


def as_local_goods(refusal: NotAdmitted, fair: Fair) -> bool:
    """Issue 15: a product the OCOP rules refuse is admitted as ordinary local goods when the
    fair's rules admit them: no certificate, one ending before the fair does, or a star below
    the fair's minimum. A revoked certificate is a quality decision: never local goods."""
    return fair.rules.admits_local_goods and refusal.code != "certificate_revoked"


def admission_through(fair: Fair, now: datetime | None = None) -> date:
    """The day a product's certificate must be in force through to be admitted: the fair's
    last day; an open-ended fair's first day (it sells each product until its certificate's
    last day, which ``admitted.until`` carries; sales stops it then), or today when it is
    later (a showroom admitting producers while it runs: never a certificate already over)."""
    if not fair.open_ended:
        return local_date(fair.ends_at)
    first = local_date(fair.starts_at)
    return first if now is None else max(first, local_date(now))
