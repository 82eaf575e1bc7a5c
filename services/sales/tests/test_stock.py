"""Stock at the booth (issue 15), through the API: declare, sell online to zero, the next
online sale refused, an offline oversell accepted and reported, a refund restoring, returns
and adjustments, the stock report, and the events."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from openpyxl import load_workbook

from ocop_shared.service import Service

Upstream = Any


async def _catalog(client: httpx.AsyncClient, booth: dict[str, Any]) -> dict[str, Any]:
    response = await client.get("/terminals/me/catalog", headers=booth["headers"])
    assert response.status_code == 200, response.text
    return {item["product_id"]: item for item in response.json()["items"]}


async def test_declare_sell_to_zero_refuse_oversell_offline_refund_and_report(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    service, client = sales_app
    booth = await upstream.exhibitor_at_booth(
        [("Mật ong rừng", 150_000), ("Chè Tân Cương", 90_000)]
    )
    honey, tea = booth["products"]
    me, _ = await upstream.credential("exhibitor", str(booth["exhibitor"].exhibitor_id))
    url = f"/fairs/{upstream.fair_id}/stock"
    receipt = {
        "movement_id": str(uuid.uuid4()),
        "booth_id": str(booth["booth_id"]),
        "lines": [{"product_id": str(honey.product_id), "quantity": 3}],
    }
    first = await client.post(f"{url}/receipts", headers=me, json=receipt)
    assert first.status_code == 201, first.text
    assert first.json()["lines"][0]["on_hand"] == 3
    again = await client.post(f"{url}/receipts", headers=me, json=receipt)
    assert again.status_code == 200 and again.json()["status"] == "replayed"
    other = await client.post(
        f"{url}/receipts",
        headers=me,
        json={**receipt, "lines": [{"product_id": str(honey.product_id), "quantity": 4}]},
    )
    assert other.status_code == 409, other.text
    assert other.json()["field"] == "movement_id", other.text
    not_admitted = await client.post(
        f"{url}/receipts",
        headers=me,
        json={
            **receipt,
            "movement_id": str(uuid.uuid4()),
            "lines": [{"product_id": str(uuid.uuid4()), "quantity": 1}],
        },
    )
    assert not_admitted.status_code == 422, not_admitted.text
    assert not_admitted.json()["detail"][0]["loc"] == ["body", "lines", "0", "product_id"]
    not_mine = await client.post(
        f"{url}/receipts",
        headers=me,
        json={**receipt, "movement_id": str(uuid.uuid4()), "booth_id": str(uuid.uuid4())},
    )
    assert not_mine.status_code == 404 and not_mine.json()["field"] == "booth_id"

    items = await _catalog(client, booth)
    assert items[str(honey.product_id)]["stock"] == 3
    assert items[str(honey.product_id)]["sold_out"] is False
    assert items[str(tea.product_id)]["stock"] is None  # not tracked

    two = await client.post("/sales", headers=booth["headers"], json=sale([honey], [2]))
    assert two.status_code == 201, two.text
    one = await client.post("/sales", headers=booth["headers"], json=sale([honey, tea], [1, 5]))
    assert one.status_code == 201, one.text
    items = await _catalog(client, booth)
    assert items[str(honey.product_id)]["stock"] == 0
    assert items[str(honey.product_id)]["sold_out"] is True

    refused = await client.post("/sales", headers=booth["headers"], json=sale([tea, honey], [1, 1]))
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "out_of_stock"
    assert refused.json()["field"] == "lines.1.quantity"
    untracked = await client.post("/sales", headers=booth["headers"], json=sale([tea], [50]))
    assert untracked.status_code == 201  # an untracked product is never refused

    offline = sale([honey], [2], device_time=datetime.now(UTC) - timedelta(minutes=5))
    batch = await client.post("/sales/batch", headers=booth["headers"], json={"sales": [offline]})
    assert batch.status_code == 200, batch.text
    assert batch.json()["counts"] == {"recorded": 1}  # the oversell is accepted, never lost
    items = await _catalog(client, booth)
    assert items[str(honey.product_id)]["stock"] == -2

    refund = await client.post(
        f"/sales/{two.json()['sale_id']}/refunds",
        headers=booth["headers"],
        json={
            "refund_id": str(uuid.uuid4()),
            "lines": [{"line_no": 0, "quantity": 2}],
            "method": "cash",
            "reason": "khách trả lại",
        },
    )
    assert refund.status_code == 201, refund.text
    items = await _catalog(client, booth)
    assert items[str(honey.product_id)]["stock"] == 0

    # Returns and adjustments: never below zero online, with a reason.
    no_reason = await client.post(
        f"{url}/adjustments",
        headers=me,
        json={**receipt, "movement_id": str(uuid.uuid4())},
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["detail"][0]["loc"] == ["body", "reason"]
    too_many = await client.post(
        f"{url}/returns",
        headers=me,
        json={**receipt, "movement_id": str(uuid.uuid4()), "reason": "trả về HTX"},
    )
    assert too_many.status_code == 409 and too_many.json()["field"] == "lines.0.quantity"
    found = await client.post(
        f"{url}/adjustments",
        headers=me,
        json={
            **receipt,
            "movement_id": str(uuid.uuid4()),
            "reason": "kiểm kê cuối ngày: thêm 2 hũ",
            "lines": [{"product_id": str(honey.product_id), "quantity": 2}],
        },
    )
    assert found.status_code == 201, found.text
    back = await client.post(
        f"{url}/returns",
        headers=me,
        json={
            **receipt,
            "movement_id": str(uuid.uuid4()),
            "reason": "trả về HTX",
            "lines": [{"product_id": str(honey.product_id), "quantity": 1}],
        },
    )
    assert back.status_code == 201 and back.json()["lines"][0]["on_hand"] == 1

    report = await client.get(
        f"/fairs/{upstream.fair_id}/reports/stock", headers=upstream.organizer_headers
    )
    assert report.status_code == 200, report.text
    [row] = report.json()["products"]
    assert row["product_id"] == str(honey.product_id)
    # received 3; sold 2 + 1 + 2 offline − 2 refunded = 3; returned 1; adjusted +2.
    assert (row["received"], row["sold"], row["returned"], row["adjusted"]) == (3, 3, 1, 2)
    assert (row["on_hand"], row["oversold"]) == (1, 2)
    assert report.json()["oversold"] == 2
    mine = await client.get(f"/fairs/{upstream.fair_id}/reports/stock", headers=me)
    assert mine.status_code == 200 and len(mine.json()["products"]) == 1
    xlsx = await client.get(
        f"/fairs/{upstream.fair_id}/reports/stock?format=xlsx", headers=upstream.organizer_headers
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    values = [c.value for c in sheet[2]]
    assert values[0] == "Mật ong rừng" and values[2:] == [3, 3, 1, 2, 1, 2]

    moved = await service.pool.fetch(
        """select convert_from(value, 'UTF8')::jsonb->'payload'->>'kind' as kind from outbox
            where event_type = 'sales.stock_moved' and key = $1 order by id""",
        str(booth["booth_id"]),
    )
    assert [m["kind"] for m in moved] == ["received", "adjusted", "returned"]


async def test_two_tills_of_one_booth_never_sell_more_than_on_hand_online(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    """Two tills of the booth race for the last units: the write re-checks, one is refused."""
    import asyncio

    service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Nấm linh chi", 300_000)])
    [mushroom] = booth["products"]
    second = await client.post(
        f"/fairs/{upstream.fair_id}/terminals",
        headers=upstream.organizer_headers,
        json={"booth_id": str(booth["booth_id"]), "label": "Quầy 2"},
    )
    assert second.status_code == 201, second.text
    other = {"Authorization": f"Bearer {second.json()['token']}"}
    me, _ = await upstream.credential("exhibitor", str(booth["exhibitor"].exhibitor_id))
    declared = await client.post(
        f"/fairs/{upstream.fair_id}/stock/receipts",
        headers=me,
        json={
            "movement_id": str(uuid.uuid4()),
            "booth_id": str(booth["booth_id"]),
            "lines": [{"product_id": str(mushroom.product_id), "quantity": 5}],
        },
    )
    assert declared.status_code == 201
    answers = await asyncio.gather(
        *[
            client.post("/sales", headers=h, json=sale([mushroom], [1]))
            for _ in range(5)
            for h in (booth["headers"], other)
        ]
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * 5 + [409] * 5, [a.text for a in answers if a.status_code >= 500]
    on_hand = await service.pool.fetchval(
        "select on_hand from stock_levels where booth_id = $1", booth["booth_id"]
    )
    assert on_hand == 0
