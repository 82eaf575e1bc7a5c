"""Issue 15 through sales' API and events: a district fair's delegation sells an OCOP product
of one member holder and ordinary local goods of another. The sale's lines and its event carry
the group's name, taxonomy and ``ocop``; the revenue report answers groups by name (with code
and taxonomy) and splits OCOP from local goods, flagged, in JSON and CSV; a certificate's end
does not stop local goods, a suspension at the fair does; each member holder reads its own
lines (GET /sales, the revenue report) and nothing else."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson

from ocop_shared.contracts.booths import BoothAssigned, Occupancy
from ocop_shared.contracts.registration import (
    AdmittedProduct,
    ApplicationApproved,
    ApplicationSnapshot,
    BoothRequest,
    CertificateExpired,
    ExhibitorRegistered,
    ExhibitorSnapshot,
    InspectionRecorded,
    InspectionSnapshot,
    ProductSnapshot,
)
from ocop_shared.service import Service
from ocop_testkit import certified_product, wait_for

Upstream = Any  # conftest's UpstreamFair


async def _delegation_booth(fair: Upstream) -> dict[str, Any]:
    member_a, member_b = uuid.uuid4(), uuid.uuid4()
    delegation = ExhibitorSnapshot(
        exhibitor_id=uuid.uuid4(), kind="delegation", name=f"Đoàn huyện {uuid.uuid4().hex[:4]}",
        tax_code=None, province="Hà Giang", commune=None, phone=None,
        member_ids=[member_a, member_b],
    )  # fmt: skip
    members = [
        ExhibitorSnapshot(
            exhibitor_id=m,
            kind="cooperative",
            name=name,
            tax_code=None,
            province="Hà Giang",
            commune=None,
            phone=None,
        )
        for m, name in ((member_a, "HTX Chè Shan tuyết"), (member_b, "Tổ hợp tác đan lát"))
    ]
    tea = certified_product(member_a, "Chè Shan tuyết", 200_000, star=4, group=2)
    tea = tea.model_copy(update={"product_group_name": "Đồ uống"})
    basket = ProductSnapshot(
        product_id=uuid.uuid4(), holder_id=member_b, name="Giỏ mây", group=4, taxonomy="2023",
        gtin=None, unit="chiếc", list_price_vnd=90_000, certificate=None, ocop_until=None,
        product_group_name="Hàng thủ công mỹ nghệ",
    )  # fmt: skip
    last_day = (datetime.now(UTC) + timedelta(hours=7) + timedelta(days=3)).date()
    application = ApplicationSnapshot(
        application_id=uuid.uuid4(), fair_id=fair.fair_id, exhibitor_id=delegation.exhibitor_id,
        exhibitor_name=delegation.name, exhibitor_kind="delegation", province="Hà Giang",
        products=[tea, basket], booth_request=BoothRequest(count=1), status="approved",
        submitted_at=datetime.now(UTC), best_star=4,
        admitted=[
            AdmittedProduct(product_id=tea.product_id, until=tea.ocop_until),  # type: ignore[arg-type]
            AdmittedProduct(product_id=basket.product_id, until=last_day, ocop=False),
        ],
    )  # fmt: skip
    booth_id = uuid.uuid4()
    occupancy = Occupancy(
        fair_id=fair.fair_id, booth_id=booth_id, booth_code=f"D-{uuid.uuid4().hex[:3]}",
        zone="D", exhibitor_id=delegation.exhibitor_id,
        application_id=application.application_id, status="assigned",
    )  # fmt: skip
    await fair.publish(
        [
            *(ExhibitorRegistered(exhibitor=e) for e in (*members, delegation)),
            ApplicationApproved(application=application),
            BoothAssigned(occupancy=occupancy, reason="test", actor="test"),
        ]
    )

    async def enrolled() -> Any:
        response = await fair.client.post(
            f"/fairs/{fair.fair_id}/terminals",
            headers=fair.organizer_headers,
            json={"booth_id": str(booth_id), "label": "Quầy đoàn"},
        )
        if response.status_code != 201:
            return None
        count = await fair.service.pool.fetchval(
            "select count(*) from catalog where fair_id = $1 and exhibitor_id = $2",
            fair.fair_id,
            delegation.exhibitor_id,
        )
        return response.json() if count == 2 else None

    terminal = await wait_for(enrolled, timeout=30, interval=0.2)
    return {
        "till": {"Authorization": f"Bearer {terminal['token']}"},
        "delegation": delegation.exhibitor_id,
        "members": (member_a, member_b),
        "tea": tea,
        "basket": basket,
    }


def _sale(lines: list[tuple[ProductSnapshot, int]]) -> dict[str, Any]:
    total = sum(p.list_price_vnd * q for p, q in lines)
    return {
        "sale_id": str(uuid.uuid4()),
        "device_time": datetime.now(UTC).isoformat(),
        "lines": [
            {"product_id": str(p.product_id), "quantity": q, "unit_price_vnd": p.list_price_vnd}
            for p, q in lines
        ],
        "payments": [{"method": "cash", "amount_vnd": total}],
        "total_vnd": total,
    }


async def _report(client: httpx.AsyncClient, fair: Upstream, headers: Any, **params: Any) -> Any:
    response = await client.get(
        f"/fairs/{fair.fair_id}/reports/revenue", headers=headers, params=params
    )
    assert response.status_code == 200, response.text
    return response.json() if params.get("format", "json") == "json" else response.content


async def test_groups_are_named_local_goods_flagged_and_members_read_their_own_lines(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient]
) -> None:
    service, client = sales_app
    booth = await _delegation_booth(upstream)
    tea, basket = booth["tea"], booth["basket"]
    first = await client.post("/sales", headers=booth["till"], json=_sale([(tea, 1), (basket, 2)]))
    assert first.status_code == 201, first.text
    sale_id = first.json()["sale_id"]

    # the event carries the group's name, taxonomy and whether the line is OCOP
    terminal_id = await service.pool.fetchval(
        "select terminal_id from sales where sale_id = $1", uuid.UUID(sale_id)
    )
    value = await service.pool.fetchval(
        "select value from outbox where event_type = 'sales.sale_recorded' and key = $1",
        str(terminal_id),
    )
    lines = orjson.loads(value)["payload"]["lines"]
    assert [(x["product_group_name"], x["taxonomy"], x["ocop"], x["star"]) for x in lines] == [
        ("Đồ uống", "2023", True, 4),
        ("Hàng thủ công mỹ nghệ", "2023", False, 0),
    ]

    # a certificate's end does not stop local goods; a suspension at this fair does
    await upstream.publish([CertificateExpired(product=basket)])
    await wait_for(
        lambda: service.pool.fetchval(
            "select count(*) from product_blocks where product_id = $1", basket.product_id
        ),
        timeout=30,
    )
    again = await client.post("/sales", headers=booth["till"], json=_sale([(basket, 1)]))
    assert again.status_code == 201, again.text
    organizer = upstream.organizer_headers
    by_group = await _report(client, upstream, organizer, by="product_group")
    rows = {r["key"]: r for r in by_group["rows"]}
    assert set(rows) == {"Đồ uống", "Hàng thủ công mỹ nghệ"}
    assert (rows["Đồ uống"]["code"], rows["Đồ uống"]["taxonomy"]) == (2, "2023")
    assert rows["Đồ uống"]["local_goods"] is False
    assert rows["Đồ uống"]["ocop_net_vnd"] == 200_000
    crafts = rows["Hàng thủ công mỹ nghệ"]
    assert (crafts["code"], crafts["local_goods"], crafts["local_goods_net_vnd"]) == (
        4,
        True,
        270_000,
    )
    assert by_group["total_net_vnd"] == 470_000
    assert (by_group["total_ocop_net_vnd"], by_group["total_local_goods_net_vnd"]) == (
        200_000,
        270_000,
    )
    by_ocop = await _report(client, upstream, organizer, by="ocop")
    assert {r["key"]: r["net_vnd"] for r in by_ocop["rows"]} == {
        "OCOP": 200_000,
        "Hàng địa phương (không OCOP)": 270_000,
    }
    by_booth = await _report(client, upstream, organizer, by="booth")
    [row] = by_booth["rows"]
    assert (row["ocop_net_vnd"], row["local_goods_net_vnd"], row["local_goods"]) == (
        200_000,
        270_000,
        False,
    )
    body = await _report(client, upstream, organizer, by="product_group", format="csv")
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert table[0][:3] == ["product_group", "code", "taxonomy"]
    assert sorted((r[0], r[1], r[2], r[-1]) for r in table[1:]) == [
        ("Hàng thủ công mỹ nghệ", "4", "2023", "Hàng địa phương (không OCOP)"),
        ("Đồ uống", "2", "2023", ""),
    ]

    # members read their own lines, nothing else
    member_a, member_b = booth["members"]
    a_headers, _ = await upstream.credential("exhibitor", str(member_a))
    b_headers, _ = await upstream.credential("exhibitor", str(member_b))
    listed = await client.get(
        "/sales", headers=a_headers, params={"fair_id": str(upstream.fair_id)}
    )
    assert listed.status_code == 200, listed.text
    assert [(s["sale_id"], s["total_vnd"], s["payments"]) for s in listed.json()] == [
        (sale_id, 200_000, {})
    ]
    listed_b = await client.get("/sales", headers=b_headers)
    assert sorted(s["total_vnd"] for s in listed_b.json()) == [90_000, 180_000]
    mine = await _report(client, upstream, a_headers, by="producer")
    assert [(r["key"], r["net_vnd"]) for r in mine["rows"]] == [("HTX Chè Shan tuyết", 200_000)]
    theirs = await _report(client, upstream, b_headers, by="product")
    assert [(r["key"], r["net_vnd"], r["local_goods"]) for r in theirs["rows"]] == [
        ("Giỏ mây", 270_000, True)
    ]
    delegation, _ = await upstream.credential("exhibitor", str(booth["delegation"]))
    assert (await _report(client, upstream, delegation, by="fair"))["total_net_vnd"] == 470_000
    stranger, _ = await upstream.credential("exhibitor", str(uuid.uuid4()))
    refused = await client.get(
        f"/fairs/{upstream.fair_id}/reports/revenue", headers=stranger, params={"by": "fair"}
    )
    assert refused.status_code == 404
    assert (await client.get("/sales", headers=stranger)).json() == []

    # a suspension at this fair stops local goods too
    await upstream.publish(
        [
            InspectionRecorded(
                inspection=InspectionSnapshot(
                    inspection_id=uuid.uuid4(),
                    fair_id=upstream.fair_id,
                    product_id=basket.product_id,
                    holder_id=member_b,
                    exhibitor_id=booth["delegation"],
                    booth_code="D-1",
                    sample=None,
                    finding="Mối mọt",
                    decision="suspend",
                    suspended=True,
                    inspector_id="qltt-ha-giang",
                    inspected_by=None,
                    recorded_at=datetime.now(UTC) - timedelta(seconds=1),
                )
            )
        ]
    )
    await wait_for(
        lambda: service.pool.fetchval(
            "select count(*) from fair_suspensions where product_id = $1", basket.product_id
        ),
        timeout=30,
    )
    stopped = await client.post("/sales", headers=booth["till"], json=_sale([(basket, 1)]))
    assert stopped.status_code == 422, stopped.text
