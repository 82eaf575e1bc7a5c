"""Each service's README shows its canvas (commands, events in and out, tables, the path of
one request). This test reads the canvas against the code, both ways, so it cannot drift:
every route, consumed event, published event and table is listed, and nothing listed is gone.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI

import ocop_shared.contracts  # noqa: F401  (registers every event type)
from ocop_shared.events import registered_events
from ocop_shared.service import Service, create_app
from ocop_shared.settings import ServiceSettings

REPO = Path(__file__).resolve().parents[1]
SERVICES = ["registration", "booths", "sales"]
SECTIONS = ["Commands", "Events in", "Events out", "Tables", "The path of one request"]
EVENT_TYPES = {event_type for event_type, _version in registered_events()}
ROUTE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE) /\S*$")


@dataclass(frozen=True)
class Canvas:
    sections: dict[str, str]

    def named(self, section: str) -> set[str]:
        """What the section names in backticks."""
        return set(re.findall(r"`([^`]+)`", self.sections[section]))


def canvas_of(name: str) -> Canvas:
    text = (REPO / "services" / name / "README.md").read_text()
    headings = re.findall(r"^## (.+?)\s*$", text, flags=re.MULTILINE)
    assert [h for h in headings if h in SECTIONS] == SECTIONS, (
        f"services/{name}/README.md needs the sections {SECTIONS} in this order, found {headings}"
    )
    parts = re.split(r"^## ", text, flags=re.MULTILINE)
    sections = {}
    for part in parts[1:]:
        heading, _, body = part.partition("\n")
        sections[heading.strip()] = body
    return Canvas(sections)


def operations(app: FastAPI) -> set[str]:
    return {
        f"{method.upper()} {path}"
        for path, methods in app.openapi()["paths"].items()
        for method in methods
    }


def probe_service() -> Service:
    return Service(settings=ServiceSettings(service="probe"), migrations=REPO / "no-migrations")


@dataclass(frozen=True)
class Code:
    routes: set[str]
    consumed: set[str]
    published: set[str]
    tables: set[str]


def code_of(name: str) -> Code:
    app_module = importlib.import_module(f"ocop_{name}.app")
    service, app = app_module.build()
    # The documented operations: what a client of the service sees (FastAPI keeps included
    # routers as wrappers, so the OpenAPI document is the reliable list), less the ones every
    # service gets from shared/ (health, metrics, operations), which are documented once in
    # the root README.
    platform = operations(create_app(probe_service(), title="probe", description="probe"))
    routes = operations(app) - platform
    consumed = {
        event.event_type
        for subscription in service.consumers(service)
        for event in subscription.consumer.handlers
    }
    published = {
        cls.event_type for cls in registered_events().values() if cls.topic.producer == name
    }
    migrations = " ".join(
        p.read_text() for p in (REPO / "services" / name / "migrations").glob("*.sql")
    )
    tables = set(
        re.findall(r"create table (?:if not exists )?(\w+)", migrations, flags=re.IGNORECASE)
    )
    return Code(routes, consumed, published, tables)


@pytest.mark.parametrize("name", SERVICES)
def test_the_canvas_lists_every_command_and_no_command_that_is_gone(name: str) -> None:
    canvas, code = canvas_of(name), code_of(name)
    listed = {n for n in canvas.named("Commands") if ROUTE.match(n)}
    assert code.routes - listed == set(), "routes missing from the canvas"
    assert listed - code.routes == set(), "the canvas lists routes that do not exist"


@pytest.mark.parametrize("name", SERVICES)
def test_the_canvas_lists_the_events_the_service_consumes(name: str) -> None:
    canvas, code = canvas_of(name), code_of(name)
    listed = canvas.named("Events in") & EVENT_TYPES
    assert code.consumed - listed == set(), "consumed events missing from the canvas"
    assert listed - code.consumed == set(), "the canvas lists events the service does not consume"


@pytest.mark.parametrize("name", SERVICES)
def test_the_canvas_lists_the_events_the_service_publishes(name: str) -> None:
    canvas, code = canvas_of(name), code_of(name)
    listed = canvas.named("Events out") & EVENT_TYPES
    assert code.published - listed == set(), "published events missing from the canvas"
    assert listed - code.published == set(), "the canvas lists events the service does not publish"


@pytest.mark.parametrize("name", SERVICES)
def test_the_canvas_lists_the_services_tables(name: str) -> None:
    canvas, code = canvas_of(name), code_of(name)
    assert code.tables - canvas.named("Tables") == set(), "tables missing from the canvas"
