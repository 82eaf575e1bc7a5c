"""On-site quality inspection (issue 15): a province's inspectors (market surveillance, *Quản
lý thị trường*) inspect products at the fairs held in their province.

An inspection names a product exhibited at the fair (one an approved application admits
there), the booth it was found at, the sample taken, the finding and the decision:

- ``pass``: nothing wrong; a product suspended at this fair is on sale there again;
- ``suspend``: the product may not be sold at this fair from now on (nowhere else);
- ``refer``: referred to the certifying council for revocation of its certificate; it is
  suspended at this fair meanwhile (a finding grave enough to revoke is not sold on).

The product's state at a fair is its newest inspection's: suspended after ``suspend`` or
``refer``, on sale after ``pass``. The decision for the tills travels as ``suspended`` in
``registration.inspection_recorded``, so sales never re-reads the decision's kind.

An inspection is recorded once under the client's ``inspection_id``: sent again with the
same content it answers the first recording (nothing new happens), with other content it is
a conflict naming ``inspection_id``."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from uuid import UUID

import orjson

from ocop_registration.domain.authority import Authority, refusal, same_province
from ocop_registration.domain.decision import Decision
from ocop_registration.domain.events import inspection_snapshot
from ocop_registration.domain.fairs import Fair
from ocop_shared.contracts.registration import InspectionRecorded
from ocop_shared.errors import Conflict, InvalidField, NotFound

InspectionDecision = Literal["pass", "suspend", "refer"]
DECISIONS: tuple[InspectionDecision, ...] = ("pass", "suspend", "refer")
SUSPENDS: frozenset[InspectionDecision] = frozenset({"suspend", "refer"})

# A fair is inspected while it is set up or selling: after applications closed, until it ends.
INSPECTABLE: frozenset[str] = frozenset({"closed", "running"})


class FairNotInspectable(Conflict):
    """Inspections are recorded at a fair that is set up or selling (closed or running)."""

    code = "fair_not_inspectable"


class InspectionIdTaken(Conflict):
    """The ``inspection_id`` was recorded already with other content."""

    code = "inspection_id_taken"


@dataclass(frozen=True, slots=True)
class Inspector:
    """A province's inspection authority acting through one of its people (``inspected_by``;
    None for an API key)."""

    inspector_id: str
    province: str
    inspected_by: UUID | None = None


@dataclass(frozen=True, slots=True)
class Exhibit:
    """A product exhibited at a fair: the exhibitor whose approved application admits it."""

    product_id: UUID
    product_name: str
    holder_id: UUID
    exhibitor_id: UUID
    exhibitor_name: str


@dataclass(frozen=True, slots=True)
class InspectionDraft:
    """What the inspector sends."""

    inspection_id: UUID
    product_id: UUID
    exhibitor_id: UUID | None  # needed only when two exhibitors show the product here
    booth_code: str
    sample: str | None
    finding: str
    decision: InspectionDecision

    def content_hash(self, fair_id: UUID) -> bytes:
        """What makes a retry the same inspection (the exhibitor as sent, not as resolved)."""
        return hashlib.sha256(
            orjson.dumps(
                [
                    str(fair_id),
                    str(self.product_id),
                    str(self.exhibitor_id) if self.exhibitor_id else None,
                    self.booth_code,
                    self.sample,
                    self.finding,
                    self.decision,
                ]
            )
        ).digest()


@dataclass(frozen=True, slots=True)
class Inspection:
    inspection_id: UUID
    fair_id: UUID
    product_id: UUID
    product_name: str
    holder_id: UUID
    exhibitor_id: UUID
    exhibitor_name: str
    booth_code: str
    sample: str | None
    finding: str
    decision: InspectionDecision
    suspended: bool  # the product's state at this fair after this inspection
    inspector_id: str
    inspected_by: UUID | None
    recorded_at: datetime
    content_hash: bytes
    # the fair's, for whoever reads a product's history (who sees which inspection)
    fair_name: str = ""
    fair_province: str = ""
    fair_organizer_id: str = ""


@dataclass(frozen=True, slots=True)
class Recorded:
    inspection: Inspection
    replayed: bool  # the same inspection_id and content was recorded before


def check_reaches(inspector: Inspector, fair: Fair | None) -> Fair:
    """An inspector reaches the fairs held in its province; any other fair is answered as
    missing."""
    if (
        fair is None
        or fair.status == "draft"
        or not same_province(inspector.province, fair.province)
    ):
        raise NotFound("no such fair", field="fair_id")
    return fair


def exhibit_of(draft: InspectionDraft, exhibits: Sequence[Exhibit]) -> Exhibit:
    """The exhibitor showing the product at the fair: a product no approved application
    admits there is not at this fair (404 naming ``product_id``)."""
    showing = [e for e in exhibits if e.product_id == draft.product_id]
    if not showing:
        raise NotFound("the product is not exhibited at this fair", field="product_id")
    if draft.exhibitor_id is not None:
        named = [e for e in showing if e.exhibitor_id == draft.exhibitor_id]
        if not named:
            raise NotFound(
                "that exhibitor does not show this product at this fair", field="exhibitor_id"
            )
        return named[0]
    if len({e.exhibitor_id for e in showing}) > 1:
        raise InvalidField(
            "exhibitor_id", "several exhibitors show this product here: name the one inspected"
        )
    return showing[0]


def replay(
    draft: InspectionDraft, fair_id: UUID, inspector: Inspector, stored: Inspection
) -> Recorded:
    """The same ``inspection_id`` again: the first recording if it is the same inspection (the
    same fair, inspection authority and content); otherwise a conflict naming the id."""
    if (
        stored.fair_id != fair_id
        or stored.inspector_id != inspector.inspector_id
        or stored.content_hash != draft.content_hash(fair_id)
    ):
        raise InspectionIdTaken(
            "this inspection_id was recorded with other content", field="inspection_id"
        )
    return Recorded(stored, replayed=True)


def record(
    draft: InspectionDraft,
    fair: Fair,
    inspector: Inspector,
    exhibits: Sequence[Exhibit],
    now: datetime,
) -> Decision[Inspection]:
    """Records an inspection at a fair the inspector reaches; the product's state at this
    fair becomes the decision's (suspended or on sale), announced for the tills."""
    check_reaches(inspector, fair)
    if draft.decision not in DECISIONS:
        raise InvalidField("decision", f"one of {', '.join(DECISIONS)}")
    exhibit = exhibit_of(draft, exhibits)
    if fair.status not in INSPECTABLE:
        raise FairNotInspectable(
            f"a fair that is {fair.status} is not inspected (only while set up or selling)",
            field="fair_id",
        )
    inspection = Inspection(
        inspection_id=draft.inspection_id,
        fair_id=fair.fair_id,
        product_id=exhibit.product_id,
        product_name=exhibit.product_name,
        holder_id=exhibit.holder_id,
        exhibitor_id=exhibit.exhibitor_id,
        exhibitor_name=exhibit.exhibitor_name,
        booth_code=draft.booth_code,
        sample=draft.sample,
        finding=draft.finding,
        decision=draft.decision,
        suspended=draft.decision in SUSPENDS,
        inspector_id=inspector.inspector_id,
        inspected_by=inspector.inspected_by,
        recorded_at=now,
        content_hash=draft.content_hash(fair.fair_id),
        fair_name=fair.name,
        fair_province=fair.province,
        fair_organizer_id=fair.organizer_id,
    )
    return Decision(inspection, [InspectionRecorded(inspection=inspection_snapshot(inspection))])


