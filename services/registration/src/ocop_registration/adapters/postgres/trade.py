"""Trade matching (issue 15): meetings, contracts and memoranda at fairs, and the products each
exhibitor shows at a fair (what the trade and series reports group by)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from ocop_registration.domain.trade import Buyer, Meeting, Shown, TradeContract
from ocop_shared.db import NamedQuery

BUYER = ("buyer_name", "buyer_organization", "buyer_country", "buyer_province", "buyer_contact")

# Every product an approved application admits at the fair, with the exhibitor showing it.
SHOWN = """select distinct p.product_id, p.name as product_name, p.product_group, p.taxonomy,
       p.holder_id, a.exhibitor_id, e.name as exhibitor_name, e.province as exhibitor_province
  from applications a
  join exhibitors e using (exhibitor_id)
  cross join lateral jsonb_array_elements(a.admitted) as entry(item)
  join products p on p.product_id = (entry.item ->> 'product_id')::uuid
 where a.fair_id = $1 and a.status = 'approved'
 order by exhibitor_name, product_name"""

MEETINGS = """select m.*, e.name as exhibitor_name from trade_meetings m
  join exhibitors e using (exhibitor_id)"""
CONTRACTS = """select c.*, e.name as exhibitor_name from trade_contracts c
  join exhibitors e using (exhibitor_id)"""

INSERT_MEETING = NamedQuery("""
insert into trade_meetings (meeting_id, fair_id, exhibitor_id, buyer_name, buyer_organization,
    buyer_country, buyer_province, buyer_contact, held_at, outcome, note, recorded_by_org,
    recorded_by, recorded_at, content_hash)
values (:meeting_id, :fair_id, :exhibitor_id, :buyer_name, :buyer_organization, :buyer_country,
    :buyer_province, :buyer_contact, :held_at, :outcome, :note, :recorded_by_org, :recorded_by,
    :recorded_at, :content_hash)
""")

INSERT_CONTRACT = NamedQuery("""
insert into trade_contracts (contract_id, fair_id, exhibitor_id, kind, buyer_name,
    buyer_organization, buyer_country, buyer_province, buyer_contact, product_ids, value_vnd,
    signed_on, meeting_id, recorded_by_org, recorded_by, recorded_at, content_hash)
values (:contract_id, :fair_id, :exhibitor_id, :kind, :buyer_name, :buyer_organization,
    :buyer_country, :buyer_province, :buyer_contact, :product_ids, :value_vnd, :signed_on,
    :meeting_id, :recorded_by_org, :recorded_by, :recorded_at, :content_hash)
""")


def _buyer(row: asyncpg.Record) -> Buyer:
    return Buyer(*(row[k] for k in BUYER))


def _buyer_params(buyer: Buyer) -> dict[str, Any]:
    return dict(zip(BUYER, buyer.parts(), strict=True))


def _meeting(row: asyncpg.Record) -> Meeting:
    fields = {k: row[k] for k in Meeting.__dataclass_fields__ if k != "buyer"}
    return Meeting(**fields, buyer=_buyer(row))


def _contract(row: asyncpg.Record) -> TradeContract:
    fields = {k: row[k] for k in TradeContract.__dataclass_fields__ if k != "buyer"}
    fields["product_ids"] = tuple(fields["product_ids"])
    return TradeContract(**fields, buyer=_buyer(row))


async def _insert(conn: asyncpg.Connection, query: NamedQuery, params: dict[str, Any]) -> bool:
    try:
        async with conn.transaction():  # a savepoint: the caller's transaction lives on
            await conn.execute(query.sql, *query.args(**params))
    except asyncpg.UniqueViolationError:
        return False
    return True


class PostgresTrade:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def shown(self, fair_id: UUID) -> list[Shown]:
        return [Shown(**dict(r)) for r in await self.conn.fetch(SHOWN, fair_id)]

    async def meeting(self, meeting_id: UUID) -> Meeting | None:
        row = await self.conn.fetchrow(MEETINGS + " where m.meeting_id = $1", meeting_id)
        return _meeting(row) if row else None

    async def add_meeting(self, m: Meeting) -> bool:
        """Stores it; False if its id was taken meanwhile (a twin request committed first)."""
        params = {k: getattr(m, k) for k in INSERT_MEETING.names if not k.startswith("buyer_")}
        return await _insert(self.conn, INSERT_MEETING, {**params, **_buyer_params(m.buyer)})

    async def meetings(self, fair_id: UUID) -> list[Meeting]:
        rows = await self.conn.fetch(
            MEETINGS + " where m.fair_id = $1 order by m.held_at, m.recorded_at", fair_id
        )
        return [_meeting(r) for r in rows]

    async def contract(self, contract_id: UUID) -> TradeContract | None:
        row = await self.conn.fetchrow(CONTRACTS + " where c.contract_id = $1", contract_id)
        return _contract(row) if row else None

    async def add_contract(self, c: TradeContract) -> bool:
        params = {k: getattr(c, k) for k in INSERT_CONTRACT.names if not k.startswith("buyer_")}
        params["product_ids"] = list(c.product_ids)
        return await _insert(self.conn, INSERT_CONTRACT, {**params, **_buyer_params(c.buyer)})

    async def contracts(self, fair_id: UUID) -> list[TradeContract]:
        rows = await self.conn.fetch(
            CONTRACTS + " where c.fair_id = $1 order by c.signed_on, c.recorded_at", fair_id
        )
        return [_contract(r) for r in rows]
