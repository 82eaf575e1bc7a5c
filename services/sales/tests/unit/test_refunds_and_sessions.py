"""Refund pricing, refund replays and the Z-report, without I/O."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from ocop_sales.domain.refunds import (
    RefundIn,
    RefundLineIn,
    SoldSale,
    StoredRefund,
    decide_refund,
    price_refund,
)
from ocop_sales.domain.sales import SaleLine, payload_hash
from ocop_sales.domain.sessions import Session, Takings, close_session, found, z_report
from ocop_shared.errors import Conflict, InvalidField, NotFound

TERMINAL = uuid.UUID(int=100)


def sold(quantity: int, total: int, unit: int | None = None) -> SaleLine:
    unit = unit if unit is not None else total // quantity
    return SaleLine(
        product_id=uuid.uuid4(),
        producer_id=uuid.uuid4(),
        quantity=quantity,
        unit_price_vnd=unit,
        discount_vnd=quantity * unit - total,
        total_vnd=total,
        product_group=1,
        star=4,
    )


# 3 × 333,333 − 1 dong of discount: 999,998 paid for three units.
WINE = sold(3, 999_998, 333_333)


@pytest.mark.parametrize(
    "steps",
    [[1, 1, 1], [1, 2], [2, 1], [3]],
)
def test_refunds_pro_rata_add_up_to_what_was_paid_to_the_dong(steps: list[int]) -> None:
    refunded: dict[int, int] = {}
    amounts = []
    for quantity in steps:
        [(line_no, line)] = price_refund([WINE], refunded, [RefundLineIn(0, quantity)])
        assert line_no == 0 and line.quantity == quantity and line.discount_vnd == 0
        amounts.append(line.total_vnd)
        refunded[0] = refunded.get(0, 0) + quantity
    assert sum(amounts) == 999_998
    assert all(a <= 333_333 * q for a, q in zip(amounts, steps, strict=True))


def test_a_partial_refund_is_the_lower_share() -> None:
    [(_, line)] = price_refund([WINE], {}, [RefundLineIn(0, 1)])
    assert line.total_vnd == 333_332  # 999,998 / 3 rounded down; the last unit takes the rest


@pytest.mark.parametrize(
    ("lines", "before", "field", "message"),
    [
        ([RefundLineIn(0, 4)], {}, "lines.0.quantity", "at most 3"),
        ([RefundLineIn(0, 2)], {0: 2}, "lines.0.quantity", "at most 1"),
        ([RefundLineIn(0, 1)], {0: 3}, "lines.0.quantity", "at most 0"),
        ([RefundLineIn(0, 0)], {}, "lines.0.quantity", "at most 3"),
        ([RefundLineIn(1, 1)], {}, "lines.0.line_no", "0 to 0"),
        ([RefundLineIn(0, 1), RefundLineIn(0, 1)], {}, "lines.1.line_no", "twice"),
        ([], {}, "lines", "at least one"),
    ],
)
def test_a_refund_never_exceeds_what_was_sold(
    lines: list[RefundLineIn], before: dict[int, int], field: str, message: str
) -> None:
    with pytest.raises(InvalidField) as exc:
        price_refund([WINE], before, lines)
    assert exc.value.field == field and message in exc.value.message


def sale_of(terminal: uuid.UUID = TERMINAL, *lines: SaleLine) -> SoldSale:
    return SoldSale(
        sale_id=uuid.UUID(int=7),
        fair_id=uuid.UUID(int=8),
        terminal_id=terminal,
        exhibitor_id=uuid.UUID(int=9),
        lines=list(lines) or [WINE],
        refunded={},
        payments={"cash": sum(line.total_vnd for line in (list(lines) or [WINE]))},
    )


def refund(quantity: int = 1, content: bytes = b"r1") -> RefundIn:
    return RefundIn(
        refund_id=uuid.UUID(int=11),
        sale_id=uuid.UUID(int=7),
        lines=[RefundLineIn(0, quantity)],
        method="cash",
        reason="khách trả",
        payload_hash=payload_hash(content),
    )


def test_a_refund_is_recorded_with_its_event() -> None:
    decision = decide_refund(sale_of(), TERMINAL, None, refund(3))
    assert decision.status == "recorded" and decision.total_vnd == 999_998
    assert decision.event is not None
    assert (decision.event.total_vnd, decision.event.exhibitor_id, decision.event.method) == (
        999_998,
        uuid.UUID(int=9),
        "cash",
    )
    assert [line.quantity for _, line in decision.lines] == [3]


@pytest.mark.parametrize("whose", ["nobody's", "another terminal's"])
def test_a_terminal_refunds_only_its_own_sales(whose: str) -> None:
    sale = None if whose == "nobody's" else sale_of(uuid.uuid4())
    with pytest.raises(NotFound):
        decide_refund(sale, TERMINAL, None, refund())


def test_a_retried_refund_answers_as_the_first_time() -> None:
    r = refund(content=b"same")
    prior = StoredRefund(r.refund_id, r.sale_id, 333_332, r.payload_hash)
    decision = decide_refund(sale_of(), TERMINAL, prior, r)
    assert (decision.status, decision.total_vnd, decision.event) == ("replayed", 333_332, None)


def test_a_refund_id_reused_for_another_refund_is_a_conflict() -> None:
    prior = StoredRefund(uuid.UUID(int=11), uuid.UUID(int=7), 1, payload_hash(b"first"))
    with pytest.raises(Conflict) as exc:
        decide_refund(sale_of(), TERMINAL, prior, refund(content=b"second"))
    assert exc.value.field == "refund_id"


def test_a_refund_that_returns_nothing_is_refused() -> None:
    free = sold(2, 0, 0)
    with pytest.raises(InvalidField) as exc:
        decide_refund(sale_of(TERMINAL, free), TERMINAL, None, refund(1))
    assert exc.value.field == "lines" and "nothing" in exc.value.message


# --- sessions -----------------------------------------------------------------------------

OPENED = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)


def session(**closed: object) -> Session:
    return Session(
        session_id=uuid.UUID(int=21),
        terminal_id=TERMINAL,
        opened_at=OPENED,
        opening_cash_vnd=500_000,
        closed_at=closed.get("closed_at"),  # type: ignore[arg-type]
        z_report=closed.get("z_report"),  # type: ignore[arg-type]
    )


def test_the_z_report_adds_up_sales_refunds_and_the_cash_drawer() -> None:
    report = z_report(
        500_000,
        545_000,
        [(100_000, {"cash": 100_000}), (150_000, {"vietqr": 150_000})],
        [(50_000, "cash")],
        [4, 5],
    )
    assert report == {
        "sales": 2,
        "gross_vnd": 250_000,
        "refunds_vnd": 50_000,
        "net_vnd": 200_000,
        "net_by_method": {"cash": 50_000, "vietqr": 150_000},
        "cash_expected_vnd": 550_000,
        "cash_counted_vnd": 545_000,
        "cash_variance_vnd": -5_000,
        "first_receipt_no": 4,
        "last_receipt_no": 5,
    }


def test_closing_a_session_answers_its_report_and_announces_it() -> None:
    closed_at = OPENED + timedelta(hours=9)
    closing = close_session(
        session(),
        fair_id=uuid.UUID(int=8),
        counted_cash_vnd=600_000,
        closed_at=closed_at,
        takings=Takings(sales=[(120_000, {"cash": 100_000, "card": 20_000})], refunds=[]),
    )
    assert closing.report["cash_expected_vnd"] == 600_000
    assert closing.report["cash_variance_vnd"] == 0
    assert closing.report["closed_at"] == closed_at.isoformat()
    assert (closing.event.gross_vnd, closing.event.net_by_method) == (
        120_000,
        {"card": 20_000, "cash": 100_000},
    )


def test_a_closed_session_keeps_its_report_and_cannot_close_again() -> None:
    closed = session(closed_at=OPENED + timedelta(hours=1), z_report={"sales": 3})
    assert found(closed).answer() == {"sales": 3}
    with pytest.raises(Conflict):
        close_session(
            closed,
            fair_id=uuid.UUID(int=8),
            counted_cash_vnd=0,
            closed_at=OPENED,
            takings=Takings([], []),
        )


def test_a_terminal_reaches_only_its_own_sessions() -> None:
    with pytest.raises(NotFound):
        found(None)
