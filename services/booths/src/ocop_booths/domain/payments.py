"""Bank statements: which line pays which exhibitor's booths. No I/O: the statement is read
from the file object it is given (in a worker thread: see ``adapters/http/fees.py``)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Protocol
from uuid import UUID

from ocop_booths.domain import reasons
from ocop_shared.errors import InvalidField
from ocop_shared.inputs import VND_MAX, has_control_characters

REQUIRED_COLUMNS = frozenset({"amount_vnd", "description"})
# What a Vietnamese bank's statement (sao kê) gives each line besides amount and description:
# its transaction number (số tham chiếu, mã giao dịch, số bút toán) and when it was booked
# (ngày giao dịch, often with the time). Optional columns, used to tell transfers apart.
TRANSACTION_ID, DATE, TIME = "transaction_id", "date", "time"
MAX_LINES = 20_000
MAX_COLUMNS = 64
# A line's identity (transaction id, or date, time, amount and description) is stored under a
# unique index, whose entries Postgres bounds (2,704 bytes): these columns are bounded so the
# identity fits, in characters of up to 3 bytes; any other column to MAX_FIELD_CHARS.
MAX_FIELD_CHARS = 1_000
COLUMN_CHARS = {TRANSACTION_ID: 100, DATE: 40, TIME: 40, "amount_vnd": 40, "description": 500}


class CsvReader(Protocol):
    """What ``csv.reader`` gives: records, and the line it has read up to."""

    line_num: int

    def __next__(self) -> list[str]: ...


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

    @property
    def amount_vnd(self) -> int | None:
        """The amount in whole đồng, when the line writes one within bounds."""
        try:
            amount = int(_digits(self.amount))
        except ValueError:
            return None
        return amount if abs(amount) <= VND_MAX else None


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
    reason_code: str = reasons.NO_PAYMENT_REFERENCE  # domain.reasons
    reason_params: Mapping[str, str | int] = field(default_factory=dict)


def _digits(amount: str) -> str:
    return amount.strip().replace(".", "").replace(",", "")


def _words(text: str) -> str:
    return " ".join(text.split())


def parse_bank_statement(data: bytes | IO[bytes]) -> list[BankLine]:
    """A CSV export with (at least) the columns amount_vnd and description, and optionally
    transaction_id, date and time. Read as it streams, up to ``MAX_LINES`` lines; a file that
    cannot be read, or a line with fewer values than the header has columns, is refused naming
    ``file`` and the line."""
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        return _lines(csv.reader(text))
    finally:
        text.detach()  # the caller's file stays open


def _lines(reader: CsvReader) -> list[BankLine]:
    header = _next(reader)
    if header is None:
        return []
    columns = [h.strip() for h in header]
    _check_cells(1, columns, columns)
    if not set(columns) >= REQUIRED_COLUMNS:
        raise InvalidField("file", "columns amount_vnd and description are required")
    seen: Counter[tuple[str, str, str]] = Counter()
    lines: list[BankLine] = []
    while (cells := _next(reader)) is not None:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue  # a blank line
        if len(lines) == MAX_LINES:
            raise InvalidField("file", f"at most {MAX_LINES} lines per statement")
        if len(cells) < len(columns):
            raise InvalidField(
                "file",
                f"line {line} has {len(cells)} value(s) where the header has {len(columns)}"
                f" columns ({', '.join(columns)})",
            )
        if any(c.strip() for c in cells[len(columns) :]):
            raise InvalidField(
                "file", f"line {line} has more values than the header has columns ({len(columns)})"
            )
        _check_cells(line, columns, cells)
        row = dict(zip(columns, cells, strict=False))
        amount, description = row["amount_vnd"], row["description"]
        booked_at = " ".join(v for v in (row.get(DATE, "").strip(), row.get(TIME, "").strip()) if v)
        alike = (booked_at, _digits(amount), _words(description))
        seen[alike] += 1
        lines.append(
            BankLine(
                line,
                amount,
                description,
                row.get(TRANSACTION_ID, "").strip(),
                booked_at,
                seen[alike],
            )
        )
    return lines


def _next(reader: CsvReader) -> list[str] | None:
    try:
        return next(reader)
    except StopIteration:
        return None
    except UnicodeDecodeError:
        raise InvalidField("file", "a CSV must be UTF-8") from None
    except csv.Error as exc:
        line = reader.line_num
        if "field larger than field limit" in str(exc):
            raise InvalidField(
                "file", f"line {line}: a value longer than {MAX_FIELD_CHARS} characters"
            ) from None
        raise InvalidField("file", f"line {line}: not valid CSV ({exc})") from None


def _check_cells(line: int, columns: list[str], cells: list[str]) -> None:
    if len(cells) > MAX_COLUMNS:
        raise InvalidField("file", f"line {line}: more than {MAX_COLUMNS} columns")
    for i, value in enumerate(cells):
        column = columns[i] if i < len(columns) else f"column {i + 1}"
        bound = COLUMN_CHARS.get(column, MAX_FIELD_CHARS)
        if len(value) > bound:
            raise InvalidField("file", f"line {line}, {column}: longer than {bound} characters")
        if has_control_characters(value, allow_newlines=True):
            raise InvalidField("file", f"line {line}, {column}: control characters")


def already_recorded(line: BankLine) -> Unmatched:
    if line.transaction_id:
        return Unmatched(
            line.line,
            f"already recorded (transaction {line.transaction_id})",
            reasons.ALREADY_RECORDED,
            {"transaction_id": line.transaction_id},
        )
    return Unmatched(
        line.line,
        "already recorded (same date, amount and description; the statement has no transaction_id)",
        reasons.ALREADY_RECORDED,
        {"transaction_id": ""},
    )


def match_line(line: BankLine, references: Mapping[str, UUID]) -> Matched | Unmatched:
    """Finds the exhibitor whose payment reference the transfer's description carries
    (spaces and case ignored); amounts may be written 4.000.000 or 4,000,000."""
    text = line.description.upper().replace(" ", "")
    exhibitor = next((e for ref, e in references.items() if ref in text), None)
    try:
        amount = int(line.amount.replace(".", "").replace(",", ""))
    except ValueError:
        return Unmatched(line.line, "amount is not a whole number", reasons.AMOUNT_NOT_WHOLE)
    if amount > VND_MAX:
        return Unmatched(
            line.line,
            f"amount is above {VND_MAX} VND",
            reasons.AMOUNT_ABOVE_LIMIT,
            {"limit": VND_MAX},
        )
    if exhibitor is None or amount <= 0:
        return Unmatched(
            line.line, "no payment reference of this fair found", reasons.NO_PAYMENT_REFERENCE
        )
    return Matched(line.line, exhibitor, amount, line.description[:120], line.identity)
