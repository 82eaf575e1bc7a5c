"""Issue 11's business-flow rules, pure: prices below the list only as a stated, bounded
discount; offline sales backdated beyond the allowed window judged at the bound and flagged;
refunds by the sale's payment method unless an organizer of the fair approved another."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta

import pytest

from ocop_sales.domain.refunds import (
    ApprovalIn,
    RefundApproval,
    RefundIn,
    RefundLineIn,
    SoldSale,
    StoredApproval,
    check_refund_method,
    decide_approval,
    decide_refund,
)
from ocop_sales.domain.sales import (
    LineIn,
    SaleLine,
    SalePolicy,
    bounded_moment,
    check_price,
    judge_sales,
    payload_hash,
    price_sale,
)
from ocop_shared.errors import Conflict, InvalidField, NotFound

from .test_sales_domain import HONEY, NOW, TEA, item, line, sale, till

POLICY = SalePolicy()  # 20 % at most below the list value; 24 h before the last contact
TERMINAL = uuid.UUID(int=100)


# --- prices: the list price, or a stated discount within the fair's bound -----------------


def test_a_till_may_no_longer_sell_a_100000_dong_product_for_1_dong() -> None:
    t = till(item(HONEY, 100_000))
    with pytest.raises(InvalidField) as exc:
        price_sale(sale(line(HONEY, 1, 1)), t, POLICY, now=NOW, offline=False)
    assert exc.value.field == "lines.0.unit_price_vnd" and "100000" in exc.value.message
    # Nor as a 99,999 dong discount: that is beyond 20 %.
    with pytest.raises(InvalidField) as exc:
        cheap = line(HONEY, 1, 100_000, discount_vnd=99_999, discount_reason="bạn bè")
        price_sale(sale(cheap), t, POLICY, now=NOW, offline=False)
    assert exc.value.field == "lines.0.discount_vnd" and "20 %" in exc.value.message


@pytest.mark.parametrize(
    ("the_line", "field"),
    [
        (line(HONEY, 1, 249_999), "lines.0.unit_price_vnd"),  # a dong below the list
        (line(HONEY, 2, 250_000, discount_vnd=1), "lines.0.discount_reason"),  # no reason
        (
            line(HONEY, 2, 250_000, discount_vnd=100_001, discount_reason="x"),
            "lines.0.discount_vnd",
        ),
    ],
)
def test_a_price_below_the_list_needs_a_stated_bounded_discount(
    the_line: LineIn, field: str
) -> None:
    with pytest.raises(InvalidField) as exc:
        price_sale(sale(the_line), till(), POLICY, now=NOW, offline=False)
    assert exc.value.field == field


def test_a_discount_with_its_reason_within_the_bound_is_sold_and_its_reason_kept() -> None:
    # 2 × 250,000 = 500,000 list value; 20 % of it is 100,000.
    the_line = line(HONEY, 2, 250_000, discount_vnd=100_000, discount_reason="khách sỉ")
    priced = price_sale(sale(the_line), till(), POLICY, now=NOW, offline=False)
    assert priced.total_vnd == 400_000 and list(priced.discount_reasons) == ["khách sỉ"]
    # Above the list price is the exhibitor's business; a reason without a discount is not kept.
    priced = price_sale(
        sale(line(HONEY, 1, 300_000, discount_reason="không giảm")),
        till(),
        POLICY,
        now=NOW,
        offline=False,
    )
    assert priced.total_vnd == 300_000 and list(priced.discount_reasons) == [None]


def test_the_bound_is_the_fairs_rule_and_rounds_in_the_buyers_disfavour() -> None:
    # 3 × 33,333 = 99,999 list value; 10 % off leaves at least 89,999.1 -> 90,000 dong.
    policy = replace(POLICY, max_discount_percent=10)
    ok = LineIn(HONEY, None, 3, 33_333, 9_999, None, "khuyến mãi")
    check_price(ok, 33_333, 90_000, policy, 0)
    with pytest.raises(InvalidField):
        check_price(replace(ok, discount_vnd=10_000), 33_333, 89_999, policy, 0)
    # No discount at all may be the rule.
    with pytest.raises(InvalidField):
        check_price(
            replace(ok, discount_vnd=1), 33_333, 99_998, replace(POLICY, max_discount_percent=0), 0
        )


# --- offline sales backdated beyond the till's last online contact ----------------------------


def test_the_bound_applies_only_beyond_the_window() -> None:
    contact = NOW
    assert bounded_moment(NOW - timedelta(hours=23), contact, POLICY) is None
    assert bounded_moment(NOW - timedelta(hours=24), contact, POLICY) is None
    assert bounded_moment(NOW - timedelta(hours=30), contact, POLICY) == NOW - timedelta(hours=24)
    assert bounded_moment(NOW - timedelta(days=30), None, POLICY) is None  # nothing known


def test_a_backdated_offline_sale_is_recorded_judged_at_the_bound_and_flagged() -> None:
    t = till(fair_starts_at=NOW - timedelta(days=5), last_contact=NOW)
    made = NOW - timedelta(hours=30)
    decision = judge_sales(t, [sale(device_time=made)], POLICY, now=NOW, offline=True)
    [outcome] = decision.outcomes
    assert (outcome.status, outcome.review) == ("recorded", "backdated")
    [new] = decision.new_sales
    assert new.priced.judged_at == NOW - timedelta(hours=24)  # the bound, for the guarded write
    assert new.priced.sale.device_time == made  # kept as the till reported it
    assert new.priced.business_date == date(2026, 3, 9)  # the till's day in Viet Nam (06:00)
    # Within the window: no flag, judged at the device time.
    decision = judge_sales(
        t, [sale(device_time=NOW - timedelta(hours=3))], POLICY, now=NOW, offline=True
    )
    assert decision.outcomes[0].review is None
    assert decision.new_sales[0].priced.judged_at == NOW - timedelta(hours=3)
    # Online sales are the server's time: never flagged.
    decision = judge_sales(t, [sale(device_time=made)], POLICY, now=NOW, offline=False)
    assert decision.outcomes[0].review is None


def test_backdating_before_a_revocation_does_not_sell_the_revoked_product() -> None:
    revoked_at = NOW - timedelta(hours=27)
    t = till(
        item(HONEY, 250_000, blocked_at=revoked_at),
        item(TEA, 120_000),
        fair_starts_at=NOW - timedelta(days=5),
        last_contact=NOW,
    )
    made = NOW - timedelta(hours=30)  # "before the revocation", says the till's clock
    decision = judge_sales(
        t,
        [sale(line(TEA, 1, 120_000), line(HONEY, 1, 250_000), device_time=made)],
        POLICY,
        now=NOW,
        offline=True,
    )
    [outcome] = decision.outcomes
    assert outcome.status == "rejected" and outcome.refusal is not None
    assert (outcome.refusal.field, outcome.refusal.status) == ("lines.1.product_id", 422)
    assert (
        "device_time" in outcome.refusal.message and "offline_backdate" in outcome.refusal.message
    )
    # The same sale within the window still counts (made before the revocation).
    t = replace(t, last_contact=NOW - timedelta(hours=10))
    decision = judge_sales(
        t, [sale(line(HONEY, 1, 250_000), device_time=made)], POLICY, now=NOW, offline=True
    )
    assert decision.outcomes[0].status == "recorded" and decision.outcomes[0].review is None


# --- refunds go back the way the money came --------------------------------------------------

LINE = SaleLine(HONEY, uuid.UUID(int=50), 2, 100_000, 0, 200_000, 1, 4)
APPROVAL = RefundApproval(
    uuid.UUID(int=900), uuid.UUID(int=7), uuid.UUID(int=8), "cash", "khách không có tài khoản",
    "nguoi-duyet", NOW,
)  # fmt: skip


def sold(payments: dict[str, int], **changes: object) -> SoldSale:
    base = SoldSale(
        sale_id=uuid.UUID(int=7),
        fair_id=uuid.UUID(int=8),
        terminal_id=TERMINAL,
        exhibitor_id=uuid.UUID(int=9),
        lines=[LINE],
        refunded={},
        payments=payments,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def refund(method: str, quantity: int = 1, approval_id: uuid.UUID | None = None) -> RefundIn:
    return RefundIn(
        uuid.UUID(int=11), uuid.UUID(int=7), [RefundLineIn(0, quantity)], method, "đổi ý",  # type: ignore[arg-type]
        payload_hash(f"{method}{quantity}{approval_id}".encode()), approval_id,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("payments", "method"),
    [
        ({"vietqr": 200_000}, "cash"),  # a transfer is not refunded in cash
        ({"cash": 200_000}, "vietqr"),  # nor cash by transfer
        ({"card": 200_000}, "ewallet"),
    ],
)
def test_a_refund_by_another_method_than_the_sale_was_paid_is_refused(
    payments: dict[str, int], method: str
) -> None:
    with pytest.raises(InvalidField) as exc:
        decide_refund(sold(payments), TERMINAL, None, refund(method))
    assert exc.value.field == "method" and "refund-approvals" in exc.value.message


def test_a_refund_by_the_sales_method_goes_through_and_a_mixed_sale_splits() -> None:
    decision = decide_refund(sold({"vietqr": 200_000}), TERMINAL, None, refund("vietqr"))
    assert decision.event is not None and decision.event.approval is None
    # 150,000 paid by transfer, 50,000 in cash: one unit (100,000) cannot go back in cash...
    mixed = sold({"vietqr": 150_000, "cash": 50_000})
    with pytest.raises(InvalidField):
        decide_refund(mixed, TERMINAL, None, refund("cash"))
    # ...but by transfer, and then a second by transfer is over what is left that way.
    assert decide_refund(mixed, TERMINAL, None, refund("vietqr")).total_vnd == 100_000
    after = replace(mixed, refunded={0: 1}, refunded_by_method={"vietqr": 100_000})
    with pytest.raises(InvalidField) as exc:
        check_refund_method(after, refund("vietqr"), 100_000)
    assert "50000 VND" in exc.value.message


def test_an_organizers_approval_lets_another_method_through_and_the_event_carries_it() -> None:
    sale_ = sold({"vietqr": 200_000}, approvals={APPROVAL.approval_id: APPROVAL})
    decision = decide_refund(sale_, TERMINAL, None, refund("cash", 2, APPROVAL.approval_id))
    assert decision.event is not None and decision.event.method == "cash"
    assert decision.event.approval is not None
    assert (decision.event.approval.approval_id, decision.event.approval.approved_by) == (
        APPROVAL.approval_id,
        "nguoi-duyet",
    )
    # The approval is for one method of this sale only.
    with pytest.raises(InvalidField) as exc:
        decide_refund(sale_, TERMINAL, None, refund("card", 1, APPROVAL.approval_id))
    assert exc.value.field == "method"
    with pytest.raises(InvalidField) as exc:
        decide_refund(
            sold({"vietqr": 200_000}), TERMINAL, None, refund("cash", 1, APPROVAL.approval_id)
        )
    assert exc.value.field == "approval_id"


def test_only_an_organizer_of_the_sales_fair_approves_and_an_approval_replays() -> None:
    asked = ApprovalIn(APPROVAL.approval_id, APPROVAL.sale_id, "cash", "lý do", b"h1")
    status, approved = decide_approval(
        sold({"vietqr": 1}), "org-a", "org-a", "u1", None, asked, NOW
    )
    assert status == "recorded" and (approved.method, approved.approved_by, approved.fair_id) == (
        "cash",
        "u1",
        uuid.UUID(int=8),
    )
    for sale_, organizer, caller in (
        (None, "org-a", "org-a"),
        (sold({}), "org-a", "org-b"),
        (sold({}), None, "org-a"),
    ):
        with pytest.raises(NotFound):
            decide_approval(sale_, organizer, caller, None, None, asked, NOW)
    prior = StoredApproval(approved, b"h1")
    assert decide_approval(sold({}), "org-a", "org-a", None, prior, asked, NOW) == (
        "replayed",
        approved,
    )
    with pytest.raises(Conflict) as exc:
        decide_approval(
            sold({}), "org-a", "org-a", None, prior, replace(asked, payload_hash=b"h2"), NOW
        )
    assert exc.value.field == "approval_id"
