"""Sales through the API against the real Postgres and Kafka: retries, replays, offline
batches, refunds, revocations, closing and reports."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from ocop_shared.contracts.registration import CertificateRevoked
from ocop_shared.service import Service

Upstream = Any


async def test_a_retried_sale_is_counted_once_and_a_different_one_with_its_id_conflicts(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Mật ong rừng", 250_000), ("Chè xanh", 120_000)])
    body = sale(booth["products"], [2, 1])
    first = await client.post("/sales", headers=booth["headers"], json=body)
    assert first.status_code == 201, first.text
    assert first.json()["total_vnd"] == 620_000 and first.json()["receipt_no"] == 1
    for _ in range(3):
        again = await client.post("/sales", headers=booth["headers"], json=body)
        assert again.status_code == 200 and again.headers["Idempotent-Replay"] == "true"
        assert (
            again.json()["receipt_no"] == 1
            and again.json()["recorded_at"] == first.json()["recorded_at"]
        )
    changed = {
        **body,
        "lines": body["lines"][:1],
        "total_vnd": 500_000,
        "payments": [{"method": "cash", "amount_vnd": 500_000}],
    }
    conflict = await client.post("/sales", headers=booth["headers"], json=changed)
    assert conflict.status_code == 409 and conflict.json()["field"] == "sale_id"
    assert (
        await service.pool.fetchval(
            "select count(*) from sales where sale_id = $1", uuid.UUID(body["sale_id"])
        )
        == 1
    )
    assert (
        await service.pool.fetchval(
            "select total_vnd from sales where sale_id = $1", uuid.UUID(body["sale_id"])
        )
        == 620_000
    )


async def test_identical_requests_in_flight_have_one_effect(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Nước mắm Cái Rồng", 95_000)])
    body = sale(booth["products"], [3])
    responses = await asyncio.gather(
        *(client.post("/sales", headers=booth["headers"], json=body) for _ in range(20))
    )
    assert sorted(r.status_code for r in responses) == [200] * 19 + [201]
    assert {r.json()["receipt_no"] for r in responses} == {1}
    assert (
        await service.pool.fetchval(
            "select count(*) from sales where terminal_id = $1",
            uuid.UUID(booth["terminal"]["terminal_id"]),
        )
        == 1
    )
    assert (
        await service.pool.fetchval(
            "select count(*) from sale_lines where sale_id = $1", uuid.UUID(body["sale_id"])
        )
        == 1
    )


async def test_server_recomputes_totals_and_names_the_wrong_field(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Miến dong", 60_000)])
    cases = []
    wrong_total = sale(booth["products"], [2])
    wrong_total["total_vnd"] = 119_000
    wrong_total["payments"][0]["amount_vnd"] = 119_000
    cases.append((wrong_total, ["body", "total_vnd"]))
    wrong_line = sale(booth["products"], [2])
    wrong_line["lines"][0]["total_vnd"] = 1
    cases.append((wrong_line, ["body", "lines", "0", "total_vnd"]))
    underpaid = sale(booth["products"], [2])
    underpaid["payments"] = [
        {"method": "cash", "amount_vnd": 20_000},
        {"method": "vietqr", "amount_vnd": 20_000},
    ]
    cases.append((underpaid, ["body", "payments"]))
    float_money = sale(booth["products"], [1])
    float_money["lines"][0]["unit_price_vnd"] = 60000.5
    cases.append((float_money, ["body", "lines", 0, "unit_price_vnd"]))
    unknown = sale(booth["products"], [1])
    unknown["lines"][0]["product_id"] = str(uuid.uuid4())
    cases.append((unknown, ["body", "lines", "0", "product_id"]))
    extra = sale(booth["products"], [1])
    extra["cashier_note"] = "không có trường này"  # unknown fields are refused
    cases.append((extra, ["body", "cashier_note"]))
    for body, loc in cases:
        response = await client.post("/sales", headers=booth["headers"], json=body)
        assert response.status_code == 422, response.text
        assert any(e["loc"] == loc for e in response.json()["detail"]), response.text
    assert (
        await service.pool.fetchval(
            "select count(*) from sales where terminal_id = $1",
            uuid.UUID(booth["terminal"]["terminal_id"]),
        )
        == 0
    )
    split = sale(booth["products"], [2])
    split["payments"] = [
        {"method": "cash", "amount_vnd": 20_000},
        {"method": "vietqr", "amount_vnd": 100_000, "reference": "00020101021238..."},
    ]
    assert (await client.post("/sales", headers=booth["headers"], json=split)).status_code == 201


async def test_offline_batches_shuffled_repeated_and_cut_store_each_sale_once(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Trà hoa vàng", 300_000), ("Ba kích tím", 450_000)])
    start = datetime.now(UTC) - timedelta(hours=3)
    queued = [
        sale(
            random.sample(booth["products"], 1),
            [random.randint(1, 4)],
            device_time=start + timedelta(minutes=i),
        )
        for i in range(120)
    ]
    rng = random.Random(7)
    # The terminal reconnects three times: a cut-off upload, then a shuffled resend with repeats.
    first = await client.post("/sales/batch", headers=booth["headers"], json={"sales": queued[:50]})
    assert first.json()["counts"] == {"recorded": 50}
    resend = queued + rng.sample(queued, 30)
    rng.shuffle(resend)
    second = await client.post("/sales/batch", headers=booth["headers"], json={"sales": resend})
    assert second.status_code == 200
    counts = second.json()["counts"]
    assert (
        counts["recorded"] == 70
        and counts["replayed"] == 80
        and "conflict" not in counts
        and "rejected" not in counts
    )
    terminal = uuid.UUID(booth["terminal"]["terminal_id"])
    rows = await service.pool.fetch(
        "select sale_id, receipt_no, device_time from sales where terminal_id = $1 order by receipt_no",
        terminal,
    )
    assert len(rows) == 120 and {r["sale_id"] for r in rows} == {
        uuid.UUID(s["sale_id"]) for s in queued
    }
    assert [r["receipt_no"] for r in rows] == list(range(1, 121))  # no gaps
    stored = {r["sale_id"]: r["device_time"] for r in rows}
    assert all(
        stored[uuid.UUID(s["sale_id"])] == datetime.fromisoformat(s["device_time"]) for s in queued
    )
    too_many = await client.post(
        "/sales/batch",
        headers=booth["headers"],
        json={"sales": [sale(booth["products"][:1]) for _ in range(1001)]},
    )
    assert too_many.status_code == 413 and "max_batch_sales" in too_many.json()["detail"]


async def test_refunds_never_exceed_what_was_sold(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    _service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Rượu mơ Yên Tử", 333_333)])
    body = sale(booth["products"], [3], discount=1)
    assert (await client.post("/sales", headers=booth["headers"], json=body)).status_code == 201
    url = f"/sales/{body['sale_id']}/refunds"
    too_much = await client.post(
        url,
        headers=booth["headers"],
        json={
            "refund_id": str(uuid.uuid4()),
            "lines": [{"line_no": 0, "quantity": 4}],
            "method": "cash",
            "reason": "khách trả",
        },
    )
    assert too_much.status_code == 422 and too_much.json()["detail"][0]["loc"] == [
        "body",
        "lines",
        "0",
        "quantity",
    ]
    refunds = []
    for quantity in (1, 2):
        r = await client.post(
            url,
            headers=booth["headers"],
            json={
                "refund_id": str(uuid.uuid4()),
                "lines": [{"line_no": 0, "quantity": quantity}],
                "method": "cash",
                "reason": "khách trả",
            },
        )
        assert r.status_code == 201, r.text
        refunds.append(r.json()["total_vnd"])
    assert sum(refunds) == 999_998  # exactly what was paid, to the dong
    one_more = await client.post(
        url,
        headers=booth["headers"],
        json={
            "refund_id": str(uuid.uuid4()),
            "lines": [{"line_no": 0, "quantity": 1}],
            "method": "cash",
            "reason": "x",
        },
    )
    assert one_more.status_code == 422
    other = await upstream.exhibitor_at_booth([("Khác", 1000)])
    foreign = await client.post(
        url,
        headers=other["headers"],
        json={
            "refund_id": str(uuid.uuid4()),
            "lines": [{"line_no": 0, "quantity": 1}],
            "method": "cash",
            "reason": "x",
        },
    )
    assert foreign.status_code == 404


async def test_a_revoked_product_stops_selling_once_the_event_is_processed(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    _service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Sâm Bố Chính", 800_000), ("Mật ong", 200_000)])
    revoked, kept = booth["products"]
    before = datetime.now(UTC)
    assert (
        await client.post("/sales", headers=booth["headers"], json=sale([revoked]))
    ).status_code == 201
    sent = time.perf_counter()
    await upstream.publish(
        [
            CertificateRevoked(
                product=revoked.model_copy(
                    update={
                        "certificate": revoked.certificate.model_copy(update={"status": "revoked"})
                    }
                ),
                reason="vi phạm chất lượng",
                decision_number="47/QĐ-UBND",
            )
        ]
    )
    while True:
        response = await client.post("/sales", headers=booth["headers"], json=sale([revoked]))
        if response.status_code == 422:
            break
        assert response.status_code == 201
        assert time.perf_counter() - sent < 30, "revocation never reached the till"
        await asyncio.sleep(0.02)
    lag_ms = (time.perf_counter() - sent) * 1000
    print(f"revocation lag (published -> sale refused): {lag_ms:.0f} ms")
    assert "no longer valid" in response.json()["detail"][0]["msg"]
    assert (
        await client.post("/sales", headers=booth["headers"], json=sale([kept]))
    ).status_code == 201
    # A sale made offline before the revocation still counts; one made after does not.
    batch = [
        sale([revoked], device_time=before - timedelta(minutes=5)),
        sale([revoked], device_time=datetime.now(UTC)),
    ]
    results = (
        await client.post("/sales/batch", headers=booth["headers"], json={"sales": batch})
    ).json()["results"]
    assert [r["status"] for r in results] == ["recorded", "rejected"]


async def test_a_terminal_sells_only_its_booths_products_and_only_while_enrolled(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    _service, client = sales_app
    mine = await upstream.exhibitor_at_booth([("Của tôi", 10_000)])
    theirs = await upstream.exhibitor_at_booth([("Của họ", 20_000)])
    response = await client.post("/sales", headers=mine["headers"], json=sale(theirs["products"]))
    assert (
        response.status_code == 422
        and "not approved for sale at this booth" in response.json()["detail"][0]["msg"]
    )
    organizer = {"Authorization": f"Bearer {upstream.organizer_token}"}
    suspended = await client.post(
        f"/terminals/{mine['terminal']['terminal_id']}/suspend", headers=organizer
    )
    assert suspended.status_code == 200
    assert (
        await client.post("/sales", headers=mine["headers"], json=sale(mine["products"]))
    ).status_code == 401
    # Reading another's sales: an exhibitor or terminal sees only its own.
    assert (
        await client.post("/sales", headers=theirs["headers"], json=sale(theirs["products"]))
    ).status_code == 201
    own = await client.get("/sales", headers=theirs["headers"])
    assert {s["terminal_id"] for s in own.json()} == {theirs["terminal"]["terminal_id"]}


async def test_closing_produces_a_z_report(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    _service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Bánh gai", 50_000)])
    h = booth["headers"]
    session = (await client.post("/sessions", headers=h, json={"opening_cash_vnd": 500_000})).json()
    assert (
        await client.post("/sessions", headers=h, json={"opening_cash_vnd": 0})
    ).status_code == 409
    cash = sale(booth["products"], [2])
    qr = sale(booth["products"], [3], method="vietqr")
    for body in (cash, qr):
        assert (await client.post("/sales", headers=h, json=body)).status_code == 201
    await client.post(
        f"/sales/{cash['sale_id']}/refunds",
        headers=h,
        json={
            "refund_id": str(uuid.uuid4()),
            "lines": [{"line_no": 0, "quantity": 1}],
            "method": "cash",
            "reason": "hỏng",
        },
    )
    report = (
        await client.post(
            f"/sessions/{session['session_id']}/close",
            headers=h,
            json={"counted_cash_vnd": 545_000},
        )
    ).json()
    assert (
        report["sales"] == 2 and report["gross_vnd"] == 250_000 and report["refunds_vnd"] == 50_000
    )
    assert report["net_by_method"] == {"cash": 50_000, "vietqr": 150_000}
    assert report["cash_expected_vnd"] == 550_000 and report["cash_variance_vnd"] == -5_000


async def test_reports_reconcile_to_the_dong_with_the_sales_table(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    service, client = sales_app
    delegation = await upstream.exhibitor_at_booth(
        [(f"Đặc sản {i}", 10_000 * (i + 1) + 7) for i in range(6)], kind="delegation", members=3
    )
    single = await upstream.exhibitor_at_booth([("Cà phê", 99_999)])
    rng = random.Random(3)
    for booth in (delegation, single):
        for _ in range(40):
            picked = rng.sample(booth["products"], rng.randint(1, len(booth["products"])))
            # Discounts within the 20 % a line may go below its list value (10,007 at least).
            body = sale(picked, [rng.randint(1, 5) for _ in picked], discount=rng.randint(0, 2000))
            assert (
                await client.post("/sales", headers=booth["headers"], json=body)
            ).status_code == 201
            if rng.random() < 0.2:
                await client.post(
                    f"/sales/{body['sale_id']}/refunds",
                    headers=booth["headers"],
                    json={
                        "refund_id": str(uuid.uuid4()),
                        "lines": [{"line_no": 0, "quantity": 1}],
                        "method": "cash",
                        "reason": "x",
                    },
                )
    fair = upstream.fair_id
    expected = await service.pool.fetchval(
        "select coalesce(sum(total_vnd), 0)::bigint from sales where fair_id = $1", fair
    ) - await service.pool.fetchval(
        "select coalesce(sum(r.total_vnd), 0)::bigint from refunds r join sales s using (sale_id) where s.fair_id = $1",
        fair,
    )
    assert expected > 0
    organizer = {"Authorization": f"Bearer {upstream.organizer_token}"}
    for by in (
        "fair",
        "day",
        "booth",
        "exhibitor",
        "producer",
        "product",
        "product_group",
        "star",
        "province",
    ):
        report = (
            await client.get(f"/fairs/{fair}/reports/revenue", headers=organizer, params={"by": by})
        ).json()
        assert report["total_net_vnd"] == expected, by
    producers = (
        await client.get(
            f"/fairs/{fair}/reports/revenue", headers=organizer, params={"by": "producer"}
        )
    ).json()["rows"]
    assert len(producers) == 4  # three members of the delegation, one holder
    csv_body = (
        await client.get(
            f"/fairs/{fair}/reports/revenue",
            headers=organizer,
            params={"by": "product", "format": "csv"},
        )
    ).content.decode("utf-8-sig")
    header, *body = csv_body.strip().splitlines()
    net = header.split(",").index("net_vnd")  # issue 15: the OCOP / local goods split follows
    assert "Đặc sản 0" in csv_body and sum(int(line.split(",")[net]) for line in body) == expected
    xlsx = await client.get(
        f"/fairs/{fair}/reports/revenue", headers=organizer, params={"by": "star", "format": "xlsx"}
    )
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


async def test_a_product_sells_until_the_last_day_registration_admitted_it(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    _service, client = sales_app
    yesterday = (datetime.now(UTC) + timedelta(hours=7)).date() - timedelta(days=1)
    booth = await upstream.exhibitor_at_booth([("Nấm linh chi", 400_000)], admitted_until=yesterday)
    response = await client.post("/sales", headers=booth["headers"], json=sale(booth["products"]))
    assert response.status_code == 422 and "no longer valid" in response.json()["detail"][0]["msg"]
    made_yesterday = sale(booth["products"], device_time=datetime.now(UTC) - timedelta(days=1))
    results = (
        await client.post(
            "/sales/batch", headers=booth["headers"], json={"sales": [made_yesterday]}
        )
    ).json()["results"]
    assert [r["status"] for r in results] == ["recorded"]
