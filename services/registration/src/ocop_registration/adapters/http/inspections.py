"""On-site quality inspection (issue 15): an inspector of the province records inspections at
a fair; the fair's organizer, the product's holder and its certifying council read them; a
council reads the referrals for revocation it is to decide. Request and answer models of
their own (never the event contracts)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import AfterValidator, BaseModel, ConfigDict

from ocop_registration.adapters.http.deps import Cause, Uow
from ocop_registration.adapters.http.schemas import checks
from ocop_registration.application.commands import inspections as commands
from ocop_registration.application.queries import inspections as queries
from ocop_registration.domain.inspections import (
    Exhibit,
    Inspection,
    InspectionDraft,
    Inspector,
    Referral,
    Summary,
)
from ocop_registration.domain.text import nfc
from ocop_shared.answers import replay_of
from ocop_shared.auth import Principal
from ocop_shared.authz import Caller
from ocop_shared.errors import Forbidden
from ocop_shared.inputs import text

router = APIRouter(tags=["inspections"])

BoothCode = Annotated[str, *checks(text(40)), AfterValidator(nfc)]
Sample = Annotated[str, *checks(text(500, allow_newlines=True))]
Finding = Annotated[str, *checks(text(2000, allow_newlines=True))]


class InspectionCreate(BaseModel):
    """An inspection as the inspector records it on site."""

    model_config = ConfigDict(extra="forbid")

    inspection_id: UUID  # the client's: a retry with the same content is the same inspection
    product_id: UUID
    exhibitor_id: UUID | None = None  # only when several exhibitors show the product here
    booth_code: BoothCode
    sample: Sample | None = None
    finding: Finding
    decision: Literal["pass", "suspend", "refer"]


class InspectionOut(BaseModel):
    inspection_id: UUID
    fair_id: UUID
    fair_name: str
    product_id: UUID
    product_name: str
    holder_id: UUID
    exhibitor_id: UUID
    exhibitor_name: str
    booth_code: str
    sample: str | None
    finding: str
    decision: Literal["pass", "suspend", "refer"]
    suspended: bool  # the product's state at this fair after this inspection
    inspector_id: str
    inspected_by: UUID | None
    recorded_at: datetime

    @classmethod
    def of(cls, i: Inspection) -> Self:
        return cls(
            inspection_id=i.inspection_id, fair_id=i.fair_id, fair_name=i.fair_name,
            product_id=i.product_id, product_name=i.product_name, holder_id=i.holder_id,
            exhibitor_id=i.exhibitor_id, exhibitor_name=i.exhibitor_name,
            booth_code=i.booth_code, sample=i.sample, finding=i.finding, decision=i.decision,
            suspended=i.suspended, inspector_id=i.inspector_id, inspected_by=i.inspected_by,
            recorded_at=i.recorded_at,
        )  # fmt: skip


class InspectionSummaryOut(BaseModel):
    inspections: int
    passed: int
    suspensions: int  # suspensions and referrals (each suspends the product at the fair)
    referrals: int
    suspended_now: list[UUID]

    @classmethod
    def of(cls, s: Summary) -> Self:
        return cls(
            inspections=s.inspections,
            passed=s.passed,
            suspensions=s.suspensions,
            referrals=s.referrals,
            suspended_now=s.suspended_now,
        )


class ExhibitOut(BaseModel):
    """A product exhibited at the fair, the exhibitor showing it, and whether it is
    suspended there now."""

    product_id: UUID
    product_name: str
    holder_id: UUID
    exhibitor_id: UUID
    exhibitor_name: str
    suspended: bool

    @classmethod
    def of(cls, e: Exhibit, suspended: bool) -> Self:
        return cls(
            product_id=e.product_id,
            product_name=e.product_name,
            holder_id=e.holder_id,
            exhibitor_id=e.exhibitor_id,
            exhibitor_name=e.exhibitor_name,
            suspended=suspended,
        )


class FairInspectionsOut(BaseModel):
    fair_id: UUID
    fair_name: str
    province: str
    status: str
    summary: InspectionSummaryOut
    exhibits: list[ExhibitOut]
    inspections: list[InspectionOut]  # oldest first


class ReferralOut(BaseModel):
    inspection: InspectionOut
    holder_province: str
    star: int | None
    certificate_number: str | None
    certificate_revoked: bool  # revoked since the referral (or before)

    @classmethod
    def of(cls, r: Referral) -> Self:
        return cls(
            inspection=InspectionOut.of(r.inspection),
            holder_province=r.holder_province,
            star=r.star,
            certificate_number=r.certificate_number,
            certificate_revoked=r.certificate_revoked,
        )


def inspector_of(principal: Principal) -> Inspector:
    """The province's inspection authority the caller acts for, with the person inspecting."""
    if principal.role != "inspector" or not principal.province:
        raise Forbidden("only a province's inspection authority records inspections")
    return Inspector(
        inspector_id=principal.subject,
        province=principal.province,
        inspected_by=UUID(principal.user_id) if principal.user_id else None,
    )


