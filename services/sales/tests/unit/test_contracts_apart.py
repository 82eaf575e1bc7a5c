"""The event contracts stay apart from sales' own models: the HTTP API reads and answers
models of its own (adapters/http/schemas.py), the domain keeps its state in its own types
(``SaleLine``, ``Till``, ``CatalogItem``, ``Fair``, ``Exhibitor``, ``ProductDetails``...), the
repositories load and save those. Contract instances are made only where events are made
(``domain.sales.sold_line`` and the decisions carrying their ``event``/``events``) and read only
where consumed events are translated (``domain.catalog``'s translators,
``application.event_handlers``). So an event's payload can change without the API or the
domain changing, and the other way round."""

from __future__ import annotations

import dataclasses
import importlib
import typing
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from types import ModuleType
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute
from pydantic import BaseModel

import ocop_sales.app
import ocop_shared.contracts.booths as booth_contracts
import ocop_shared.contracts.registration as registration_contracts
import ocop_shared.contracts.sales as sales_contracts
from ocop_sales.adapters.http import refunds, reports, sales, sessions, terminals
from ocop_sales.app import build
from ocop_sales.domain import catalog, inspections, retailer_import, transfers
from ocop_sales.domain import sales as selling
from ocop_sales.domain.catalog import Exhibitor, Fair, ProductDetails
from ocop_sales.domain.refunds import SoldSale
from ocop_sales.domain.sales import CatalogItem, PricedSale, SaleLine, Till
from ocop_shared.contracts.sales import SaleRecorded, SoldLine
from ocop_testkit.contracts import (
    contracts_in,
    is_contract,
    modules_under,
    own_classes,
    own_functions,
)

# The domain's state: none of these is, extends or holds a contract class.
STATE: list[type] = [
    SaleLine,
    PricedSale,
    Till,
    CatalogItem,
    SoldSale,
    Fair,
    Exhibitor,
    ProductDetails,
    catalog.CatalogEntry,
    catalog.Admission,
]

# Where events are made: these may return contract instances.
MAKERS: set[Callable[..., Any]] = {
    selling.sold_line,
    selling._recorded,
    transfers.confirmed_event,  # sales.transfer_confirmed
    retailer_import.sold_events,  # sales.stock_moved of an import (issue 15)
}
# Where consumed events are translated: these may take contract instances (never return one).
TRANSLATORS: set[Callable[..., Any]] = {
    catalog.fair_of,
    catalog.exhibitor_of,
    catalog.details_of,
    catalog.admit,
    catalog.block,
    catalog.reinstate,
    inspections.suspension_of,  # issue 15: a fair's inspection
}
EVENT_HANDLERS = "ocop_sales.application.event_handlers"
INSPECTION_HANDLERS = "ocop_sales.application.inspection_handlers"  # issue 15
# A decision carries the events it made (a sale's decision its transfers' too).
DECIDED_EVENTS = {"event", "events", "transfer_events"}


def held(tp: Any) -> set[type]:
    """testkit's detector, leaving out a decision's ``event`` too (it skips only ``events``),
    with names imported only for type checking (deps' settings) resolved from the app."""
    app_names = vars(ocop_sales.app)
    if not (isinstance(tp, type) and dataclasses.is_dataclass(tp)):
        return contracts_in(tp, localns=app_names)
    found: set[type] = {tp} if is_contract(tp) else set()
    names = {**app_names, **vars(importlib.import_module(tp.__module__))}
    for name, hint in typing.get_type_hints(tp, localns=names).items():
        if name not in DECIDED_EVENTS:
            found |= contracts_in(hint, localns=app_names)
    return found


# --- the detector itself can fail -----------------------------------------------------------


class _Wraps(BaseModel):
    lines: list[SoldLine] | None = None


class _Extends(SoldLine):
    note: str = ""


@dataclasses.dataclass
class _Holds:
    lines: dict[int, SoldLine]
    events: tuple[SaleRecorded, ...] = ()  # a decision's events are allowed


@pytest.mark.parametrize(
    ("tp", "expected"),
    [
        (_Wraps, {SoldLine}),
        (_Extends, {_Extends}),
        (_Holds, {SoldLine}),
        (dict[str, list[SoldLine]], {SoldLine}),
        (PricedSale, set()),
    ],
    ids=["wraps", "extends", "holds", "generic", "own"],
)
def test_the_detector_finds_contracts_however_deep(tp: Any, expected: set[type]) -> None:
    assert contracts_in(tp) == expected
    assert held(tp) == expected


# --- HTTP ------------------------------------------------------------------------------------

HTTP = list(modules_under("ocop_sales.adapters.http"))


@pytest.mark.parametrize("module", HTTP, ids=lambda m: m.__name__)
def test_no_http_model_is_or_holds_a_contract_class(module: ModuleType) -> None:
    names = [v.__name__ for v in vars(module).values() if isinstance(v, type) and is_contract(v)]
    assert names == []
    for cls in own_classes(module):
        assert held(cls) == set(), cls.__name__


def _routes(router: APIRouter) -> list[APIRoute]:
    return [r for r in router.routes if isinstance(r, APIRoute)]


