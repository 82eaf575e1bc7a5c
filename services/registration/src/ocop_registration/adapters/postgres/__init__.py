"""Registration's repositories on one connection, with plain SQL."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from ocop_registration.adapters.postgres.applications import PostgresApplications
from ocop_registration.adapters.postgres.exhibitors import PostgresExhibitors
from ocop_registration.adapters.postgres.fairs import PostgresFairs
from ocop_registration.adapters.postgres.holder_results import PostgresHolderResults
from ocop_registration.adapters.postgres.identity import (
    PostgresApiKeys,
    PostgresCredentials,
    PostgresInvitations,
    PostgresOrganizations,
    PostgresResetCodes,
    PostgresSessions,
    PostgresSignInThrottle,
    PostgresUsers,
)
from ocop_registration.adapters.postgres.inspections import PostgresInspections
from ocop_registration.adapters.postgres.products import PostgresCertificates, PostgresProducts
from ocop_registration.adapters.postgres.retailers import PostgresRetailers
from ocop_registration.adapters.postgres.series import PostgresSeries
from ocop_registration.adapters.postgres.trade import PostgresTrade
from ocop_registration.adapters.postgres.visitors import PostgresVisitors


@dataclass(frozen=True)
class PostgresRepositories:
    organizations: PostgresOrganizations
    users: PostgresUsers
    sessions: PostgresSessions
    invitations: PostgresInvitations
    reset_codes: PostgresResetCodes
    api_keys: PostgresApiKeys
    sign_in_throttle: PostgresSignInThrottle
    credentials: PostgresCredentials
    fairs: PostgresFairs
    exhibitors: PostgresExhibitors
    products: PostgresProducts
    certificates: PostgresCertificates
    applications: PostgresApplications
    holder_results: PostgresHolderResults
    inspections: PostgresInspections
    retailers: PostgresRetailers
    trade: PostgresTrade
    series: PostgresSeries
    visitors: PostgresVisitors


def repositories(conn: asyncpg.Connection) -> PostgresRepositories:
    return PostgresRepositories(
        organizations=PostgresOrganizations(conn),
        users=PostgresUsers(conn),
        sessions=PostgresSessions(conn),
        invitations=PostgresInvitations(conn),
        reset_codes=PostgresResetCodes(conn),
        api_keys=PostgresApiKeys(conn),
        sign_in_throttle=PostgresSignInThrottle(conn),
        credentials=PostgresCredentials(conn),
        fairs=PostgresFairs(conn),
        exhibitors=PostgresExhibitors(conn),
        products=PostgresProducts(conn),
        certificates=PostgresCertificates(conn),
        applications=PostgresApplications(conn),
        holder_results=PostgresHolderResults(conn),
        inspections=PostgresInspections(conn),
        retailers=PostgresRetailers(conn),
        trade=PostgresTrade(conn),
        series=PostgresSeries(conn),
        visitors=PostgresVisitors(conn),
    )
