"""Sales at a fair's tills: what a sale must satisfy, what it adds up to, and how a request
of one or many sales is judged against what the till already stored. Pure Python.

Money is integer VND throughout. The terminal's totals are a claim: the server recomputes
every line and the sale and refuses a sale whose claim differs, naming the field.

A sale id is the till's idempotency key: the same id with the same content answers as the
first time (a replay), the same id with another content is a conflict naming ``sale_id``.
An online sale is judged, dated and recorded at the server's time (the database's clock, read
with the till): a till's clock may be hours off, so its device time is only kept as reported.
An offline sale is judged and dated at its device time, within the fair's hours and the upload
window: a product revoked after the sale was made still counted when it was sold.

Issue 11's rules (``SalePolicy``, defaults documented in the README):

- a till sells at the list price; less only through a line's ``discount_vnd`` with a
  ``discount_reason``, and a line never goes more than ``max_discount_percent`` (20 %) below
  its list value (``check_price``);
- an offline sale whose device time precedes the till's last confirmed online contact by
  more than ``offline_backdate`` (24 h) is not lost: it is judged at that bound (the earliest
  time it can credibly have been made), recorded and flagged ``backdated`` for review; if a
  product it sold could not be sold at the bound (a revocation in between), it is refused,
  naming the line (``bounded_moment``).

A sale's lines are sales' own ``SaleLine``; the ``SoldLine`` snapshots the events carry are
made from them in one place (``sold_line``), when the decision makes its events.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Literal, TypeVar, cast
from uuid import UUID
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from ocop_sales.domain.stock import stock_moves, take_stock
from ocop_sales.domain.transfers import (
    BankState,
    NewTransfer,
    TransferIn,
    confirmed_event,
    match_uploaded,
    sale_transfers,
)
from ocop_shared.contracts.sales import SaleRecorded, SoldLine, TransferConfirmed
from ocop_shared.errors import Conflict, DomainError, InvalidField, LimitExceeded

PaymentMethod = Literal["cash", "vietqr", "card", "ewallet"]

VN = ZoneInfo("Asia/Ho_Chi_Minh")

NO_LONGER_VALID = "this product's OCOP certificate is no longer valid: it cannot be sold"
MAX_RECEIPT_NO = 2**31 - 1  # receipt numbers are int4


class ReceiptTaken(Conflict):
    """A till's own receipt number already names another of its sales."""

    code = "receipt_taken"


def receipt_taken(receipt_no: int) -> ReceiptTaken:
    return ReceiptTaken(
        f"receipt number {receipt_no} of this till is another sale's", field="receipt_no"
    )


@dataclass(frozen=True, slots=True)
class SalePolicy:
    """The service's limits and windows (from its settings)."""

    max_lines: int = 100
    max_quantity: int = 10_000
    max_sale_vnd: int = 2_000_000_000
    max_batch: int = 1000
    grace: timedelta = timedelta(minutes=60)  # selling before the opening / after the close
    offline_upload_window: timedelta = timedelta(hours=72)  # after the close, for offline tills
    max_discount_percent: int = 20  # below a line's list value, with a reason
    offline_backdate: timedelta = timedelta(hours=24)  # before the till's last online contact


@dataclass(frozen=True, slots=True)
class CatalogItem:
    """A product the booth's exhibitor was admitted to sell at this fair."""

    product_id: UUID
    producer_id: UUID
    gtin: str | None
    product_group: int
    star: int
    list_price_vnd: int
    blocked_at: datetime | None  # certificate revoked or expired: no sale from this instant
    ocop_until: date | None = None  # registration's decision: last day (Viet Nam) it may sell
    # Issue 15: the group's taxonomy and Vietnamese name; False: ordinary local goods.
    taxonomy: str | None = None
    product_group_name: str | None = None
    ocop: bool = True

    def sellable_at(self, moment: datetime) -> bool:
        if self.blocked_at is not None and moment >= self.blocked_at:
            return False
        return self.ocop_until is None or moment.astimezone(VN).date() <= self.ocop_until


@dataclass(frozen=True, slots=True)
class LineIn:
    product_id: UUID | None
    gtin: str | None
    quantity: int
    unit_price_vnd: int
    discount_vnd: int
    total_vnd: int | None
    discount_reason: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentIn:
    method: PaymentMethod
    amount_vnd: int
    reference: str | None
    # A vietqr payment with a payment code makes a transfer (domain/transfers.py): waiting
    # for the bank unless ``confirmed`` (by the cashier).
    payment_code: str | None = None
    confirmed: bool = True


