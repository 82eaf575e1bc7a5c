"""VietQR transfers and the bank's notifications: which payment makes a transfer, which
notification confirms which transfer. Pure Python.

A ``vietqr`` payment with a ``payment_code`` makes a transfer: ``pending`` (waiting for the
bank) when the till sent it unconfirmed, else ``confirmed`` by the cashier. NAPAS 247 caps a
transfer below 500,000,000 ₫, so a VietQR payment of that much or more is refused, naming its
``amount_vnd``. A payment code is unique per exhibitor (the till makes it from its receipt
prefix and number: ``OCOP`` + prefix + number).

A bank notification (SePay style) is for one of the exhibitor's transfers when the transfer's
payment code appears in its ``code`` or ``content`` (upper-cased, every non-alphanumeric
removed) and the amounts are equal. Codes can contain one another (``OCOPK7Q2M1`` is in
``OCOPK7Q2M12``), so among several candidates a pending transfer wins over one the cashier
already confirmed, then a code standing alone as a word of the text, then the longest code,
then the oldest transfer. A notification that matches nothing is kept: a transfer uploaded
later (a sale made offline) is matched against the kept ones when it is written.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal, Protocol
from uuid import UUID

from ocop_shared.contracts.sales import TransferConfirmed
from ocop_shared.errors import Conflict, InvalidField, NotFound

VIETQR_LIMIT_VND = 500_000_000  # NAPAS 247: a transfer is below this
PAYMENT_CODE = r"^[A-Z0-9]{6,19}$"
PROVIDER = "sepay"

ConfirmedBy = Literal["cashier", "bank"]
TransferStatus = Literal["pending", "confirmed"]

_ALNUM = frozenset(string.ascii_uppercase + string.digits)
_WORDS = re.compile(r"[A-Z0-9]+")


class Payment(Protocol):
    """A sale's payment as the till sent it (``domain.sales.PaymentIn``)."""

    @property
    def method(self) -> str: ...
    @property
    def amount_vnd(self) -> int: ...
    @property
    def payment_code(self) -> str | None: ...
    @property
    def confirmed(self) -> bool: ...


class PaymentCodeTaken(Conflict):
    code = "payment_code_taken"


@dataclass(frozen=True, slots=True)
class TransferIn:
    """A transfer one payment of a new sale makes."""

    payment_code: str
    payment_no: int  # the payment's index in the sale
    amount_vnd: int
    confirmed: bool  # by the cashier, at the sale


@dataclass(frozen=True, slots=True)
class Notification:
    """A notification the bank sent for an exhibitor's account, as stored."""

    notification_id: int
    provider_id: str
    amount_vnd: int
    code: str | None
    content: str | None
    received_at: datetime

    @property
    def match_text(self) -> str:
        return match_text(self.code, self.content)


@dataclass(frozen=True, slots=True)
class NotificationIn:
    """A notification as the provider posts it (SePay's fields, named as we keep them)."""

    provider_id: str
    gateway: str | None
    transaction_date: str | None
    account_number: str | None
    code: str | None
    content: str | None
    transfer_type: Literal["in", "out"]
    amount_vnd: int
    reference_code: str | None
    body: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class StoredTransfer:
    sale_id: UUID
    fair_id: UUID
    terminal_id: UUID
    exhibitor_id: UUID
    payment_code: str
    amount_vnd: int
    status: TransferStatus
    confirmed_by: ConfirmedBy | None
    bank_transaction_id: str | None
    created_at: datetime
    confirmed_at: datetime | None
    has_notification: bool = False


@dataclass(frozen=True, slots=True)
class NewTransfer:
    """A transfer a sale writes: pending (``confirmed_by`` None), confirmed by the cashier,
    or confirmed by a kept notification (``notification``)."""

    sale_id: UUID
    payment_code: str
    payment_no: int
    amount_vnd: int
    confirmed_by: ConfirmedBy | None
    notification: Notification | None = None


