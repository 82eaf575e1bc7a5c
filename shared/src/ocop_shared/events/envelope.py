"""The envelope every event travels in, and the registry of event types.

A payload class declares its ``event_type``, ``version`` and ``topic`` and how to compute its
partition key; defining the class registers it. Consumers decode with ``decode_event``, which
rejects an unknown type or version and an invalid payload with a clear error (so the message
can be dead-lettered rather than guessed at).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

import orjson
from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from ocop_shared.topics import Topic

_REGISTRY: dict[tuple[str, int], type[Event]] = {}
# (type, version) -> a function that turns that version's payload into the next version's.
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def register_upcaster(event_type: str, from_version: int, upcast: Upcaster) -> None:
    """Lets consumers read an older version of an event: ``upcast`` turns a payload of
    ``from_version`` into one of ``from_version + 1``. Chains apply in order, so a v1 message
    reaches a v3 class through v2."""
    key = (event_type, from_version)
    if key in _UPCASTERS:
        raise TypeError(f"upcaster for {key} is registered twice")
    _UPCASTERS[key] = upcast


class Event(BaseModel):
    """Base of every event payload: a fact in the past tense, with the state consumers need."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    version: ClassVar[int] = 1
    topic: ClassVar[Topic]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "event_type" in cls.__dict__:
            key = (cls.event_type, cls.version)
            if key in _REGISTRY and _REGISTRY[key].__qualname__ != cls.__qualname__:
                raise TypeError(f"event {key} is registered twice")
            _REGISTRY[key] = cls

    def partition_key(self) -> str:
        raise NotImplementedError(f"{type(self).__name__} must say which id orders it")


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: uuid.UUID
    type: str
    version: int
    occurred_at: AwareDatetime
    producer: str
    correlation_id: str
    causation_id: str | None = None
    key: str
    payload: dict[str, Any]


class EventDecodeError(ValueError):
    """A message that can never be processed: dead-letter it, do not retry."""


class UnknownEventError(EventDecodeError):
    pass


class InvalidEventError(EventDecodeError):
    pass


def encode_event(
    event: Event,
    *,
    producer: str,
    correlation_id: str,
    causation_id: str | None = None,
    event_id: uuid.UUID | None = None,
    occurred_at: datetime | None = None,
) -> tuple[Envelope, bytes]:
    envelope = Envelope.model_construct(
        event_id=event_id or uuid.uuid4(),
        type=event.event_type,
        version=event.version,
        occurred_at=occurred_at or datetime.now(UTC),
        producer=producer,
        correlation_id=correlation_id,
        causation_id=causation_id,
        key=event.partition_key(),
        payload=event.model_dump(mode="json"),
    )
    # The parts are valid by construction (a validated event, our own ids): skip re-validating.
    return envelope, envelope_json(
        event,
        event_id=envelope.event_id,
        occurred_at=envelope.occurred_at,
        producer=producer,
        correlation_id=correlation_id,
        causation_id=causation_id,
        key=envelope.key,
    )


_PAYLOAD = b',"payload":'


def envelope_json(
    event: Event,
    *,
    event_id: uuid.UUID,
    occurred_at: datetime,
    producer: str,
    correlation_id: str,
    causation_id: str | None,
    key: str,
) -> bytes:
    """The envelope's JSON, as ``orjson.dumps`` of its fields with the payload as
    ``event.model_dump(mode="json")`` (``tests/unit/test_envelope_json.py`` holds the bytes
    equal): the head by orjson, the payload by pydantic's serializer straight to JSON, without
    the payload's Python dict (the outbox's hot path: a batch writes a thousand events)."""
    head = orjson.dumps(
        {
            "event_id": str(event_id),
            "type": event.event_type,
            "version": event.version,
            "occurred_at": occurred_at.isoformat(),
            "producer": producer,
            "correlation_id": correlation_id,
            "causation_id": causation_id,
            "key": key,
        }
    )
    payload: bytes = event.__pydantic_serializer__.to_json(event)
    return b"".join((head[:-1], _PAYLOAD, payload, b"}"))


def decode_event(raw: bytes | None) -> tuple[Envelope, Event]:
    if raw is None:
        raise InvalidEventError("message has no value")
    try:
        envelope = Envelope.model_validate_json(raw)
    except ValidationError as exc:
        raise InvalidEventError(f"invalid envelope: {_errors(exc)}") from exc
    payload, version = envelope.payload, envelope.version
    cls = _REGISTRY.get((envelope.type, version))
    while cls is None and (envelope.type, version) in _UPCASTERS:
        try:
            payload = _UPCASTERS[(envelope.type, version)](payload)
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidEventError(f"cannot upcast {envelope.type} v{version}: {exc!r}") from exc
        version += 1
        cls = _REGISTRY.get((envelope.type, version))
    if cls is None:
        known = sorted(v for (t, v) in _REGISTRY if t == envelope.type)
        detail = f"known versions {known}" if known else "unknown type"
        raise UnknownEventError(f"cannot read {envelope.type} v{envelope.version}: {detail}")
    try:
        event = cls.model_validate(payload)
    except ValidationError as exc:
        raise InvalidEventError(
            f"invalid {envelope.type} v{envelope.version} payload: {_errors(exc)}"
        ) from exc
    return envelope, event


def registered_events() -> dict[tuple[str, int], type[Event]]:
    return dict(_REGISTRY)


def registered_upcasters() -> dict[tuple[str, int], Upcaster]:
    """(type, version) -> the upcaster that reads that older version."""
    return dict(_UPCASTERS)


def _errors(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in exc.errors()[:5]
    )
