"""The sales service's repositories on one PostgreSQL connection (plain SQL, one module per
table group)."""

from __future__ import annotations

import asyncpg

from ocop_sales.adapters.postgres.catalog import PostgresCatalog
from ocop_sales.adapters.postgres.fairs import (
    PostgresBoothHolders,
    PostgresExhibitors,
    PostgresFairs,
)
from ocop_sales.adapters.postgres.refunds import PostgresRefunds
from ocop_sales.adapters.postgres.reports import PostgresReports
from ocop_sales.adapters.postgres.retailer_sales import PostgresRetailerSales
from ocop_sales.adapters.postgres.sales import PostgresSales
from ocop_sales.adapters.postgres.sessions import PostgresSessions
from ocop_sales.adapters.postgres.stock import PostgresStock
from ocop_sales.adapters.postgres.suspensions import PostgresSuspensions
from ocop_sales.adapters.postgres.terminals import PostgresTerminals
from ocop_sales.adapters.postgres.till_rules import PostgresTillRules
from ocop_sales.adapters.postgres.tills import PostgresTills
from ocop_sales.adapters.postgres.transfers import PostgresTransfers


class PostgresRepositories:
    """Every repository on one connection, built when first asked for (the sale's hot path
    needs only the tills)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    @property
    def fairs(self) -> PostgresFairs:
        return PostgresFairs(self._conn)

    @property
    def exhibitors(self) -> PostgresExhibitors:
        return PostgresExhibitors(self._conn)

    @property
    def booths(self) -> PostgresBoothHolders:
        return PostgresBoothHolders(self._conn)

    @property
    def catalog(self) -> PostgresCatalog:
        return PostgresCatalog(self._conn)

    @property
    def terminals(self) -> PostgresTerminals:
        return PostgresTerminals(self._conn)

    @property
    def tills(self) -> PostgresTills:
        return PostgresTills(self._conn)

    @property
    def till_rules(self) -> PostgresTillRules:
        return PostgresTillRules(self._conn)

    @property
    def sales(self) -> PostgresSales:
        return PostgresSales(self._conn)

    @property
    def refunds(self) -> PostgresRefunds:
        return PostgresRefunds(self._conn)

    @property
    def sessions(self) -> PostgresSessions:
        return PostgresSessions(self._conn)

    @property
    def reports(self) -> PostgresReports:
        return PostgresReports(self._conn)

    @property
    def transfers(self) -> PostgresTransfers:
        return PostgresTransfers(self._conn)

    @property
    def suspensions(self) -> PostgresSuspensions:
        return PostgresSuspensions(self._conn)

    @property
    def stock(self) -> PostgresStock:
        return PostgresStock(self._conn)

    @property
    def retailer_sales(self) -> PostgresRetailerSales:
        return PostgresRetailerSales(self._conn)


def repositories(conn: asyncpg.Connection) -> PostgresRepositories:
    return PostgresRepositories(conn)
