"""Registration's repositories on one connection, with plain SQL."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from ocop_registration.adapters.postgres.applications import PostgresApplications
from ocop_registration.adapters.postgres.exhibitors import PostgresExhibitors
from ocop_registration.adapters.postgres.fairs import PostgresFairs
from ocop_registration.adapters.postgres.holder_results import PostgresHolderResults
from ocop_registration.adapters.postgres.organizers import PostgresCredentials, PostgresOrganizers
from ocop_registration.adapters.postgres.products import PostgresCertificates, PostgresProducts


@dataclass(frozen=True)
class PostgresRepositories:
    organizers: PostgresOrganizers
    credentials: PostgresCredentials
    fairs: PostgresFairs
    exhibitors: PostgresExhibitors
    products: PostgresProducts
    certificates: PostgresCertificates
    applications: PostgresApplications
    holder_results: PostgresHolderResults


def repositories(conn: asyncpg.Connection) -> PostgresRepositories:
    return PostgresRepositories(
        organizers=PostgresOrganizers(conn),
        credentials=PostgresCredentials(conn),
        fairs=PostgresFairs(conn),
        exhibitors=PostgresExhibitors(conn),
        products=PostgresProducts(conn),
        certificates=PostgresCertificates(conn),
        applications=PostgresApplications(conn),
        holder_results=PostgresHolderResults(conn),
    )