@router.post(
    "/fairs/{fair_id}/inspections",
    status_code=201,
    response_model=InspectionOut,
    responses=replay_of(InspectionOut, "inspection"),
)
async def record_inspection(
    fair_id: UUID,
    body: InspectionCreate,
    principal: Caller,
    uow: Uow,
    cause: Cause,
    response: Response,
) -> InspectionOut:
    """An inspector of the fair's province records an inspection of a product exhibited
    there: ``pass`` (a suspension here ends), ``suspend`` (not sold at this fair from now on),
    ``refer`` (to the certifying council for revocation; suspended here meanwhile). A fair of
    another province, or a product not at this fair: 404. The same ``inspection_id`` with the
    same content answers the first recording (200); with other content 409 naming it."""
    inspector = inspector_of(principal)
    draft = InspectionDraft(
        inspection_id=body.inspection_id,
        product_id=body.product_id,
        exhibitor_id=body.exhibitor_id,
        booth_code=body.booth_code,
        sample=body.sample,
        finding=body.finding,
        decision=body.decision,
    )
    recorded = await uow.run(
        lambda u: commands.record_inspection(u, inspector, fair_id, draft), cause=cause
    )
    if recorded.replayed:
        response.status_code = 200
    return InspectionOut.of(recorded.inspection)


@router.get("/fairs/{fair_id}/inspections", response_model=FairInspectionsOut)
async def fair_inspections(fair_id: UUID, principal: Caller, uow: Uow) -> FairInspectionsOut:
    """A fair's inspections, counted (the fair report's figures), and the products exhibited
    there with whether each is suspended now: the inspectors of its province, its organizer."""
    found = await uow.read(lambda repos: queries.fair_inspections(repos, principal, fair_id))
    suspended = set(found.summary.suspended_now)
    return FairInspectionsOut(
        fair_id=found.fair.fair_id,
        fair_name=found.fair.name,
        province=found.fair.province,
        status=found.fair.status,
        summary=InspectionSummaryOut.of(found.summary),
        exhibits=[ExhibitOut.of(e, e.product_id in suspended) for e in found.exhibits],
        inspections=[InspectionOut.of(i) for i in found.inspections],
    )


@router.get("/products/{product_id}/inspections", response_model=list[InspectionOut])
async def product_inspections(product_id: UUID, principal: Caller, uow: Uow) -> list[InspectionOut]:
    """A product's inspections at every fair, oldest first: its holder and the council whose
    jurisdiction it is see all; an inspector those at fairs of its province; an organizer
    those at its fairs."""
    found = await uow.read(lambda repos: queries.product_inspections(repos, principal, product_id))
    return [InspectionOut.of(i) for i in found]


@router.get("/inspection-referrals", response_model=list[ReferralOut])
async def referrals(
    principal: Caller, uow: Uow, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[ReferralOut]:
    """The products inspectors referred for revocation that are the council's to decide
    (3-4★ of its province's holders; 5★ for the central council), newest first, with the
    certificate to revoke and whether it has been."""
    found = await uow.read(lambda repos: queries.referrals(repos, principal, limit))
    return [ReferralOut.of(r) for r in found]
