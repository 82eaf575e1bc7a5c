"""What the application handlers need from storage, as protocols (Postgres implements them in
adapters/postgres; a test may implement them in memory)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from ocop_booths.domain.applications import Application, Fair
from ocop_booths.domain.booths import AuditEntry, Booth, Occupant
from ocop_booths.domain.choices import Choice
from ocop_booths.domain.fees import BilledBooth
from ocop_booths.domain.floorplan import PlannedBooth, Zone
from ocop_booths.domain.payments import BankLine, Unmatched


@dataclass(frozen=True, slots=True)
class Candidate:
    """The waitlist's best candidate for a freed booth."""

    application_id: UUID
    exhibitor_id: UUID
    rank: int


@dataclass(frozen=True, slots=True)
class WaitlistEntry:
    application_id: UUID
    rank: int
    reason: str
    reason_code: str | None = None  # domain.reasons
    reason_params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AllocationRun:
    run_id: UUID
    fair_id: UUID
    solver: str
    objective: int
    greedy_objective: int
    seconds: float
    proposal: dict[str, Any]  # the proposal as answered, kept as JSON
    created_by: str
    committed: bool = False
    created_at: datetime | None = None
    committed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Payment:
    payment_id: UUID
    fair_id: UUID
    exhibitor_id: UUID
    amount_vnd: int
    reference: str
    source: str  # manual | statement
    recorded_by: str
    bank_line: str | None = None  # a statement's line identity (BankLine.identity)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    action: str
    exhibitor_id: UUID | None
    actor: str
    reason: str
    at: datetime
    reason_code: str | None = None  # None for entries written before codes were kept
    reason_params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class WaitlistRow:
    fair_id: UUID
    application_id: UUID
    exhibitor_name: str
    rank: int
    reason: str
    status: str
    offered_booth: UUID | None
    offered_at: datetime | None
    reason_code: str | None = None
    reason_params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UnmatchedLine:
    """A bank-statement line no payment was recorded for, kept for the organizer."""

    fair_id: UUID
    line: int  # its line in the statement it came in
    amount: str  # as the statement writes it
    amount_vnd: int | None  # in whole đồng, when it is one
    description: str
    transaction_id: str
    booked_at: str
    reason: str
    reason_code: str
    reason_params: Mapping[str, Any]
    imported_by: str
    imported_at: datetime


@dataclass(frozen=True, slots=True)
class HeldBooth:
    """One of an exhibitor's booths, as it sees them."""

    booth_id: UUID
    code: str
    zone: str
    booth_type: str
    status: str
    hold_expires_at: datetime | None
    payment_due_at: datetime | None


class FairRepository(Protocol):
    async def upsert(self, fair: Fair) -> None: ...
    async def get(self, fair_id: UUID, *, lock: bool = False) -> Fair | None: ...


class ApplicationRepository(Protocol):
    async def upsert(self, application: Application) -> None: ...
    async def approved_for_update(
        self, fair_id: UUID, exhibitor_id: UUID
    ) -> Application | None: ...
    async def approved_without_booths(self, fair_id: UUID) -> list[Application]: ...
    async def latest_of(self, fair_id: UUID, exhibitor_id: UUID) -> Application | None:
        """The exhibitor's application at the fair: the approved one, else the latest."""
        ...

    async def exhibits(self, fair_id: UUID, exhibitor_id: UUID) -> bool:
        """The exhibitor has an application at the fair (approved, waitlisted or withdrawn)."""
        ...

    async def set_product_admitted(self, product_id: UUID, admitted: bool) -> None: ...
    async def left_without_admitted_product(self, product_id: UUID) -> list[UUID]:
        """Applications, at fairs not yet finished, that show the product and now no
        admitted product at all."""
        ...


class FloorPlanRepository(Protocol):
    async def replace(
        self, fair_id: UUID, zones: Sequence[Zone], booths: Sequence[PlannedBooth]
    ) -> None: ...
    async def zones(self, fair_id: UUID) -> list[Zone]: ...
    async def booths(self, fair_id: UUID) -> list[PlannedBooth]: ...


