"""The booths service's repositories on Postgres, one module per aggregate or table group."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from ocop_booths.adapters.postgres.allocations import PostgresAllocations
from ocop_booths.adapters.postgres.applications import PostgresApplications
from ocop_booths.adapters.postgres.booths import PostgresBooths
from ocop_booths.adapters.postgres.choices import PostgresChoices
from ocop_booths.adapters.postgres.fairs import PostgresFairs
from ocop_booths.adapters.postgres.floorplans import PostgresFloorPlans
from ocop_booths.adapters.postgres.payments import PostgresPayments
from ocop_booths.adapters.postgres.waitlist import PostgresWaitlist


class PostgresRepositories:
    """Every repository on one connection (the unit of work's transaction)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn
        self.fairs = PostgresFairs(conn)
        self.applications = PostgresApplications(conn)
        self.floorplans = PostgresFloorPlans(conn)
        self.booths = PostgresBooths(conn)
        self.waitlist = PostgresWaitlist(conn)
        self.allocations = PostgresAllocations(conn)
        self.payments = PostgresPayments(conn)
        self.choices = PostgresChoices(conn)

    async def now(self) -> datetime:
        moment: datetime = await self._conn.fetchval("select now()")
        return moment


def repositories(conn: asyncpg.Connection) -> PostgresRepositories:
    return PostgresRepositories(conn)
