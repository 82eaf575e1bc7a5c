"""A product suspended at one fair by its province's inspectors (issue 15): registration's
``registration.inspection_recorded`` reaches sales' consumer, and that fair's tills refuse
the product (naming the line) within a second, while the same product keeps selling at
another fair; an offline sale made before the suspension still counts, one after does not;
the till's catalogue says ``suspended``; a pass lifts it; an older decision delivered late
changes nothing. The lag from publication to the first refused sale is measured."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from ocop_shared.contracts.booths import BoothAssigned, Occupancy
from ocop_shared.contracts.registration import (
    AdmittedProduct,
    ApplicationApproved,
    ApplicationSnapshot,
    BoothRequest,
    ExhibitorRegistered,
    ExhibitorSnapshot,
    InspectionRecorded,
    InspectionSnapshot,
    ProductSnapshot,
)
from ocop_shared.service import Service
from ocop_testkit import wait_for

Upstream = Any  # conftest's UpstreamFair


async def booth_with(fair: Upstream, products: list[ProductSnapshot]) -> dict[str, Any]:
    """An exhibitor at a booth of ``fair`` admitted to sell these (existing) products, with an
    enrolled till: the same product at a second fair."""
    exhibitor = ExhibitorSnapshot(
        exhibitor_id=uuid.uuid4(), kind="delegation", name=f"Đoàn {uuid.uuid4().hex[:4]}",
        tax_code=None, province="Quảng Ninh", commune=None, phone=None,
    )  # fmt: skip
    application = ApplicationSnapshot(
        application_id=uuid.uuid4(), fair_id=fair.fair_id, exhibitor_id=exhibitor.exhibitor_id,
        exhibitor_name=exhibitor.name, exhibitor_kind=exhibitor.kind, province="Quảng Ninh",
        products=products, booth_request=BoothRequest(count=1), status="approved",
        submitted_at=datetime.now(UTC), best_star=4,
        admitted=[AdmittedProduct(product_id=p.product_id, until=p.ocop_until)
                  for p in products if p.ocop_until is not None],
    )  # fmt: skip
    booth_id = uuid.uuid4()
    occupancy = Occupancy(
        fair_id=fair.fair_id, booth_id=booth_id, booth_code=f"B-{uuid.uuid4().hex[:3]}",
        zone="B", exhibitor_id=exhibitor.exhibitor_id,
        application_id=application.application_id, status="assigned",
    )  # fmt: skip
    await fair.publish(
        [
            ExhibitorRegistered(exhibitor=exhibitor),
            ApplicationApproved(application=application),
            BoothAssigned(occupancy=occupancy, reason="test", actor="test"),
        ]
    )

    async def enrolled() -> Any:
        response = await fair.client.post(
            f"/fairs/{fair.fair_id}/terminals",
            headers=fair.organizer_headers,
            json={"booth_id": str(booth_id), "label": "Quầy 2"},
        )
        if response.status_code != 201:
            return None
        count = await fair.service.pool.fetchval(
            "select count(*) from catalog where fair_id = $1 and exhibitor_id = $2",
            fair.fair_id,
            exhibitor.exhibitor_id,
        )
        return response.json() if count == len(products) else None

    terminal = await wait_for(enrolled, timeout=30, interval=0.2)
    return {"headers": {"Authorization": f"Bearer {terminal['token']}"}, "terminal": terminal}


def inspected(
    fair_id: uuid.UUID, product: ProductSnapshot, decision: str, at: datetime
) -> InspectionRecorded:
    return InspectionRecorded(
        inspection=InspectionSnapshot(
            inspection_id=uuid.uuid4(), fair_id=fair_id, product_id=product.product_id,
            holder_id=product.holder_id, exhibitor_id=product.holder_id, booth_code="A-12",
            sample="2 hũ", finding="Nhãn thiếu hạn sử dụng", decision=decision,  # type: ignore[arg-type]
            suspended=decision != "pass", inspector_id="qltt-quang-ninh", inspected_by=None,
            recorded_at=at,
        )
    )  # fmt: skip


async def catalog_reason(client: httpx.AsyncClient, till: dict[str, str], product: Any) -> Any:
    response = await client.get("/terminals/me/catalog", headers=till)
    assert response.status_code == 200, response.text
    [item] = [i for i in response.json()["items"] if i["product_id"] == str(product.product_id)]
    return item["sellable"], item["reason"]


async def test_a_suspension_stops_the_product_at_that_fairs_tills_only_and_a_pass_lifts_it(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    service, client = sales_app
    here = await upstream.exhibitor_at_booth([("Mật ong rừng Ba Chẽ", 250_000), ("Chè", 90_000)])
    honey, tea = here["products"]
    other_fair = await upstream.another_fair()
    there = await booth_with(other_fair, [honey])
    for till in (here["headers"], there["headers"]):
        sold = await client.post("/sales", headers=till, json=sale([honey]))
        assert sold.status_code == 201, sold.text

    # Suspended at this fair: published as registration's relay would, then sold until refused.
    suspended_at = datetime.now(UTC)
    before = suspended_at - timedelta(minutes=5)
    sent = time.perf_counter()
    await upstream.publish([inspected(upstream.fair_id, honey, "suspend", suspended_at)])
    let_in = 0
    while True:
        response = await client.post("/sales", headers=here["headers"], json=sale([honey]))
        if response.status_code == 422:
            break
        assert response.status_code == 201, response.text
        let_in += 1
        assert time.perf_counter() - sent < 30, "the suspension never reached the till"
        await asyncio.sleep(0.01)
    lag = time.perf_counter() - sent
    print(
        f"inspection suspension lag (published -> sale refused at that fair): {lag * 1000:.0f} ms"
        f" ({let_in} sales let in before)"
    )
    assert lag < 1.0
    assert response.json()["detail"][0]["loc"][-3:] == ["lines", "0", "product_id"]
    # Only that product, only at that fair.
    assert (
        await client.post("/sales", headers=here["headers"], json=sale([tea]))
    ).status_code == 201
    elsewhere = await client.post("/sales", headers=there["headers"], json=sale([honey]))
    assert elsewhere.status_code == 201, elsewhere.text
    assert await catalog_reason(client, here["headers"], honey) == (False, "suspended")
    assert await catalog_reason(client, there["headers"], honey) == (True, None)

    # Offline: a sale made before the suspension still counts, one made after does not.
    batch = [
        sale([honey], device_time=before),
        sale([honey], device_time=datetime.now(UTC)),
    ]
    results = (
        await client.post("/sales/batch", headers=here["headers"], json={"sales": batch})
    ).json()["results"]
    assert [r["status"] for r in results] == ["recorded", "rejected"]

    # A re-inspection that passes lifts it; an older suspension delivered late changes nothing.
    # The last event (a pass at the other fair, same product: same partition) marks when the
    # two before it have been handled.
    lifted_at = datetime.now(UTC)
    await upstream.publish(
        [
            inspected(upstream.fair_id, honey, "pass", lifted_at),
            inspected(upstream.fair_id, honey, "suspend", lifted_at - timedelta(seconds=1)),
            inspected(other_fair.fair_id, honey, "pass", lifted_at),
        ]
    )

    async def handled() -> bool:
        found = await service.pool.fetchval(
            "select true from fair_suspensions where fair_id = $1 and product_id = $2",
            other_fair.fair_id,
            honey.product_id,
        )
        return bool(found)

    await wait_for(handled, timeout=30, interval=0.02)
    row = await service.pool.fetchrow(
        "select suspended_at, decided_at from fair_suspensions where fair_id = $1 and product_id = $2",
        upstream.fair_id,
        honey.product_id,
    )
    assert row["suspended_at"] is None and row["decided_at"] == lifted_at
    again = await client.post("/sales", headers=here["headers"], json=sale([honey]))
    assert again.status_code == 201, again.text
    assert await catalog_reason(client, here["headers"], honey) == (True, None)
