"""The broker's ACL table (ocop_shared.kafka_acl) against the services' code: each service
may write exactly the topics it publishes (the catalog's owner), read exactly those it
subscribes to, and its consumer groups carry its name (the prefixed group grant)."""

from __future__ import annotations

import pytest

from ocop_booths.app import BoothsSettings
from ocop_booths.app import build as build_booths
from ocop_registration.app import RegistrationSettings
from ocop_registration.app import build as build_registration
from ocop_sales.app import SalesSettings
from ocop_sales.app import build as build_sales
from ocop_shared import kafka_acl
from ocop_shared.service import Service

PREFIX = "t0123456789."


def service(name: str) -> Service:
    built = {
        "registration": lambda: build_registration(RegistrationSettings(env="test")),
        "booths": lambda: build_booths(BoothsSettings(env="test")),
        "sales": lambda: build_sales(SalesSettings(env="test")),
    }[name]()
    svc: Service = built[0]
    return svc


@pytest.mark.parametrize("name", kafka_acl.SERVICES)
def test_the_acl_table_matches_what_each_service_writes_and_reads(name: str) -> None:
    svc = service(name)
    assert set(svc.publishes) == set(kafka_acl.owned(name))
    subscriptions = svc.consumers(svc)
    assert {t for s in subscriptions for t in s.topics} == set(kafka_acl.CONSUMES[name])
    assert all(s.consumer.name.startswith(f"{name}.") for s in subscriptions)

    granted = kafka_acl.bindings(PREFIX, [name])
    user = f"User:{name}"
    assert {b.principal for b in granted} == {user}
    writes = {b.name for b in granted if b.operation == kafka_acl.WRITE}
    reads = {b.name for b in granted if b.operation == kafka_acl.READ and b.resource_type == 2}
    assert writes == {PREFIX + t.name for t in kafka_acl.owned(name)}
    assert reads == {PREFIX + t.name for t in kafka_acl.CONSUMES[name]}
    assert all(b.pattern == kafka_acl.LITERAL for b in granted if b.resource_type == 2)
    groups = [b for b in granted if b.resource_type == kafka_acl.GROUP]
    assert [(g.name, g.pattern, g.operation) for g in groups] == [
        (f"{PREFIX}{name}.", kafka_acl.PREFIXED, kafka_acl.READ)
    ]


def test_no_service_may_write_a_topic_of_another() -> None:
    for binding in kafka_acl.bindings():
        if binding.operation == kafka_acl.WRITE:
            owner = binding.principal.removeprefix("User:")
            assert binding.name.split(".")[0] == owner


def test_the_web_app_may_only_read_the_sales_topic() -> None:
    """The web app (ocop_web.live) reads sales.sales with assign() from the latest offset, no
    consumer group: READ on that one topic, nothing else (no group, no write, no create)."""
    from ocop_shared.topics import SALES_SALES
    from ocop_web.live import LiveSettings

    granted = kafka_acl.bindings(PREFIX, ["web"])
    assert [(b.principal, b.resource_type, b.name, b.pattern, b.operation) for b in granted] == [
        ("User:web", 2, PREFIX + SALES_SALES.name, kafka_acl.LITERAL, kafka_acl.READ)
    ]
    assert kafka_acl.READERS["web"] == (SALES_SALES,)
    assert LiveSettings(env="test", kafka_password="x" * 20).kafka_username == "web"
    everyone = kafka_acl.bindings(PREFIX)
    assert {b.principal for b in everyone} == {f"User:{p}" for p in kafka_acl.PRINCIPALS}


def test_a_binding_reads_as_what_it_grants() -> None:
    from ocop_shared.kafka_acl import GROUP, LITERAL, PREFIXED, READ, TOPIC, WRITE, Binding

    write = Binding("User:sales", TOPIC, "sales.sales", LITERAL, WRITE)
    assert str(write).split() == ["User:sales", "topic", "literal", "sales.sales", "WRITE"]
    group = Binding("User:sales", GROUP, "sales.", PREFIXED, READ)
    assert str(group).split() == ["User:sales", "group", "prefixed", "sales.", "READ"]
