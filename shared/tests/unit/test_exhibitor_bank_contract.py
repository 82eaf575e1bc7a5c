"""The exhibitor's receiving bank account in ``ExhibitorSnapshot`` (issue 13): optional, so a
message older than the fields decodes (no bank account), and a newer one carries all three."""

from __future__ import annotations

import uuid

import orjson

from ocop_shared.contracts.registration import ExhibitorSnapshot, ExhibitorUpdated
from ocop_shared.events import decode_event, encode_event


def _message(payload: dict[str, object]) -> bytes:
    return orjson.dumps(
        {
            "event_id": str(uuid.uuid4()),
            "type": "registration.exhibitor_updated",
            "version": 1,
            "occurred_at": "2026-01-01T00:00:00+00:00",
            "producer": "registration",
            "correlation_id": "c",
            "key": "k",
            "payload": payload,
        }
    )


def _exhibitor(**extra: object) -> dict[str, object]:
    return {
        "exhibitor_id": str(uuid.uuid4()),
        "kind": "cooperative",
        "name": "HTX Chè Tân Cương",
        "tax_code": None,
        "province": "Thái Nguyên",
        "commune": None,
        "phone": None,
        **extra,
    }


def test_a_message_older_than_the_bank_fields_decodes_without_a_bank_account() -> None:
    _, event = decode_event(_message({"exhibitor": _exhibitor()}))
    assert isinstance(event, ExhibitorUpdated)
    exhibitor = event.exhibitor
    assert (exhibitor.bank_bin, exhibitor.bank_account, exhibitor.bank_account_name) == (
        None,
        None,
        None,
    )


def test_the_bank_account_round_trips_through_the_envelope() -> None:
    bank = {"bank_bin": "970436", "bank_account": "0011001234567", "bank_account_name": "HTX CHE"}
    snapshot = ExhibitorSnapshot.model_validate(_exhibitor(**bank))
    _, raw = encode_event(ExhibitorUpdated(exhibitor=snapshot), producer="test", correlation_id="c")
    _, event = decode_event(raw)
    assert isinstance(event, ExhibitorUpdated)
    assert event.exhibitor.bank_bin == "970436"
    assert event.exhibitor.bank_account == "0011001234567"
    assert event.exhibitor.bank_account_name == "HTX CHE"
