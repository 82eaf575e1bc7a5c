"""The event contracts stay apart from registration's own models: the domain keeps its state in
its own entities (snapshots are built from them in one place, ``domain/events.py``), the
repositories load and save those entities, and the HTTP API answers with models of its own.
So an event's payload can change without the API or the domain changing, and the other way
round."""

from __future__ import annotations

import inspect
import typing
import uuid
from datetime import date, timedelta
from types import ModuleType
from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel

import ocop_shared.contracts.registration as registration_contracts
from ocop_registration.adapters.http import routers
from ocop_registration.app import RegistrationSettings, build
from ocop_registration.domain import events
from ocop_registration.domain.applications import Admitted, Application, BoothRequest
from ocop_registration.domain.exhibitors import BankAccount, Contact, Exhibitor
from ocop_registration.domain.fairs import Fair, Rules
from ocop_registration.domain.products import GROUP_NAMES, Certificate, Product
from ocop_shared.contracts.registration import FairSnapshot, ProductSnapshot
from ocop_testkit.contracts import CONTRACTS, is_contract, modules_under
from ocop_testkit.contracts import contracts_in as find_contracts

from .builders import NOW, certificate, fair, holder, product

ENTITIES: list[type[BaseModel]] = [
    Fair,
    Rules,
    Exhibitor,
    Product,
    Certificate,
    Application,
    BoothRequest,
    Admitted,
]


# names some modules import for type checking only
NAMESPACE: dict[str, Any] = {e.__name__: e for e in ENTITIES} | {
    "RegistrationSettings": RegistrationSettings
}


def _under(name: str) -> list[ModuleType]:
    return modules_under(name)


def contracts_in(tp: Any, contracts: str = CONTRACTS) -> set[type]:
    """Contract classes in a type; dataclass hints resolved with the entities' names too."""
    return find_contracts(tp, contracts, localns=NAMESPACE)


def _classes(module: ModuleType) -> list[type]:
    return [v for v in vars(module).values() if isinstance(v, type)]


# --- the detector itself can fail -----------------------------------------------------------


class _Wraps(BaseModel):
    fairs: list[FairSnapshot] | None = None


class _Extends(ProductSnapshot):
    extra: int = 0


@pytest.mark.parametrize(
    ("tp", "expected"),
    [
        (_Wraps, {FairSnapshot}),
        (_Extends, {_Extends}),
        (dict[str, list[ProductSnapshot]], {ProductSnapshot}),
        (Application, set()),
    ],
)
def test_the_detector_finds_contracts_however_deep(tp: Any, expected: set[type]) -> None:
    assert expected <= contracts_in(tp)
    if not expected:
        assert contracts_in(tp) == set()


# --- HTTP ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "module", _under("ocop_registration.adapters.http"), ids=lambda m: m.__name__
)
def test_no_http_module_holds_a_contract_class(module: ModuleType) -> None:
    assert [c.__name__ for c in _classes(module) if is_contract(c)] == []
    for cls in _classes(module):
        if cls.__module__ == module.__name__:
            assert contracts_in(cls) == set(), cls.__name__


def test_no_route_answers_or_takes_a_contract_class() -> None:
    routes = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) >= 25
    for route in routes:
        hints = typing.get_type_hints(route.endpoint, include_extras=True)
        for shown in (route.response_model, *hints.values()):
            assert contracts_in(shown) == set(), f"{route.methods} {route.path}"


def test_the_openapi_document_names_no_contract_schema() -> None:
    contract_names = {c.__name__ for c in _classes(registration_contracts)}
    schemas = set(build()[1].openapi()["components"]["schemas"])
    assert {"FairOut", "ExhibitorOut", "ProductOut", "ApplicationOut", "RulesIn"} <= schemas
    assert schemas & contract_names == set()


# --- domain, application, repositories ------------------------------------------------------


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: e.__name__)
def test_the_domain_entities_are_registrations_own(entity: type[BaseModel]) -> None:
    assert entity.__module__.startswith("ocop_registration.domain.")
    assert contracts_in(entity) == set()


NOT_EVENTS = [
    m
    for m in _under("ocop_registration.domain")
    + _under("ocop_registration.application")
    + _under("ocop_registration.adapters.postgres")
    if m is not events
]


