"""Request and response models of the booths API. Requests forbid unknown fields; responses
are read from the application's results (``from_attributes``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from ocop_booths.domain import fees
from ocop_shared.contracts.booths import BoothType, ZoneSnapshot


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ZoneIn(Strict, ZoneSnapshot):
    pass


class BoothIn(Strict):
    code: Annotated[str, Field(min_length=1, max_length=20)]
    zone: str
    booth_type: Literal["standard", "corner", "premium", "outdoor"] = "standard"
    width_m: float
    depth_m: float
    price_vnd: StrictInt
    x: float
    y: float
    open_sides: int = 1


class FloorPlanIn(Strict):
    zones: Annotated[list[ZoneIn], Field(min_length=1)]
    booths: Annotated[list[BoothIn], Field(min_length=1, max_length=5000)]


class HoldIn(Strict):
    booth_id: UUID


class MoveIn(Strict):
    to_booth_id: UUID
    reason: Annotated[str, Field(min_length=1, max_length=300)]


class SwapIn(Strict):
    other_booth_id: UUID
    reason: Annotated[str, Field(min_length=1, max_length=300)]


class BlockIn(Strict):
    reason: Annotated[str, Field(min_length=1, max_length=300)]


class PaymentIn(Strict):
    exhibitor_id: UUID
    amount_vnd: Annotated[StrictInt, Field(gt=0)]
    reference: Annotated[str, Field(min_length=1, max_length=120)]


class FloorPlanImported(Out):
    fair_id: UUID
    zones: int
    booths: int


class BoothOut(Out):
    booth_id: UUID
    code: str
    zone: str
    booth_type: BoothType
    width_m: float
    depth_m: float
    price_vnd: int
    x: float
    y: float
    open_sides: int
    state: Literal["available", "taken", "held", "assigned", "confirmed", "blocked"]
    neighbours: list[str]
    exhibitor_id: UUID | None = None  # organizers only, for a taken booth


class FloorPlanOut(Out):
    fair_id: UUID
    zones: list[ZoneSnapshot]
    booths: list[BoothOut]


class BoothUse(Out):
    booth: str
    state: Literal["blocked", "available"]


class AuditOut(Out):
    action: str
    exhibitor_id: UUID | None
    actor: str
    reason: str
    at: datetime


class PlacementOut(Out):
    application_id: UUID
    exhibitor_id: UUID
    zone: str
    booth_ids: list[UUID]
    booth_codes: list[str]
    adjacent: bool
    explanation: str


class WaitlistedOut(Out):
    application_id: UUID
    rank: int
    reason: str


class ProposalOut(Out):
    run_id: UUID
    fair_id: UUID
    solver: str
    objective: int
    greedy_objective: int
    seconds: float
    placements: list[PlacementOut]
    waitlist: list[WaitlistedOut]


class CommittedOut(Out):
    run_id: UUID
    assigned: int
    skipped_taken_booths: list[str]
    waitlisted: int
    payment_due_at: datetime


class WaitlistRowOut(Out):
    fair_id: UUID
    application_id: UUID
    exhibitor_name: str
    rank: int
    reason: str
    status: Literal["waiting", "offered", "placed", "left"]
    offered_booth: UUID | None
    offered_at: datetime | None


class HoldDropped(Out):
    booth_id: UUID
    state: Literal["released"]


class MyBoothOut(Out):
    booth_id: UUID
    code: str
    zone: str
    booth_type: BoothType
    status: Literal["held", "assigned", "confirmed"]
    hold_expires_at: datetime | None
    payment_due_at: datetime | None


class FeeLineOut(Out):
    booth_code: str
    booth_type: str
    price_vnd: int
    surcharge_vnd: int
    subsidy_vnd: int
    due_vnd: int
    status: str


class StatementOut(Out):
    fair_id: UUID
    exhibitor_id: UUID
    lines: list[FeeLineOut]
    due_vnd: int
    paid_vnd: int
    balance_vnd: int
    payment_reference: str

    @classmethod
    def of(cls, s: fees.Statement, **extra: object) -> Self:
        return cls.model_validate(
            {
                "fair_id": s.fair_id,
                "exhibitor_id": s.exhibitor_id,
                "lines": [
                    FeeLineOut(
                        booth_code=line.booth_code,
                        booth_type=line.booth_type,
                        price_vnd=line.price_vnd,
                        surcharge_vnd=line.surcharge_vnd,
                        subsidy_vnd=line.subsidy_vnd,
                        due_vnd=line.due_vnd,
                        status=status,
                    )
                    for line, status in s.lines
                ],
                "due_vnd": s.due_vnd,
                "paid_vnd": s.paid_vnd,
                "balance_vnd": s.balance_vnd,
                "payment_reference": s.payment_reference,
                **extra,
            }
        )


class FeeStatementOut(StatementOut):
    vietqr: str | None = None  # a VietQR payload for the balance, while something is due


class PaymentRecordedOut(StatementOut):
    confirmed: list[str]  # codes of the booths this payment confirmed


class MatchedOut(Out):
    line: int
    exhibitor_id: UUID
    amount_vnd: int
    confirmed: list[str]


class UnmatchedOut(Out):
    line: int
    reason: str


class StatementMatchedOut(Out):
    matched: list[MatchedOut]
    unmatched: list[UnmatchedOut]
