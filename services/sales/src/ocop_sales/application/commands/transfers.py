"""VietQR transfers: confirmed by the cashier, or by the bank's notification (the webhook);
the exhibitor's webhook keys; the reconciler that matches a notification and a transfer that
crossed (each written unseen by the other)."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from ocop_sales.application.ports import Repositories
from ocop_sales.domain.transfers import (
    NotificationIn,
    StoredTransfer,
    confirm_by_cashier,
    match_notification,
    match_text,
)
from ocop_shared.auth import Principal, hash_token
from ocop_shared.errors import NotFound
from ocop_shared.outbox import Causation
from ocop_shared.uow import UnitOfWork, UnitOfWorkFactory


def _reaches(by: Principal, transfer: StoredTransfer, organizer: str) -> bool:
    """The till that sold, or the sale's fair's organizer (the admin: any)."""
    if by.is_admin:
        return True
    if by.role == "terminal":
        return by.subject == str(transfer.terminal_id)
    return by.role == "organizer" and by.subject == organizer


async def confirm_transfer(
    uow: UnitOfWork[Repositories], *, sale_id: UUID, payment_code: str, by: Principal
) -> StoredTransfer:
    """Confirms a pending transfer (by the cashier); a confirmed one answers as it is."""
    transfers = uow.repos.transfers
    found = await transfers.get(sale_id, payment_code)  # locked until commit
    transfer, organizer = found if found else (None, "")
    reached = transfer is not None and _reaches(by, transfer, organizer)
    decision = confirm_by_cashier(transfer, reached=reached, now=await transfers.clock())
    if decision.event is not None:
        await transfers.confirm(decision.transfer, by="cashier", at=decision.event.confirmed_at)
        uow.emit(decision.event)
    return decision.transfer


# --- webhook keys ---------------------------------------------------------------------------

KEY_PREFIX = "ocop_whk_"


@dataclass(frozen=True, slots=True)
class KeyMade:
    row: Any
    key: str


async def make_key(uow: UnitOfWork[Repositories], *, by: Principal, label: str) -> KeyMade:
    """A new webhook key for the caller's exhibitor: shown once, kept hashed."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = await uow.repos.transfers.add_key(
        uuid.uuid4(),
        UUID(by.subject),
        hash_token(key),
        label,
        key[-4:],
        by.user_id or by.credential_id or by.subject,
    )
    return KeyMade(row, key)


async def revoke_key(uow: UnitOfWork[Repositories], *, by: Principal, key_id: UUID) -> Any:
    row = await uow.repos.transfers.revoke_key(UUID(by.subject), key_id)
    if row is None:
        raise NotFound("no such webhook key", field="key_id")
    return row


# --- the bank's notifications ------------------------------------------------------------


async def webhook_exhibitor(repos: Repositories, key: str) -> tuple[UUID, UUID] | None:
    """The live key's (key id, exhibitor id), or None."""
    return await repos.transfers.key_owner(hash_token(key))


async def receive_notification(
    uow: UnitOfWork[Repositories], *, key_id: UUID, exhibitor_id: UUID, note: NotificationIn
) -> str:
    """Keeps an incoming transfer's notification (a repeat of the provider's id is dropped)
    and confirms the exhibitor's pending transfer it is for, if any; answers what it did:
    ``ignored`` (not incoming), ``repeat``, ``confirmed``, ``linked`` (to a transfer the
    cashier confirmed) or ``kept`` (unmatched, for a transfer uploaded later)."""
    if note.transfer_type != "in":
        return "ignored"
    transfers = uow.repos.transfers
    added = await transfers.add_notification(key_id, exhibitor_id, note)
    if added is None:
        return "repeat"
    notification_id, _received = added
    return await _match(uow, exhibitor_id, notification_id, note)


async def _match(
    uow: UnitOfWork[Repositories], exhibitor_id: UUID, notification_id: int, note: NotificationIn
) -> str:
    transfers = uow.repos.transfers
    candidates = await transfers.candidates(
        exhibitor_id, note.amount_vnd, match_text(note.code, note.content)
    )
    now = await transfers.clock()
    found = match_notification(note, candidates, now=now)
    if found.transfer is None:
        return "kept"
    if found.event is not None:
        await transfers.confirm(
            found.transfer,
            by="bank",
            at=now,
            notification_id=notification_id,
            bank_transaction_id=note.provider_id,
        )
        uow.emit(found.event)
    await transfers.link(notification_id, found.transfer, now)
    return "confirmed" if found.event is not None else "linked"


async def reconcile(uow: UnitOfWorkFactory[Repositories]) -> int:
    """Matches kept notifications that fit a pending transfer: a notification and a sale's
    write that crossed (each committed unseen by the other) meet here, within a sweep."""
    pairs = await uow.read(lambda repos: repos.transfers.to_reconcile())
    done = 0
    for notification_id, exhibitor_id in pairs:

        async def one(
            u: UnitOfWork[Repositories], nid: int = notification_id, ex: UUID = exhibitor_id
        ) -> str:
            note = await u.repos.transfers.unmatched(nid)
            return "gone" if note is None else await _match(u, ex, nid, note)

        if await uow.run(one, cause=Causation(f"transfer-reconcile-{uuid.uuid4()}")) == "confirmed":
            done += 1
    return done
