"""The event contracts stay apart from booths' own models: the HTTP API answers and reads
models of its own (adapters/http/schemas.py), the domain keeps its state in its own entities
(``Booth`` with its ``Occupant``, ``Zone``, ``PlannedBooth``, ``Fair``, ``Application``...),
the repositories load and save those. Contract instances are made only where events are made
(``domain.booths.snapshot``, ``domain.floorplan.publish``) and read only where consumed events
are translated (``domain.applications.from_snapshot``/``fair_from_snapshot``/``in_force``,
``application.event_handlers``). So an event's payload can change without the API or the
domain changing, and the other way round."""

from __future__ import annotations

import dataclasses
import typing
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel

import ocop_shared.contracts.booths as booth_contracts
import ocop_shared.contracts.registration as registration_contracts
from ocop_booths.adapters.http import routers
from ocop_booths.app import build
from ocop_booths.domain import applications, booths, floorplan
from ocop_booths.domain.applications import Application, BoothRequest, Fair, Rules
from ocop_booths.domain.booths import Booth, Claimant, Occupant
from ocop_booths.domain.floorplan import PlannedBooth, Zone
from ocop_shared.contracts.booths import BoothSnapshot, Occupancy, ZoneSnapshot
from ocop_testkit.contracts import (
    contracts_in,
    is_contract,
    modules_under,
    own_classes,
    own_functions,
)

# The domain's state: none of these is, extends or holds a contract class.
STATE: list[type] = [
    Booth,
    Occupant,
    Claimant,
    Zone,
    PlannedBooth,
    Fair,
    Rules,
    Application,
    BoothRequest,
]

# Where events are made: these may return contract instances.
MAKERS: set[Callable[..., Any]] = {booths.snapshot, floorplan.publish}
# Where consumed events are translated: these may take contract instances (never return one).
TRANSLATORS: set[Callable[..., Any]] = {
    applications.from_snapshot,
    applications.fair_from_snapshot,
    applications.in_force,
}
EVENT_HANDLERS = "ocop_booths.application.event_handlers"


# --- the detector itself can fail -----------------------------------------------------------


class _Wraps(BaseModel):
    zones: list[ZoneSnapshot] | None = None


class _Extends(Occupancy):
    extra: int = 0


@dataclasses.dataclass
class _Holds:
    occupant: Occupancy | None
    events: tuple[Occupancy, ...] = ()  # a decision's events are allowed


@pytest.mark.parametrize(
    ("tp", "expected"),
    [
        (_Wraps, {ZoneSnapshot}),
        (_Extends, {_Extends}),
        (_Holds, {Occupancy}),
        (dict[str, list[BoothSnapshot]], {BoothSnapshot}),
        (Booth, set()),
    ],
    ids=["wraps", "extends", "holds", "generic", "own"],
)
def test_the_detector_finds_contracts_however_deep(tp: Any, expected: set[type]) -> None:
    assert contracts_in(tp) == expected


# --- HTTP ------------------------------------------------------------------------------------

HTTP = list(modules_under("ocop_booths.adapters.http"))


@pytest.mark.parametrize("module", HTTP, ids=lambda m: m.__name__)
def test_no_http_model_is_or_holds_a_contract_class(module: ModuleType) -> None:
    names = [v.__name__ for v in vars(module).values() if isinstance(v, type) and is_contract(v)]
    assert names == []
    for cls in own_classes(module):
        assert contracts_in(cls) == set(), cls.__name__


def test_no_route_answers_or_takes_a_contract_class() -> None:
    # the routers themselves (FastAPI keeps included routers as wrappers in app.routes)
    routes = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    documented = {
        (method.upper(), path)
        for path, operations in build()[1].openapi()["paths"].items()
        if not path.startswith("/health")
        for method in operations
    }
    # every route of booths' routers is documented (the shared app adds /health and /admin ones)
    assert {(m, r.path) for r in routes for m in r.methods} <= documented
    assert len(routes) >= 15
    for route in routes:
        hints = typing.get_type_hints(route.endpoint, include_extras=True)
        for shown in (route.response_model, *hints.values()):
            assert contracts_in(shown) == set(), f"{route.methods} {route.path}"


def test_the_openapi_document_names_no_contract_schema() -> None:
    contract_names = {
        v.__name__
        for m in (booth_contracts, registration_contracts)
        for v in vars(m).values()
        if isinstance(v, type)
    }
    schemas = set(build()[1].openapi()["components"]["schemas"])
    assert {"OccupancyOut", "ZoneIn", "ZoneOut", "FloorPlanOut"} <= schemas
    assert schemas & contract_names == set()


