"""Products and certificates: registration, changes, certification, revocation, expiry, and the
``ocop_until`` decision the other services sell by."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest

from ocop_registration.domain import products
from ocop_registration.domain.events import product_snapshot
from ocop_registration.domain.timezone import VN
from ocop_shared.contracts.registration import (
    CertificateExpired,
    CertificateExpiring,
    CertificateIssued,
    CertificateRevoked,
    ProductRegistered,
    ProductUpdated,
)
from ocop_shared.errors import Conflict, InvalidField

from .builders import TODAY, certificate, holder, product


@pytest.mark.parametrize(
    ("status", "valid_to", "until"),
    [
        ("valid", date(2027, 12, 31), date(2027, 12, 31)),
        ("expiring", TODAY + timedelta(days=10), TODAY + timedelta(days=10)),
        ("valid", TODAY, TODAY),  # its last day still counts
        ("expired", TODAY - timedelta(days=1), None),
        ("revoked", date(2027, 12, 31), None),
    ],
)
def test_a_product_is_ocop_until_its_certificate_ends_while_in_force(
    status: str, valid_to: date, until: date | None
) -> None:
    cert = certificate(status=status, valid_to=valid_to)
    assert products.ocop_until(cert, TODAY) == until


def test_a_product_without_certificate_is_not_ocop() -> None:
    assert products.ocop_until(None, TODAY) is None


def _draft(**changes: object) -> products.ProductDraft:
    values: dict[str, object] = {
        "name": "Chè Tân Cương",
        "group": 2,
        "unit": "gói 200g",
        "list_price_vnd": 180_000,
        "gtin": "8938505974194",
        **changes,
    }
    return products.ProductDraft(**values)  # type: ignore[arg-type]


def test_a_registered_product_has_no_certificate_and_is_announced() -> None:
    owner = holder()
    new = products.new_product(_draft(), uuid.uuid4(), owner.exhibitor_id)
    decided = products.register(new, owner)
    assert new.product.certificate is None and new.product.ocop_until is None
    assert new.gtin_vietnamese is True and new.product.gtin == "8938505974194"
    [event] = decided.events
    assert isinstance(event, ProductRegistered) and event.product == product_snapshot(new.product)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"group": 7}, "group"),
        ({"taxonomy": "2030"}, "taxonomy"),
        ({"list_price_vnd": -1}, "list_price_vnd"),
        ({"list_price_vnd": products.MAX_PRICE_VND + 1}, "list_price_vnd"),
        ({"gtin": "8938505974195"}, "gtin"),
        ({"gtin": "12345"}, "gtin"),
    ],
)
def test_a_product_breaking_a_rule_is_refused(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidField) as refused:
        products.new_product(_draft(**changes), uuid.uuid4(), uuid.uuid4())
    assert refused.value.field == field


@pytest.mark.parametrize(
    ("owner", "message"),
    [(None, "no such holder"), (holder("delegation"), "a delegation holds no products")],
)
def test_a_product_belongs_to_a_known_holder_not_a_delegation(owner: object, message: str) -> None:
    new = products.new_product(_draft(), uuid.uuid4(), uuid.uuid4())
    with pytest.raises(InvalidField, match=message) as refused:
        products.register(new, owner)  # type: ignore[arg-type]
    assert refused.value.field == "holder_id"


def test_a_change_keeps_what_is_not_changed_and_is_announced() -> None:
    current = product(cert=certificate())
    decided = products.update(current, products.ProductChanges(list_price_vnd=99_000))
    assert decided.state.list_price_vnd == 99_000
    assert decided.state.name == current.name and decided.state.certificate == current.certificate
    [event] = decided.events
    assert isinstance(event, ProductUpdated) and event.product == product_snapshot(decided.state)


def test_a_negative_price_change_is_refused() -> None:
    with pytest.raises(InvalidField) as refused:
        products.update(product(), products.ProductChanges(list_price_vnd=-5))
    assert refused.value.field == "list_price_vnd"


def _certificate_draft(**changes: object) -> products.CertificateDraft:
    values: dict[str, object] = {
        "number": "QN-2026-1",
        "star": 4,
        "issuing_level": "province",
        "issuing_body": "UBND tỉnh Quảng Ninh",
        "decision_number": "12/QĐ-UBND",
        "decision_date": date(2026, 1, 15),
        "valid_from": date(2026, 1, 15),
        **changes,
    }
    return products.CertificateDraft(**values)  # type: ignore[arg-type]


def test_a_new_certificate_runs_36_months_unless_told() -> None:
    cert = products.new_certificate(_certificate_draft(), uuid.uuid4(), TODAY)
    assert cert.valid_to == date(2029, 1, 14) and cert.status == "valid"
    short = products.new_certificate(
        _certificate_draft(valid_to=TODAY + timedelta(days=5)), uuid.uuid4(), TODAY
    )
    assert short.status == "expiring"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"star": 6}, "star"),
        ({"issuing_level": "village"}, "issuing_level"),
        ({"valid_to": date(2026, 1, 15)}, "valid_to"),
        ({"valid_to": date(2029, 2, 1)}, "valid_to"),
    ],
)
def test_a_certificate_breaking_a_rule_is_refused(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidField) as refused:
        products.new_certificate(_certificate_draft(**changes), uuid.uuid4(), TODAY)
    assert refused.value.field == field


def test_certifying_a_product_makes_it_ocop_until_the_certificate_ends() -> None:
    cert = products.new_certificate(_certificate_draft(), uuid.uuid4(), TODAY)
    decided = products.certify(product(), cert, TODAY)
    assert decided.state.certificate == cert and decided.state.ocop_until == cert.valid_to
    [event] = decided.events
    assert isinstance(event, CertificateIssued)
    assert event.product == product_snapshot(decided.state)


def test_a_certificate_for_an_earlier_period_does_not_replace_the_current_one() -> None:
    current = certificate(valid_from=date(2025, 6, 1))
    older = certificate(number="OLD", valid_from=date(2022, 6, 1), valid_to=date(2025, 5, 31))
    shown = product(cert=current)
    decided = products.certify(shown, older, TODAY)
    assert decided.state == shown
    assert isinstance(decided.events[0], CertificateIssued)


def test_a_revocation_names_its_reason() -> None:
    cert = certificate()
    with pytest.raises(InvalidField) as refused:
        products.revoke(["QN-1"], {"QN-1": product(cert=cert)}, reason="", decision_number="1")
    assert refused.value.field == "reason"


def test_a_revocation_with_an_unknown_number_revokes_nothing() -> None:
    with pytest.raises(InvalidField, match="NO-SUCH") as refused:
        products.revoke(
            ["QN-1", "NO-SUCH"],
            {"QN-1": product(cert=certificate())},
            reason="quality",
            decision_number="47/QĐ",
        )
    assert refused.value.field == "certificate_numbers"


def test_a_bulk_revocation_announces_each_product_once_without_ocop_until() -> None:
    a, b = product(cert=certificate(number="A")), product(cert=certificate(number="B"))
    decided = products.revoke(
        ["A", "B", "A"], {"A": a, "B": b}, reason="quality", decision_number="47/QĐ"
    )
    assert [n for n, _ in decided.state] == ["A", "B"]
    assert [type(e) for e in decided.events] == [CertificateRevoked, CertificateRevoked]
    for event, shown in zip(decided.events, (a, b), strict=True):
        assert isinstance(event, CertificateRevoked)
        assert event.product.product_id == shown.product_id
        assert event.product.certificate is not None
        assert event.product.certificate.status == "revoked"
        assert event.product.ocop_until is None and event.decision_number == "47/QĐ"


def test_an_already_revoked_certificate_is_a_conflict() -> None:
    revoked = product(cert=certificate(number="A", status="revoked"))
    with pytest.raises(Conflict, match="already revoked"):
        products.revoke(["A"], {"A": revoked}, reason="x", decision_number="1")


def test_revoking_a_replaced_certificate_leaves_the_current_one_in_force() -> None:
    shown = product(cert=certificate(number="NEW"))
    decided = products.revoke(["OLD"], {"OLD": shown}, reason="x", decision_number="1")
    [(_, after)] = decided.state
    assert after == shown and after.ocop_until is not None


def _candidate(
    p: products.Product, valid_to: date, announced: bool = False
) -> products.ExpiryCandidate:
    assert p.certificate is not None
    return products.ExpiryCandidate(p.certificate.certificate_id, p.product_id, valid_to, announced)


def test_expiry_is_announced_once_as_expiring_then_once_as_expired() -> None:
    soon = product(cert=certificate(valid_to=TODAY + timedelta(days=10), status="expiring"))
    gone = product(cert=certificate(valid_to=TODAY - timedelta(days=1), status="expired"))
    already = product(cert=certificate(valid_to=TODAY + timedelta(days=3), status="expiring"))
    candidates = [
        _candidate(soon, TODAY + timedelta(days=10)),
        _candidate(gone, TODAY - timedelta(days=1)),
        _candidate(already, TODAY + timedelta(days=3), announced=True),
    ]
    current = {p.product_id: p for p in (soon, gone, already)}
    decided = products.announce_expiry(candidates, current, TODAY)
    assert [type(e) for e in decided.events] == [CertificateExpiring, CertificateExpired]
    assert [(m.certificate_id, m.expired) for m in decided.state] == [
        (candidates[0].certificate_id, False),
        (candidates[1].certificate_id, True),
    ]


def test_a_replaced_certificate_is_closed_without_an_announcement() -> None:
    renewed = product(cert=certificate(valid_to=date(2029, 1, 1)))
    stale = products.ExpiryCandidate(uuid.uuid4(), renewed.product_id, TODAY, False)
    decided = products.announce_expiry([stale], {renewed.product_id: renewed}, TODAY)
    assert decided.events == []
    assert [(m.certificate_id, m.expired) for m in decided.state] == [(stale.certificate_id, True)]


# --- when the expiry scan runs: at the moment something is due, not at the next hourly tick ---

HOUR = timedelta(hours=1)


def _vn(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=VN).astimezone(UTC)


def test_the_scan_wakes_at_midnight_in_viet_nam_after_a_certificates_last_day() -> None:
    ending = products.ExpiryCandidate(uuid.uuid4(), uuid.uuid4(), TODAY, True)
    # Mid-afternoon: the interval comes first.
    assert products.next_expiry_scan([ending], _vn(TODAY, 15), HOUR) == _vn(TODAY, 16)
    # At 23:25 the certificate's end (00:00 the next day in Viet Nam, 17:00 UTC) comes first.
    midnight = products.next_expiry_scan([ending], _vn(TODAY, 23, 25), HOUR)
    assert midnight == _vn(TODAY + timedelta(days=1), 0)
    assert midnight == datetime.combine(TODAY, time(17), tzinfo=UTC)


def test_the_scan_wakes_when_a_certificate_enters_its_notice_period() -> None:
    last_day = TODAY + timedelta(days=products.EXPIRY_NOTICE_DAYS + 1)
    not_yet = products.ExpiryCandidate(uuid.uuid4(), uuid.uuid4(), last_day, False)
    notice_starts = _vn(TODAY + timedelta(days=1), 0)
    assert products.next_expiry_scan([not_yet], _vn(TODAY, 23, 50), HOUR) == notice_starts
    # That day its status is "expiring": the scan woken then announces it.
    assert products.certificate_status(last_day, False, TODAY + timedelta(days=1)) == "expiring"
    assert products.certificate_status(last_day, False, TODAY) == "valid"
    # Once announced, only its end is due.
    announced = products.ExpiryCandidate(not_yet.certificate_id, not_yet.product_id, last_day, True)
    assert products.expiry_moments(announced) == [_vn(last_day + timedelta(days=1), 0)]


def test_the_scan_waits_one_interval_when_nothing_is_due_sooner() -> None:
    now = _vn(TODAY, 23, 30)
    assert products.next_expiry_scan([], now, HOUR) == now + HOUR
    # A moment already past was the scan's just now: it does not make the job spin.
    ended = products.ExpiryCandidate(uuid.uuid4(), uuid.uuid4(), TODAY - timedelta(days=2), True)
    assert products.next_expiry_scan([ended], now, HOUR) == now + HOUR
    # Several candidates: the earliest moment wins.
    later = products.ExpiryCandidate(uuid.uuid4(), uuid.uuid4(), TODAY + timedelta(days=3), True)
    ending = products.ExpiryCandidate(uuid.uuid4(), uuid.uuid4(), TODAY, True)
    due = products.next_expiry_scan([later, ending], now, timedelta(days=7))
    assert due == _vn(TODAY + timedelta(days=1), 0)


def test_an_expiry_announced_at_midnight_carries_the_product_as_of_that_day() -> None:
    # Read a moment before midnight (still in force), announced as of the new day.
    ends_today = product(cert=certificate(valid_to=TODAY, status="valid"))
    assert ends_today.ocop_until == TODAY
    candidate = _candidate(ends_today, TODAY, announced=True)
    tomorrow = TODAY + timedelta(days=1)
    decided = products.announce_expiry([candidate], {ends_today.product_id: ends_today}, tomorrow)
    [event] = decided.events
    assert isinstance(event, CertificateExpired)
    assert event.product.ocop_until is None
    assert event.product.certificate is not None
    assert event.product.certificate.status == "expired"
