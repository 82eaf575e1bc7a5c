"""The sale's content hash, built field by field on the hot path (``canonical_content``), is
the one the first stored sales were hashed with: ``model_dump(mode="json")`` less the fields
added since, when absent. A difference would turn a till's retry into a 409 conflict."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from ocop_sales.adapters.http.sales import canonical_content, to_sale
from ocop_sales.adapters.http.schemas import SaleBatch, SaleRequest


def dumped(body: SaleRequest) -> dict[str, Any]:
    """The content as the hash read it before the hot path built it itself."""
    content = body.model_dump(mode="json")
    if content["receipt_no"] is None:
        del content["receipt_no"]
    for line in content["lines"]:
        if line["discount_reason"] is None:
            del line["discount_reason"]
    for payment in content["payments"]:
        if payment["payment_code"] is None:
            del payment["payment_code"]
        if payment["confirmed"] is True:
            del payment["confirmed"]
    return content


P = "6f1c3d4e-0000-4000-8000-00000000000a"
BODIES: list[dict[str, Any]] = [
    {  # the plainest: naive local time, product ids, cash
        "sale_id": str(uuid.uuid4()),
        "device_time": "2026-11-30T09:15:00",
        "lines": [{"product_id": P, "quantity": 2, "unit_price_vnd": 45_000}],
        "payments": [{"method": "cash", "amount_vnd": 90_000}],
        "total_vnd": 90_000,
    },
    {  # offsets, microseconds, a GTIN line, a discount with its reason, totals claimed
        "sale_id": str(uuid.uuid4()).upper(),
        "device_time": "2026-11-30T09:15:00.120000+07:00",
        "lines": [
            {"gtin": "8930000000017", "quantity": 1, "unit_price_vnd": 10_000, "total_vnd": 10_000},
            {
                "product_id": P.upper(),
                "gtin": "8930000000024",
                "quantity": 3,
                "unit_price_vnd": 20_000,
                "discount_vnd": 5_000,
                "discount_reason": "Khách quen, giảm giá",
                "total_vnd": 55_000,
            },
        ],
        "payments": [
            {"method": "card", "amount_vnd": 30_000, "reference": "POS 0012"},
            {"method": "cash", "amount_vnd": 35_000},
        ],
        "total_vnd": 65_000,
        "receipt_no": 17,
    },
    {  # UTC as Z, a VietQR transfer waiting for the bank, a confirmed one
        "sale_id": str(uuid.uuid4()),
        "device_time": "2026-11-30T02:15:00.5Z",
        "lines": [{"product_id": P, "quantity": 1, "unit_price_vnd": 500_000}],
        "payments": [
            {
                "method": "vietqr",
                "amount_vnd": 300_000,
                "payment_code": "OCOPAB12",
                "confirmed": False,
            },
            {
                "method": "vietqr",
                "amount_vnd": 200_000,
                "payment_code": "OCOPAB13",
                "confirmed": True,
            },
        ],
        "total_vnd": 500_000,
        "receipt_no": None,
    },
    {  # another offset, seconds only, a reference given as null
        "sale_id": str(uuid.uuid4()),
        "device_time": "2026-11-30T09:15:59-05:30",
        "lines": [{"product_id": P, "quantity": 1, "unit_price_vnd": 1, "discount_reason": None}],
        "payments": [{"method": "ewallet", "amount_vnd": 1, "reference": None}],
        "total_vnd": 1,
    },
]


@pytest.mark.parametrize("raw", BODIES)
def test_the_hot_path_hashes_the_content_as_the_dump_did(raw: dict[str, Any]) -> None:
    body = SaleRequest.model_validate(raw)
    assert canonical_content(body) == dumped(body)


def test_a_batch_hashes_each_sale_as_alone() -> None:
    terminal = uuid.uuid4()
    batch = SaleBatch.model_validate({"sales": BODIES})
    alone = [to_sale(SaleRequest.model_validate(raw), terminal) for raw in BODIES]
    assert [to_sale(s, terminal).payload_hash for s in batch.sales] == [
        s.payload_hash for s in alone
    ]
    assert len({s.payload_hash for s in alone}) == len(BODIES)


def test_another_content_is_another_hash() -> None:
    terminal = uuid.uuid4()
    body = SaleRequest.model_validate(BODIES[1])
    changed = body.model_copy(update={"receipt_no": 18})
    assert to_sale(body, terminal).payload_hash != to_sale(changed, terminal).payload_hash
    assert to_sale(body, terminal).payload_hash != to_sale(body, uuid.uuid4()).payload_hash