@dataclass(frozen=True, slots=True)
class SaleIn:
    """A sale as the terminal claims it; ``payload_hash`` identifies its content."""

    sale_id: UUID
    device_time: datetime
    lines: Sequence[LineIn]
    payments: Sequence[PaymentIn]
    total_vnd: int
    payload_hash: bytes
    receipt_no: int | None = None  # the till's own number for it; None: the server numbers it


@dataclass(frozen=True, slots=True)
class StoredSale:
    """A sale already stored under an id the request uses."""

    terminal_id: UUID
    payload_hash: bytes
    receipt_no: int
    total_vnd: int
    recorded_at: datetime
    review: str | None = None


@dataclass(frozen=True, slots=True)
class Till:
    """What the server knows about a till when sales arrive: the till, its fair, its booth's
    holder and catalog, its receipt counter, and the sales stored under the request's ids."""

    terminal_id: UUID
    fair_id: UUID
    booth_id: UUID
    exhibitor_id: UUID | None  # None: nobody holds the booth now
    active: bool
    next_receipt_no: int
    fair_status: str
    fair_starts_at: datetime
    fair_ends_at: datetime
    clock: datetime  # the server's (database's) time when the till was read
    catalog: Mapping[UUID, CatalogItem]
    by_gtin: Mapping[str, UUID]
    stored: Mapping[UUID, StoredSale] = field(default_factory=dict)
    # The till's last confirmed online contact (its last online sale, else its enrolment):
    # offline sales made long before it are flagged. None: nothing known.
    last_contact: datetime | None = None
    # The receipt numbers the request's sales give that this till already stored, and the
    # sale each was stored under.
    taken: Mapping[int, UUID] = field(default_factory=dict)
    # The fair's till rules' discount limit (None: the service's default, the policy's).
    max_discount_percent: int | None = None
    # Issue 15 (domain/stock.py): on hand per product tracked at the booth (none: untracked).
    stock: Mapping[UUID, int] = field(default_factory=dict)
    # Issue 15: a showroom's weekly opening hours (weekday 0 = Monday, opens, closes, Viet
    # Nam time); empty: the fair's days and hours alone.
    opening_hours: tuple[tuple[int, time, time], ...] = ()


@dataclass(frozen=True, slots=True)
class SaleLine:
    """A line as sold: the product, its producer, group and star, and the priced amounts."""

    product_id: UUID
    producer_id: UUID  # the holder who made it, also at a delegation's shared booth
    quantity: int
    unit_price_vnd: int
    discount_vnd: int
    total_vnd: int
    product_group: int
    star: int
    # Issue 15: the group's taxonomy and Vietnamese name; False: sold as local goods.
    taxonomy: str | None = None
    product_group_name: str | None = None
    ocop: bool = True


M = TypeVar("M", bound=BaseModel)


def _built(model: type[M]) -> Callable[..., M]:
    """``model(**values)`` by pydantic's validator called directly: on values already valid it
    is faster than ``model_construct`` (Python) and still checks them (the batch's hot path)."""
    validate = model.__pydantic_validator__.validate_python

    def build(**values: Any) -> M:
        return cast(M, validate(values))

    return build


_sold_line = _built(SoldLine)
_sale_recorded = _built(SaleRecorded)


def sold_line(line: SaleLine) -> SoldLine:
    """The line as the sale and refund events carry it."""
    return _sold_line(
        product_id=line.product_id,
        producer_id=line.producer_id,
        quantity=line.quantity,
        unit_price_vnd=line.unit_price_vnd,
        discount_vnd=line.discount_vnd,
        total_vnd=line.total_vnd,
        product_group=line.product_group,
        star=line.star,
        product_group_name=line.product_group_name,
        taxonomy=line.taxonomy,
        ocop=line.ocop,
    )


@dataclass(frozen=True, slots=True)
class PricedSale:
    sale: SaleIn
    lines: list[SaleLine]
    total_vnd: int
    payments: dict[PaymentMethod, int]
    business_date: date
    judged_at: (
        datetime  # the moment it was judged at: the server's time online, the device's offline
    )
    review: str | None = None  # why a person should look at it ("backdated"), if any
    discount_reasons: Sequence[str | None] = ()  # per line, as ``lines``


