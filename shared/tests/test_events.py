"""Event contracts: the envelope, and what decoding refuses."""

from __future__ import annotations

import uuid
from datetime import date

import orjson
import pytest

from ocop_shared.contracts.platform import ProbeHappened
from ocop_shared.contracts.registration import ApplicationApproved, CertificateIssued
from ocop_shared.events import InvalidEventError, UnknownEventError, decode_event, encode_event


def test_an_event_round_trips_through_its_envelope() -> None:
    envelope, raw = encode_event(
        ProbeHappened(key="fair-1", seq=3),
        producer="test",
        correlation_id="req-1",
        causation_id="evt-0",
    )
    decoded_envelope, event = decode_event(raw)
    assert event == ProbeHappened(key="fair-1", seq=3)
    assert decoded_envelope == envelope
    assert (
        envelope.key == "fair-1"
        and envelope.version == 1
        and envelope.occurred_at.tzinfo is not None
    )


@pytest.mark.parametrize(
    ("mutate", "error", "message"),
    [
        (lambda e: e.update(type="platform.never_heard_of"), UnknownEventError, "unknown type"),
        (lambda e: e.update(version=2), UnknownEventError, "known versions [1]"),
        (lambda e: e["payload"].update(seq="three"), InvalidEventError, "seq"),
        (lambda e: e["payload"].update(extra=1), InvalidEventError, "extra"),
        (lambda e: e.pop("event_id"), InvalidEventError, "event_id"),
    ],
)
def test_unknown_or_invalid_events_are_refused_with_a_clear_error(
    mutate: object, error: type[Exception], message: str
) -> None:
    _, raw = encode_event(ProbeHappened(key="k", seq=1), producer="test", correlation_id="c")
    body = orjson.loads(raw)
    mutate(body)  # type: ignore[operator]
    with pytest.raises(error, match=message.replace("[", r"\[").replace("]", r"\]")):
        decode_event(orjson.dumps(body))


def _v1_message(event_type: str, payload: dict[str, object]) -> bytes:
    """A message as registration published it before version 2 of its contracts."""
    return orjson.dumps(
        {
            "event_id": str(uuid.uuid4()),
            "type": event_type,
            "version": 1,
            "occurred_at": "2026-01-01T00:00:00+00:00",
            "producer": "registration",
            "correlation_id": "c",
            "key": "k",
            "payload": payload,
        }
    )


def _v1_product(status: str) -> dict[str, object]:
    return {
        "product_id": str(uuid.uuid4()),
        "holder_id": str(uuid.uuid4()),
        "name": "Chè Tân Cương",
        "group": 1,
        "taxonomy": "2023",
        "gtin": None,
        "unit": "gói",
        "list_price_vnd": 120_000,
        "certificate": {
            "certificate_id": str(uuid.uuid4()),
            "number": "C-1",
            "star": 4,
            "issuing_level": "province",
            "issuing_body": "UBND tỉnh Thái Nguyên",
            "decision_number": "1/QĐ",
            "decision_date": "2025-01-01",
            "valid_from": "2025-01-01",
            "valid_to": "2027-12-31",
            "status": status,
        },
    }


@pytest.mark.parametrize(("status", "until"), [("valid", date(2027, 12, 31)), ("revoked", None)])
def test_a_version_1_product_event_decodes_with_registrations_decision_filled_in(
    status: str, until: date | None
) -> None:
    raw = _v1_message("registration.certificate_issued", {"product": _v1_product(status)})
    envelope, event = decode_event(raw)
    assert isinstance(event, CertificateIssued) and type(event).version == 2
    assert envelope.version == 1
    assert event.product.ocop_until == until


def test_a_version_1_application_admits_only_products_whose_certificate_was_in_force() -> None:
    kept, dropped = _v1_product("expiring"), _v1_product("expired")
    application = {
        "application_id": str(uuid.uuid4()),
        "fair_id": str(uuid.uuid4()),
        "exhibitor_id": str(uuid.uuid4()),
        "exhibitor_name": "HTX Tân Cương",
        "exhibitor_kind": "cooperative",
        "province": "Thái Nguyên",
        "products": [kept, dropped],
        "booth_request": {"count": 1},
        "status": "approved",
        "submitted_at": "2026-01-01T00:00:00+00:00",
        "best_star": 4,
    }
    _, event = decode_event(
        _v1_message("registration.application_approved", {"application": application})
    )
    assert isinstance(event, ApplicationApproved)
    assert [(a.product_id, a.until) for a in event.application.admitted] == [
        (uuid.UUID(str(kept["product_id"])), date(2027, 12, 31))
    ]


def test_an_upcaster_that_cannot_read_the_old_payload_is_a_clear_decode_error() -> None:
    raw = _v1_message("registration.product_updated", {"nothing": "here"})
    with pytest.raises(InvalidEventError, match=r"cannot upcast registration\.product_updated v1"):
        decode_event(raw)