@dataclass(frozen=True, slots=True)
class BankState:
    """What the sale's write needs to know of the exhibitor's transfers and notifications:
    which of the request's codes another sale already uses, and the kept (unmatched)
    notifications that name one of them."""

    taken: Mapping[str, UUID]
    unmatched: Sequence[Notification]


def normalise(text: str | None) -> str:
    """Upper-cased, every character but ASCII letters and digits removed."""
    return "".join(c for c in (text or "").upper() if c in _ALNUM)


def match_text(code: str | None, content: str | None) -> str:
    """Where a payment code is looked for: the code and the content, normalised, a space
    between (so no code spans the two)."""
    return f"{normalise(code)} {normalise(content)}"


def _words(code: str | None, content: str | None) -> set[str]:
    return set(_WORDS.findall(f"{code or ''} {content or ''}".upper()))


def sale_transfers(
    payments: Sequence[Payment], sale_id: UUID, taken: Mapping[str, UUID]
) -> list[TransferIn]:
    """The transfers a sale's payments make; refuses a VietQR payment of 500,000,000 ₫ or
    more, a payment code on another method, a pending payment without a code, a code used
    twice in the sale or already used by another sale of the exhibitor."""
    transfers: list[TransferIn] = []
    seen: set[str] = set()
    for i, payment in enumerate(payments):
        if payment.method == "vietqr" and payment.amount_vnd >= VIETQR_LIMIT_VND:
            raise InvalidField(
                f"payments.{i}.amount_vnd",
                f"a VietQR transfer is below {VIETQR_LIMIT_VND:,} VND (the NAPAS 247 limit): "
                "take this payment another way or split it",
            )
        code = payment.payment_code
        if code is None:
            if not payment.confirmed:
                raise InvalidField(
                    f"payments.{i}.confirmed",
                    "a payment waiting for the bank needs its payment_code",
                )
            continue
        if payment.method != "vietqr":
            raise InvalidField(f"payments.{i}.payment_code", "only a vietqr payment has one")
        if code in seen:
            raise InvalidField(
                f"payments.{i}.payment_code", "another payment of this sale has this code"
            )
        owner = taken.get(code)
        if owner is not None and owner != sale_id:
            raise PaymentCodeTaken(
                "another sale of this exhibitor already has this payment code",
                field=f"payments.{i}.payment_code",
            )
        seen.add(code)
        transfers.append(TransferIn(code, i, payment.amount_vnd, payment.confirmed))
    return transfers


@dataclass(frozen=True, slots=True)
class Candidate:
    """A transfer a notification could be for."""

    payment_code: str
    amount_vnd: int
    pending: bool
    created_at: datetime


def best_candidate(
    code: str | None, content: str | None, amount_vnd: int, candidates: Sequence[Candidate]
) -> Candidate | None:
    """The transfer a notification is for, among the exhibitor's: same amount, payment code
    in the code or content; ranked as the module says."""
    text = match_text(code, content)
    words = _words(code, content)
    fitting = [c for c in candidates if c.amount_vnd == amount_vnd and c.payment_code in text]
    if not fitting:
        return None
    return min(
        fitting,
        key=lambda c: (
            not c.pending,
            c.payment_code not in words,
            -len(c.payment_code),
            c.created_at,
        ),
    )


def match_uploaded(
    transfers: Sequence[NewTransfer], unmatched: Sequence[Notification]
) -> list[NewTransfer]:
    """The new transfers, each pending one confirmed by the bank if a kept notification is
    for it (each notification confirms one transfer at most; the oldest first)."""
    waiting = {t.payment_code: t for t in transfers if t.confirmed_by is None}
    matched: dict[str, Notification] = {}
    if waiting:
        for note in sorted(unmatched, key=lambda n: (n.received_at, n.notification_id)):
            found = best_candidate(
                note.code,
                note.content,
                note.amount_vnd,
                [
                    Candidate(t.payment_code, t.amount_vnd, True, note.received_at)
                    for code, t in waiting.items()
                    if code not in matched
                ],
            )
            if found is not None:
                matched[found.payment_code] = note
    return [
        NewTransfer(
            t.sale_id, t.payment_code, t.payment_no, t.amount_vnd, "bank", matched[t.payment_code]
        )
        if t.payment_code in matched
        else t
        for t in transfers
    ]