Status = Literal["recorded", "replayed", "conflict", "rejected"]


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why one sale of a request was not recorded (the request itself may still succeed)."""

    field: str | None
    code: str
    message: str
    status: int

    @classmethod
    def of(cls, exc: DomainError) -> Refusal:
        return cls(exc.field, exc.code, exc.message, exc.status_code)


@dataclass(frozen=True, slots=True)
class SaleOutcome:
    sale_id: UUID
    status: Status
    receipt_no: int | None = None
    total_vnd: int | None = None
    recorded_at: datetime | None = None
    refusal: Refusal | None = None
    review: str | None = None  # recorded, and flagged for a person to look at ("backdated")


@dataclass(frozen=True, slots=True)
class NewSale:
    priced: PricedSale
    receipt_no: int


@dataclass(frozen=True, slots=True)
class SalesDecision:
    """One answer per sale of the request; the sales to store with the receipt numbers they
    claim, the till's counter after them, and the events to publish."""

    outcomes: list[SaleOutcome]
    new_sales: list[NewSale]
    next_receipt_no: int
    events: list[SaleRecorded]
    recorded_at: datetime
    offline: bool
    # The VietQR transfers the new sales make (domain/transfers.py), those a kept bank
    # notification confirms at once, and their events (written after the sales').
    transfers: list[NewTransfer] = field(default_factory=list)
    transfer_events: list[TransferConfirmed] = field(default_factory=list)
    # The kept notifications the read saw (the write checks no other arrived since).
    seen_notifications: list[int] = field(default_factory=list)
    # Issue 15 (domain/stock.py): what the new sales take of each tracked product, moved by
    # the sale's own write (empty when the booth tracks none of them).
    stock_moves: list[tuple[UUID, int]] = field(default_factory=list)


def payload_hash(canonical_json: bytes) -> bytes:
    return hashlib.sha256(canonical_json).digest()


def check_till(till: Till, policy: SalePolicy, now: datetime) -> None:
    """Refusals that apply to every sale from this till right now."""
    if not till.active:
        raise Conflict("this terminal is suspended or unpaired", field="terminal_id")
    if till.exhibitor_id is None:
        raise Conflict("this terminal's booth has no exhibitor now", field="terminal_id")
    if till.fair_status in ("draft", "open", "closed") and now < till.fair_starts_at - policy.grace:
        raise Conflict("the fair has not started", field="device_time")
    if now > till.fair_ends_at + policy.grace + policy.offline_upload_window:
        raise Conflict("the fair is over and its upload window has closed", field="device_time")


def within_opening_hours(
    hours: Sequence[tuple[int, time, time]], moment: datetime, grace: timedelta
) -> bool:
    """A showroom sells within its weekly opening hours, give or take the grace (a sale
    rung up just before opening or just after closing counts); no hours: any time of the
    fair's days. The day before and after are looked at too: with the grace, a sale just
    after midnight can belong to a day that closed at 23:30."""
    if not hours:
        return True
    local = moment.astimezone(VN)
    for offset in (-1, 0, 1):
        day = local.date() + timedelta(days=offset)
        for weekday, opens, closes in hours:
            if day.weekday() != weekday:
                continue
            start = datetime.combine(day, opens, VN) - grace
            end = datetime.combine(day, closes, VN) + grace
            if start <= local <= end:
                return True
    return False


def check_batch(count: int, policy: SalePolicy) -> None:
    if count > policy.max_batch:
        raise LimitExceeded(
            f"at most {policy.max_batch} sales per batch (limit max_batch_sales)", field="sales"
        )