@pytest.mark.parametrize("module", NOT_EVENTS, ids=lambda m: m.__name__)
def test_decisions_handlers_and_repositories_deal_in_entities_not_snapshots(
    module: ModuleType,
) -> None:
    """Nothing outside ``domain/events.py`` takes, returns or keeps a registration snapshot
    (the domain may still name the event classes it emits)."""
    own = "ocop_shared.contracts.registration"
    for cls in _classes(module):
        if cls.__module__ == module.__name__:
            assert contracts_in(cls, own) == set(), cls.__name__
    functions = [
        f
        for _, f in inspect.getmembers(module, inspect.isfunction)
        if f.__module__ == module.__name__
    ]
    methods = [
        f
        for cls in _classes(module)
        if cls.__module__ == module.__name__
        for f in vars(cls).values()
        if inspect.isfunction(f)
    ]
    for f in functions + methods:
        hints = typing.get_type_hints(f, localns={**vars(module), **NAMESPACE})
        for name, hint in hints.items():
            assert contracts_in(hint, own) == set(), f"{f.__qualname__}: {name}"


def test_repositories_protocols_name_entities() -> None:
    from ocop_registration.application import ports

    hints = typing.get_type_hints(ports.FairRepository.get)
    assert Fair in typing.get_args(hints["return"])
    hints = typing.get_type_hints(ports.ApplicationRepository.save)
    assert hints["application"] is Application


# --- the one place snapshots are built --------------------------------------------------------


def test_a_fair_snapshot_carries_every_field_of_the_fair() -> None:
    f = fair("open", min_star=4, product_groups=[1, 3], subsidy_percent=50)
    expected = f.model_dump()
    # Derived, not kept: an exhibition is display-only (issue 15), any other kind sells.
    expected["rules"]["selling"] = f.kind != "exhibition"
    assert events.fair_snapshot(f).model_dump() == expected
    exhibition = f.model_copy(update={"kind": "exhibition"})
    assert events.fair_snapshot(exhibition).rules.selling is False


# Who decided a certificate (council and person) stays with registration (its tables and its
# answers); the events carry the certificate itself.
DECIDED = {"authority_id", "decided_by"}


def test_a_product_snapshot_carries_its_certificate_and_ocop_until() -> None:
    decided = certificate(star=5).model_copy(
        update={"authority_id": "hoi-dong-ocop-trung-uong", "decided_by": uuid.uuid4()}
    )
    for p in (product(cert=decided), product(cert=None)):
        snapshot = events.product_snapshot(p).model_dump()
        # issue 15: the group's Vietnamese name, read off the taxonomy (products.GROUP_NAMES)
        named = {"product_group_name": GROUP_NAMES[p.taxonomy][p.group]}
        assert snapshot == {**p.model_dump(exclude={"certificate": DECIDED}), **named}
        assert p.certificate is None or not DECIDED & set(snapshot["certificate"])


def test_an_exhibitor_snapshot_leaves_the_contact_details_out() -> None:
    member = holder()
    e = holder("delegation", [member.exhibitor_id]).model_copy(
        update={"contact": Contact("Hạ Long", "a@b.vn"), "phone": "+84912345678"}
    )
    snapshot = events.exhibitor_snapshot(e)
    flat_bank = {"bank_bin": None, "bank_account": None, "bank_account_name": None}
    assert snapshot.model_dump() == {**e.model_dump(exclude={"contact", "bank"}), **flat_bank}
    assert "contact" not in snapshot.model_dump() and snapshot.member_ids == [member.exhibitor_id]


def test_an_exhibitor_snapshot_carries_the_bank_account_flat() -> None:
    e = holder().model_copy(update={"bank": BankAccount("970436", "0011001234567", "HTX A")})
    snapshot = events.exhibitor_snapshot(e)
    assert (snapshot.bank_bin, snapshot.bank_account, snapshot.bank_account_name) == (
        "970436",
        "0011001234567",
        "HTX A",
    )


def test_an_application_snapshot_carries_products_booths_review_and_admission() -> None:
    shown = product(cert=certificate(valid_to=date(2028, 1, 31)))
    a = Application(
        application_id=shown.product_id, fair_id=fair().fair_id, exhibitor_id=shown.holder_id,
        exhibitor_name="HTX", exhibitor_kind="cooperative", province="Quảng Ninh",
        products=[shown], booth_request=BoothRequest(count=2, booth_type="corner", zone="A"),
        status="approved", submitted_at=NOW, reviewed_by="org", reviewed_at=NOW + timedelta(1),
        reason="ok", best_star=4, admitted=[Admitted(product_id=shown.product_id, until=date(2028, 1, 31))],
    )  # fmt: skip
    expected = a.model_dump(exclude={"products": {"__all__": {"certificate": DECIDED}}})
    for p in expected["products"]:  # issue 15: each product's group named
        p["product_group_name"] = GROUP_NAMES[p["taxonomy"]][p["group"]]
    assert events.application_snapshot(a).model_dump() == expected