def confirmed_event(
    *,
    sale_id: UUID,
    fair_id: UUID,
    terminal_id: UUID,
    exhibitor_id: UUID,
    payment_code: str,
    amount_vnd: int,
    confirmed_by: ConfirmedBy,
    bank_transaction_id: str | None,
    confirmed_at: datetime,
) -> TransferConfirmed:
    return TransferConfirmed(
        sale_id=sale_id,
        fair_id=fair_id,
        terminal_id=terminal_id,
        exhibitor_id=exhibitor_id,
        payment_code=payment_code,
        amount_vnd=amount_vnd,
        confirmed_by=confirmed_by,
        bank_transaction_id=bank_transaction_id,
        confirmed_at=confirmed_at,
    )


@dataclass(frozen=True, slots=True)
class CashierConfirmation:
    transfer: StoredTransfer  # as it stands after the decision
    event: TransferConfirmed | None  # None: it was confirmed already (answered as it is)


def confirm_by_cashier(
    transfer: StoredTransfer | None, *, reached: bool, now: datetime
) -> CashierConfirmation:
    """The till that sold or the fair's organizer confirms a pending transfer; confirming a
    confirmed one answers it as it is. Out of reach or unknown: 404."""
    if transfer is None or not reached:
        raise NotFound("no such transfer of this sale", field="payment_code")
    if transfer.status == "confirmed":
        return CashierConfirmation(transfer, None)
    done = replace(transfer, status="confirmed", confirmed_by="cashier", confirmed_at=now)
    event = confirmed_event(
        sale_id=done.sale_id,
        fair_id=done.fair_id,
        terminal_id=done.terminal_id,
        exhibitor_id=done.exhibitor_id,
        payment_code=done.payment_code,
        amount_vnd=done.amount_vnd,
        confirmed_by="cashier",
        bank_transaction_id=None,
        confirmed_at=now,
    )
    return CashierConfirmation(done, event)


@dataclass(frozen=True, slots=True)
class BankMatch:
    """What a notification does: confirm a pending transfer (with its event), or join one the
    cashier confirmed already (no event), or nothing (kept unmatched)."""

    transfer: StoredTransfer | None
    event: TransferConfirmed | None


def match_notification(
    note: NotificationIn, candidates: Sequence[StoredTransfer], *, now: datetime
) -> BankMatch:
    """The exhibitor's transfer this notification is for, if any (pending, or confirmed by the
    cashier with no notification yet): a pending one is confirmed by the bank."""
    by_code = {t.payment_code: t for t in candidates}
    found = best_candidate(
        note.code,
        note.content,
        note.amount_vnd,
        [
            Candidate(t.payment_code, t.amount_vnd, t.status == "pending", t.created_at)
            for t in candidates
            if t.status == "pending" or (t.confirmed_by == "cashier" and not t.has_notification)
        ],
    )
    if found is None:
        return BankMatch(None, None)
    transfer = by_code[found.payment_code]
    if transfer.status == "confirmed":
        return BankMatch(transfer, None)
    event = confirmed_event(
        sale_id=transfer.sale_id,
        fair_id=transfer.fair_id,
        terminal_id=transfer.terminal_id,
        exhibitor_id=transfer.exhibitor_id,
        payment_code=transfer.payment_code,
        amount_vnd=transfer.amount_vnd,
        confirmed_by="bank",
        bank_transaction_id=note.provider_id,
        confirmed_at=now,
    )
    return BankMatch(transfer, event)
