"""A fair's rules say whether it sells (issue 15): an exhibition is display-only. The field is
optional with a default, so a message older than it decodes as a selling fair."""

from __future__ import annotations

import uuid

import orjson

from ocop_shared.contracts.registration import AdmissionRules, FairRulesChanged
from ocop_shared.events import decode_event


def _message(rules: dict[str, object]) -> bytes:
    fair = {
        "fair_id": str(uuid.uuid4()), "organizer_id": "so-cong-thuong-qn",
        "name": "Triển lãm OCOP Quảng Ninh", "kind": "exhibition", "venue": "Hạ Long",
        "province": "Quảng Ninh", "starts_at": "2026-03-01T01:00:00+00:00",
        "ends_at": "2026-03-05T14:00:00+00:00",
        "applications_open_at": "2026-01-01T01:00:00+00:00",
        "applications_close_at": "2026-02-01T01:00:00+00:00", "rules": rules, "status": "open",
    }  # fmt: skip
    return orjson.dumps({
        "event_id": str(uuid.uuid4()), "type": "registration.fair_rules_changed", "version": 1,
        "occurred_at": "2026-01-01T00:00:00+00:00", "producer": "registration",
        "correlation_id": "c", "key": "k", "payload": {"fair": fair},
    })  # fmt: skip


def test_a_message_older_than_the_field_sells() -> None:
    _, event = decode_event(_message({"min_star": 3}))
    assert isinstance(event, FairRulesChanged)
    assert event.fair.rules.selling is True
    assert AdmissionRules().selling is True


def test_a_display_only_fair_says_so() -> None:
    _, event = decode_event(_message({"min_star": 3, "selling": False}))
    assert isinstance(event, FairRulesChanged)
    assert event.fair.rules.selling is False
