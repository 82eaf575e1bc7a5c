"""What the application handlers need from storage, as protocols (adapters/postgres
implements them). Handlers see these, never a connection or SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol
from uuid import UUID

from ocop_sales.domain.access import SalesScope
from ocop_sales.domain.catalog import (
    Admission,
    Exhibitor,
    Fair,
    ProductBlock,
    ProductDetails,
    Reinstatement,
)
from ocop_sales.domain.inspections import FairSuspension
from ocop_sales.domain.refunds import (
    RefundApproval,
    RefundDecision,
    RefundIn,
    SoldSale,
    StoredApproval,
    StoredRefund,
)
from ocop_sales.domain.retailer_import import AdmittedProduct, MovedStock, RetailerSale
from ocop_sales.domain.sales import SalesDecision, Till
from ocop_sales.domain.sessions import Session, Takings
from ocop_sales.domain.settlement import ConsignmentFair, ProducerFigures
from ocop_sales.domain.stock import (
    BoothStock,
    MovementDecision,
    MovementIn,
    StockLevel,
    StoredMovement,
)
from ocop_sales.domain.terminals import BoothHolder, Enrolment, TillRules
from ocop_sales.domain.transfers import (
    BankState,
    ConfirmedBy,
    NotificationIn,
    StoredTransfer,
)
from ocop_shared.outbox import Causation

ReportDimension = Literal[
    "fair",
    "day",
    "booth",
    "exhibitor",
    "producer",
    "product",
    "product_group",
    "star",
    "province",
    "source",  # issue 15: the fair's tills ('till') or the host retailer's ('retailer')
    "ocop",  # issue 15: OCOP products apart from ordinary local goods
]


@dataclass(frozen=True, slots=True)
class TerminalRow:
    """An enrolled till as the fair's organizer sees it."""

    terminal_id: UUID
    booth_id: UUID
    booth_code: str | None  # the booth's code while an exhibitor holds it
    exhibitor_id: UUID | None
    label: str
    status: str
    session_open: bool
    enrolled_at: datetime
    last_online_at: datetime | None  # its last sale made online (None: none yet)
    last_seen_at: datetime | None = None  # last heard of (its catalogue read), any way


@dataclass(frozen=True, slots=True)
class TerminalRecord:
    """A till as its organizer acts on it."""

    terminal_id: UUID
    fair_id: UUID
    booth_id: UUID
    label: str
    status: str
    receipt_prefix: str


@dataclass(frozen=True, slots=True)
class PairedTill:
    """The till a device paired with (its code used up)."""

    terminal_id: UUID
    fair_id: UUID
    booth_id: UUID
    label: str
    receipt_prefix: str
    booth_code: str | None


@dataclass(frozen=True, slots=True)
class SaleRow:
    """A stored sale as listings show it."""

    sale_id: UUID
    fair_id: UUID
    terminal_id: UUID
    booth_id: UUID
    exhibitor_id: UUID
    receipt_no: int
    device_time: datetime
    total_vnd: int
    payments: Mapping[str, int]
    offline: bool
    recorded_at: datetime
    review: str | None = None  # flagged for a person to look at ("backdated")


@dataclass(frozen=True, slots=True)
class RevenueRow:
    key: str
    sales: int
    quantity: int
    gross_vnd: int
    refunds_vnd: int
    net_vnd: int
    # Issue 15: by product group, the key is the group's Vietnamese name and these its
    # number and taxonomy ("2019" or "2023"); None for other dimensions.
    code: int | None = None
    taxonomy: str | None = None
    # Issue 15: the net split between OCOP products and ordinary local goods, and whether
    # the row is local goods only (a visible flag).
    ocop_net_vnd: int = 0
    local_goods_net_vnd: int = 0
    local_goods: bool = False


@dataclass(frozen=True, slots=True)
class RevenueReport:
    fair_id: UUID
    by: ReportDimension
    rows: list[RevenueRow]
    total_net_vnd: int
    generated_at: datetime
    # Issue 15: the total split between OCOP products and ordinary local goods.
    total_ocop_net_vnd: int = 0
    total_local_goods_net_vnd: int = 0