# --- domain, application, repositories ------------------------------------------------------


@pytest.mark.parametrize("entity", STATE, ids=lambda e: e.__name__)
def test_the_domain_state_is_booths_own(entity: type) -> None:
    assert entity.__module__.startswith("ocop_booths.domain.")
    assert contracts_in(entity) == set()


INSIDE = [
    m
    for name in ("ocop_booths.domain", "ocop_booths.application", "ocop_booths.adapters.postgres")
    for m in modules_under(name)
]


@pytest.mark.parametrize("module", INSIDE, ids=lambda m: m.__name__)
def test_decisions_handlers_and_repositories_deal_in_booths_own_types(module: ModuleType) -> None:
    """No class keeps a contract as state; no function returns one (but where events are
    made) or takes one (but where consumed events are translated or handled)."""
    for cls in own_classes(module):
        assert contracts_in(cls) == set(), cls.__name__
    for f in own_functions(module):
        hints = typing.get_type_hints(f, localns=vars(module))
        for name, hint in hints.items():
            if name == "return" and f in MAKERS:
                continue
            if name != "return" and (f in TRANSLATORS or module.__name__ == EVENT_HANDLERS):
                continue
            if name == "events":  # a decision carrying the events it made
                continue
            assert contracts_in(hint) == set(), f"{f.__qualname__}: {name}"


def test_the_repository_protocols_name_booths_own_types() -> None:
    from ocop_booths.application import ports

    assert (
        typing.get_type_hints(ports.BoothRepository.occupancy_of_fair)["return"] == list[Occupant]
    )
    assert typing.get_type_hints(ports.FloorPlanRepository.booths)["return"] == list[PlannedBooth]
    assert typing.get_type_hints(ports.FairRepository.upsert)["fair"] is Fair


# --- the places snapshots are made ----------------------------------------------------------

NOW = datetime(2025, 8, 20, 9, 0, tzinfo=UTC)


def test_an_occupancy_snapshot_carries_every_field_of_the_occupant() -> None:
    o = Occupant(
        uuid.uuid4(), uuid.uuid4(), "A-001", "A", uuid.uuid4(), uuid.uuid4(), "held",
        hold_expires_at=NOW + timedelta(minutes=30),
    )  # fmt: skip
    assert booths.snapshot(o).model_dump() == dataclasses.asdict(o)


def test_a_published_floor_plan_carries_every_zone_and_booth_as_planned() -> None:
    zone = Zone("A", "Khu A", "district_cluster", (1, 2))
    booth = PlannedBooth(uuid.uuid4(), "A-01", "A", "corner", 3, 3, 5_000_000, 0, 0, open_sides=2)
    fair_id = uuid.uuid4()
    published = floorplan.publish(fair_id, [zone], [booth])
    [event] = published.events
    assert event.fair_id == fair_id
    assert [z.model_dump() for z in event.zones] == [
        {**dataclasses.asdict(zone), "product_groups": [1, 2]}
    ]
    assert [b.model_dump() for b in event.booths] == [dataclasses.asdict(booth)]
    assert published.zones == (zone,) and published.booths == (booth,)


def test_a_fair_from_its_snapshot_keeps_the_rules_booths_uses() -> None:
    snapshot = registration_contracts.FairSnapshot(
        fair_id=uuid.uuid4(), organizer_id="org", name="Hội chợ OCOP", kind="fair", venue="Hà Nội",
        province="Hà Nội", starts_at=NOW, ends_at=NOW + timedelta(days=4),
        applications_open_at=NOW - timedelta(days=30), applications_close_at=NOW - timedelta(days=5),
        rules=registration_contracts.AdmissionRules(
            max_booths_per_holder=3, subsidy_percent=50, subsidy_max_booths=1
        ),
        status="open",
    )  # fmt: skip
    fair = applications.fair_from_snapshot(snapshot)
    assert fair == Fair(
        snapshot.fair_id,
        "org",
        "open",
        Rules(3, 50, 1),
        "Hội chợ OCOP",
        NOW,
        NOW + timedelta(days=4),
    )
    assert Rules.of({"max_booths_per_holder": 4, "taxonomy": "2023"}) == Rules(4, 0, 0)
