"""A promotion week (issue 15): the host retailer's sales file imported with a per-row report
(nothing imported while a row is bad, unless valid rows only are asked for; the same file or
the same store, date and GTIN never twice), then the consignment settlement to the dong."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from openpyxl import load_workbook

from ocop_sales.domain.sales import VN
from ocop_shared.contracts.registration import (
    AdmissionRules,
    FairRulesChanged,
    FairSnapshot,
    StoreSnapshot,
)
from ocop_shared.service import Service
from ocop_testkit import wait_for

Upstream = Any


async def promotion_week(upstream: Upstream, service: Service, commission: int) -> uuid.UUID:
    """The upstream fair made a promotion week at a hypermarket with two stores."""
    retailer = uuid.uuid4()
    now = datetime.now(UTC)
    fair = FairSnapshot(
        fair_id=upstream.fair_id,
        organizer_id=upstream.organizer,
        name="Tuần lễ OCOP tại siêu thị",
        kind="promotion_week",
        venue="Hạ Long",
        province="Quảng Ninh",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=3),
        applications_open_at=now - timedelta(days=30),
        applications_close_at=now - timedelta(days=2),
        rules=AdmissionRules(commission_percent=commission),
        status="running",
        host_retailer_id=retailer,
        stores=[StoreSnapshot(store_code="HL01", name="Hạ Long 1"),
                StoreSnapshot(store_code="HL02", name="Hạ Long 2")],
    )  # fmt: skip
    await upstream.publish([FairRulesChanged(fair=fair)])

    async def known() -> bool:
        found = await service.pool.fetchval(
            "select host_retailer_id from fairs where fair_id = $1", upstream.fair_id
        )
        return bool(found == retailer)

    await wait_for(known, timeout=30, interval=0.05)
    return retailer


def csv_file(rows: list[tuple[Any, ...]]) -> bytes:
    lines = ["store,date,gtin,quantity,amount"] + [",".join(str(v) for v in r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


async def test_import_report_valid_rows_only_idempotent_and_settlement(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    service, client = sales_app
    retailer = await promotion_week(upstream, service, commission=10)
    booth = await upstream.exhibitor_at_booth([("Mật ong", 150_000), ("Chè", 90_000)], members=2)
    honey, tea = booth["products"]
    exhibitor, _ = await upstream.credential("exhibitor", str(booth["exhibitor"].exhibitor_id))
    seller, _ = await upstream.credential("retailer", str(retailer))
    stranger, _ = await upstream.credential("retailer", str(uuid.uuid4()))
    received = await client.post(
        f"/fairs/{upstream.fair_id}/stock/receipts",
        headers=seller,  # the retailer receives the consignment
        json={
            "movement_id": str(uuid.uuid4()),
            "booth_id": str(booth["booth_id"]),
            "lines": [
                {"product_id": str(honey.product_id), "quantity": 10},
                {"product_id": str(tea.product_id), "quantity": 20},
            ],
        },
    )
    assert received.status_code == 201, received.text
    today = datetime.now(VN).date()
    day = today.isoformat()
    rows = [
        ("HL01", day, honey.gtin, 3, 450000),
        ("HL02", day, tea.gtin, 5, 449995),
        ("HL01", day, "8930000000000", 1, 10000),  # unknown GTIN
        ("HL02", day, honey.gtin, -2, 300000),  # negative quantity
        ("BX07", day, tea.gtin, 1, 90000),  # another retailer's store
        ("HL01", day, honey.gtin, 3, 450000),  # duplicate of line 2
        ("HL01", (today - timedelta(days=1)).isoformat(), tea.gtin, 1, 90000.5),  # not whole ₫
    ]
    content = csv_file(rows)
    url = f"/fairs/{upstream.fair_id}/retailer-sales"

    def upload(data: bytes, name: str = "ban-hang.csv", **form: str) -> dict[str, Any]:
        return {"files": {"file": (name, data, "text/csv")}, "data": form}

    refused = await client.post(url, headers=stranger, **upload(content))
    assert refused.status_code == 404 and refused.json()["field"] == "fair_id"
    forbidden = await client.post(url, headers=exhibitor, **upload(content))
    assert forbidden.status_code == 403

    first = await client.post(url, headers=seller, **upload(content))
    assert first.status_code == 200, first.text
    report = first.json()
    assert (report["applied"], report["imported"], report["rejected"]) == (False, 0, 5)
    codes = {r["line"]: [(e["field"], e["code"]) for e in r["errors"]] for r in report["report"]}
    assert codes == {
        2: [],
        3: [],
        4: [("gtin", "unknown_gtin")],
        5: [("quantity", "negative_quantity")],
        6: [("store", "unknown_store")],
        7: [("row", "duplicate_row")],
        8: [("amount", "amount_not_integer")],
    }
    assert [r["status"] for r in report["report"][:2]] == ["valid", "valid"]
    count = "select count(*) from sales where fair_id = $1 and source = 'retailer'"
    assert await service.pool.fetchval(count, upstream.fair_id) == 0

    second = await client.post(url, headers=seller, **upload(content, valid_rows_only="true"))
    assert second.status_code == 200, second.text
    assert (second.json()["applied"], second.json()["imported"]) == (True, 2)
    assert second.json()["imported_vnd"] == 899_995
    assert await service.pool.fetchval(count, upstream.fair_id) == 2

    again = await client.post(url, headers=seller, **upload(content, valid_rows_only="true"))
    assert again.json()["replayed"] is True and again.json()["imported"] == 2
    assert await service.pool.fetchval(count, upstream.fair_id) == 2

    tomorrow = (today + timedelta(days=1)).isoformat()
    later = csv_file(
        [("HL01", day, honey.gtin, 3, 450000), ("HL01", tomorrow, honey.gtin, 1, 150000)]
    )
    third = await client.post(url, headers=upstream.organizer_headers, **upload(later, "t2.csv"))
    assert third.status_code == 200, third.text
    assert (third.json()["imported"], third.json()["already_imported"]) == (1, 1)
    assert await service.pool.fetchval(count, upstream.fair_id) == 3

    # A sale at a till too (the booth's): settlement counts both.
    till = await client.post("/sales", headers=booth["headers"], json=sale([honey], [1]))
    assert till.status_code == 201, till.text

    stock = (await client.get(f"/fairs/{upstream.fair_id}/reports/stock", headers=seller)).json()
    sold = {p["product_id"]: (p["sold"], p["on_hand"]) for p in stock["products"]}
    assert sold == {str(honey.product_id): (5, 5), str(tea.product_id): (5, 15)}

    by_source = await client.get(
        f"/fairs/{upstream.fair_id}/reports/revenue?by=source", headers=upstream.organizer_headers
    )
    assert {r["key"]: r["net_vnd"] for r in by_source.json()["rows"]} == {
        "retailer": 450_000 + 449_995 + 150_000,
        "till": 150_000,
    }

    settled = await client.get(
        f"/fairs/{upstream.fair_id}/reports/settlement", headers=upstream.organizer_headers
    )
    assert settled.status_code == 200, settled.text
    body = settled.json()
    rows_by = {r["producer_id"]: r for r in body["rows"]}
    p_honey = rows_by[str(booth["producers"][0])]
    p_tea = rows_by[str(booth["producers"][1])]
    assert (p_honey["received"], p_honey["sold_quantity"], p_honey["sold_vnd"]) == (10, 5, 750_000)
    assert (p_honey["commission_vnd"], p_honey["amount_due_vnd"]) == (75_000, 675_000)
    # 10 % of 449,995 ₫ is 44,999.5 ₫: half up, 45,000 ₫.
    assert (p_tea["received"], p_tea["sold_quantity"], p_tea["sold_vnd"]) == (20, 5, 449_995)
    assert (p_tea["commission_vnd"], p_tea["amount_due_vnd"]) == (45_000, 404_995)
    assert (body["amount_vnd"], body["commission_vnd"], body["amount_due_vnd"]) == (
        1_199_995,
        120_000,
        1_079_995,
    )
    assert body["commission_percent"] == 10
    for who in (seller, exhibitor):
        seen = await client.get(f"/fairs/{upstream.fair_id}/reports/settlement", headers=who)
        assert seen.status_code == 200 and seen.json()["amount_due_vnd"] == 1_079_995
    other_month = await client.get(
        f"/fairs/{upstream.fair_id}/reports/settlement?month=2020-01",
        headers=upstream.organizer_headers,
    )
    assert other_month.json()["rows"] == [] and other_month.json()["period"] == "2020-01"
    bad_month = await client.get(
        f"/fairs/{upstream.fair_id}/reports/settlement?month=2026-13",
        headers=upstream.organizer_headers,
    )
    assert bad_month.status_code == 422
    assert bad_month.json()["detail"][0]["loc"][-1] == "month", bad_month.text
    xlsx = await client.get(
        f"/fairs/{upstream.fair_id}/reports/settlement?format=xlsx", headers=seller
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert [c.value for c in sheet[sheet.max_row]][5:] == [1_199_995, 120_000, 1_079_995]

    moved = await service.pool.fetchval(
        """select count(*) from outbox where event_type = 'sales.stock_moved' and key = $1
              and convert_from(value, 'UTF8')::jsonb->'payload'->>'kind' = 'sold'""",
        str(booth["booth_id"]),
    )
    assert moved == 2  # one per import that sold tracked products at the booth
