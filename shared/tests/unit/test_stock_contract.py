"""Issue 15: ``sales.stock_moved`` on its own topic, keyed by booth, owned by sales."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from ocop_shared.contracts.sales import StockLine, StockMoved
from ocop_shared.events import decode_event, encode_event, registered_events
from ocop_shared.kafka_acl import bindings
from ocop_shared.topics import CATALOG, SALES_STOCK


def test_stock_moved_goes_to_the_stock_topic_keyed_by_booth_and_round_trips() -> None:
    booth = uuid.uuid4()
    event = StockMoved(
        movement_id=uuid.uuid4(),
        fair_id=uuid.uuid4(),
        booth_id=booth,
        exhibitor_id=uuid.uuid4(),
        kind="returned",
        reason="trả về HTX",
        lines=[
            StockLine(product_id=uuid.uuid4(), producer_id=uuid.uuid4(), quantity=-3, on_hand=2)
        ],
        moved_at=datetime.now(UTC),
    )
    assert event.topic is SALES_STOCK and event.partition_key() == str(booth)
    assert CATALOG["sales.stock"].producer == "sales"
    _, raw = encode_event(event, producer="sales", correlation_id="c")
    _, decoded = decode_event(raw)
    assert decoded == event
    assert isinstance(decoded, StockMoved) and decoded.source == "booth"  # the default
    assert registered_events()[("sales.stock_moved", 1)] is StockMoved


def test_only_sales_writes_the_stock_topic() -> None:
    writers = {
        b.principal
        for b in bindings()
        if b.name == "sales.stock" and b.operation == 4  # WRITE
    }
    assert writers == {"User:sales"}
