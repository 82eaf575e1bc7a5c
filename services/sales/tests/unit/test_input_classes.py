"""The sales API's request models take every value through issue 11's input classes: each bad
value is refused naming its field, before any rule, database or encoder sees it. Pure: the
models alone (the API tests send the same through HTTP)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from ocop_sales.adapters.http.schemas import (
    RefundApprovalRequest,
    RefundRequest,
    SaleBatch,
    SaleRequest,
    SessionOpen,
    TerminalEnrol,
)
from ocop_shared.inputs import safe_errors


def a_sale(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "sale_id": str(uuid.uuid4()),
        "device_time": "2026-11-30T10:00:00+07:00",
        "lines": [{"product_id": str(uuid.uuid4()), "quantity": 2, "unit_price_vnd": 100_000}],
        "payments": [{"method": "cash", "amount_vnd": 200_000}],
        "total_vnd": 200_000,
    }
    return {**body, **changes}


def a_line(**changes: Any) -> dict[str, Any]:
    return {"product_id": str(uuid.uuid4()), "quantity": 1, "unit_price_vnd": 100_000, **changes}


def refused(model: type[BaseModel], raw: str | bytes) -> list[Any]:
    """The locations refused; the errors encode as JSON whatever the input was."""
    with pytest.raises(ValidationError) as exc:
        model.model_validate_json(raw)
    errors = safe_errors(exc.value.errors())
    json.dumps(errors)  # never the input echoed, always encodable
    return [e["loc"] for e in errors]


def test_a_valid_sale_parses() -> None:
    SaleRequest.model_validate_json(json.dumps(a_sale()))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("unit_price_vnd", "12.000"),  # Vietnamese twelve thousand, not 12 dong
        ("unit_price_vnd", 2**64),
        ("unit_price_vnd", 10**12 + 1),  # beyond a trillion dong
        ("unit_price_vnd", 60_000.5),
        ("unit_price_vnd", True),
        ("discount_vnd", -1),
        ("total_vnd", "5"),
        ("quantity", 2**31),  # sale_lines.quantity is an int4
        ("quantity", "2"),
        ("gtin", "٨٩٣٠٠٠٠٠٠٠٠١٩"),  # Arabic-Indic digits are digits to \d, not a GTIN
        ("gtin", ""),
        ("discount_reason", "\u200b"),  # only a zero-width space
        ("discount_reason", "giảm\x00giá"),
        ("discount_reason", "x" * 501),
    ],
)
def test_a_line_value_outside_its_class_is_refused_naming_it(field: str, value: Any) -> None:
    body = a_sale(lines=[a_line(**{field: value})])
    assert refused(SaleRequest, json.dumps(body)) == [["lines", 0, field]]


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_nan_and_infinity_are_not_money(raw: str) -> None:
    text = json.dumps(a_sale()).replace('"total_vnd": 200000', f'"total_vnd": {raw}')
    assert refused(SaleRequest, text) == [["total_vnd"]]


@pytest.mark.parametrize(
    "moment",
    [
        "0001-01-01T00:00:00+14:00",  # year 1: the time zone arithmetic would overflow
        "9999-12-31T23:59:59-12:00",
        "1999-12-31T23:59:59",
        "2101-01-01T00:00:00+07:00",
    ],
)
def test_a_device_time_lies_within_2000_and_2100(moment: str) -> None:
    assert refused(SaleRequest, json.dumps(a_sale(device_time=moment))) == [["device_time"]]
    batch = {"sales": [a_sale(), a_sale(device_time=moment)]}
    assert refused(SaleBatch, json.dumps(batch)) == [["sales", 1, "device_time"]]


def test_a_device_time_without_offset_is_still_taken_as_viet_nam_time() -> None:
    sale = SaleRequest.model_validate_json(json.dumps(a_sale(device_time="2026-11-30T10:00:00")))
    assert sale.device_time.tzinfo is None  # the route reads it as Asia/Ho_Chi_Minh


def test_every_list_is_bounded() -> None:
    assert refused(SaleRequest, json.dumps(a_sale(lines=[a_line()] * 1001))) == [["lines"]]
    assert refused(SaleRequest, json.dumps(a_sale(lines=[]))) == [["lines"]]
    payments = [{"method": "cash", "amount_vnd": 1}] * 11
    assert refused(SaleRequest, json.dumps(a_sale(payments=payments))) == [["payments"]]
    refund = {
        "refund_id": str(uuid.uuid4()),
        "lines": [{"line_no": 0, "quantity": 1}] * 1001,
        "method": "cash",
        "reason": "đổi ý",
    }
    assert refused(RefundRequest, json.dumps(refund)) == [["lines"]]


@pytest.mark.parametrize(
    "body",
    [
        b'{"sale_id": "\xff\xfe"}',  # not UTF-8
        b"\xc3\x28",
        b'{"sale_id": "\\ud800"}',  # a lone surrogate, escaped
        b"",
    ],
)
def test_an_unreadable_body_is_refused_without_echoing_it(body: bytes) -> None:
    locs = refused(SaleRequest, body)
    assert locs  # some location; the API test checks the status and that nothing is echoed


@pytest.mark.parametrize(
    ("model", "body", "loc"),
    [
        (TerminalEnrol, {"booth_id": str(uuid.uuid4()), "label": "\u200b\u200c"}, ["label"]),
        (TerminalEnrol, {"booth_id": str(uuid.uuid4()), "label": "Q\x00uầy"}, ["label"]),
        (TerminalEnrol, {"booth_id": str(uuid.uuid4()), "label": "x" * 81}, ["label"]),
        (SessionOpen, {"opening_cash_vnd": "500.000"}, ["opening_cash_vnd"]),
        (SessionOpen, {"opening_cash_vnd": 2**63}, ["opening_cash_vnd"]),
        (
            RefundRequest,
            {"refund_id": str(uuid.uuid4()), "lines": [{"line_no": 2**31, "quantity": 1}],
             "method": "cash", "reason": "đổi ý"},
            ["lines", 0, "line_no"],
        ),
        (
            RefundApprovalRequest,
            {"approval_id": str(uuid.uuid4()), "method": "cash", "reason": " \u2060 "},
            ["reason"],
        ),
        (
            RefundApprovalRequest,
            {"approval_id": str(uuid.uuid4()), "method": "transfer", "reason": "x"},
            ["method"],
        ),
    ],
)  # fmt: skip
def test_text_and_numbers_of_every_request_are_refused_naming_them(
    model: type[BaseModel], body: dict[str, Any], loc: list[Any]
) -> None:
    raw = json.dumps(body, ensure_ascii=True)
    assert refused(model, raw) == [loc]


def test_a_lone_surrogate_is_not_text() -> None:
    """FastAPI's own body parsing (json.loads) lets ``"\\ud800"`` through as a str: UTF-8
    cannot encode it, so neither the content hash, the database nor an answer could."""
    body = {
        "refund_id": str(uuid.uuid4()),
        "lines": [{"line_no": 0, "quantity": 1}],
        "method": "cash",
        "reason": "đổi \ud800 ý",
    }
    with pytest.raises(ValidationError) as exc:
        RefundRequest.model_validate(body)
    assert [e["loc"] for e in safe_errors(exc.value.errors())] == [["reason"]]
    label = {"booth_id": str(uuid.uuid4()), "label": "\udfff"}
    with pytest.raises(ValidationError):
        TerminalEnrol.model_validate(label)


def test_payment_references_are_text_of_their_class() -> None:
    payments = [{"method": "vietqr", "amount_vnd": 200_000, "reference": "CK\x00"}]
    assert refused(SaleRequest, json.dumps(a_sale(payments=payments))) == [
        ["payments", 0, "reference"]
    ]