def test_no_route_answers_or_takes_a_contract_class() -> None:
    # the routers themselves (FastAPI keeps included routers as wrappers in app.routes)
    routes = [r for m in (terminals, sales, refunds, sessions, reports) for r in _routes(m.router)]
    documented = {
        (method.upper(), path)
        for path, operations in build()[1].openapi()["paths"].items()
        if not path.startswith("/health")
        for method in operations
    }
    # every route of sales' routers is documented (the shared app adds /health and /admin ones)
    assert {(m, r.path) for r in routes for m in r.methods} <= documented
    assert len(routes) >= 9
    for route in routes:
        hints = typing.get_type_hints(route.endpoint, include_extras=True)
        for shown in (route.response_model, *hints.values()):
            assert held(shown) == set(), f"{route.methods} {route.path}"


def test_the_openapi_document_names_no_contract_schema() -> None:
    contract_names = {
        v.__name__
        for m in (booth_contracts, registration_contracts, sales_contracts)
        for v in vars(m).values()
        if isinstance(v, type)
    }
    schemas = set(build()[1].openapi()["components"]["schemas"])
    assert {"SaleAnswer", "RefundRequest", "RefundAnswer", "ZReport"} <= schemas
    assert schemas & contract_names == set()


# --- domain, application, repositories ------------------------------------------------------


@pytest.mark.parametrize("entity", STATE, ids=lambda e: e.__name__)
def test_the_domain_state_is_sales_own(entity: type) -> None:
    assert entity.__module__.startswith("ocop_sales.domain.")
    assert held(entity) == set()


INSIDE = [
    m
    for name in ("ocop_sales.domain", "ocop_sales.application", "ocop_sales.adapters.postgres")
    for m in modules_under(name)
]


@pytest.mark.parametrize("module", INSIDE, ids=lambda m: m.__name__)
def test_decisions_handlers_and_repositories_deal_in_sales_own_types(module: ModuleType) -> None:
    """No class keeps a contract as state; no function returns one (but where events are
    made) or takes one (but where consumed events are translated or handled)."""
    for cls in own_classes(module):
        assert held(cls) == set(), cls.__name__
    for f in own_functions(module):
        hints = typing.get_type_hints(f, localns=vars(module))
        for name, hint in hints.items():
            if name == "return" and f in MAKERS:
                continue
            if name != "return" and (
                f in TRANSLATORS or module.__name__ in (EVENT_HANDLERS, INSPECTION_HANDLERS)
            ):
                continue
            if name in DECIDED_EVENTS:
                continue
            assert held(hint) == set(), f"{f.__qualname__}: {name}"


def test_the_repository_protocols_name_sales_own_types() -> None:
    from ocop_sales.application import ports

    assert typing.get_type_hints(ports.FairRepository.save)["fair"] is Fair
    assert typing.get_type_hints(ports.ExhibitorRepository.save)["exhibitor"] is Exhibitor
    assert typing.get_type_hints(ports.CatalogRepository.describe)["product"] is ProductDetails


# --- where snapshots are made and read ------------------------------------------------------

NOW = datetime(2025, 8, 20, 9, 0, tzinfo=UTC)


def test_a_sold_line_carries_every_field_of_the_sale_line() -> None:
    line = SaleLine(uuid.uuid4(), uuid.uuid4(), 3, 100_000, 5_000, 295_000, 2, 4)
    snapshot = selling.sold_line(line)
    assert isinstance(snapshot, SoldLine)
    assert snapshot.model_dump() == dataclasses.asdict(line)
    assert SoldLine.model_validate(snapshot.model_dump()) == snapshot  # a valid event line


def test_the_translators_keep_what_sales_uses_of_registrations_snapshots() -> None:
    fair = registration_contracts.FairSnapshot(
        fair_id=uuid.uuid4(), organizer_id="org", name="Hội chợ OCOP", kind="fair", venue="Hà Nội",
        province="Hà Nội", starts_at=NOW, ends_at=NOW + timedelta(days=4),
        applications_open_at=NOW - timedelta(days=30), applications_close_at=NOW - timedelta(days=5),
        rules=registration_contracts.AdmissionRules(), status="running",
    )  # fmt: skip
    assert catalog.fair_of(fair) == Fair(
        fair.fair_id, "org", "Hội chợ OCOP", "Hà Nội", "running", NOW, NOW + timedelta(days=4)
    )
    exhibitor = registration_contracts.ExhibitorSnapshot(
        exhibitor_id=uuid.uuid4(), kind="cooperative", name="HTX Mật ong", tax_code=None,
        province="Hà Giang", commune=None, phone="+84912345678",
    )  # fmt: skip
    assert catalog.exhibitor_of(exhibitor) == Exhibitor(
        exhibitor.exhibitor_id, "HTX Mật ong", "cooperative", "Hà Giang"
    )
    product = registration_contracts.ProductSnapshot(
        product_id=uuid.uuid4(), holder_id=uuid.uuid4(), name="Mật ong", group=1, taxonomy="2023",
        gtin="8930000000019", unit="hũ", list_price_vnd=250_000, certificate=None,
        ocop_until=date(2027, 12, 31),
    )  # fmt: skip
    assert catalog.details_of(product) == ProductDetails(
        product.product_id, "Mật ong", "8930000000019", 250_000, 1, "2023", None
    )