class FairRepository(Protocol):
    async def save(self, fair: Fair) -> None: ...
    async def organizer_of(self, fair_id: UUID) -> str | None: ...
    async def selling(self, fair_id: UUID) -> bool:
        """Whether tills sell at the fair (registration's rules.selling: an exhibition does
        not)."""
        ...

    async def exhibits(self, fair_id: UUID, exhibitor_id: UUID) -> bool:
        """The exhibitor was admitted to sell, or holds a booth, at this fair, or (issue 15)
        a delegation sells its products there (a member holder: it reads its own lines)."""
        ...


class ExhibitorRepository(Protocol):
    async def save(self, exhibitor: Exhibitor) -> None: ...


class BoothHolderRepository(Protocol):
    async def hold(self, holder: BoothHolder) -> None: ...
    async def release(self, booth_id: UUID, exhibitor_id: UUID) -> None: ...
    async def holder(self, booth_id: UUID) -> BoothHolder | None: ...


class CatalogRepository(Protocol):
    async def admit(self, admission: Admission) -> None: ...
    async def withdraw(self, fair_id: UUID, exhibitor_id: UUID) -> None: ...
    async def block(self, block: ProductBlock) -> datetime | None:
        """When the block took effect; None if a newer decision about the product is known."""
        ...

    async def reinstate(self, reinstatement: Reinstatement) -> None: ...
    async def describe(self, product: ProductDetails) -> None: ...


class TerminalRepository(Protocol):
    async def seen(self, terminal_id: UUID) -> None:
        """The till was heard of now (its catalogue or profile read): a heartbeat."""
        ...

    async def add(self, enrolment: Enrolment) -> str:
        """Stores the till with a receipt prefix of its own, and answers the prefix."""
        ...

    async def issue_device_token(self, terminal_id: UUID, label: str) -> str:
        """The till's device credential (shown once, stored hashed); any earlier one of the
        till is revoked at once on every replica: one device per till."""
        ...

    async def revoke_tokens(self, terminal_id: UUID) -> None:
        """The till's device credentials stop working at once on every replica (NOTIFY)."""
        ...

    async def get(self, terminal_id: UUID, *, lock: bool = False) -> TerminalRecord | None: ...

    async def add_pairing(self, terminal_id: UUID, code_hash: bytes, issued_by: str) -> datetime:
        """A new pairing code for the till (its unused ones revoked); answers when it expires."""
        ...

    async def use_pairing(self, code_hash: bytes) -> PairedTill | None:
        """Uses the code up if it is unused, unexpired and its till active; None otherwise."""
        ...

    async def profile(self, terminal_id: UUID) -> dict[str, Any] | None:
        """The till as it sees itself: its fair, booth, exhibitor (and bank account), open
        session and the server's clock (one statement)."""
        ...

    async def catalog(self, terminal_id: UUID) -> tuple[datetime, list[dict[str, Any]]]:
        """The server's clock and the products the till's booth lists (blocked ones too)."""
        ...

    async def fair_of(self, terminal_id: UUID, *, lock: bool = False) -> UUID | None:
        """The till's fair; with ``lock``, the till stays locked until the transaction ends."""
        ...

    async def suspend(self, terminal_id: UUID) -> str:
        """Suspends an active till and revokes its tokens; answers its status now."""
        ...

    async def unpair(self, terminal_id: UUID) -> None:
        """Unpairs the till from its device for good and revokes its tokens."""
        ...

    async def listing(
        self, fair_id: UUID, *, exhibitor_id: UUID | None = None
    ) -> list[TerminalRow]:
        """The fair's tills; ``exhibitor_id``: only those at the booths it holds now."""
        ...


