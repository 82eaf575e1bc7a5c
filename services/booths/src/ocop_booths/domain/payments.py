"""Bank statements: which line pays which exhibitor's booths. No I/O."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from ocop_shared.errors import InvalidField

REQUIRED_COLUMNS = frozenset({"amount_vnd", "description"})


@dataclass(frozen=True, slots=True)
class BankLine:
    line: int  # the line in the file (the header is line 1)
    amount: str
    description: str


@dataclass(frozen=True, slots=True)
class Matched:
    line: int
    exhibitor_id: UUID
    amount_vnd: int
    reference: str  # the transfer's description, as the payment's reference


@dataclass(frozen=True, slots=True)
class Unmatched:
    line: int
    reason: str


def parse_bank_statement(data: bytes) -> list[BankLine]:
    """A CSV export with (at least) the columns amount_vnd and description."""
    try:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    except UnicodeDecodeError:
        raise InvalidField("file", "a CSV must be UTF-8") from None
    if rows and not set(rows[0]) >= REQUIRED_COLUMNS:
        raise InvalidField("file", "columns amount_vnd and description are required")
    return [
        BankLine(i, row.get("amount_vnd") or "", row.get("description") or "")
        for i, row in enumerate(rows, start=2)
    ]


def match_line(line: BankLine, references: Mapping[str, UUID]) -> Matched | Unmatched:
    """Finds the exhibitor whose payment reference the transfer's description carries
    (spaces and case ignored); amounts may be written 4.000.000 or 4,000,000."""
    text = line.description.upper().replace(" ", "")
    exhibitor = next((e for ref, e in references.items() if ref in text), None)
    try:
        amount = int(line.amount.replace(".", "").replace(",", ""))
    except ValueError:
        return Unmatched(line.line, "amount is not a whole number")
    if exhibitor is None or amount <= 0:
        return Unmatched(line.line, "no payment reference of this fair found")
    return Matched(line.line, exhibitor, amount, line.description[:120])
