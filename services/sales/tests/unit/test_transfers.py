"""VietQR transfers and bank notifications, without I/O: which payment makes a transfer, the
NAPAS cap, which notification confirms which transfer, repeats, and the sale's decision with
kept notifications."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from ocop_sales.domain.sales import PaymentIn, judge_sales
from ocop_sales.domain.transfers import (
    VIETQR_LIMIT_VND,
    BankState,
    Candidate,
    NewTransfer,
    Notification,
    NotificationIn,
    PaymentCodeTaken,
    StoredTransfer,
    best_candidate,
    confirm_by_cashier,
    match_notification,
    match_text,
    match_uploaded,
    normalise,
    sale_transfers,
)
from ocop_shared.errors import InvalidField, NotFound

from .test_sales_domain import HONEY, NOW, POLICY, line, sale, till

SALE = uuid.UUID(int=900)
T0 = datetime(2026, 3, 10, 5, 0, tzinfo=UTC)


def vietqr(amount: int, code: str | None = "OCOPK7Q2M12", confirmed: bool = False) -> PaymentIn:
    return PaymentIn("vietqr", amount, None, code, confirmed)


def stored(code: str, amount: int, *, status: str = "pending", **changes: object) -> StoredTransfer:
    values: dict[str, object] = {
        "sale_id": SALE,
        "fair_id": uuid.UUID(int=200),
        "terminal_id": uuid.UUID(int=100),
        "exhibitor_id": uuid.UUID(int=400),
        "payment_code": code,
        "amount_vnd": amount,
        "status": status,
        "confirmed_by": None if status == "pending" else "cashier",
        "bank_transaction_id": None,
        "created_at": T0,
        "confirmed_at": None if status == "pending" else T0,
    }
    return StoredTransfer(**{**values, **changes})  # type: ignore[arg-type]


def note(
    amount: int, content: str, *, code: str | None = None, pid: str = "92704"
) -> NotificationIn:
    return NotificationIn(pid, "Vietcombank", None, None, code, content, "in", amount, None, {})


def kept(nid: int, amount: int, content: str, at: datetime = T0) -> Notification:
    return Notification(nid, f"p{nid}", amount, None, content, at)


# --- which payments make transfers -------------------------------------------------------


def test_a_vietqr_payment_of_500_million_or_more_is_refused_naming_its_amount() -> None:
    payments = [PaymentIn("cash", 1_000, None), vietqr(VIETQR_LIMIT_VND)]
    with pytest.raises(InvalidField) as refused:
        sale_transfers(payments, SALE, {})
    assert refused.value.field == "payments.1.amount_vnd"
    assert sale_transfers([vietqr(VIETQR_LIMIT_VND - 1)], SALE, {})[0].amount_vnd == 499_999_999
    # Without a code too: NAPAS caps every transfer.
    with pytest.raises(InvalidField):
        sale_transfers([PaymentIn("vietqr", 600_000_000, None)], SALE, {})


def test_payment_codes_only_on_vietqr_pending_needs_a_code_and_codes_are_unique() -> None:
    with pytest.raises(InvalidField) as cash:
        sale_transfers([PaymentIn("cash", 10, None, "OCOPK7Q2M12", True)], SALE, {})
    assert cash.value.field == "payments.0.payment_code"
    with pytest.raises(InvalidField) as pending:
        sale_transfers([PaymentIn("vietqr", 10, None, None, False)], SALE, {})
    assert pending.value.field == "payments.0.confirmed"
    with pytest.raises(InvalidField) as twice:
        sale_transfers([vietqr(10), vietqr(20)], SALE, {})
    assert twice.value.field == "payments.1.payment_code"
    with pytest.raises(PaymentCodeTaken) as taken:
        sale_transfers([vietqr(10)], SALE, {"OCOPK7Q2M12": uuid.uuid4()})
    assert taken.value.status_code == 409 and taken.value.field == "payments.0.payment_code"
    # The sale's own code (a replay in flight) is not another sale's.
    assert sale_transfers([vietqr(10)], SALE, {"OCOPK7Q2M12": SALE})
    # A vietqr payment without a code, confirmed: no transfer (as before transfers).
    assert sale_transfers([PaymentIn("vietqr", 10, None)], SALE, {}) == []


# --- which notification is for which transfer ------------------------------------------


def test_codes_are_found_in_code_or_content_upper_cased_without_separators() -> None:
    assert normalise("ocop-k7q2m 12 Thanh toán") == "OCOPK7Q2M12THANHTON"
    assert match_text("OCOPK7Q2M12", None) == "OCOPK7Q2M12 "
    one = Candidate("OCOPK7Q2M12", 150_000, True, T0)
    assert best_candidate(None, "ck ocop-k7q2m-12 mua mat ong", 150_000, [one]) == one
    assert best_candidate("OCOPK7Q2M12", "", 150_000, [one]) == one
    assert best_candidate(None, "OCOPK7Q2M12", 149_999, [one]) is None  # amount differs
    assert best_candidate(None, "OCOPK7Q2M13", 150_000, [one]) is None


def test_a_code_standing_alone_beats_a_shorter_one_inside_it_and_pending_beats_confirmed() -> None:
    short = Candidate("OCOPK7Q2M1", 50_000, True, T0)
    long = Candidate("OCOPK7Q2M12", 50_000, True, T0 + timedelta(minutes=1))
    assert best_candidate(None, "OCOPK7Q2M12 thanh toan", 50_000, [short, long]) == long
    assert best_candidate(None, "OCOPK7Q2M1 thanh toan", 50_000, [short, long]) == short
    done = Candidate("OCOPK7Q2M12", 50_000, False, T0)
    assert best_candidate(None, "OCOPK7Q2M12", 50_000, [done, short]) == short


def test_each_kept_notification_confirms_one_uploaded_transfer_the_oldest_first() -> None:
    a = NewTransfer(uuid.uuid4(), "OCOPAAAAA1", 0, 70_000, None)
    b = NewTransfer(uuid.uuid4(), "OCOPAAAAA2", 0, 70_000, "cashier")
    c = NewTransfer(uuid.uuid4(), "OCOPAAAAA3", 0, 80_000, None)
    notes = [
        kept(2, 70_000, "OCOPAAAAA1 again", T0 + timedelta(minutes=2)),
        kept(1, 70_000, "OCOPAAAAA1", T0),
        kept(3, 80_000, "OCOPAAAAA2"),  # b is confirmed already; amount is c's, code is not
    ]
    settled = {t.payment_code: t for t in match_uploaded([a, b, c], notes)}
    assert settled["OCOPAAAAA1"].confirmed_by == "bank"
    assert settled["OCOPAAAAA1"].notification is not None
    assert settled["OCOPAAAAA1"].notification.notification_id == 1
    assert settled["OCOPAAAAA2"] == b and settled["OCOPAAAAA3"] == c


def test_a_notification_confirms_a_pending_transfer_joins_a_cashier_one_or_is_kept() -> None:
    pending = stored("OCOPK7Q2M12", 150_000)
    found = match_notification(note(150_000, "OCOPK7Q2M12"), [pending], now=NOW)
    assert found.transfer == pending and found.event is not None
    assert found.event.confirmed_by == "bank" and found.event.bank_transaction_id == "92704"
    cashier = stored("OCOPK7Q2M12", 150_000, status="confirmed")
    joined = match_notification(note(150_000, "OCOPK7Q2M12"), [cashier], now=NOW)
    assert joined.transfer == cashier and joined.event is None
    linked = stored("OCOPK7Q2M12", 150_000, status="confirmed", has_notification=True)
    assert match_notification(note(150_000, "OCOPK7Q2M12"), [linked], now=NOW).transfer is None
    assert match_notification(note(150_001, "OCOPK7Q2M12"), [pending], now=NOW).transfer is None


def test_the_cashier_confirms_once_and_out_of_reach_is_not_found() -> None:
    pending = stored("OCOPK7Q2M12", 150_000)
    first = confirm_by_cashier(pending, reached=True, now=NOW)
    assert first.transfer.status == "confirmed" and first.transfer.confirmed_by == "cashier"
    assert first.event is not None and first.event.bank_transaction_id is None
    again = confirm_by_cashier(first.transfer, reached=True, now=NOW + timedelta(minutes=1))
    assert again.event is None and again.transfer == first.transfer
    for transfer, reached in ((pending, False), (None, True)):
        with pytest.raises(NotFound) as missing:
            confirm_by_cashier(transfer, reached=reached, now=NOW)
        assert missing.value.field == "payment_code"


# --- the sale's decision -----------------------------------------------------------------


def _vietqr_sale(code: str, confirmed: bool = False, sale_id: UUID | None = None) -> object:
    return sale(
        line(HONEY, 2, 250_000),
        payments=[PaymentIn("vietqr", 500_000, None, code, confirmed)],
        sale_id=sale_id,
    )


def test_an_uploaded_pending_transfer_is_confirmed_by_a_kept_notification_with_its_event() -> None:
    t = till()
    bank = BankState(taken={}, unmatched=[kept(41, 500_000, "OCOPK7Q2M7 mua mat ong")])
    decision = judge_sales(
        t,
        [_vietqr_sale("OCOPK7Q2M7"), _vietqr_sale("OCOPK7Q2M8")],  # type: ignore[list-item]
        POLICY,
        now=NOW,
        offline=True,
        bank=bank,
    )
    assert [o.status for o in decision.outcomes] == ["recorded", "recorded"]
    by_code = {tr.payment_code: tr for tr in decision.transfers}
    assert by_code["OCOPK7Q2M7"].confirmed_by == "bank"
    assert by_code["OCOPK7Q2M8"].confirmed_by is None  # still waiting for the bank
    assert [e.payment_code for e in decision.transfer_events] == ["OCOPK7Q2M7"]
    assert decision.transfer_events[0].bank_transaction_id == "p41"
    assert decision.seen_notifications == [41]


def test_a_code_another_sale_has_refuses_that_sale_and_the_rest_go_on() -> None:
    other = uuid.uuid4()
    bank = BankState(taken={"OCOPK7Q2M7": other}, unmatched=[])
    decision = judge_sales(
        till(),
        [_vietqr_sale("OCOPK7Q2M7"), _vietqr_sale("OCOPK7Q2M8", confirmed=True)],  # type: ignore[list-item]
        POLICY,
        now=NOW,
        offline=False,
        bank=bank,
    )
    refused, recorded = decision.outcomes
    assert refused.status == "rejected" and refused.refusal is not None
    assert refused.refusal.status == 409 and refused.refusal.field == "payments.0.payment_code"
    assert recorded.status == "recorded"
    assert [(t.payment_code, t.confirmed_by) for t in decision.transfers] == [
        ("OCOPK7Q2M8", "cashier")
    ]
    assert decision.transfer_events == []  # confirmed at the sale: its sale_recorded says so


def test_a_sale_without_transfers_decides_as_before() -> None:
    decision = judge_sales(till(), [sale()], POLICY, now=NOW, offline=False)
    assert decision.transfers == [] and decision.transfer_events == []