class TillRepository(Protocol):
    """The sale's fast path: one read, one optimistic write (no transaction around them)."""

    async def read(
        self,
        terminal_id: UUID,
        sale_ids: Sequence[UUID],
        receipt_nos: Sequence[int] = (),
        *,
        lock: bool = False,
    ) -> Till:
        """The till as a sale needs it, with the server's clock, the sales stored under
        ``sale_ids`` and which of ``receipt_nos`` the till used already; with ``lock`` (inside
        ``serialised``), the till's row stays locked until that transaction ends."""
        ...

    async def record(self, till: Till, decision: SalesDecision, cause: Causation) -> bool:
        """Writes the decided sales and their events, each in the till's open session, if
        the till's receipt counter is still the one read and no product sold was blocked or
        taken off sale since; False otherwise (read and decide again)."""
        ...

    def serialised(self) -> AbstractAsyncContextManager[None]:
        """A transaction for the path under contention (``read(lock=True)`` in it)."""
        ...


class TillRulesRepository(Protocol):
    async def get(self, fair_id: UUID) -> TillRules | None:
        """The fair's till rules; None: the defaults apply."""
        ...

    async def save(self, fair_id: UUID, rules: TillRules, by: str) -> None: ...


class SaleRepository(Protocol):
    async def sold(self, sale_id: UUID) -> SoldSale | None:
        """The sale with its lines, payments, earlier refunds and refund approvals, locked
        until the transaction ends."""
        ...

    async def detail(self, sale_id: UUID) -> dict[str, Any] | None:
        """The sale as its receipt shows it, and the fair's organizer (who may read it)."""
        ...

    async def listing(
        self, scope: SalesScope, after_receipt: int, limit: int, *, for_review: bool = False
    ) -> list[SaleRow]: ...


class RefundRepository(Protocol):
    async def get(self, refund_id: UUID) -> StoredRefund | None: ...
    async def add(self, refund: RefundIn, decision: RefundDecision, terminal_id: UUID) -> None: ...
    async def approval(self, approval_id: UUID) -> StoredApproval | None: ...
    async def approve(self, approval: RefundApproval, payload_hash: bytes) -> None: ...


class SessionRepository(Protocol):
    async def open(
        self, session_id: UUID, terminal_id: UUID, opening_cash_vnd: int
    ) -> datetime | None:
        """The opening time, or None if the till already has an open session. The till's
        sales and refunds written while none was open join this one."""
        ...

    async def get(self, session_id: UUID, terminal_id: UUID) -> Session | None:
        """The session, locked until the transaction ends."""
        ...

    async def find(self, session_id: UUID) -> dict[str, Any] | None:
        """The session with its till and the till's fair's organizer (who may read it)."""
        ...

    async def end(self, terminal_id: UUID) -> UUID | None:
        """Ends the till's open session on its row, locked until the transaction ends (sales
        in flight finish first); the till's fair, or None if there is no such till."""
        ...

    async def clock(self) -> datetime:
        """The database's time now."""
        ...

    async def takings(self, terminal_id: UUID, session_id: UUID) -> Takings:
        """The sales and refunds written in this session."""
        ...

    async def close(
        self, session_id: UUID, closed_at: datetime, counted_cash_vnd: int, report: dict[str, Any]
    ) -> None: ...


class ReportRepository(Protocol):
    async def revenue(
        self, fair_id: UUID, by: ReportDimension, exhibitor_id: UUID | None
    ) -> list[RevenueRow]: ...


