"""Sale acceptance, replay, conflict and offline judgement, without I/O."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest

from ocop_sales.domain.sales import (
    CatalogItem,
    LineIn,
    PaymentIn,
    SaleIn,
    SalePolicy,
    StoredSale,
    Till,
    check_batch,
    check_till,
    count_outcomes,
    judge_sales,
    payload_hash,
    price_sale,
)
from ocop_shared.errors import Conflict, DomainError, InvalidField, LimitExceeded

NOW = datetime(2026, 3, 10, 5, 0, tzinfo=UTC)  # 12:00 in Viet Nam
POLICY = SalePolicy()
HONEY = uuid.UUID(int=1)
TEA = uuid.UUID(int=2)
TERMINAL = uuid.UUID(int=100)


def item(product_id: UUID, price: int, **changes: object) -> CatalogItem:
    base = CatalogItem(
        product_id=product_id,
        producer_id=uuid.UUID(int=50),
        gtin=f"893{product_id.int:010d}",
        product_group=1,
        star=4,
        list_price_vnd=price,
        blocked_at=None,
        ocop_until=date(2027, 12, 31),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def till(*items: CatalogItem, **changes: object) -> Till:
    catalog = {i.product_id: i for i in (items or (item(HONEY, 250_000), item(TEA, 120_000)))}
    base = Till(
        terminal_id=TERMINAL,
        fair_id=uuid.UUID(int=200),
        booth_id=uuid.UUID(int=300),
        exhibitor_id=uuid.UUID(int=400),
        active=True,
        next_receipt_no=7,
        fair_status="running",
        fair_starts_at=NOW - timedelta(days=1),
        fair_ends_at=NOW + timedelta(days=2),
        clock=NOW,
        catalog=catalog,
        by_gtin={i.gtin: i.product_id for i in catalog.values() if i.gtin},
        stored={},
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def line(product_id: UUID | None, quantity: int, price: int, **changes: object) -> LineIn:
    return replace(LineIn(product_id, None, quantity, price, 0, None), **changes)  # type: ignore[arg-type]


def sale(
    *lines: LineIn,
    device_time: datetime = NOW,
    payments: list[PaymentIn] | None = None,
    total: int | None = None,
    sale_id: UUID | None = None,
    content: bytes = b"",
) -> SaleIn:
    lines = lines or (line(HONEY, 2, 250_000),)
    computed = sum(li.quantity * li.unit_price_vnd - li.discount_vnd for li in lines)
    total = computed if total is None else total
    return SaleIn(
        sale_id=sale_id or uuid.uuid4(),
        device_time=device_time,
        lines=list(lines),
        payments=payments or [PaymentIn("cash", total, None)],
        total_vnd=total,
        payload_hash=payload_hash(content or repr((lines, total)).encode()),
    )


def refused(exc: pytest.ExceptionInfo[DomainError]) -> tuple[str, str | None]:
    return type(exc.value).__name__, exc.value.field


# --- the till -----------------------------------------------------------------------------


def test_an_active_till_at_a_running_fair_may_sell() -> None:
    check_till(till(), POLICY, NOW)


@pytest.mark.parametrize(
    ("changes", "now", "message"),
    [
        ({"active": False}, NOW, "suspended"),
        ({"exhibitor_id": None}, NOW, "no exhibitor"),
        ({"fair_status": "closed", "fair_starts_at": NOW + timedelta(hours=2)}, NOW, "not started"),
        ({}, NOW + timedelta(days=2, hours=1, minutes=1) + timedelta(hours=72), "upload window"),
    ],
)
def test_a_till_is_refused_as_a_whole(
    changes: dict[str, object], now: datetime, message: str
) -> None:
    with pytest.raises(Conflict) as exc:
        check_till(till(**changes), POLICY, now)
    assert message in exc.value.message


def test_a_fair_not_yet_started_sells_within_the_grace() -> None:
    t = till(fair_status="closed", fair_starts_at=NOW + timedelta(minutes=59))
    check_till(t, POLICY, NOW)
    price_sale(sale(), t, POLICY, now=NOW, offline=False)


# --- prices and lines ---------------------------------------------------------------------


def test_the_server_recomputes_lines_totals_and_payments() -> None:
    priced = price_sale(
        sale(
            line(HONEY, 2, 250_000, discount_vnd=1_000, discount_reason="khách quen"),
            line(TEA, 1, 120_000),
        ),
        till(),
        POLICY,
        now=NOW,
        offline=False,
    )
    assert [li.total_vnd for li in priced.lines] == [499_000, 120_000]
    assert priced.total_vnd == 619_000 and priced.payments == {"cash": 619_000}
    assert [li.star for li in priced.lines] == [4, 4]


def test_payments_of_one_method_add_up() -> None:
    s = sale(
        line(HONEY, 1, 250_000),
        payments=[
            PaymentIn("cash", 50_000, None),
            PaymentIn("vietqr", 150_000, "000201"),
            PaymentIn("cash", 50_000, None),
        ],
    )
    assert price_sale(s, till(), POLICY, now=NOW, offline=False).payments == {
        "cash": 100_000,
        "vietqr": 150_000,
    }


def test_a_line_may_name_its_product_by_gtin() -> None:
    gtin = till().catalog[TEA].gtin
    priced = price_sale(
        sale(line(None, 3, 120_000, gtin=gtin)), till(), POLICY, now=NOW, offline=False
    )
    assert priced.lines[0].product_id == TEA and priced.total_vnd == 360_000


def test_the_business_date_is_the_day_in_viet_nam() -> None:
    late = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)  # 01:30 on the 11th in Viet Nam
    t = till(fair_ends_at=late + timedelta(days=1))
    priced = price_sale(sale(device_time=late), t, POLICY, now=late, offline=False)
    assert priced.business_date == date(2026, 3, 11)


@pytest.mark.parametrize(
    ("the_sale", "error", "field"),
    [
        (sale(line(HONEY, 2, 250_000), total=499_999), "InvalidField", "total_vnd"),
        (sale(line(HONEY, 2, 250_000, total_vnd=1)), "InvalidField", "lines.0.total_vnd"),
        (sale(line(HONEY, 0, 250_000)), "InvalidField", "lines.0.quantity"),
        (sale(line(HONEY, 10_001, 1)), "InvalidField", "lines.0.quantity"),
        (sale(line(HONEY, 1, -5)), "InvalidField", "lines.0.unit_price_vnd"),
        (sale(line(HONEY, 1, 100, discount_vnd=101)), "InvalidField", "lines.0.discount_vnd"),
        (sale(line(uuid.UUID(int=99), 1, 100)), "InvalidField", "lines.0.product_id"),
        (sale(line(None, 1, 100, gtin="8930000000999")), "InvalidField", "lines.0.gtin"),
        (sale(line(None, 1, 100)), "InvalidField", "lines.0.product_id"),
        (
            sale(line(HONEY, 1, 250_000), payments=[PaymentIn("cash", 200_000, None)]),
            "InvalidField",
            "payments",
        ),
        (
            sale(
                line(HONEY, 1, 250_000),
                payments=[PaymentIn("cash", 250_000, None), PaymentIn("card", 0, None)],
            ),
            "InvalidField",
            "payments.1.amount_vnd",
        ),
        (sale(line(HONEY, 10_000, 250_000)), "LimitExceeded", "total_vnd"),
        (sale(*[line(TEA, 1, 120_000)] * 101), "LimitExceeded", "lines"),
    ],
)
def test_a_wrong_sale_is_refused_naming_the_field(the_sale: SaleIn, error: str, field: str) -> None:
    with pytest.raises(DomainError) as exc:
        price_sale(the_sale, till(), POLICY, now=NOW, offline=False)
    assert refused(exc) == (error, field)


def test_an_offline_sale_from_the_future_is_refused() -> None:
    with pytest.raises(InvalidField) as exc:
        price_sale(
            sale(device_time=NOW + timedelta(minutes=11)), till(), POLICY, now=NOW, offline=True
        )
    assert exc.value.field == "device_time" and "terminal's clock" in exc.value.message


@pytest.mark.parametrize("off", [timedelta(hours=-26), timedelta(hours=9), timedelta(hours=26)])
def test_an_online_sale_is_judged_and_dated_at_the_servers_time_whatever_the_tills_clock(
    off: timedelta,
) -> None:
    late = datetime(2026, 3, 10, 18, 30, tzinfo=UTC)  # 01:30 on the 11th in Viet Nam
    t = till(fair_ends_at=late + timedelta(days=1))
    priced = price_sale(sale(device_time=late + off), t, POLICY, now=late, offline=False)
    assert priced.business_date == date(2026, 3, 11) and priced.judged_at == late
    assert priced.sale.device_time == late + off  # kept as the till reported it
    decision = judge_sales(t, [sale(device_time=late + off)], POLICY, now=late, offline=False)
    assert decision.recorded_at == late and decision.outcomes[0].recorded_at == late


def test_a_sale_has_at_least_one_line() -> None:
    empty = replace(sale(), lines=[], total_vnd=0, payments=[])
    with pytest.raises(InvalidField) as exc:
        price_sale(empty, till(), POLICY, now=NOW, offline=False)
    assert exc.value.field == "lines"


def test_the_line_limit_comes_from_the_policy() -> None:
    s = sale(line(HONEY, 1, 250_000), line(TEA, 1, 120_000))
    with pytest.raises(LimitExceeded):
        price_sale(s, till(), replace(POLICY, max_lines=1), now=NOW, offline=False)
    assert price_sale(s, till(), replace(POLICY, max_lines=2), now=NOW, offline=False)


# --- offline judgement: at the device's time ---------------------------------------------------

REVOKED_AT = NOW - timedelta(hours=1)


@pytest.mark.parametrize(
    ("made_at", "offline", "sellable"),
    [
        (REVOKED_AT - timedelta(minutes=5), True, True),  # made before, uploaded after: counts
        (REVOKED_AT, True, False),  # from the instant of the revocation: no
        (REVOKED_AT + timedelta(minutes=5), True, False),  # made after: does not count
        (REVOKED_AT - timedelta(minutes=5), False, False),  # online is judged now
    ],
)
def test_a_revoked_product_is_judged_at_the_sales_time(
    made_at: datetime, offline: bool, sellable: bool
) -> None:
    t = till(item(HONEY, 250_000, blocked_at=REVOKED_AT))
    s = sale(device_time=made_at)
    if sellable:
        assert price_sale(s, t, POLICY, now=NOW, offline=offline).total_vnd == 500_000
    else:
        with pytest.raises(InvalidField) as exc:
            price_sale(s, t, POLICY, now=NOW, offline=offline)
        assert exc.value.field == "lines.0.product_id" and "no longer valid" in exc.value.message


@pytest.mark.parametrize(
    ("until", "sellable"),
    [(date(2026, 3, 10), True), (date(2026, 3, 9), False), (None, True)],
)
def test_a_product_sells_until_the_last_day_registration_admitted_it(
    until: date | None, sellable: bool
) -> None:
    t = till(item(HONEY, 250_000, ocop_until=until))
    if sellable:
        price_sale(sale(), t, POLICY, now=NOW, offline=False)
    else:
        with pytest.raises(InvalidField, match="no longer valid"):
            price_sale(sale(), t, POLICY, now=NOW, offline=False)


@pytest.mark.parametrize(
    ("made_at", "offline", "ok"),
    [
        (NOW - timedelta(days=1, minutes=61), True, False),  # before the opening and its grace
        (NOW - timedelta(days=1, minutes=59), True, True),
        (NOW - timedelta(days=3), False, True),  # online: judged now, whatever the device says
    ],
)
def test_selling_hours_are_judged_at_the_device_time_offline(
    made_at: datetime, offline: bool, ok: bool
) -> None:
    if ok:
        price_sale(sale(device_time=made_at), till(), POLICY, now=NOW, offline=offline)
    else:
        with pytest.raises(InvalidField) as exc:
            price_sale(sale(device_time=made_at), till(), POLICY, now=NOW, offline=offline)
        assert exc.value.field == "device_time"


def test_an_offline_upload_after_the_close_counts_within_the_upload_window() -> None:
    opened = NOW - timedelta(hours=100)
    closed = till(fair_starts_at=opened, fair_ends_at=NOW - timedelta(hours=70))
    made = NOW - timedelta(hours=71)
    check_till(closed, POLICY, NOW)
    decision = judge_sales(closed, [sale(device_time=made)], POLICY, now=NOW, offline=True)
    assert [o.status for o in decision.outcomes] == ["recorded"]
    late = till(fair_starts_at=opened, fair_ends_at=NOW - timedelta(hours=74))
    decision = judge_sales(late, [sale(device_time=made)], POLICY, now=NOW, offline=True)
    assert decision.outcomes[0].status == "rejected"
    assert decision.outcomes[0].refusal is not None
    assert "upload window" in decision.outcomes[0].refusal.message


# --- a request of sales: replays, conflicts, receipt numbers -------------------------------


def test_new_sales_take_consecutive_receipt_numbers_and_announce_themselves() -> None:
    sales = [sale(), sale(line(TEA, 1, 120_000))]
    decision = judge_sales(till(), sales, POLICY, now=NOW, offline=False)
    assert [(o.status, o.receipt_no) for o in decision.outcomes] == [
        ("recorded", 7),
        ("recorded", 8),
    ]
    assert decision.next_receipt_no == 9 and decision.recorded_at == NOW
    assert [(e.sale_id, e.receipt_no, e.total_vnd) for e in decision.events] == [
        (sales[0].sale_id, 7, 500_000),
        (sales[1].sale_id, 8, 120_000),
    ]
    assert {e.exhibitor_id for e in decision.events} == {uuid.UUID(int=400)}


def test_a_retried_sale_answers_as_the_first_time() -> None:
    first = sale(content=b"same")
    recorded_at = NOW - timedelta(minutes=3)
    stored = StoredSale(TERMINAL, first.payload_hash, 3, 500_000, recorded_at)
    decision = judge_sales(
        till(stored={first.sale_id: stored}), [first], POLICY, now=NOW, offline=False
    )
    [outcome] = decision.outcomes
    assert (outcome.status, outcome.receipt_no, outcome.total_vnd, outcome.recorded_at) == (
        "replayed",
        3,
        500_000,
        recorded_at,
    )
    assert decision.new_sales == [] and decision.events == [] and decision.next_receipt_no == 7


@pytest.mark.parametrize("other_terminal", [False, True])
def test_the_same_sale_id_with_another_content_is_a_conflict_naming_sale_id(
    other_terminal: bool,
) -> None:
    first = sale(content=b"first")
    stored = StoredSale(
        uuid.uuid4() if other_terminal else TERMINAL,
        first.payload_hash if other_terminal else payload_hash(b"other"),
        1,
        1,
        NOW,
    )
    decision = judge_sales(
        till(stored={first.sale_id: stored}), [first], POLICY, now=NOW, offline=False
    )
    [outcome] = decision.outcomes
    assert outcome.status == "conflict" and outcome.refusal is not None
    assert (outcome.refusal.field, outcome.refusal.status) == ("sale_id", 409)
    assert str(first.sale_id) in outcome.refusal.message
    assert decision.new_sales == []


def test_twins_in_one_batch_are_one_sale() -> None:
    one = sale(content=b"one")
    twin = replace(one)
    changed = replace(one, payload_hash=payload_hash(b"changed"))
    decision = judge_sales(till(), [one, twin, changed], POLICY, now=NOW, offline=True)
    assert [o.status for o in decision.outcomes] == ["recorded", "replayed", "conflict"]
    assert decision.outcomes[1].receipt_no == decision.outcomes[0].receipt_no == 7
    assert len(decision.new_sales) == 1 and decision.next_receipt_no == 8


def test_the_twin_of_a_refused_sale_is_refused_alike() -> None:
    bad = sale(line(HONEY, 1, 250_000), total=1)
    decision = judge_sales(till(), [bad, replace(bad)], POLICY, now=NOW, offline=True)
    assert [o.status for o in decision.outcomes] == ["rejected", "rejected"]
    assert decision.outcomes[0].refusal == decision.outcomes[1].refusal
    assert decision.outcomes[0].refusal is not None
    assert decision.outcomes[0].refusal.field == "total_vnd"


def test_a_refused_sale_takes_no_receipt_number() -> None:
    decision = judge_sales(
        till(),
        [sale(), sale(line(HONEY, 1, 250_000), total=1), sale()],
        POLICY,
        now=NOW,
        offline=True,
    )
    assert [o.receipt_no for o in decision.outcomes] == [7, None, 8]
    assert count_outcomes(decision.outcomes) == {"recorded": 2, "rejected": 1}


def test_a_suspended_till_still_replays_but_records_nothing_new() -> None:
    old = sale(content=b"old")
    stored = {old.sale_id: StoredSale(TERMINAL, old.payload_hash, 1, 500_000, NOW)}
    decision = judge_sales(
        till(active=False, stored=stored), [old, sale()], POLICY, now=NOW, offline=True
    )
    assert [o.status for o in decision.outcomes] == ["replayed", "rejected"]
    assert decision.outcomes[1].refusal is not None
    assert (decision.outcomes[1].refusal.field, decision.outcomes[1].refusal.status) == (
        "terminal_id",
        409,
    )
    assert decision.new_sales == []


def test_a_batch_is_limited_by_the_policy() -> None:
    check_batch(1000, POLICY)
    with pytest.raises(LimitExceeded) as exc:
        check_batch(1001, POLICY)
    assert exc.value.field == "sales" and "max_batch_sales" in exc.value.message
