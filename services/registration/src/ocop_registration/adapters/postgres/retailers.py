"""Retailers (organizations of kind retailer) and their stores (``retailer_stores``)."""

from __future__ import annotations

import asyncpg

from ocop_registration.domain.fair_kinds import Store
from ocop_registration.domain.identity import Organization
from ocop_shared.errors import Conflict


def _store(row: asyncpg.Record) -> Store:
    return Store(row["retailer_id"], row["store_code"], row["name"], row["address"])


class PostgresRetailers:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def retailers(self) -> list[Organization]:
        rows = await self.conn.fetch(
            """select organization_id, name, province from organizations
                where kind = 'retailer' and suspended_at is null order by name"""
        )
        return [
            Organization(r["organization_id"], "retailer", r["name"], r["province"]) for r in rows
        ]

    async def stores(self, retailer_id: str) -> list[Store] | None:
        """The retailer's stores by code; None when no such retailer (or not a retailer)."""
        exists = await self.conn.fetchval(
            "select 1 from organizations where organization_id = $1 and kind = 'retailer'",
            retailer_id,
        )
        if exists is None:
            return None
        rows = await self.conn.fetch(
            """select retailer_id, store_code, name, address from retailer_stores
                where retailer_id = $1 order by store_code""",
            retailer_id,
        )
        return [_store(r) for r in rows]

    async def add_store(self, store: Store) -> None:
        try:
            await self.conn.execute(
                """insert into retailer_stores (retailer_id, store_code, name, address)
                   values ($1, $2, $3, $4)""",
                store.retailer_id,
                store.store_code,
                store.name,
                store.address,
            )
        except asyncpg.UniqueViolationError:
            raise Conflict(
                f"store {store.store_code} is already one of this retailer's", field="store_code"
            ) from None
