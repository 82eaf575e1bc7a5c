"""A service's AsyncAPI 3.0.0 document, built from the event contracts themselves.

What a service sends (the topics of ``Service.publishes``: every registered event on them) and
what it receives (its subscriptions: each consumer's handlers, topic by topic), each event
described as it travels: the JSON envelope with the event's own schema as ``payload``, the
Kafka key, and the headers the outbox relay sets (``event_type``, ``event_version``,
``event_id``, ``correlation_id``). Nothing here connects to Kafka or PostgreSQL: a service's
consumers take a pool getter, so they can be listed before the service starts.

The documents of the three services are checked in under ``docs/asyncapi/``; a unit test fails
when they drift from the contracts, and CI parses them with the official AsyncAPI parser
(``tools/asyncapi``). Regenerate them with::

    uv run --frozen python -m ocop_shared.asyncapi --write
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

import ocop_shared.contracts  # noqa: F401  (registers every event type)
from ocop_shared.events import Envelope, Event, registered_events, registered_upcasters
from ocop_shared.service import Service
from ocop_shared.topics import Topic

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
SERVER = "kafka"
SERVER_HOST = "127.0.0.1:29092"
CONTENT_TYPE = "application/json"
HEADERS = ("event_type", "event_version", "event_id", "correlation_id")
CORRELATION_ID = "correlation_id"

# The services whose documents are checked in (docs/asyncapi/<name>.json).
SERVICES = ("registration", "booths", "sales")
# docs/asyncapi at the root of the workspace (this file is shared/src/ocop_shared/asyncapi.py).
DOCS_DIR = Path(__file__).resolve().parents[3] / "docs" / "asyncapi"
REGENERATE = "uv run --frozen python -m ocop_shared.asyncapi --write"

_SCHEMAS = "#/components/schemas/"


def document(service: Service) -> dict[str, Any]:
    """The AsyncAPI 3.0.0 document of ``service``, as a plain dict (see ``render``)."""
    events = _events_by_topic()
    sends = list(dict.fromkeys(service.publishes))
    receives: list[tuple[Topic, str, list[type[Event]]]] = []
    for sub in service.consumers(service):
        for topic in dict.fromkeys(sub.topics):
            handled = [cls for cls in events.get(topic, []) if cls in sub.consumer.handlers]
            if handled:
                receives.append((topic, sub.consumer.name, handled))

    topics = sorted({*sends, *(topic for topic, _, _ in receives)}, key=lambda t: t.name)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    used: list[type[Event]] = []
    for topic in topics:
        on_topic = events.get(topic, [])
        used.extend(on_topic)
        channels[topic.name] = _channel(topic, on_topic)
        for cls in on_topic:
            messages[message_id(cls)] = _message(cls)
    for topic in sends:
        operations[f"send.{topic.name}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{topic.name}"},
            "title": f"{service.name} publishes {topic.name}",
            "summary": (
                f"Written to {service.name}'s outbox in the transaction that changes its state; "
                f"the outbox relay publishes them in commit order per key ({topic.key})."
            ),
            "messages": [_channel_message_ref(topic, cls) for cls in events.get(topic, [])],
        }
    for topic, consumer, handled in receives:
        operations[f"receive.{topic.name}.by.{consumer}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{topic.name}"},
            "title": f"{consumer} reads {topic.name}",
            "summary": (
                f"Consumer group {consumer} (prefixed with the deployment's topic prefix) handles "
                "these events idempotently (inbox), committing offsets after its transaction; "
                "other events on the topic are skipped, undecodable ones dead-lettered."
            ),
            "messages": [_channel_message_ref(topic, cls) for cls in handled],
            "bindings": {
                "kafka": {
                    "groupId": {"type": "string", "enum": [consumer]},
                    "clientId": {"type": "string", "enum": [service.name]},
                    "bindingVersion": KAFKA_BINDING_VERSION,
                }
            },
        }

    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {
            "title": f"ocop-fairs {service.name}",
            "version": _version(service.name),
            "description": (
                f"The events {service.name} sends and receives through Kafka. Every message "
                "value is a JSON envelope (event id, type, version, time, producer, correlation "
                "and causation ids, key) whose `payload` is the event; the Kafka key is the "
                "event's partition key, and the headers repeat the type, version, event id and "
                "correlation id. Channel addresses are logical topic names: a deployment "
                "prepends its topic prefix (OCOP_TOPIC_PREFIX) to topics and consumer groups. "
                f"Generated from ocop_shared.contracts: {REGENERATE}."
            ),
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            SERVER: {
                "host": SERVER_HOST,
                "protocol": "kafka",
                "description": "The local stack's broker (deploy/local, docker-compose.yml).",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": _schemas(used),
            "correlationIds": {
                CORRELATION_ID: {
                    "location": f"$message.header#/{CORRELATION_ID}",
                    "description": (
                        "The request (X-Correlation-ID) that caused the event, carried from "
                        "event to event; also in the envelope."
                    ),
                }
            },
        },
    }


def render(doc: Mapping[str, Any]) -> str:
    """The document as stable JSON text: sorted keys, two-space indent, final newline."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def message_id(cls: type[Event]) -> str:
    return f"{cls.event_type}.v{cls.version}"