class TransferRepository(Protocol):
    async def on_upload(self, exhibitor_id: UUID, codes: Sequence[str]) -> BankState: ...
    async def get(self, sale_id: UUID, payment_code: str) -> tuple[StoredTransfer, str] | None:
        """The sale's transfer and its fair's organizer, locked until the transaction ends."""
        ...

    async def confirm(
        self,
        transfer: StoredTransfer,
        *,
        by: ConfirmedBy,
        at: datetime,
        notification_id: int | None = None,
        bank_transaction_id: str | None = None,
    ) -> bool: ...
    async def listing(self, scope: SalesScope, status: str | None) -> list[StoredTransfer]: ...
    async def add_key(
        self, key_id: UUID, exhibitor_id: UUID, key_hash: bytes, label: str, hint: str, by: str
    ) -> Any: ...
    async def keys(self, exhibitor_id: UUID) -> list[Any]: ...
    async def revoke_key(self, exhibitor_id: UUID, key_id: UUID) -> Any | None: ...
    async def key_owner(self, key_hash: bytes) -> tuple[UUID, UUID] | None: ...
    async def add_notification(
        self, key_id: UUID, exhibitor_id: UUID, note: NotificationIn
    ) -> tuple[int, datetime] | None: ...
    async def candidates(
        self, exhibitor_id: UUID, amount_vnd: int, text: str
    ) -> list[StoredTransfer]: ...
    async def link(self, notification_id: int, transfer: StoredTransfer, at: datetime) -> None: ...
    async def unmatched(self, notification_id: int) -> NotificationIn | None: ...
    async def to_reconcile(self, limit: int = 500) -> list[tuple[int, UUID]]: ...
    async def clock(self) -> datetime: ...


class SuspensionRepository(Protocol):
    """Products suspended at one fair by inspectors (issue 15)."""

    async def apply(self, s: FairSuspension) -> datetime | None:
        """Keeps the decision unless a newer one for the product at the fair is known;
        answers when it took effect (None: older, ignored)."""
        ...


class StockRepository(Protocol):
    """Stock at the booth, its report and the consignment settlement (issue 15)."""

    async def fair(self, fair_id: UUID) -> ConsignmentFair | None: ...
    async def exhibits(self, fair_id: UUID, exhibitor_id: UUID) -> bool: ...
    async def booth(self, fair_id: UUID, booth_id: UUID) -> BoothStock | None: ...
    async def movement(self, movement_id: UUID) -> StoredMovement | None: ...
    async def record(
        self, movement: MovementIn, exhibitor_id: UUID, decision: MovementDecision, by: str
    ) -> None: ...
    async def refunded(self, sale_id: UUID, lines: Sequence[tuple[int, int]]) -> None: ...
    async def levels(self, fair_id: UUID, exhibitor_id: UUID | None) -> list[StockLevel]: ...
    async def settlement(
        self, fair_id: UUID, start: date | None, end: date | None, exhibitor_id: UUID | None
    ) -> list[ProducerFigures]: ...


class RetailerSalesRepository(Protocol):
    """The host retailer's imported sales (issue 15)."""

    async def admitted_by_gtin(self, fair_id: UUID) -> dict[str, AdmittedProduct]: ...
    async def prior(self, fair_id: UUID, file_hash: bytes) -> dict[str, Any] | None: ...
    async def existing(self, sale_ids: Sequence[UUID]) -> set[UUID]: ...
    async def record(
        self, fair_id: UUID, sales: Sequence[RetailerSale], now: datetime
    ) -> tuple[set[UUID], list[MovedStock]]: ...
    async def keep(
        self,
        import_id: UUID,
        fair_id: UUID,
        file_hash: bytes,
        filename: str,
        by: str,
        applied: bool,
        report: dict[str, Any],
    ) -> None: ...


class Repositories(Protocol):
    @property
    def fairs(self) -> FairRepository: ...
    @property
    def exhibitors(self) -> ExhibitorRepository: ...
    @property
    def booths(self) -> BoothHolderRepository: ...
    @property
    def catalog(self) -> CatalogRepository: ...
    @property
    def terminals(self) -> TerminalRepository: ...
    @property
    def tills(self) -> TillRepository: ...
    @property
    def till_rules(self) -> TillRulesRepository: ...
    @property
    def sales(self) -> SaleRepository: ...
    @property
    def refunds(self) -> RefundRepository: ...
    @property
    def sessions(self) -> SessionRepository: ...
    @property
    def reports(self) -> ReportRepository: ...
    @property
    def transfers(self) -> TransferRepository: ...
    @property
    def suspensions(self) -> SuspensionRepository: ...
    @property
    def stock(self) -> StockRepository: ...
    @property
    def retailer_sales(self) -> RetailerSalesRepository: ...
