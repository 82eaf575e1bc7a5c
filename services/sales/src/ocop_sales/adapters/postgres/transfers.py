"""VietQR transfers, the exhibitors' webhook keys and the bank's notifications.

A transfer is written with its sale, in the sale's own statement (``tills.py``); here are the
reads around it, the confirmations (cashier, bank) and the webhook's storage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from ocop_sales.domain.access import SalesScope
from ocop_sales.domain.transfers import (
    PROVIDER,
    BankState,
    ConfirmedBy,
    Notification,
    NotificationIn,
    StoredTransfer,
    match_text,
)

_TRANSFER = """t.sale_id, t.fair_id, t.terminal_id, t.exhibitor_id, t.payment_code, t.amount_vnd, t.status,
               t.confirmed_by, t.bank_transaction_id, t.created_at, t.confirmed_at,
               t.notification_id is not null as has_notification"""

_KEY = "key_id, label, hint, created_by, created_at, revoked_at, last_used_at"


def _transfer(row: asyncpg.Record) -> StoredTransfer:
    return StoredTransfer(**dict(row))


def _notification(n: dict[str, Any]) -> Notification:
    return Notification(
        notification_id=n["notification_id"],
        provider_id=n["provider_id"],
        amount_vnd=n["amount_vnd"],
        code=n["code"],
        content=n["content"],
        received_at=datetime.fromisoformat(n["received_at"]),
    )


class PostgresTransfers:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def on_upload(self, exhibitor_id: UUID, codes: Sequence[str]) -> BankState:
        row = await self._conn.fetchrow(
            """select (select coalesce(json_object_agg(t.payment_code, t.sale_id), '{}')
                         from transfers t where t.exhibitor_id = $1 and t.payment_code = any($2::text[])) as taken,
                      (select coalesce(json_agg(json_build_object(
                                  'notification_id', n.notification_id, 'provider_id', n.provider_id,
                                  'amount_vnd', n.amount_vnd, 'code', n.code, 'content', n.content,
                                  'received_at', n.received_at)), '[]')
                         from bank_notifications n
                        where n.exhibitor_id = $1 and n.payment_code is null
                          and exists (select 1 from unnest($2::text[]) c where position(c in n.match_text) > 0))
                      as unmatched""",
            exhibitor_id, list(codes),
        )  # fmt: skip
        assert row is not None
        return BankState(
            taken={code: UUID(sale) for code, sale in row["taken"].items()},
            unmatched=[_notification(n) for n in row["unmatched"]],
        )

    # --- the cashier's confirmation and listings ------------------------------------------

    async def get(self, sale_id: UUID, payment_code: str) -> tuple[StoredTransfer, str] | None:
        """The sale's transfer and its fair's organizer, locked until the transaction ends."""
        row = await self._conn.fetchrow(
            f"""select {_TRANSFER}, f.organizer_id
                  from transfers t join fairs f using (fair_id)
                 where t.sale_id = $1 and t.payment_code = $2
                   for update of t""",
            sale_id,
            payment_code,
        )
        if row is None:
            return None
        values = dict(row)
        organizer = values.pop("organizer_id")
        return StoredTransfer(**values), organizer

    async def confirm(
        self,
        transfer: StoredTransfer,
        *,
        by: ConfirmedBy,
        at: datetime,
        notification_id: int | None = None,
        bank_transaction_id: str | None = None,
    ) -> bool:
        done = await self._conn.fetchval(
            """update transfers set status = 'confirmed', confirmed_by = $3, confirmed_at = $4,
                      notification_id = $5, bank_transaction_id = $6
                where exhibitor_id = $1 and payment_code = $2 and status = 'pending'
               returning true""",
            transfer.exhibitor_id, transfer.payment_code, by, at, notification_id,
            bank_transaction_id,
        )  # fmt: skip
        return bool(done)

    async def listing(self, scope: SalesScope, status: str | None) -> list[StoredTransfer]:
        filters: list[tuple[str, Any]] = [
            (column, value)
            for column, value in (
                ("t.fair_id", scope.fair_id),
                ("t.terminal_id", scope.terminal_id),
                ("t.exhibitor_id", scope.exhibitor_id),
                ("t.status", status),
            )
            if value is not None
        ]
        where = " and ".join(f"{column} = ${i}" for i, (column, _) in enumerate(filters, start=1))
        rows = await self._conn.fetch(
            f"select {_TRANSFER} from transfers t where {where} order by t.created_at, t.payment_code limit 5000",
            *(value for _, value in filters),
        )  # fmt: skip
        return [_transfer(r) for r in rows]

    # --- webhook keys ----------------------------------------------------------------------

    async def add_key(
        self, key_id: UUID, exhibitor_id: UUID, key_hash: bytes, label: str, hint: str, by: str
    ) -> asyncpg.Record:
        row = await self._conn.fetchrow(
            f"""insert into bank_webhook_keys (key_id, exhibitor_id, key_hash, label, hint, created_by)
                values ($1, $2, $3, $4, $5, $6) returning {_KEY}""",
            key_id, exhibitor_id, key_hash, label, hint, by,
        )  # fmt: skip
        assert row is not None
        return row

    async def keys(self, exhibitor_id: UUID) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await self._conn.fetch(
            f"select {_KEY} from bank_webhook_keys where exhibitor_id = $1 order by created_at, key_id",
            exhibitor_id,
        )  # fmt: skip
        return rows

    async def revoke_key(self, exhibitor_id: UUID, key_id: UUID) -> asyncpg.Record | None:
        """Revokes the exhibitor's key (a revoked one stays as it was); None: not its key."""
        row: asyncpg.Record | None = await self._conn.fetchrow(
            f"""update bank_webhook_keys set revoked_at = coalesce(revoked_at, now())
                 where key_id = $1 and exhibitor_id = $2 returning {_KEY}""",
            key_id,
            exhibitor_id,
        )
        return row

    async def key_owner(self, key_hash: bytes) -> tuple[UUID, UUID] | None:
        """The live key with this hash: (key id, exhibitor id)."""
        row = await self._conn.fetchrow(
            """select key_id, exhibitor_id from bank_webhook_keys
                where key_hash = $1 and revoked_at is null""",
            key_hash,
        )
        return (row["key_id"], row["exhibitor_id"]) if row else None

    # --- bank notifications ----------------------------------------------------------------

    async def add_notification(
        self, key_id: UUID, exhibitor_id: UUID, note: NotificationIn
    ) -> tuple[int, datetime] | None:
        """Keeps the notification; None if this exhibitor has it already (a repeat)."""
        row = await self._conn.fetchrow(
            """insert into bank_notifications (exhibitor_id, key_id, provider, provider_id, gateway, transaction_date,
                                               account_number, code, content, reference_code, amount_vnd, match_text,
                                               body)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
               on conflict (exhibitor_id, provider, provider_id) do nothing
               returning notification_id, received_at""",
            exhibitor_id, key_id, PROVIDER, note.provider_id, note.gateway, note.transaction_date,
            note.account_number, note.code, note.content, note.reference_code, note.amount_vnd,
            match_text(note.code, note.content), orjson.dumps(note.body).decode(),
        )  # fmt: skip
        await self._conn.execute(
            "update bank_webhook_keys set last_used_at = now() where key_id = $1", key_id
        )
        return (row["notification_id"], row["received_at"]) if row else None

    async def candidates(
        self, exhibitor_id: UUID, amount_vnd: int, text: str
    ) -> list[StoredTransfer]:
        """The exhibitor's transfers of this amount whose code is in ``text``, pending or
        confirmed by the cashier with no notification yet; locked until the transaction ends."""
        rows = await self._conn.fetch(
            f"""select {_TRANSFER} from transfers t
                 where t.exhibitor_id = $1 and t.amount_vnd = $2 and position(t.payment_code in $3) > 0
                   and (t.status = 'pending' or (t.confirmed_by = 'cashier' and t.notification_id is null))
                 order by t.payment_code
                   for update""",
            exhibitor_id, amount_vnd, text,
        )  # fmt: skip
        return [_transfer(r) for r in rows]

    async def link(self, notification_id: int, transfer: StoredTransfer, at: datetime) -> None:
        """The notification is the transfer's (and a cashier-confirmed transfer's bank id)."""
        await self._conn.execute(
            """update bank_notifications set payment_code = $2, matched_at = $3
                where notification_id = $1""",
            notification_id, transfer.payment_code, at,
        )  # fmt: skip
        if transfer.status == "confirmed":
            await self._conn.execute(
                """update transfers t set notification_id = $3,
                          bank_transaction_id = (select provider_id from bank_notifications where notification_id = $3)
                    where t.exhibitor_id = $1 and t.payment_code = $2 and t.notification_id is null""",
                transfer.exhibitor_id, transfer.payment_code, notification_id,
            )  # fmt: skip

    async def unmatched(self, notification_id: int) -> NotificationIn | None:
        """A kept notification, locked, if still unmatched (the reconciler's)."""
        row = await self._conn.fetchrow(
            """select provider_id, gateway, transaction_date, account_number, code, content, reference_code,
                      amount_vnd, body
                 from bank_notifications where notification_id = $1 and payment_code is null
                  for update""",
            notification_id,
        )  # fmt: skip
        if row is None:
            return None
        return NotificationIn(**{**dict(row), "transfer_type": "in"})

    async def to_reconcile(self, limit: int = 500) -> list[tuple[int, UUID]]:
        """Kept notifications a pending transfer of the last days fits (a notification and a
        sale's write that crossed: each committed unseen by the other)."""
        rows = await self._conn.fetch(
            """select distinct n.notification_id, n.exhibitor_id
                 from transfers t join bank_notifications n
                   on n.exhibitor_id = t.exhibitor_id and n.payment_code is null
                  and n.amount_vnd = t.amount_vnd and position(t.payment_code in n.match_text) > 0
                where t.status = 'pending' and t.created_at > now() - interval '3 days'
                order by n.notification_id limit $1""",
            limit,
        )
        return [(r["notification_id"], r["exhibitor_id"]) for r in rows]

    async def clock(self) -> datetime:
        now: datetime = await self._conn.fetchval("select statement_timestamp()")
        return now