def upcast_versions(cls: type[Event]) -> list[int]:
    """The older versions of ``cls``'s event type that consumers still read: each one an
    upcaster chain turns into ``cls.version`` (see ``register_upcaster``)."""
    upcasters = registered_upcasters()
    older = []
    for version in range(1, cls.version):
        v = version
        while (cls.event_type, v) in upcasters and v < cls.version:
            v += 1
        if v == cls.version:
            older.append(version)
    return older


def _events_by_topic() -> dict[Topic, list[type[Event]]]:
    by_topic: dict[Topic, list[type[Event]]] = {}
    for key in sorted(registered_events()):
        cls = registered_events()[key]
        by_topic.setdefault(cls.topic, []).append(cls)
    return by_topic


def _channel(topic: Topic, events: Sequence[type[Event]]) -> dict[str, Any]:
    return {
        "address": topic.name,
        "title": topic.name,
        "description": (
            f"Produced by {topic.producer}; Kafka key: {topic.key} (per-key order kept); "
            f"{topic.default_partitions} partitions."
        ),
        "messages": {
            message_id(cls): {"$ref": f"#/components/messages/{message_id(cls)}"} for cls in events
        },
        "bindings": {
            "kafka": {
                "topic": topic.name,
                "partitions": topic.default_partitions,
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _channel_message_ref(topic: Topic, cls: type[Event]) -> dict[str, str]:
    return {"$ref": f"#/channels/{topic.name}/messages/{message_id(cls)}"}


def _message(cls: type[Event]) -> dict[str, Any]:
    topic = cls.topic
    description = (
        f"`{cls.event_type}` version {cls.version}, published by {topic.producer} on "
        f"{topic.name}; Kafka key: the {topic.key}. The value is the envelope; its `payload` "
        f"is the event ({cls.__name__})."
    )
    older = upcast_versions(cls)
    if older:
        listed = ", ".join(f"v{v}" for v in older)
        description += f" Consumers also read {listed} through an upcaster."
    envelope = Envelope.model_json_schema()
    props = envelope["properties"]
    props["type"] = {**props["type"], "const": cls.event_type}
    props["version"] = {**props["version"], "const": cls.version}
    props["key"] = {**props["key"], "description": f"The partition key: the {topic.key}."}
    props["producer"] = {**props["producer"], "description": "The publishing service."}
    props["payload"] = {"$ref": _SCHEMAS + cls.__name__}
    envelope["title"] = f"{cls.__name__} v{cls.version} envelope"
    return {
        "name": cls.event_type,
        "title": f"{cls.__name__} v{cls.version}",
        "summary": f"{cls.event_type} v{cls.version} on {topic.name}",
        "description": description,
        "contentType": CONTENT_TYPE,
        "headers": {
            "type": "object",
            "properties": {
                "event_type": {"type": "string", "const": cls.event_type},
                "event_version": {"type": "string", "const": str(cls.version)},
                "event_id": {
                    "type": "string",
                    "format": "uuid",
                    "description": "The envelope's event_id (the consumers' inbox key).",
                },
                CORRELATION_ID: {"type": "string", "description": "As in the envelope."},
            },
            "required": list(HEADERS),
        },
        "payload": envelope,
        "correlationId": {"$ref": f"#/components/correlationIds/{CORRELATION_ID}"},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": f"The {topic.key}."},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _schemas(events: Iterable[type[Event]]) -> dict[str, Any]:
    """The JSON schemas of ``events`` and of the models they use, named by class. Generated
    over every registered event so that a name means the same model in every document, then
    cut down to what ``events`` reach."""
    every = [registered_events()[key] for key in sorted(registered_events())]
    refs, top = models_json_schema(
        [(cls, "validation") for cls in every], ref_template=_SCHEMAS + "{model}"
    )
    schemas: dict[str, Any] = top.get("$defs", {})
    for cls in every:
        # Each event is a component named by its class, the name its messages refer to.
        name = refs[(cls, "validation")]["$ref"].removeprefix(_SCHEMAS)
        if name != cls.__name__:
            raise ValueError(f"two event classes are named {cls.__name__}: rename one")
    reached: set[str] = set()
    todo = [cls.__name__ for cls in events]
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo.extend(_refs(schemas[name]))
    return {name: schemas[name] for name in sorted(reached)}


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = []
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_SCHEMAS):
            found.append(ref.removeprefix(_SCHEMAS))
        for value in node.values():
            found.extend(_refs(value))
        return found
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def _version(service: str) -> str:
    try:
        return metadata.version(f"ocop-{service}")
    except metadata.PackageNotFoundError:
        return "0.0.0"


# --- the checked-in documents ---------------------------------------------------------------


def build_service(name: str) -> Service:
    """The service ``name`` as its app builds it, with default settings (nothing connects)."""
    app_module = importlib.import_module(f"ocop_{name}.app")
    service: Service = app_module.build()[0]
    return service


def documents() -> dict[str, str]:
    """Each checked-in service's document, rendered: {service name: JSON text}."""
    return {name: render(document(build_service(name))) for name in SERVICES}


def drift(directory: Path = DOCS_DIR) -> dict[str, str]:
    """{file name: a unified diff} for each document in ``directory`` that is missing or
    differs from what the contracts generate now. Empty when all are up to date."""
    stale = {}
    for name, text in documents().items():
        path = directory / f"{name}.json"
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            diff = difflib.unified_diff(
                current.splitlines(keepends=True),
                text.splitlines(keepends=True),
                f"{path.name} (checked in)",
                f"{path.name} (generated)",
            )
            stale[path.name] = "".join(diff)
    return stale


def write(directory: Path = DOCS_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in documents().items():
        path = directory / f"{name}.json"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ocop_shared.asyncapi",
        description="The services' AsyncAPI documents, generated from the event contracts.",
    )
    parser.add_argument("--dir", type=Path, default=DOCS_DIR, help="default: %(default)s")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="(re)write <dir>/<service>.json")
    mode.add_argument(
        "--check", action="store_true", help="exit 1 if a file in <dir> is out of date"
    )
    args = parser.parse_args(argv)
    if args.write:
        for path in write(args.dir):
            print(f"wrote {path}")
        return 0
    if args.check:
        stale = drift(args.dir)
        for diff in stale.values():
            sys.stdout.write(diff)
        if stale:
            print(f"out of date: {', '.join(sorted(stale))}; regenerate with: {REGENERATE}")
            return 1
        print(f"up to date: {args.dir}")
        return 0
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
