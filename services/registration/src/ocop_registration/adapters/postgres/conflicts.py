"""A unique constraint that refuses a write is the client's conflict, naming its field."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

from ocop_registration.domain.refusals import AlreadyApplied
from ocop_shared.errors import Conflict

UNIQUE_FIELDS = {
    "exhibitors_tax_code_key": "tax_code",
    "products_gtin_key": "gtin",
    "certificates_number_key": "number",
    "applications_one_live": "fair_id",
}


@contextmanager
def unique_as_conflict() -> Iterator[None]:
    try:
        yield
    except asyncpg.UniqueViolationError as exc:
        constraint = exc.constraint_name or ""
        field = UNIQUE_FIELDS.get(constraint, "body")
        if constraint == "applications_one_live":
            raise AlreadyApplied(
                "you have a live application to this fair already", field=field
            ) from None
        raise Conflict(f"{field} is already taken", field=field) from None
