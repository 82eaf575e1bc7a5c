"""The envelope's JSON written without the payload's Python dict (``envelope_json``, the
outbox's hot path) is byte for byte what ``orjson.dumps`` of the envelope's fields with
``model_dump(mode="json")`` gives, so consumers and stored outbox rows see no change."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import orjson

from ocop_shared.contracts.sales import SaleRecorded, SoldLine
from ocop_shared.events import decode_event, encode_event
from ocop_shared.events.envelope import Event, envelope_json
from ocop_shared.outbox import Causation, outbox_columns


def _sale() -> SaleRecorded:
    line = SoldLine(
        product_id=uuid.uuid4(),
        producer_id=uuid.uuid4(),
        quantity=2,
        unit_price_vnd=120_500,
        discount_vnd=1_000,
        total_vnd=240_000,
        product_group=3,
        star=4,
        product_group_name='Đồ uống "có cồn" \\ \u0001\n rượu',
        taxonomy="2023",
        ocop=False,
    )
    return SaleRecorded(
        sale_id=uuid.uuid4(),
        fair_id=uuid.uuid4(),
        terminal_id=uuid.uuid4(),
        booth_id=uuid.uuid4(),
        exhibitor_id=uuid.uuid4(),
        receipt_no=7,
        device_time=datetime(2026, 11, 30, 19, 5, 1, 123456, tzinfo=timezone(timedelta(hours=7))),
        business_date=date(2026, 11, 30),
        lines=[line, line.model_copy(update={"product_group_name": None, "taxonomy": None})],
        total_vnd=480_000,
        payments={"cash": 400_000, "vietqr": 80_000},
    )


def _as_before(event: Event, event_id: uuid.UUID, occurred_at: datetime, key: str) -> bytes:
    return orjson.dumps(
        {
            "event_id": str(event_id),
            "type": event.event_type,
            "version": event.version,
            "occurred_at": occurred_at.isoformat(),
            "producer": "sales",
            "correlation_id": "req-1",
            "causation_id": None,
            "key": key,
            "payload": event.model_dump(mode="json"),
        }
    )


def test_a_sale_event_encodes_byte_for_byte_as_before() -> None:
    sale, event_id, at = _sale(), uuid.uuid4(), datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    fast = envelope_json(
        sale,
        event_id=event_id,
        occurred_at=at,
        producer="sales",
        correlation_id="req-1",
        causation_id=None,
        key=sale.partition_key(),
    )
    assert fast == _as_before(sale, event_id, at, str(sale.terminal_id))
    _, raw = encode_event(
        sale, producer="sales", correlation_id="req-1", event_id=event_id, occurred_at=at
    )
    assert raw == fast
    envelope, decoded = decode_event(fast)
    assert decoded == sale and envelope.event_id == event_id and envelope.occurred_at == at


def test_outbox_columns_carry_the_same_envelope() -> None:
    sales = [_sale(), _sale()]
    ids, topics, keys, types, versions, correlations, values = outbox_columns(
        sales, producer="sales", cause=Causation("req-1", "cause-9")
    )
    assert topics == [s.topic.name for s in sales] and types == ["sales.sale_recorded"] * 2
    assert keys == [str(s.terminal_id) for s in sales] and versions == [1, 1]
    assert correlations == ["req-1", "req-1"] and len(set(ids)) == 2
    for sale, event_id, value in zip(sales, ids, values, strict=True):
        envelope, decoded = decode_event(value)
        assert decoded == sale and envelope.event_id == event_id
        assert envelope.causation_id == "cause-9" and envelope.key == str(sale.terminal_id)
        before = orjson.loads(_as_before(sale, event_id, envelope.occurred_at, envelope.key))
        assert orjson.loads(value) == {**before, "causation_id": "cause-9"}
