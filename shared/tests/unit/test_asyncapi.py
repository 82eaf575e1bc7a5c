"""The services' AsyncAPI documents (docs/asyncapi/*.json) say what the contracts say: every
event with its payload schema, key and headers, for what each service sends and receives.
Pure: the services are built with default settings and nothing connects."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from ocop_shared import asyncapi
from ocop_shared.events import Event, registered_events
from ocop_shared.service import Service

SERVICES = asyncapi.SERVICES


@cache
def service(name: str) -> Service:
    return asyncapi.build_service(name)


@cache
def generated(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(asyncapi.render(asyncapi.document(service(name))))
    return doc


def deref(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def message(doc: dict[str, Any], cls: type[Event]) -> dict[str, Any]:
    messages = doc["components"]["messages"]
    mid = asyncapi.message_id(cls)
    assert mid in messages, f"{mid} is not a message of {doc['info']['title']}"
    found: dict[str, Any] = messages[mid]
    return found


def operation_messages(doc: dict[str, Any], action: str, topic: str) -> set[str]:
    ids = set()
    for op in doc["operations"].values():
        if op["action"] == action and op["channel"]["$ref"] == f"#/channels/{topic}":
            ids |= {ref["$ref"].rsplit("/", 1)[1] for ref in op["messages"]}
    return ids


@pytest.mark.parametrize("name", SERVICES)
def test_the_checked_in_document_is_what_the_contracts_generate(name: str) -> None:
    path = asyncapi.DOCS_DIR / f"{name}.json"
    text = asyncapi.render(asyncapi.document(service(name)))
    checked_in = path.read_text(encoding="utf-8") if path.exists() else ""
    assert checked_in == text, (
        f"{path} is out of date with the event contracts or {name}'s subscriptions; "
        f"regenerate the documents with: {asyncapi.REGENERATE}"
    )


def test_every_registered_event_is_a_message_of_its_producer_with_its_payload_schema() -> None:
    producers = {service(name).name: name for name in SERVICES}
    for cls in registered_events().values():
        if cls.topic.producer not in producers:
            continue  # the platform's probes: no service publishes them
        doc = generated(producers[cls.topic.producer])
        assert cls.topic in service(producers[cls.topic.producer]).publishes, cls.topic
        msg = message(doc, cls)
        envelope = msg["payload"]
        assert envelope["properties"]["type"]["const"] == cls.event_type
        assert envelope["properties"]["version"]["const"] == cls.version
        payload = deref(doc, envelope["properties"]["payload"])
        # Not "any object": the event's own fields, nothing else.
        assert payload.get("additionalProperties") is False, cls
        assert set(payload["properties"]) == set(cls.model_fields), cls
        assert msg["bindings"]["kafka"]["key"]["description"] == f"The {cls.topic.key}."
        assert asyncapi.message_id(cls) in operation_messages(doc, "send", cls.topic.name)


@pytest.mark.parametrize("name", SERVICES)
def test_every_consumed_event_is_received_in_the_consumers_document(name: str) -> None:
    svc, doc = service(name), generated(name)
    subscriptions = svc.consumers(svc)
    assert subscriptions, f"{name} consumes nothing?"
    for sub in subscriptions:
        subscribed = {t.name for t in sub.topics}
        for cls in sub.consumer.handlers:
            assert cls.topic.name in subscribed, (
                f"{sub.consumer.name} handles {cls.event_type} but does not subscribe to "
                f"{cls.topic.name}"
            )
            message(doc, cls)
            receiving = [
                op
                for op in doc["operations"].values()
                if op["action"] == "receive"
                and op["channel"]["$ref"] == f"#/channels/{cls.topic.name}"
                and op["bindings"]["kafka"]["groupId"]["enum"] == [sub.consumer.name]
            ]
            assert len(receiving) == 1, (sub.consumer.name, cls.event_type)
            assert {
                "$ref": f"#/channels/{cls.topic.name}/messages/{asyncapi.message_id(cls)}"
            } in receiving[0]["messages"]


@pytest.mark.parametrize("name", SERVICES)
def test_messages_carry_key_headers_and_correlation_id(name: str) -> None:
    doc = generated(name)
    assert doc["asyncapi"] == "3.0.0"
    assert doc["info"]["title"] == f"ocop-fairs {name}"
    assert doc["servers"]["kafka"] == {
        "host": "127.0.0.1:29092",
        "protocol": "kafka",
        "description": doc["servers"]["kafka"]["description"],
    }
    assert doc["defaultContentType"] == "application/json"
    assert doc["components"]["messages"]
    for mid, msg in doc["components"]["messages"].items():
        headers = msg["headers"]
        assert set(headers["required"]) == {
            "event_type",
            "event_version",
            "event_id",
            "correlation_id",
        }, mid
        assert all(p["type"] == "string" for p in headers["properties"].values()), mid
        assert deref(doc, msg["correlationId"])["location"] == "$message.header#/correlation_id"
        assert msg["bindings"]["kafka"]["key"]["type"] == "string", mid
        assert msg["payload"]["required"] == [
            "event_id",
            "type",
            "version",
            "occurred_at",
            "producer",
            "correlation_id",
            "key",
            "payload",
        ], mid


@pytest.mark.parametrize("name", SERVICES)
def test_channels_are_topics_with_their_partitions(name: str) -> None:
    doc = generated(name)
    for channel_id, channel in doc["channels"].items():
        assert channel["address"] == channel_id
        kafka = channel["bindings"]["kafka"]
        assert kafka["topic"] == channel_id
        assert kafka["partitions"] >= 1
    sent = {op["channel"]["$ref"] for op in doc["operations"].values() if op["action"] == "send"}
    assert sent == {f"#/channels/{t.name}" for t in service(name).publishes}


def test_an_upcast_version_is_mentioned() -> None:
    from ocop_shared.contracts.registration import ApplicationApproved, ProductUpdated

    for cls in (ApplicationApproved, ProductUpdated):
        assert asyncapi.upcast_versions(cls) == [1]
        assert (
            "also read v1 through an upcaster"
            in message(generated("registration"), cls)["description"]
        )


def test_drift_reports_a_stale_document(tmp_path: Any) -> None:
    asyncapi.write(tmp_path)
    assert asyncapi.drift(tmp_path) == {}
    stale = tmp_path / "sales.json"
    stale.write_text(stale.read_text().replace('"partitions": 12', '"partitions": 1'))
    (tmp_path / "booths.json").unlink()
    diffs = asyncapi.drift(tmp_path)
    assert set(diffs) == {"sales.json", "booths.json"}
    assert any(
        line.startswith("-") and '"partitions": 1,' in line
        for line in diffs["sales.json"].splitlines()
    )