def price_sale(
    sale: SaleIn, till: Till, policy: SalePolicy, *, now: datetime, offline: bool
) -> PricedSale:
    """Checks one sale against the till's catalog and recomputes its totals. An online sale
    is judged and dated now (the server's time, whatever the till's clock says); an offline
    one at its device time."""
    moment = sale.device_time if offline else now
    if not till.fair_starts_at - policy.grace <= moment <= till.fair_ends_at + policy.grace:
        raise InvalidField("device_time", "outside the fair's selling hours")
    if not within_opening_hours(till.opening_hours, moment, policy.grace):
        raise InvalidField("device_time", "outside the showroom's opening hours")
    review = None
    bound = bounded_moment(sale.device_time, till.last_contact, policy) if offline else None
    if bound is not None:
        moment, review = bound, "backdated"
    if offline and sale.device_time > now + timedelta(minutes=10):
        raise InvalidField("device_time", "is in the future: check the terminal's clock")
    if not sale.lines:
        raise InvalidField("lines", "a sale has at least one line")
    if len(sale.lines) > policy.max_lines:
        raise LimitExceeded(
            f"at most {policy.max_lines} lines per sale (limit max_lines)", field="lines"
        )
    sold: list[SaleLine] = []
    reasons: list[str | None] = []  # each line's discount reason (kept by sales, not in events)
    for i, line in enumerate(sale.lines):
        item = _catalog_item(line, till, i)
        if not item.sellable_at(moment):
            if review is not None:
                raise InvalidField(
                    f"lines.{i}.product_id",
                    f"{NO_LONGER_VALID} at {moment.isoformat()}: the sale's device_time "
                    f"{sale.device_time.isoformat()} is more than {_hours(policy.offline_backdate)} "
                    "before this till's last online contact, so it is judged at that bound "
                    "(limit offline_backdate_hours)",
                )
            raise InvalidField(f"lines.{i}.product_id", NO_LONGER_VALID)
        if not 1 <= line.quantity <= policy.max_quantity:
            raise InvalidField(
                f"lines.{i}.quantity", f"between 1 and {policy.max_quantity} (limit max_quantity)"
            )
        if line.unit_price_vnd < 0:
            raise InvalidField(f"lines.{i}.unit_price_vnd", "cannot be negative")
        gross = line.quantity * line.unit_price_vnd
        if not 0 <= line.discount_vnd <= gross:
            raise InvalidField(f"lines.{i}.discount_vnd", f"between 0 and the line's {gross} VND")
        total = gross - line.discount_vnd
        if line.total_vnd is not None and line.total_vnd != total:
            raise InvalidField(
                f"lines.{i}.total_vnd",
                f"is {line.total_vnd}, but {line.quantity} × {line.unit_price_vnd} − {line.discount_vnd} = {total}",
            )
        check_price(line, item.list_price_vnd, total, policy, i, till.max_discount_percent)
        sold.append(
            SaleLine(
                item.product_id,
                item.producer_id,
                line.quantity,
                line.unit_price_vnd,
                line.discount_vnd,
                total,
                item.product_group,
                item.star,
                item.taxonomy,
                item.product_group_name,
                item.ocop,
            )
        )
        reasons.append(line.discount_reason if line.discount_vnd else None)
    total = sum(line.total_vnd for line in sold)
    if total > policy.max_sale_vnd:
        raise LimitExceeded(
            f"a sale is at most {policy.max_sale_vnd} VND (limit max_sale_vnd)", field="total_vnd"
        )
    if sale.total_vnd != total:
        raise InvalidField("total_vnd", f"is {sale.total_vnd}, but the lines add up to {total}")
    payments: dict[PaymentMethod, int] = {}
    for i, payment in enumerate(sale.payments):
        if payment.amount_vnd <= 0:
            raise InvalidField(f"payments.{i}.amount_vnd", "must be positive")
        payments[payment.method] = payments.get(payment.method, 0) + payment.amount_vnd
    paid = sum(payments.values())
    if paid != total:
        raise InvalidField("payments", f"add up to {paid}, but the sale is {total}")
    business_date = sale.device_time if offline else now
    return PricedSale(
        sale, sold, total, payments, business_date.astimezone(VN).date(), moment, review, reasons
    )


