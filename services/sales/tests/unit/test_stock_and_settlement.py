"""Issue 15's decisions without the stack: stock taken by sales (online refused below zero,
offline accepted), movements, the settlement's commission to the dong, and the retailer
file's rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

import pytest

from ocop_sales.domain.retailer_import import AdmittedProduct, RowIn, judge_rows, sale_id_of
from ocop_sales.domain.sales import judge_sales
from ocop_sales.domain.settlement import (
    ConsignmentFair,
    ProducerFigures,
    commission,
    month_bounds,
    settle,
    stock_reach,
)
from ocop_sales.domain.stock import (
    BoothStock,
    MovementIn,
    MovementLineIn,
    OutOfStock,
    decide_movement,
    stock_moves,
    take_stock,
)
from ocop_shared.errors import Conflict, InvalidField, NotFound

from .test_sales_domain import HONEY, NOW, POLICY, TEA, line, sale, till

FAIR = uuid.UUID(int=200)
BOOTH = uuid.UUID(int=300)
EXHIBITOR = uuid.UUID(int=400)
PRODUCER = uuid.UUID(int=50)


def test_an_online_sale_never_takes_a_tracked_product_below_zero() -> None:
    t = replace(till(), stock={HONEY: 3})
    ok = judge_sales(t, [sale(line(HONEY, 3, 250_000))], POLICY, now=NOW, offline=False)
    assert ok.outcomes[0].status == "recorded" and ok.stock_moves == [(HONEY, 3)]
    over = judge_sales(t, [sale(line(TEA, 1, 120_000), line(HONEY, 4, 250_000))], POLICY, now=NOW, offline=False)  # fmt: skip
    [outcome] = over.outcomes
    assert outcome.status == "rejected" and outcome.refusal is not None
    assert (outcome.refusal.code, outcome.refusal.field, outcome.refusal.status) == (
        "out_of_stock",
        "lines.1.quantity",
        409,
    )
    # Two lines of one product add up.
    twice = judge_sales(t, [sale(line(HONEY, 2, 250_000), line(HONEY, 2, 250_000))], POLICY, now=NOW, offline=False)  # fmt: skip
    assert twice.outcomes[0].refusal is not None
    assert twice.outcomes[0].refusal.field == "lines.1.quantity"


def test_an_offline_sale_is_accepted_below_zero_and_untracked_products_cost_nothing() -> None:
    t = replace(till(), stock={HONEY: 1})
    offline = judge_sales(t, [sale(line(HONEY, 4, 250_000))], POLICY, now=NOW, offline=True)
    assert offline.outcomes[0].status == "recorded" and offline.stock_moves == [(HONEY, 4)]
    untracked = judge_sales(till(), [sale(line(TEA, 50, 120_000))], POLICY, now=NOW, offline=False)
    assert untracked.outcomes[0].status == "recorded" and untracked.stock_moves == []


def test_take_stock_counts_what_earlier_sales_of_the_request_took() -> None:
    taken: dict[uuid.UUID, int] = {}
    take_stock([(HONEY, 2)], {HONEY: 3}, taken)
    with pytest.raises(OutOfStock) as refused:
        take_stock([(HONEY, 2)], {HONEY: 3}, taken)
    assert refused.value.field == "lines.0.quantity" and taken == {HONEY: 2}
    assert stock_moves([(TEA, 1), (HONEY, 2), (HONEY, 1)], {HONEY: 0, TEA: 5}) == sorted(
        [(HONEY, 3), (TEA, 1)], key=lambda m: m[0].bytes
    )


def booth(on_hand: dict[uuid.UUID, int] | None = None) -> BoothStock:
    return BoothStock(FAIR, BOOTH, EXHIBITOR, {HONEY: PRODUCER}, on_hand or {})


def movement(kind: str, quantity: int, reason: str | None = "kiểm kê", product: uuid.UUID = HONEY) -> MovementIn:  # fmt: skip
    return MovementIn(uuid.uuid4(), FAIR, BOOTH, kind, [MovementLineIn(product, quantity)], reason, b"h")  # type: ignore[arg-type]  # fmt: skip


def test_movements_name_their_fields() -> None:
    received = decide_movement(movement("received", 5, None), booth(), None, now=NOW)
    assert received.lines[0].on_hand == 5 and received.event is not None
    assert received.event.kind == "received" and received.event.partition_key() == str(BOOTH)
    with pytest.raises(InvalidField) as e:
        decide_movement(movement("received", 1, product=TEA), booth(), None, now=NOW)
    assert e.value.field == "lines.0.product_id"
    with pytest.raises(NotFound) as nf:
        decide_movement(movement("received", 1), None, None, now=NOW)
    assert nf.value.field == "booth_id"
    with pytest.raises(InvalidField) as e:
        decide_movement(movement("returned", 1, None), booth({HONEY: 4}), None, now=NOW)
    assert e.value.field == "reason"
    with pytest.raises(OutOfStock) as out:
        decide_movement(movement("returned", 5), booth({HONEY: 4}), None, now=NOW)
    assert out.value.field == "lines.0.quantity" and out.value.status_code == 409
    down = decide_movement(movement("adjusted", -4), booth({HONEY: 4}), None, now=NOW)
    assert down.lines[0].on_hand == 0
    with pytest.raises(InvalidField):
        decide_movement(movement("adjusted", 0), booth({HONEY: 4}), None, now=NOW)


def test_a_movement_replayed_moves_nothing_and_another_content_conflicts() -> None:
    from ocop_sales.domain.stock import StoredMovement

    m = movement("received", 5)
    prior = StoredMovement(m.movement_id, FAIR, "received", b"h", NOW)
    assert decide_movement(m, booth(), prior, now=NOW).status == "replayed"
    with pytest.raises(Conflict) as c:
        decide_movement(replace(m, payload_hash=b"other"), booth(), prior, now=NOW)
    assert c.value.field == "movement_id"


@pytest.mark.parametrize(
    ("amount", "percent", "expected"),
    [(449_995, 10, 45_000), (449_994, 10, 44_999), (1_000_000, 0, 0), (333, 15, 50), (-449_995, 10, -45_000)],
)  # fmt: skip
def test_the_commission_is_rounded_half_up_to_the_dong(amount: int, percent: int, expected: int) -> None:  # fmt: skip
    assert commission(amount, percent) == expected


def consignment(percent: int = 10, host: uuid.UUID | None = None) -> ConsignmentFair:
    return ConsignmentFair(FAIR, "org-1", "Tuần lễ", "promotion_week", percent, host, {"HL01": "Hạ Long"}, NOW, NOW)  # fmt: skip


def test_the_settlement_adds_up_per_producer_and_in_total() -> None:
    figures = [
        ProducerFigures(PRODUCER, "HTX A", 10, 2, 5, 750_000),
        ProducerFigures(uuid.UUID(int=51), "HTX B", 20, 0, 5, 449_995),
    ]
    s = settle(consignment(), figures, "2026-11")
    assert [(r.commission_vnd, r.amount_due_vnd) for r in s.rows] == [(75_000, 675_000), (45_000, 404_995)]  # fmt: skip
    assert (s.amount_vnd, s.commission_vnd, s.amount_due_vnd) == (1_199_995, 120_000, 1_079_995)
    assert (s.start, s.end) == (date(2026, 11, 1), date(2026, 11, 30))
    for bad in ("2026-13", "26-11", "2026-1", "x"):
        with pytest.raises(InvalidField):
            month_bounds(bad)


@dataclass
class Viewer:
    role: str
    subject: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def test_who_reaches_a_fairs_stock_and_settlement() -> None:
    host = uuid.uuid4()
    fair = consignment(host=host)
    assert stock_reach(Viewer("organizer", "org-1"), fair, exhibits=False) is None
    assert stock_reach(Viewer("retailer", str(host)), fair, exhibits=False) is None
    assert stock_reach(Viewer("exhibitor", str(EXHIBITOR)), fair, exhibits=True) == EXHIBITOR
    for outsider in (Viewer("retailer", str(uuid.uuid4())), Viewer("organizer", "org-2"), Viewer("exhibitor", str(EXHIBITOR))):  # fmt: skip
        with pytest.raises(NotFound):
            stock_reach(outsider, fair, exhibits=False)


def test_the_retailer_files_rows_are_each_reported_and_nothing_imported_while_one_is_bad() -> None:
    honey = AdmittedProduct(HONEY, PRODUCER, EXHIBITOR, BOOTH, 1, 4)
    day = date(2026, 11, 30)
    rows = [
        RowIn(2, "HL01", "2026-11-30", "8930000000001", "3", "450000"),
        RowIn(3, "HL01", "30/11/2026", "8930000000001", 3, 450000),  # the same row again
        RowIn(4, "XX", "2026-11-30", "8930000000001", "1", "150000"),
        RowIn(5, "HL01", "2026-11-30", "8930000000009", "1", "150000"),
        RowIn(6, "HL01", "2026-11-29", "8930000000001", "-1", "150000"),
        RowIn(7, "HL01", "2026-11-28", "8930000000001", "1", 1500.5),
    ]
    kwargs = {"stores": {"HL01"}, "by_gtin": {"8930000000001": honey}, "already": set()}
    d = judge_rows(FAIR, rows, valid_rows_only=False, **kwargs)  # type: ignore[arg-type]
    assert not d.applied and d.sales == []
    assert [[e.code for e in r.errors] for r in d.rows] == [
        [], ["duplicate_row"], ["unknown_store"], ["unknown_gtin"], ["negative_quantity"], ["amount_not_integer"]
    ]  # fmt: skip
    only = judge_rows(FAIR, rows, valid_rows_only=True, **kwargs)  # type: ignore[arg-type]
    assert only.applied and [s.sale_id for s in only.sales] == [sale_id_of(FAIR, "HL01", day, "8930000000001")]  # fmt: skip
    assert only.sales[0].unit_price_vnd * 3 - only.sales[0].discount_vnd == 450_000
    again = judge_rows(FAIR, rows[:1], valid_rows_only=False, stores={"HL01"}, by_gtin={"8930000000001": honey}, already={only.sales[0].sale_id})  # fmt: skip
    assert again.rows[0].status == "already_imported" and again.sales == []
    assert datetime(2026, 11, 30, tzinfo=UTC) > NOW  # the unit's clock is before these days
