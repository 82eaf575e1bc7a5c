"""Request and response models of the booths API. Requests forbid unknown fields and take
every value through issue 11's input classes (``ocop_shared.inputs``): integers strict and
bounded to their column, floor-plan numbers finite and within the hall, text NFC, visible,
without control characters and bounded, every list bounded; a refusal is a 422 naming the
field. Responses are read from the application's results (``from_attributes``). They are the
API's own, apart from the event contracts: an event's payload can change without the API
changing."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic import Strict as StrictMode

from ocop_booths.domain import fees
from ocop_booths.domain.choices import MAX_CHOICES
from ocop_booths.domain.floorplan import HALL_M, MAX_BOOTH_M, BoothType, ZoneKind, to_centimetre
from ocop_shared.inputs import FiniteFloat, Name, PositiveCount, Vnd, text
from ocop_shared.inputs import Reason as SharedReason

MAX_ZONES = 200
MAX_BOOTHS = 5000
MAX_PRODUCT_GROUPS = 50


def _encodable(value: str) -> str:
    """Refuses lone surrogates (JSON's ``"\\ud800"``), which ``text()`` lets through: UTF-8
    cannot encode them, so neither the database nor an answer echoing them could."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


if TYPE_CHECKING:  # text() builds an Annotated str at run time, which mypy cannot follow
    Code = str
    Label = str
    Reason = str
    Reference = str
else:
    # a zone's or a booth's code, as the hall's plan writes it
    Code = Annotated[text(20), AfterValidator(_encodable)]
    Label = Annotated[Name, AfterValidator(_encodable)]  # a zone's name
    Reason = Annotated[SharedReason, AfterValidator(_encodable)]  # why an organizer acted
    # a payment's reference, as the bank transfer's note carries it
    Reference = Annotated[text(120), AfterValidator(_encodable)]
PositiveVnd = Annotated[Vnd, Field(gt=0)]
# Metres, to the centimetre the columns keep (numeric(6, 2) sizes, numeric(8, 2) positions):
# finite numbers only (not "12.000", not NaN), positions within a 10 km hall, sizes from a
# centimetre to a kilometre, so no column can overflow; rounded to the centimetre before any
# rule sees them, so the overlap check judges the plan as it is stored.
Position = Annotated[
    FiniteFloat, StrictMode(), Field(ge=0, le=HALL_M), AfterValidator(to_centimetre)
]
Size = Annotated[
    FiniteFloat, StrictMode(), Field(ge=0.01, le=MAX_BOOTH_M), AfterValidator(to_centimetre)
]
OpenSides = Annotated[int, StrictMode(), Field(ge=0, le=4)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ClosedOut(Out):  # documented without additional properties, as these answers always were
    model_config = ConfigDict(from_attributes=True, extra="forbid")


class ZoneIn(Strict):
    code: Code
    name: Label
    kind: ZoneKind
    product_groups: Annotated[list[PositiveCount], Field(max_length=MAX_PRODUCT_GROUPS)] = []


class ZoneOut(ClosedOut):
    code: str
    name: str
    kind: ZoneKind
    product_groups: list[int] = []


class BoothIn(Strict):
    code: Code
    zone: Code
    booth_type: BoothType = "standard"
    width_m: Size
    depth_m: Size
    price_vnd: Vnd
    x: Position | None = Field(default=None, description="a hall booth's (required for one)")
    y: Position | None = Field(default=None, description="a hall booth's (required for one)")
    open_sides: OpenSides = 1
    kind: Literal["booth", "stand", "shelf"] = Field(
        default="booth",
        description="a booth on the hall's plan (x, y), or a stand or a shelf slot in one of "
        "a promotion week's stores (store_code; no place on the plan, no neighbours)",
    )
    store_code: Annotated[Code, AfterValidator(str.upper)] | None = Field(
        default=None, description="a stand's or a shelf's store, one of the fair's stores"
    )


class FloorPlanIn(Strict):
    """A floor plan to load; ``GET /fairs/{fair_id}/floorplan?format=import`` answers a
    fair's plan in exactly this shape, to be loaded again (here or at another fair)."""

    zones: Annotated[list[ZoneIn], Field(min_length=1, max_length=MAX_ZONES)]
    booths: Annotated[list[BoothIn], Field(min_length=1, max_length=MAX_BOOTHS)]


class HoldIn(Strict):
    booth_id: UUID


class ChoicesIn(Strict):
    booth_ids: Annotated[list[UUID], Field(max_length=MAX_CHOICES)] = Field(
        description=f"up to {MAX_CHOICES} free booths of the fair, of the type the application "
        "asks for, best first; [] withdraws the choices"
    )


class MoveIn(Strict):
    to_booth_id: UUID
    reason: Reason


class SwapIn(Strict):
    other_booth_id: UUID
    reason: Reason


class BlockIn(Strict):
    reason: Reason


class PaymentIn(Strict):
    exhibitor_id: UUID
    amount_vnd: PositiveVnd
    reference: Reference


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
    kind: Literal["booth", "stand", "shelf"] = "booth"
    store_code: str | None = None
    exhibitor_id: UUID | None = None  # organizers only, for a taken booth
    held_until: datetime | None = Field(
        default=None, description="when the hold expires (a booth in state held only)"
    )


class FloorPlanOut(Out):
    fair_id: UUID
    zones: list[ZoneOut]
    booths: list[BoothOut]


class OccupancyOut(ClosedOut):
    fair_id: UUID
    booth_id: UUID
    booth_code: str
    zone: str
    exhibitor_id: UUID
    application_id: UUID
    status: Literal["held", "assigned", "confirmed"]
    hold_expires_at: datetime | None = None
    payment_due_at: datetime | None = None


class BoothUse(Out):
    booth: str
    state: Literal["blocked", "available"]


class ReasonOut(BaseModel):
    """A reason as a stable code and its parameters (the README's "Reasons")."""

    model_config = ConfigDict(extra="allow")
    code: str | None = Field(description="the reason's code; its parameters are the other keys")


ReasonParams = Annotated[
    dict[str, Any], Field(description="the reason's parameters (the README's \"Reasons\")")
]
ReasonCode = Annotated[
    str | None,
    Field(description="a stable code for the reason (None: free text only)"),
]


class AuditOut(Out):
    action: str
    exhibitor_id: UUID | None
    actor: str
    reason: str
    at: datetime
    reason_code: ReasonCode = None
    reason_params: ReasonParams = {}


class PlacementOut(Out):
    application_id: UUID
    exhibitor_id: UUID
    zone: str
    booth_ids: list[UUID]
    booth_codes: list[str]
    adjacent: bool
    explanation: str
    reasons: list[ReasonOut] = Field(
        default=[], description="the explanation's pieces, each a code and its parameters"
    )


class WaitlistedOut(Out):
    application_id: UUID
    rank: int
    reason: str
    reason_code: ReasonCode = None
    reason_params: ReasonParams = {}


class ProposalOut(Out):
    run_id: UUID
    fair_id: UUID
    solver: str
    objective: int
    greedy_objective: int
    seconds: float
    placements: list[PlacementOut]
    waitlist: list[WaitlistedOut]
    # How the placement (where the served applications go) was found and how far from optimal
    # its quality term is proven to be. Absent (None) in runs stored before they were kept.
    method: str | None = Field(
        default=None,
        description="what produced the placement: mip_optimal (proven optimal), mip_gap "
        "(proven within the target gap, 1 %), mip_limit (a limit ended the search above the "
        "target; the gap is still proven) or greedy (the priority pass, said so)",
    )
    quality: int | None = Field(
        default=None, description="the placement quality term (affinity minus provinces spread)"
    )
    quality_bound: int | None = Field(
        default=None, description="a proven upper bound on the quality term (None: none proven)"
    )
    quality_gap: float | None = Field(
        default=None,
        description="(quality_bound - quality) / quality_bound: 0.004 is at most 0.4 % from "
        "the optimum; None without a bound",
    )
    greedy_quality: int | None = Field(
        default=None, description="the quality term of the greedy priority pass, for comparison"
    )


class AllocationRunOut(ProposalOut):
    """A stored run: its proposal as it was answered, and when it was made and committed."""

    created_at: datetime | None
    committed_at: datetime | None = Field(description="None while the run is not committed")


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
    reason_code: ReasonCode = None
    reason_params: ReasonParams = {}


class HoldDropped(Out):
    booth_id: UUID
    state: Literal["released"]


class ChosenBoothOut(ClosedOut):
    rank: int
    booth_id: UUID
    code: str
    zone: str
    booth_type: BoothType
    state: Literal["available", "taken", "blocked", "held", "assigned", "confirmed"] = Field(
        description="as the exhibitor sees it now: another's booth is `taken`, its own shows its status"
    )


class ChoicesOut(ClosedOut):
    fair_id: UUID
    application_id: UUID | None
    allocation_mode: Literal["self_service", "ranked"]
    choices: list[ChosenBoothOut]


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
        fields = (
            "fair_id",
            "exhibitor_id",
            "due_vnd",
            "paid_vnd",
            "balance_vnd",
            "payment_reference",
        )
        return cls.model_validate(
            {
                **{name: getattr(s, name) for name in fields},
                "lines": [FeeLineOut(**asdict(line), status=status) for line, status in s.lines],
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
    reason_code: ReasonCode = None
    reason_params: ReasonParams = {}


class UnmatchedLineOut(Out):
    """A bank-statement line no payment was found for, kept until a later statement pays it."""

    line: int = Field(description="its line in the statement it came in (the header is 1)")
    amount: str = Field(description="as the statement writes it")
    amount_vnd: int | None = Field(description="in whole đồng, when the amount is one")
    description: str
    transaction_id: str
    booked_at: str
    reason: str
    reason_code: str
    reason_params: ReasonParams
    imported_by: str
    imported_at: datetime


class StatementMatchedOut(Out):
    matched: list[MatchedOut]
    unmatched: list[UnmatchedOut]