def check_price(
    line: LineIn,
    list_price_vnd: int,
    total_vnd: int,
    policy: SalePolicy,
    i: int,
    max_discount_percent: int | None = None,
) -> None:
    """A till sells at the list price; a lower price is a discount the line states, with its
    reason, and a line's total never goes more than ``max_discount_percent`` below its list
    value (``quantity × list price``): the fair's till rule when it has one, else the
    service's. A price above the list is the exhibitor's business."""
    if line.unit_price_vnd < list_price_vnd:
        raise InvalidField(
            f"lines.{i}.unit_price_vnd",
            f"is below the list price of {list_price_vnd} VND: sell at the list price and give "
            "the difference as discount_vnd with a discount_reason",
        )
    if line.discount_vnd and not line.discount_reason:
        raise InvalidField(f"lines.{i}.discount_reason", "a discount needs its reason")
    if line.discount_vnd:
        pct = policy.max_discount_percent if max_discount_percent is None else max_discount_percent
        list_value = line.quantity * list_price_vnd
        floor = -(-list_value * (100 - pct) // 100)  # rounded up: never more than pct off
        if total_vnd < floor:
            raise InvalidField(
                f"lines.{i}.discount_vnd",
                f"at most {pct} % off the list price: this line may not total less than "
                f"{floor} VND (limit max_discount_percent)",
            )


def bounded_moment(
    device_time: datetime, last_contact: datetime | None, policy: SalePolicy
) -> datetime | None:
    """The moment an offline sale is judged at when its device time precedes the till's last
    confirmed online contact by more than ``offline_backdate``: that bound (the till was
    online then and would have uploaded an older sale). None: the device time stands."""
    if last_contact is None:
        return None
    earliest = last_contact - policy.offline_backdate
    return earliest if device_time < earliest else None


def _hours(span: timedelta) -> str:
    return f"{span.total_seconds() / 3600:g} h"


def _catalog_item(line: LineIn, till: Till, i: int) -> CatalogItem:
    product_id = line.product_id
    if product_id is None:
        if line.gtin is None:
            raise InvalidField(f"lines.{i}.product_id", "give the product id or its GTIN")
        product_id = till.by_gtin.get(line.gtin)
        if product_id is None:
            raise InvalidField(f"lines.{i}.gtin", "no product with this GTIN is sold at this booth")
    item = till.catalog.get(product_id)
    if item is None:
        raise InvalidField(
            f"lines.{i}.product_id", "this product is not approved for sale at this booth"
        )
    return item


def judge_sales(
    till: Till,
    sales: Sequence[SaleIn],
    policy: SalePolicy,
    *,
    now: datetime,
    offline: bool,
    bank: BankState | None = None,
) -> SalesDecision:
    """Records what is new, replays what was already recorded, refuses the rest: per sale.

    A sale that gives its own receipt number (the till's device numbers its receipts) keeps
    it, unless the till stored another sale under that number or an earlier sale of the
    request claims it (409 ``receipt_taken`` naming ``receipt_no``; the rest go on). The other
    new sales take the till's counter's numbers in the request's order, skipping the numbers
    the request's sales claim, so without gaps when no sale gives one; the counter then moves
    past every number taken. The decision holds only if the till's counter is still
    ``till.next_receipt_no`` when it is written (otherwise the caller reads again and decides
    again); a number stored meanwhile by a twin request makes the write fail the same way."""
    judged: list[SaleOutcome | PricedSale | UUID] = []  # outcome, to number, or a twin's first
    first_seen: dict[UUID, SaleIn] = {}
    claimed: set[int] = set()  # receipt numbers the request's new sales give
    codes: dict[str, UUID] = dict(bank.taken) if bank else {}  # payment codes in use
    transfers_of: dict[UUID, list[TransferIn]] = {}
    till_refusal: DomainError | None = None
    stock_taken: dict[UUID, int] = {}  # issue 15: what the request's online sales take
    try:
        check_till(till, policy, now)
    except DomainError as exc:
        till_refusal = exc
    for sale in sales:
        stored = till.stored.get(sale.sale_id)
        if stored is not None:
            judged.append(_replay_stored(sale, stored, till.terminal_id))
            continue
        first = first_seen.get(sale.sale_id)
        if first is not None:  # the same sale twice in one request
            judged.append(
                sale.sale_id
                if first.payload_hash == sale.payload_hash
                else SaleOutcome(sale.sale_id, "conflict", refusal=conflict(sale.sale_id))
            )
            continue
        first_seen[sale.sale_id] = sale
        try:
            if till_refusal is not None:
                raise till_refusal
            priced = price_sale(sale, till, policy, now=now, offline=offline)
            transfers = sale_transfers(sale.payments, sale.sale_id, codes)
            if till.stock and not offline:  # issue 15: online, never below zero
                take_stock(
                    ((x.product_id, x.quantity) for x in priced.lines), till.stock, stock_taken
                )
            if sale.receipt_no is not None:
                if sale.receipt_no in till.taken or sale.receipt_no in claimed:
                    raise receipt_taken(sale.receipt_no)
                claimed.add(sale.receipt_no)
        except DomainError as exc:
            judged.append(SaleOutcome(sale.sale_id, "rejected", refusal=Refusal.of(exc)))
        else:
            judged.append(priced)
            if transfers:
                transfers_of[sale.sale_id] = transfers
                codes.update((t.payment_code, sale.sale_id) for t in transfers)
    new_sales: list[NewSale] = []
    outcomes: list[SaleOutcome] = []
    by_id: dict[UUID, SaleOutcome] = {}
    counter = till.next_receipt_no
    next_receipt_no = counter
    for item in judged:
        if isinstance(item, PricedSale):
            receipt_no = item.sale.receipt_no
            if receipt_no is None:
                while counter in claimed:
                    counter += 1
                receipt_no, counter = counter, counter + 1
            if receipt_no > MAX_RECEIPT_NO:
                outcome = SaleOutcome(
                    item.sale.sale_id,
                    "rejected",
                    refusal=Refusal.of(
                        Conflict("this till has used every receipt number", field="receipt_no")
                    ),
                )
            else:
                new_sales.append(NewSale(item, receipt_no))
                next_receipt_no = max(next_receipt_no, receipt_no + 1)
                outcome = SaleOutcome(
                    item.sale.sale_id,
                    "recorded",
                    receipt_no,
                    item.total_vnd,
                    now,
                    review=item.review,
                )
        elif isinstance(item, UUID):
            outcome = _replay_twin(by_id[item])
        else:
            outcome = item
        by_id.setdefault(outcome.sale_id, outcome)
        outcomes.append(outcome)
    events = [_recorded(till, new) for new in new_sales]
    decision = SalesDecision(outcomes, new_sales, next_receipt_no, events, now, offline)
    if transfers_of:
        decision = _with_transfers(till, decision, transfers_of, bank)
    if till.stock and new_sales:  # issue 15: the tracked products' movements
        decision = replace(
            decision,
            stock_moves=stock_moves(
                ((x.product_id, x.quantity) for n in new_sales for x in n.priced.lines),
                till.stock,
            ),
        )
    return decision


def _with_transfers(
    till: Till,
    decision: SalesDecision,
    transfers_of: Mapping[UUID, Sequence[TransferIn]],
    bank: BankState | None,
) -> SalesDecision:
    """The new sales' transfers, those waiting for the bank matched against the kept
    notifications (confirmed at once by one that names them), with their events."""
    assert till.exhibitor_id is not None  # check_till refused every sale otherwise
    new = [
        NewTransfer(
            s.priced.sale.sale_id,
            t.payment_code,
            t.payment_no,
            t.amount_vnd,
            "cashier" if t.confirmed else None,
        )
        for s in decision.new_sales
        for t in transfers_of.get(s.priced.sale.sale_id, ())
    ]
    unmatched = bank.unmatched if bank else ()
    settled = match_uploaded(new, unmatched)
    events = [
        confirmed_event(
            sale_id=t.sale_id,
            fair_id=till.fair_id,
            terminal_id=till.terminal_id,
            exhibitor_id=till.exhibitor_id,
            payment_code=t.payment_code,
            amount_vnd=t.amount_vnd,
            confirmed_by="bank",
            bank_transaction_id=t.notification.provider_id,
            confirmed_at=decision.recorded_at,
        )
        for t in settled
        if t.notification is not None
    ]
    return replace(
        decision,
        transfers=settled,
        transfer_events=events,
        seen_notifications=[n.notification_id for n in unmatched],
    )


def conflict(sale_id: UUID) -> Refusal:
    return Refusal.of(
        Conflict(f"sale {sale_id} was already recorded with a different content", field="sale_id")
    )


def _replay_stored(sale: SaleIn, stored: StoredSale, terminal_id: UUID) -> SaleOutcome:
    if stored.terminal_id != terminal_id or stored.payload_hash != sale.payload_hash:
        return SaleOutcome(sale.sale_id, "conflict", refusal=conflict(sale.sale_id))
    return SaleOutcome(
        sale.sale_id,
        "replayed",
        stored.receipt_no,
        stored.total_vnd,
        stored.recorded_at,
        review=stored.review,
    )


def _replay_twin(first: SaleOutcome) -> SaleOutcome:
    """A sale repeated in one request, with the same content: the first one's answer (a
    replay of it when it was recorded)."""
    if first.status == "recorded":
        return SaleOutcome(
            first.sale_id,
            "replayed",
            first.receipt_no,
            first.total_vnd,
            first.recorded_at,
            review=first.review,
        )
    return first


def _recorded(till: Till, new: NewSale) -> SaleRecorded:
    assert till.exhibitor_id is not None  # check_till refused the sale otherwise
    priced, sale = new.priced, new.priced.sale
    return _sale_recorded(
        sale_id=sale.sale_id,
        fair_id=till.fair_id,
        terminal_id=till.terminal_id,
        booth_id=till.booth_id,
        exhibitor_id=till.exhibitor_id,
        receipt_no=new.receipt_no,
        device_time=sale.device_time,
        business_date=priced.business_date,
        lines=[sold_line(line) for line in priced.lines],
        total_vnd=priced.total_vnd,
        payments=priced.payments,
    )


def count_outcomes(outcomes: Sequence[SaleOutcome]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return counts
