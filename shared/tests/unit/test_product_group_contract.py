"""Issue 15: named, versioned product groups and local goods in the contracts. The new fields
are optional, so messages older than them decode (no name, OCOP, local goods not admitted),
and newer ones carry the group's Vietnamese name and taxonomy, and ``ocop`` False for local
goods."""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from ocop_shared.contracts.registration import (
    AdmissionRules,
    ApplicationApproved,
    ProductUpdated,
)
from ocop_shared.contracts.sales import SaleRecorded, SoldLine
from ocop_shared.events import decode_event, encode_event


def _message(event_type: str, version: int, payload: dict[str, Any], producer: str) -> bytes:
    return orjson.dumps(
        {
            "event_id": str(uuid.uuid4()),
            "type": event_type,
            "version": version,
            "occurred_at": "2026-01-01T00:00:00+00:00",
            "producer": producer,
            "correlation_id": "c",
            "key": "k",
            "payload": payload,
        }
    )


def _product(**extra: Any) -> dict[str, Any]:
    return {
        "product_id": str(uuid.uuid4()),
        "holder_id": str(uuid.uuid4()),
        "name": "Chè Tân Cương",
        "group": 2,
        "taxonomy": "2019",
        "gtin": None,
        "unit": "hộp",
        "list_price_vnd": 120_000,
        "certificate": None,
        "ocop_until": None,
        **extra,
    }


def _line(**extra: Any) -> dict[str, Any]:
    return {
        "product_id": str(uuid.uuid4()),
        "producer_id": str(uuid.uuid4()),
        "quantity": 2,
        "unit_price_vnd": 50_000,
        "discount_vnd": 0,
        "total_vnd": 100_000,
        "product_group": 1,
        "star": 4,
        **extra,
    }


def _sale(lines: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "sale_id": str(uuid.uuid4()),
        "fair_id": str(uuid.uuid4()),
        "terminal_id": str(uuid.uuid4()),
        "booth_id": str(uuid.uuid4()),
        "exhibitor_id": str(uuid.uuid4()),
        "receipt_no": 1,
        "device_time": "2026-01-01T09:00:00+07:00",
        "business_date": "2026-01-01",
        "lines": lines,
        "total_vnd": 100_000,
        "payments": {"cash": 100_000},
    }


def test_a_product_message_older_than_the_group_name_decodes_without_it() -> None:
    _, event = decode_event(
        _message("registration.product_updated", 2, {"product": _product()}, "registration")
    )
    assert isinstance(event, ProductUpdated)
    assert event.product.product_group_name is None
    assert (event.product.group, event.product.taxonomy) == (2, "2019")


def test_a_product_carries_its_group_name_and_taxonomy() -> None:
    payload = {"product": _product(product_group_name="Đồ uống")}
    _, event = decode_event(_message("registration.product_updated", 2, payload, "registration"))
    assert isinstance(event, ProductUpdated)
    assert (event.product.group, event.product.product_group_name, event.product.taxonomy) == (
        2,
        "Đồ uống",
        "2019",
    )


def test_an_older_sold_line_decodes_as_an_ocop_line_without_a_name() -> None:
    _, event = decode_event(_message("sales.sale_recorded", 1, _sale([_line()]), "sales"))
    assert isinstance(event, SaleRecorded)
    line = event.lines[0]
    assert (line.product_group_name, line.taxonomy, line.ocop) == (None, None, True)


def test_a_local_goods_line_round_trips_with_its_group_name() -> None:
    line = SoldLine.model_validate(
        _line(product_group_name="Thực phẩm", taxonomy="2023", ocop=False, star=0)
    )
    sale = SaleRecorded.model_validate({**_sale([]), "lines": [line]})
    _, raw = encode_event(sale, producer="sales", correlation_id="c")
    _, event = decode_event(raw)
    assert isinstance(event, SaleRecorded)
    assert event.lines[0].product_group_name == "Thực phẩm"
    assert event.lines[0].taxonomy == "2023"
    assert event.lines[0].ocop is False


def test_rules_and_admitted_products_older_than_local_goods_mean_ocop_only() -> None:
    assert AdmissionRules().admits_local_goods is False
    application = {
        "application_id": str(uuid.uuid4()),
        "fair_id": str(uuid.uuid4()),
        "exhibitor_id": str(uuid.uuid4()),
        "exhibitor_name": "HTX",
        "exhibitor_kind": "cooperative",
        "province": "Hà Giang",
        "products": [_product(ocop_until="2027-01-01")],
        "booth_request": {"count": 1},
        "status": "approved",
        "submitted_at": "2026-01-01T00:00:00+00:00",
        "best_star": 3,
        "admitted": [{"product_id": str(uuid.uuid4()), "until": "2026-02-01"}],
    }
    _, event = decode_event(
        _message(
            "registration.application_approved", 2, {"application": application}, "registration"
        )
    )
    assert isinstance(event, ApplicationApproved)
    assert event.application.admitted[0].ocop is True
    local = {**application, "admitted": [{**application["admitted"][0], "ocop": False}]}
    _, event = decode_event(
        _message("registration.application_approved", 2, {"application": local}, "registration")
    )
    assert isinstance(event, ApplicationApproved)
    assert event.application.admitted[0].ocop is False
