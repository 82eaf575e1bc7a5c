"""Reading a bank statement (domain/payments.py): a file that cannot be read, a short line,
an over-long value, too many lines: a refusal naming ``file`` and the line (a 422), never an
exception of the csv module's; an amount beyond any payment is an unmatched line."""

from __future__ import annotations

import tempfile
import uuid

import pytest

from ocop_booths.domain import payments
from ocop_booths.domain.fees import payment_reference
from ocop_booths.domain.payments import (
    BankLine,
    Matched,
    Unmatched,
    match_line,
    parse_bank_statement,
)
from ocop_shared.errors import InvalidField


def refused(data: bytes, message: str) -> None:
    with pytest.raises(InvalidField, match=message) as caught:
        parse_bank_statement(data)
    assert caught.value.field == "file"


def test_a_short_line_is_refused_naming_the_line_and_the_columns() -> None:
    refused(
        b"date,amount_vnd,description\n2024-08-20,4.000.000,CK OCOP1\n2024-08-21,99\n",
        r"line 3 has 2 value\(s\) where the header has 3 columns \(date, amount_vnd, description\)",
    )
    refused(b"amount_vnd,description\n100\n", "line 2 has 1 value")


def test_extra_values_are_refused_unless_empty() -> None:
    refused(b"amount_vnd,description\n100,CK,surprise\n", "line 2 has more values")
    [line] = parse_bank_statement(b"amount_vnd,description\n100,CK OCOP1,,\n")
    assert (line.amount, line.description) == ("100", "CK OCOP1")


def test_blank_lines_are_skipped_and_numbering_kept() -> None:
    lines = parse_bank_statement(b"amount_vnd,description\n\n100,a\n,\n200,b\n")
    assert [(line.line, line.amount) for line in lines] == [(3, "100"), (5, "200")]


def test_over_long_values_are_refused() -> None:
    refused(b'amount_vnd,description\n1,"' + b"x" * 200_000 + b'"\n', "longer than 1000")
    refused(
        b"amount_vnd,description\n1," + b"x" * 501 + b"\n", "line 2, description: longer than 500"
    )
    refused(b"transaction_id,amount_vnd,description\n" + b"9" * 101 + b",1,x\n", "transaction_id")
    refused(b"amount_vnd,description,note\n1,x," + b"n" * 1001 + b"\n", "line 2, note")
    refused(b",".join([b"c%d" % i for i in range(65)]) + b"\n", "more than 64 columns")


def test_control_characters_and_bad_encoding_are_refused() -> None:
    refused(b"amount_vnd,description\n1,CK\x00OCOP\n", "line 2, description: control")
    refused("amount_vnd,description\n1,\xe9\n".encode("latin-1"), "UTF-8")


def test_reading_stops_at_the_line_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(payments, "MAX_LINES", 10)
    data = b"amount_vnd,description\n" + b"1,x\n" * 11
    refused(data, "at most 10 lines")
    assert len(parse_bank_statement(b"amount_vnd,description\n" + b"1,x\n" * 10)) == 10


def test_an_amount_beyond_any_payment_is_unmatched() -> None:
    fair, exhibitor = uuid.uuid4(), uuid.uuid4()
    ref = payment_reference(fair, exhibitor)
    refs = {ref: exhibitor}
    huge = match_line(BankLine(2, "18446744073709551616", f"CK {ref}"), refs)
    assert isinstance(huge, Unmatched) and "above" in huge.reason
    assert isinstance(match_line(BankLine(2, "4.000.000", f"CK {ref}"), refs), Matched)


def test_a_statement_is_read_from_its_upload_and_the_file_left_open() -> None:
    with tempfile.SpooledTemporaryFile(max_size=10) as spooled:
        spooled.write(b"amount_vnd,description\n100,CK OCOP1\n")
        spooled.seek(0)
        [line] = parse_bank_statement(spooled)
        assert line.description == "CK OCOP1" and not spooled.closed
