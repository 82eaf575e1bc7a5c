"""Registration's domain rules, as plain unit tests (no I/O)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from ocop_registration.domain import applications, exhibitors, fairs, products
from ocop_registration.domain.applications import BoothRequest
from ocop_registration.domain.exhibitors import Exhibitor
from ocop_registration.domain.fairs import Fair, Rules
from ocop_registration.domain.products import Certificate, Product
from ocop_registration.domain.text import fold, nfc
from ocop_registration.domain.timezone import as_utc
from ocop_shared.errors import Conflict, InvalidField


def test_nfd_and_nfc_names_are_stored_alike_and_search_ignores_diacritics() -> None:
    nfd = "Ma\u0323\u0302t ong  ru\u031b\u0300ng"
    assert nfc(nfd) == "Mật ong rừng"
    assert fold("Đặc sản Mật Ong") == "dac san mat ong"
    assert fold(nfd) == fold("mat ong rung")


def test_tax_codes_are_checked_by_their_check_digit() -> None:
    assert exhibitors.parse_tax_code("0100109106") == "0100109106"
    assert exhibitors.parse_tax_code("0100109106-001") == "0100109106-001"
    with pytest.raises(InvalidField) as bad:
        exhibitors.parse_tax_code("0100109107")
    assert bad.value.field == "tax_code"


def test_phone_numbers_become_e164() -> None:
    assert exhibitors.parse_phone("0912 345 678") == "+84912345678"
    assert exhibitors.parse_phone("+84 (0)24 3825 1234".replace("(0)", "")) == "+842438251234"
    with pytest.raises(InvalidField) as bad:
        exhibitors.parse_phone("12345")
    assert bad.value.field == "phone"


def test_gtin_check_digit_and_vietnamese_prefix() -> None:
    assert products.parse_gtin("8938505974194") == products.Gtin("8938505974194", True)
    assert products.parse_gtin("4006381333931").vietnamese is False
    with pytest.raises(InvalidField, match="expected 4"):
        products.parse_gtin("8938505974195")


def test_certificates_run_thirty_six_months_and_age_through_their_states() -> None:
    assert products.default_valid_to(date(2024, 2, 29)) == date(2027, 2, 27)
    assert products.default_valid_to(date(2025, 6, 1)) == date(2028, 5, 31)
    today = date(2026, 11, 29)
    assert products.certificate_status(date(2027, 1, 1), False, today) == "valid"
    assert products.certificate_status(date(2026, 12, 20), False, today) == "expiring"
    assert products.certificate_status(date(2026, 11, 28), False, today) == "expired"
    assert products.certificate_status(date(2027, 1, 1), True, today) == "revoked"
    with pytest.raises(InvalidField, match="36 months"):
        products.check_certificate(4, "province", date(2025, 1, 1), date(2028, 6, 1))
    with pytest.raises(InvalidField) as bad:
        products.check_certificate(2, "province", date(2025, 1, 1), date(2026, 1, 1))
    assert bad.value.field == "star"


def _fair(**rules: object) -> Fair:
    now = datetime.now(UTC)
    return Fair(
        fair_id=uuid.uuid4(), organizer_id="org", name="Hội chợ", kind="fair", venue="Hạ Long", province="Quảng Ninh",
        starts_at=now + timedelta(days=20), ends_at=now + timedelta(days=25),
        applications_open_at=now - timedelta(days=1), applications_close_at=now + timedelta(days=10),
        rules=Rules(**rules), status="open",  # type: ignore[arg-type]
    )  # fmt: skip


def _product(
    holder: uuid.UUID,
    *,
    star: int = 4,
    group: int = 1,
    valid_to: date | None = None,
    status: str = "valid",
) -> Product:
    cert = Certificate(
        certificate_id=uuid.uuid4(), number="C-1", star=star, issuing_level="province", issuing_body="UBND",
        decision_number="1/QĐ", decision_date=date(2025, 1, 1), valid_from=date(2025, 1, 1),
        valid_to=valid_to or date(2027, 12, 31), status=status,  # type: ignore[arg-type]
    )  # fmt: skip
    return Product(
        product_id=uuid.uuid4(),
        holder_id=holder,
        name="Chè Tân Cương",
        group=group,
        taxonomy="2023",
        gtin=None,
        unit="gói",
        list_price_vnd=120_000,
        certificate=cert,
        ocop_until=cert.valid_to if status in ("valid", "expiring") else None,
    )


def _holder(kind: str = "cooperative", members: list[uuid.UUID] | None = None) -> Exhibitor:
    return Exhibitor(
        exhibitor_id=uuid.uuid4(),
        kind=kind,
        name="HTX",
        tax_code=None,
        province="Thái Nguyên",
        commune=None,
        phone=None,
        member_ids=members or [],
    )  # type: ignore[arg-type]


def test_an_application_meeting_the_rules_reports_its_best_star() -> None:
    holder = _holder()
    shown = [_product(holder.exhibitor_id, star=3), _product(holder.exhibitor_id, star=5)]
    assert (
        applications.check_application(
            _fair(), holder, shown, BoothRequest(count=2), datetime.now(UTC)
        )
        == 5
    )


@pytest.mark.parametrize(
    ("product_kw", "rules", "booths", "field", "message"),
    [
        ({"star": 3}, {"min_star": 4}, 1, "product_ids.0", "below the fair's minimum"),
        ({"group": 4}, {"product_groups": [1, 2]}, 1, "product_ids.0", "not admitted"),
        (
            {"valid_to": date.today() + timedelta(days=22)},
            {},
            1,
            "product_ids.0",
            "before the fair ends",
        ),
        ({"status": "revoked"}, {}, 1, "product_ids.0", "revoked"),
        ({}, {"max_booths_per_holder": 2}, 3, "booth_request.count", "between 1 and 2"),
    ],
)
def test_applications_breaking_a_rule_are_refused_naming_the_field(
    product_kw: dict[str, object], rules: dict[str, object], booths: int, field: str, message: str
) -> None:
    holder = _holder()
    with pytest.raises(InvalidField, match=message) as refused:
        applications.check_application(
            _fair(**rules),
            holder,
            [_product(holder.exhibitor_id, **product_kw)],
            BoothRequest(count=booths),
            datetime.now(UTC),
        )  # type: ignore[arg-type]
    assert refused.value.field == field


def test_a_delegation_shows_its_members_products_but_no_one_elses() -> None:
    member = _holder()
    delegation = _holder("delegation", [member.exhibitor_id])
    shown = [_product(member.exhibitor_id)]
    assert (
        applications.check_application(
            _fair(max_booths_per_holder=1),
            delegation,
            shown,
            BoothRequest(count=1),
            datetime.now(UTC),
        )
        == 4
    )
    with pytest.raises(InvalidField, match="delegation's members"):
        applications.check_application(
            _fair(), delegation, [_product(uuid.uuid4())], BoothRequest(count=1), datetime.now(UTC)
        )


def test_a_closed_fair_takes_no_application() -> None:
    fair = _fair().model_copy(update={"status": "closed"})
    holder = _holder()
    with pytest.raises(InvalidField) as refused:
        applications.check_application(
            fair, holder, [_product(holder.exhibitor_id)], BoothRequest(count=1), datetime.now(UTC)
        )
    assert refused.value.code == "fair_not_open" and refused.value.field == "fair_id"


def test_review_and_fair_lifecycle_transitions() -> None:
    assert applications.check_review("submitted", "approved", None) == "approved"
    assert applications.check_review("waitlisted", "approved", None) == "approved"
    with pytest.raises(Conflict):
        applications.check_review("approved", "rejected", "late")
    with pytest.raises(InvalidField) as why:
        applications.check_review("submitted", "rejected", " ")
    assert why.value.field == "reason"
    fair = _fair().model_copy(update={"status": "draft"})
    for action, status in [
        ("open", "open"),
        ("close", "closed"),
        ("start", "running"),
        ("finish", "finished"),
    ]:
        fair = fairs.transition(fair, action).fair
        assert fair.status == status
    with pytest.raises(Conflict):
        fairs.transition(fair, "open")


def test_schedule_rules() -> None:
    now = datetime.now(UTC)
    with pytest.raises(InvalidField) as bad:
        fairs.check_schedule(
            now, now - timedelta(hours=1), now - timedelta(days=2), now - timedelta(days=1)
        )
    assert bad.value.field == "ends_at"
    with pytest.raises(InvalidField) as late:
        fairs.check_schedule(
            now, now + timedelta(days=1), now - timedelta(days=2), now + timedelta(hours=1)
        )
    assert late.value.field == "applications_close_at"
    assert as_utc(datetime(2024, 8, 29, 8, 0)) == datetime(2024, 8, 29, 1, 0, tzinfo=UTC)
