"""What booths keeps of fairs and applications, from registration's events. No I/O.

Registration decides which products an application admits and until when
(``ApplicationSnapshot.admitted``) and whether a product's certificate is in force
(``ProductSnapshot.ocop_until``); booths takes those decisions as they come, and only decides
what follows for booths: an application left with no admitted product loses its booths.

``fair_from_snapshot`` and ``from_snapshot`` translate the events consumed into booths' own
``Fair`` and ``Application``: nothing else here holds a registration snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from ocop_booths.domain import allocation, reasons
from ocop_booths.domain.booths import Claimant
from ocop_booths.domain.floorplan import BoothType
from ocop_booths.domain.reasons import Reason
from ocop_booths.domain.refusals import (
    ApplicationNotApproved,
    FairNotFound,
    NotRanked,
    NotSelfService,
    RunNotFound,
)
from ocop_shared.auth import Principal
from ocop_shared.contracts.registration import ApplicationSnapshot, FairSnapshot, ProductSnapshot

FairStatus = Literal["draft", "open", "closed", "running", "finished"]
ApplicationStatus = Literal["submitted", "approved", "rejected", "waitlisted", "withdrawn"]


AllocationMode = Literal["self_service", "ranked"]


@dataclass(frozen=True, slots=True)
class Rules:
    """What booths uses of a fair's admission rules: the booth limit, the fee subsidy and how
    booths are given out."""

    max_booths_per_holder: int = 2
    subsidy_percent: int = 0  # share of a booth's cost the organizer pays
    subsidy_max_booths: int = 0  # for at most this many booths per holder
    # self_service: approved exhibitors hold free booths (first come); ranked: they rank
    # booth choices, the organizer's allocation run places them (a fair stored before the
    # field was kept: self-service, as registration's default).
    allocation_mode: AllocationMode = "self_service"

    @classmethod
    def of(cls, stored: dict[str, Any]) -> Rules:
        """From the stored JSON, which may carry keys booths does not use."""
        return cls(**{f.name: stored[f.name] for f in fields(cls) if f.name in stored})


@dataclass(frozen=True, slots=True)
class Fair:
    fair_id: UUID
    organizer_id: str
    status: FairStatus
    rules: Rules
    name: str
    starts_at: datetime
    ends_at: datetime
    # A promotion week's stores (issue 15): where its stands and shelf slots may be.
    store_codes: tuple[str, ...] = ()


def fair_from_snapshot(f: FairSnapshot) -> Fair:
    r = f.rules
    return Fair(
        fair_id=f.fair_id,
        organizer_id=f.organizer_id,
        status=f.status,
        rules=Rules(
            r.max_booths_per_holder, r.subsidy_percent, r.subsidy_max_booths, r.allocation_mode
        ),
        name=f.name,
        starts_at=f.starts_at,
        ends_at=f.ends_at,
        store_codes=tuple(s.store_code for s in f.stores),
    )


def check_organizer(fair: Fair | None, principal: Principal) -> Fair:
    """The fair, if the principal organizes it (or is an admin); otherwise it does not exist
    for them."""
    if fair is None or not (principal.is_admin or fair.organizer_id == principal.subject):
        raise FairNotFound("no such fair", field="fair_id")
    return fair


def check_run_organizer(fair: Fair | None, principal: Principal) -> Fair:
    """The fair of an allocation run, if the principal organizes it (or is an admin);
    otherwise the run does not exist for them (a missing run is answered the same)."""
    try:
        return check_organizer(fair, principal)
    except FairNotFound:
        raise RunNotFound("no such allocation run", field="run_id") from None


@dataclass(frozen=True, slots=True)
class BoothRequest:
    """How many booths an application asks for, and where."""

    count: int
    booth_type: BoothType = "standard"
    zone: str | None = None
    product_group: int | None = None
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Application:
    application_id: UUID
    fair_id: UUID
    exhibitor_id: UUID
    exhibitor_name: str
    exhibitor_kind: str
    province: str
    booth_request: BoothRequest
    best_star: int
    submitted_at: datetime
    status: ApplicationStatus
    product_groups: tuple[int, ...]
    holder_count: int
    # product id -> admitted (registration's decision, until a certificate ends)
    products: tuple[tuple[UUID, bool], ...] = ()

    @property
    def claimant(self) -> Claimant:
        return Claimant(self.application_id, self.exhibitor_id)

    def booth_limit(self, rules: Rules | None) -> int:
        """What it asked for, capped by the fair's limit per holder (a delegation shows
        several holders); without the fair's rules, one booth."""
        per_holder = rules.max_booths_per_holder if rules is not None else 1
        return min(self.booth_request.count, per_holder * self.holder_count)

    def room(self, rules: Rules | None, *, have: int) -> int:
        """How many more booths it may take, holding ``have`` already (held, assigned or
        confirmed): a waitlist offer is made only while this is above zero."""
        return max(0, self.booth_limit(rules) - have)

    def applicant(self, choices: Sequence[UUID] = ()) -> allocation.Applicant:
        """What the allocation engine weighs of it; ``choices``: its ranked booths, best first."""
        r = self.booth_request
        return allocation.Applicant(
            application_id=self.application_id, exhibitor_id=self.exhibitor_id, exhibitor_name=self.exhibitor_name,
            star=self.best_star, submitted_at=self.submitted_at, count=r.count, booth_type=r.booth_type, zone=r.zone,
            product_group=r.product_group, product_groups=frozenset(self.product_groups), province=self.province,
            delegation=self.exhibitor_kind == "delegation", holders=self.holder_count, choices=tuple(choices),
        )  # fmt: skip


def from_snapshot(a: ApplicationSnapshot) -> Application:
    admitted = {p.product_id for p in a.admitted}
    r = a.booth_request
    return Application(
        application_id=a.application_id,
        fair_id=a.fair_id,
        exhibitor_id=a.exhibitor_id,
        exhibitor_name=a.exhibitor_name,
        exhibitor_kind=a.exhibitor_kind,
        province=a.province,
        booth_request=BoothRequest(r.count, r.booth_type, r.zone, r.product_group, r.notes),
        best_star=a.best_star,
        submitted_at=a.submitted_at,
        status=a.status,
        product_groups=tuple(sorted({p.group for p in a.products})),
        holder_count=len({p.holder_id for p in a.products}),
        products=tuple((p.product_id, p.product_id in admitted) for p in a.products),
    )


def check_self_service(fair: Fair | None) -> None:
    """Holds are for self-service fairs: in a ranked one the allocation run places exhibitors."""
    if fair is not None and fair.rules.allocation_mode == "ranked":
        raise NotSelfService(
            "this fair allocates booths from ranked choices: submit your choices "
            "(PUT /fairs/{fair_id}/choices); the organizer's allocation places you",
            field="fair_id",
        )


def check_ranked(fair: Fair | None) -> None:
    """Choices are for ranked fairs: in a self-service one an exhibitor holds a booth."""
    if fair is None or fair.rules.allocation_mode != "ranked":
        raise NotRanked(
            "this fair is self-service: hold a free booth on the plan instead", field="fair_id"
        )


def check_may_hold(application: Application | None) -> Application:
    if application is None or application.status != "approved":
        raise ApplicationNotApproved(
            "you have no approved application at this fair", field="fair_id"
        )
    return application


def in_force(product: ProductSnapshot) -> bool:
    """Registration's decision: a product with an ``ocop_until`` has a certificate in force."""
    return product.ocop_until is not None


def ended_reason(ended: str) -> Reason:
    """Why an application's booths go when its last admitted product's certificate ends."""
    return reasons.no_admitted_product(ended)
