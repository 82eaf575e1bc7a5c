"""Event contracts: the envelope, and what decoding refuses."""

from __future__ import annotations

import orjson
import pytest

from ocop_shared.contracts.platform import ProbeHappened
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