@dataclass(frozen=True, slots=True)
class Summary:
    """A fair's inspections counted, for its report."""

    inspections: int
    passed: int
    suspensions: int  # suspend decisions and referrals (each suspends at the fair)
    referrals: int
    suspended_now: list[UUID]  # products whose newest inspection here suspends them


def summarize(inspections: Sequence[Inspection]) -> Summary:
    newest: dict[UUID, Inspection] = {}
    for i in sorted(inspections, key=lambda i: i.recorded_at):
        newest[i.product_id] = i
    return Summary(
        inspections=len(inspections),
        passed=sum(1 for i in inspections if i.decision == "pass"),
        suspensions=sum(1 for i in inspections if i.suspended),
        referrals=sum(1 for i in inspections if i.decision == "refer"),
        suspended_now=sorted((p for p, i in newest.items() if i.suspended), key=str),
    )


# Who sees what ----------------------------------------------------------------------------


def seen_by_inspector(
    inspector_province: str, inspections: Sequence[Inspection]
) -> list[Inspection]:
    """An inspector sees a product's inspections at the fairs of its province."""
    return [i for i in inspections if same_province(inspector_province, i.fair_province)]


def seen_by_organizer(organizer_id: str, inspections: Sequence[Inspection]) -> list[Inspection]:
    """An organizer sees a product's inspections at its own fairs."""
    return [i for i in inspections if i.fair_organizer_id == organizer_id]


@dataclass(frozen=True, slots=True)
class Referral:
    """An inspection that referred a product to its certifying council for revocation, with
    what decides whose it is (the holder's province, the certificate's star) and whether the
    certificate has been revoked since."""

    inspection: Inspection
    holder_province: str
    star: int | None
    certificate_number: str | None
    certificate_revoked: bool


def refers_to(authority: Authority, holder_province: str, star: int | None) -> bool:
    """Whether a referral is the council's to decide, by the certificates' jurisdiction rule
    (3-4★: the holder's province's council; 5★: the central council). A product without a
    certificate is its province's council's."""
    if star is None:
        return authority.level == "provincial" and same_province(
            authority.province, holder_province
        )
    return refusal(authority, holder_province, star) is None
