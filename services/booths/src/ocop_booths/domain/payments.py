"""Bank statements: which line pays which exhibitor's booths. No I/O."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from ocop_shared.errors import InvalidField

REQUIRED_COLUMNS = frozenset({"amount_vnd", "description"})
# What a Vietnamese bank's statement (sao kê) gives each line besides amount and description:
# its transaction number (số tham chiếu, mã giao dịch, số bút toán) and when it was booked
# (ngày giao dịch, often with the time). Optional columns, used to tell transfers apart.
TRANSACTION_ID, DATE, TIME = "transaction_id", "date", "time"


@dataclass(frozen=True, slots=True)
class BankLine:
    line: int  # the line in the file (the header is line 1)
    amount: str
    description: str
    transaction_id: str = ""  # the bank's own id of the transaction, when the file has one
    booked_at: str = ""  # date (and time) the bank booked it, as the file writes it
    occurrence: int = 1  # how many lines of the file so far have this date, amount and description

    @property
    def identity(self) -> str:
        """What makes this line one transfer of the bank's and no other: its transaction id;
        without one, its date and time, amount and description, and which of the statement's
        lines alike it is (two alike lines are two transfers; the same statement imported again
        gives the same identities, so it pays nothing twice)."""
        if self.transaction_id:
            return f"id:{self.transaction_id}"
        return f"line:{self.booked_at}|{_digits(self.amount)}|{_words(self.description)}|{self.occurrence}"


@dataclass(frozen=True, slots=True)
class Matched:
    line: int
    exhibitor_id: UUID
    amount_vnd: int
    reference: str  # the transfer's description, as the payment's reference
    bank_line: str  # the line's identity: one payment per bank transfer


@dataclass(frozen=True, slots=True)
class Unmatched:
    line: int
    reason: str


def _digits(amount: str) -> str:
    return amount.strip().replace(".", "").replace(",", "")


def _words(text: str) -> str:
    return " ".join(text.split())


def parse_bank_statement(data: bytes) -> list[BankLine]:
    """A CSV export with (at least) the columns amount_vnd and description, and optionally
    transaction_id, date and time."""
    try:
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    except UnicodeDecodeError:
        raise InvalidField("file", "a CSV must be UTF-8") from None
    if rows and not set(rows[0]) >= REQUIRED_COLUMNS:
        raise InvalidField("file", "columns amount_vnd and description are required")
    seen: Counter[tuple[str, str, str]] = Counter()
    lines = []
    for i, row in enumerate(rows, start=2):
        amount, description = row.get("amount_vnd") or "", row.get("description") or ""
        booked_at = " ".join(
            v for v in ((row.get(DATE) or "").strip(), (row.get(TIME) or "").strip()) if v
        )
        alike = (booked_at, _digits(amount), _words(description))
        seen[alike] += 1
        lines.append(
            BankLine(
                i,
                amount,
                description,
                (row.get(TRANSACTION_ID) or "").strip(),
                booked_at,
                seen[alike],
            )
        )
    return lines


def already_recorded(line: BankLine) -> Unmatched:
    if line.transaction_id:
        return Unmatched(line.line, f"already recorded (transaction {line.transaction_id})")
    return Unmatched(
        line.line,
        "already recorded (same date, amount and description; the statement has no transaction_id)",
    )


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
    return Matched(line.line, exhibitor, amount, line.description[:120], line.identity)