class BoothRepository(Protocol):
    """Booths with their occupant (the ``occupancy`` table) and their audit trail."""

    async def get(self, booth_id: UUID, *, lock: bool = False) -> Booth | None:
        """``lock`` locks the booth, then its occupant's row: a hold or a block racing this
        transaction waits for it, then sees what it did."""
        ...

    async def get_many(self, booth_ids: Sequence[UUID]) -> dict[UUID, Booth]: ...
    async def occupied_by(
        self, fair_id: UUID, exhibitor_id: UUID, *, unconfirmed: bool, lock: bool = False
    ) -> list[Booth]: ...
    async def of_application(self, application_id: UUID) -> list[UUID]: ...
    async def count_of_application(self, application_id: UUID) -> int: ...
    async def occupancy_of_fair(self, fair_id: UUID) -> list[Occupant]: ...
    async def any_taken(self, fair_id: UUID) -> bool: ...
    async def exhibitors(self, fair_id: UUID) -> list[UUID]: ...
    async def billed(self, fair_id: UUID, exhibitor_id: UUID) -> list[BilledBooth]: ...
    async def past_deadline(self, limit: int) -> list[UUID]: ...

    async def occupy(self, booth: Booth) -> bool:
        """Stores a free, unblocked booth's new occupant; False if someone has it already or
        it was blocked (a block in flight is waited for)."""
        ...

    async def vacate(self, booth_id: UUID) -> None: ...
    async def update_occupant(self, occupant: Occupant) -> None: ...
    async def move_occupant(self, from_booth: UUID, to_booth: UUID) -> bool:
        """False if the target was taken or blocked in the meantime."""
        ...

    async def swap_occupants(self, a: UUID, b: UUID) -> None: ...
    async def set_blocked(self, booth_id: UUID, blocked: bool) -> None: ...
    async def audit(self, entries: Sequence[AuditEntry]) -> None: ...
    async def history(self, booth_id: UUID) -> list[AuditRecord]: ...
    async def of_exhibitor(self, fair_id: UUID, exhibitor_id: UUID) -> list[HeldBooth]: ...


class WaitlistRepository(Protocol):
    async def rank(self, fair_id: UUID, entries: Sequence[WaitlistEntry]) -> None: ...
    async def leave(self, application_id: UUID) -> None: ...
    async def next_candidate(
        self, fair_id: UUID, booth_type: str, *, passed: Sequence[UUID] = ()
    ) -> Candidate | None:
        """The best-ranked waiting (or offered) approved application wanting this booth
        type, but for those ``passed`` over; its row is locked (others offering skip it)."""
        ...

    async def mark_offered(self, fair_id: UUID, application_id: UUID, booth_id: UUID) -> None: ...
    async def mark_placed(self, fair_id: UUID, application_id: UUID) -> None: ...
    async def of_fair(self, fair_id: UUID) -> list[WaitlistRow]: ...


class AllocationRepository(Protocol):
    async def save(self, run: AllocationRun) -> None: ...
    async def get(self, run_id: UUID, *, lock: bool = False) -> AllocationRun | None: ...
    async def get_for_update(self, run_id: UUID) -> AllocationRun | None: ...
    async def mark_committed(self, run_id: UUID) -> None: ...


class PaymentRepository(Protocol):
    async def record(self, payment: Payment) -> bool:
        """False if it is already recorded: a manual payment with the same reference and
        amount, or a statement line with the same identity (one bank transfer)."""
        ...

    async def paid(self, fair_id: UUID, exhibitor_id: UUID) -> int: ...
    async def keep_unmatched(
        self, fair_id: UUID, lines: Sequence[tuple[BankLine, Unmatched]], imported_by: str
    ) -> None:
        """Keeps lines no payment was found for, once per bank transfer (its identity): the
        same statement imported again keeps nothing twice, and a line kept before takes the
        newer reason."""
        ...

    async def forget_unmatched(self, fair_id: UUID, identities: Sequence[str]) -> None:
        """Lines now paid (a later import matched them) are no longer unmatched."""
        ...

    async def unmatched(self, fair_id: UUID) -> list[UnmatchedLine]: ...


class ChoiceRepository(Protocol):
    """Ranked booth choices of applications (ranked fairs)."""

    async def replace(
        self, fair_id: UUID, application_id: UUID, choices: Sequence[Choice]
    ) -> None: ...
    async def of_application(self, application_id: UUID) -> list[Choice]: ...
    async def of_fair(self, fair_id: UUID) -> dict[UUID, list[Choice]]:
        """Application id -> its choices, best first."""
        ...


class Repositories(Protocol):
    @property
    def fairs(self) -> FairRepository: ...
    @property
    def applications(self) -> ApplicationRepository: ...
    @property
    def floorplans(self) -> FloorPlanRepository: ...
    @property
    def booths(self) -> BoothRepository: ...
    @property
    def waitlist(self) -> WaitlistRepository: ...
    @property
    def allocations(self) -> AllocationRepository: ...
    @property
    def payments(self) -> PaymentRepository: ...
    @property
    def choices(self) -> ChoiceRepository: ...

    async def now(self) -> datetime:
        """The transaction's time (the database's clock, the same for every service)."""
        ...
