"""Event contracts: an envelope around one pydantic model per (event type, version)."""

from ocop_shared.events.envelope import (
    Envelope,
    Event,
    EventDecodeError,
    InvalidEventError,
    UnknownEventError,
    decode_event,
    encode_event,
    register_upcaster,
    registered_events,
    registered_upcasters,
)

__all__ = [
    "Envelope",
    "Event",
    "EventDecodeError",
    "InvalidEventError",
    "UnknownEventError",
    "decode_event",
    "encode_event",
    "register_upcaster",
    "registered_events",
    "registered_upcasters",
]
