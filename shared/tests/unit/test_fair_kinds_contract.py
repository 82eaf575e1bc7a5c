"""A fair's kind in ``FairSnapshot`` (issue 15): a promotion week's host retailer and its
stores, a showroom's opening hours and open end, the consignment commission in the rules.
All optional with defaults, so a message older than the fields decodes as before."""

from __future__ import annotations

import uuid

import orjson

from ocop_shared.contracts.registration import FairRulesChanged, FairSnapshot
from ocop_shared.events import decode_event, encode_event


def _message(payload: dict[str, object]) -> bytes:
    return orjson.dumps(
        {
            "event_id": str(uuid.uuid4()),
            "type": "registration.fair_rules_changed",
            "version": 1,
            "occurred_at": "2026-01-01T00:00:00+00:00",
            "producer": "registration",
            "correlation_id": "c",
            "key": "k",
            "payload": payload,
        }
    )


def _fair(**extra: object) -> dict[str, object]:
    return {
        "fair_id": str(uuid.uuid4()),
        "organizer_id": "so-cong-thuong-qn",
        "name": "Tuần lễ OCOP tại siêu thị",
        "kind": "promotion_week",
        "venue": "Hạ Long",
        "province": "Quảng Ninh",
        "starts_at": "2026-03-01T01:00:00+00:00",
        "ends_at": "2026-03-08T14:00:00+00:00",
        "applications_open_at": "2026-01-01T01:00:00+00:00",
        "applications_close_at": "2026-02-01T01:00:00+00:00",
        "rules": {"min_star": 3},
        "status": "open",
        **extra,
    }


def test_a_fair_older_than_the_kind_fields_decodes_with_their_defaults() -> None:
    _, event = decode_event(_message({"fair": _fair()}))
    assert isinstance(event, FairRulesChanged)
    fair = event.fair
    assert (fair.host_retailer_id, fair.stores, fair.opening_hours, fair.open_ended) == (
        None,
        [],
        [],
        False,
    )
    assert fair.rules.commission_percent == 0


def test_the_kind_fields_round_trip_through_the_envelope() -> None:
    retailer = uuid.uuid4()
    snapshot = FairSnapshot.model_validate(
        _fair(
            host_retailer_id=str(retailer),
            stores=[{"store_code": "HL01", "name": "Siêu thị Hạ Long"}],
            opening_hours=[{"weekday": 0, "opens": "08:00", "closes": "21:30"}],
            open_ended=True,
            rules={"min_star": 3, "commission_percent": 15},
        )
    )
    _, raw = encode_event(FairRulesChanged(fair=snapshot), producer="test", correlation_id="c")
    _, event = decode_event(raw)
    assert isinstance(event, FairRulesChanged)
    fair = event.fair
    assert fair.host_retailer_id == retailer
    assert [(s.store_code, s.name) for s in fair.stores] == [("HL01", "Siêu thị Hạ Long")]
    assert [(h.weekday, h.opens, h.closes) for h in fair.opening_hours] == [(0, "08:00", "21:30")]
    assert fair.open_ended is True
    assert fair.rules.commission_percent == 15
