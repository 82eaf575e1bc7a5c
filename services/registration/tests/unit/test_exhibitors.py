"""Exhibitors: registration and changes; holders' results from sales. (A delegation's
members: test_delegations.py.)"""

from __future__ import annotations

import uuid

import pytest

from ocop_registration.domain import exhibitors, holder_results
from ocop_registration.domain.events import exhibitor_snapshot
from ocop_shared.contracts.registration import ExhibitorRegistered, ExhibitorUpdated
from ocop_shared.contracts.sales import SoldLine
from ocop_shared.errors import InvalidField

from .builders import holder


def test_a_registered_exhibitor_is_normalized_and_announced() -> None:
    draft = exhibitors.ExhibitorDraft(
        kind="cooperative",
        name="HTX Mật ong Bạch Đằng",
        province="Quảng Ninh",
        tax_code="0100109106",
        phone="0912 345 678",
        contact=exhibitors.Contact("Hạ Long", "htx@example.vn"),
    )
    decided = exhibitors.register(draft, uuid.uuid4())
    assert decided.state.phone == "+84912345678"
    assert decided.state.contact.email == "htx@example.vn"
    [event] = decided.events
    assert isinstance(event, ExhibitorRegistered)
    assert event.exhibitor == exhibitor_snapshot(decided.state)


@pytest.mark.parametrize(
    ("kind", "tax_code", "phone", "field"),
    [
        ("cooperative", None, None, "tax_code"),
        ("enterprise", None, None, "tax_code"),
        ("cooperative", "0100109107", None, "tax_code"),
        ("household_business", None, "12345", "phone"),
    ],
)
def test_an_exhibitor_breaking_a_rule_is_refused(
    kind: str, tax_code: str | None, phone: str | None, field: str
) -> None:
    draft = exhibitors.ExhibitorDraft(
        kind=kind,  # type: ignore[arg-type]
        name="HTX",
        province="Hà Nội",
        tax_code=tax_code,
        phone=phone,
    )
    with pytest.raises(InvalidField) as refused:
        exhibitors.register(draft, uuid.uuid4())
    assert refused.value.field == field


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(InvalidField) as refused:
        exhibitors.parse_kind("ngo")
    assert refused.value.field == "kind"
    assert exhibitors.parse_kind("delegation") == "delegation"


def test_a_change_applies_only_the_fields_set_and_is_announced() -> None:
    current = holder().model_copy(update={"contact": exhibitors.Contact("Cũ", "old@example.vn")})
    decided = exhibitors.update(current, {"commune": "Tiên Yên", "phone": "0203 3876 543"})
    assert decided.state.commune == "Tiên Yên"
    assert decided.state.phone == "+842033876543"
    assert decided.state.name == current.name
    assert decided.state.contact == current.contact
    [event] = decided.events
    assert isinstance(event, ExhibitorUpdated)
    assert event.exhibitor == exhibitor_snapshot(decided.state)


def test_a_change_may_clear_the_phone_and_the_contact() -> None:
    current = holder().model_copy(
        update={"phone": "+84912345678", "contact": exhibitors.Contact("Cũ", "a@b.vn")}
    )
    decided = exhibitors.update(current, {"phone": None, "address": None, "email": None})
    assert decided.state.phone is None
    assert decided.state.contact == exhibitors.Contact("", None)


def test_a_sale_counts_for_the_producer_of_each_line() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()

    def line(producer: uuid.UUID, total: int) -> SoldLine:
        return SoldLine.model_construct(producer_id=producer, total_vnd=total)

    amounts = holder_results.by_producer([line(a, 100), line(b, 50), line(a, 25)])
    assert amounts == {a: 125, b: 50}
    assert list(amounts) == sorted([a, b])
    result = holder_results.FairResult(uuid.uuid4(), sales=3, gross_vnd=500, refunded_vnd=120)
    assert result.net_vnd == 380
