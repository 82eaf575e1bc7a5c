"""Who reaches which record at sales, beyond the role check of the authorization table: an
organizer its own fairs' tills, sales and reports; an exhibitor its own sales at fairs it sells
at; a till its own sales. A record out of reach answers 404 and nothing changes."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from ocop_shared.service import Service

Upstream = Any


async def test_an_exhibitor_reads_only_fairs_it_sells_at(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    _service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Mật ong", 200_000)])
    neighbour = await upstream.exhibitor_at_booth([("Chè", 100_000)])
    for b in (booth, neighbour):
        sold = await client.post("/sales", headers=b["headers"], json=sale(b["products"]))
        assert sold.status_code == 201, sold.text
    elsewhere = await upstream.another_fair()
    exhibitor, _ = await upstream.credential("exhibitor", str(booth["exhibitor"].exhibitor_id))

    report = await client.get(f"/fairs/{upstream.fair_id}/reports/revenue", headers=exhibitor)
    assert report.status_code == 200 and report.json()["total_net_vnd"] == 200_000
    for fair in (elsewhere.fair_id, uuid.uuid4()):
        other = await client.get(f"/fairs/{fair}/reports/revenue", headers=exhibitor)
        assert other.status_code == 404, other.text
        listed = await client.get("/sales", headers=exhibitor, params={"fair_id": str(fair)})
        assert listed.status_code == 404, listed.text
    own = await client.get("/sales", headers=exhibitor, params={"fair_id": str(upstream.fair_id)})
    assert own.status_code == 200
    assert {s["exhibitor_id"] for s in own.json()} == {str(booth["exhibitor"].exhibitor_id)}


async def test_a_till_lists_only_its_own_sales_and_fair(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    _service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Mật ong", 200_000)])
    neighbour = await upstream.exhibitor_at_booth([("Chè", 100_000)])
    for b in (booth, neighbour):
        assert (
            await client.post("/sales", headers=b["headers"], json=sale(b["products"]))
        ).status_code == 201
    elsewhere = await upstream.another_fair()
    mine = await client.get(
        "/sales", headers=booth["headers"], params={"fair_id": str(upstream.fair_id)}
    )
    assert mine.status_code == 200
    assert {s["terminal_id"] for s in mine.json()} == {booth["terminal"]["terminal_id"]}
    other = await client.get(
        "/sales", headers=booth["headers"], params={"fair_id": str(elsewhere.fair_id)}
    )
    assert other.status_code == 404, other.text


async def test_a_booth_of_another_fair_is_not_found_when_enrolling_a_till(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient]
) -> None:
    service, client = sales_app
    elsewhere = await upstream.another_fair()
    booth = await elsewhere.exhibitor_at_booth([("Mật ong", 200_000)])
    before = await service.pool.fetchval("select count(*) from terminals")
    response = await client.post(
        f"/fairs/{upstream.fair_id}/terminals",
        headers=upstream.organizer_headers,
        json={"booth_id": str(booth["booth_id"]), "label": "Quầy lạ"},
    )
    assert response.status_code == 404, response.text
    assert response.json()["field"] == "booth_id"
    assert await service.pool.fetchval("select count(*) from terminals") == before


async def test_a_tills_token_is_a_device_credential(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient]
) -> None:
    service, _client = sales_app
    booth = await upstream.exhibitor_at_booth([("Mật ong", 200_000)])
    kind = await service.pool.fetchval(
        "select kind from api_tokens where role = 'terminal' and subject = $1",
        booth["terminal"]["terminal_id"],
    )
    assert kind == "device"


async def test_an_unpaired_till_is_refused_at_once_and_only_its_organizer_may_unpair_it(
    upstream: Upstream,
    sales_app: tuple[Service, httpx.AsyncClient],
    sale: Any,
    new_upstream: Any,
) -> None:
    service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Mật ong", 200_000)])
    terminal = booth["terminal"]["terminal_id"]
    assert (
        await client.post("/sales", headers=booth["headers"], json=sale(booth["products"]))
    ).status_code == 201  # accepted, so cached
    stranger = await new_upstream()
    await stranger.exhibitor_at_booth([("Chè", 1_000)])  # its organizer token is installed
    refused = await client.delete(f"/terminals/{terminal}", headers=stranger.organizer_headers)
    assert refused.status_code == 404
    assert (
        await client.post("/sales", headers=booth["headers"], json=sale(booth["products"]))
    ).status_code == 201

    unpaired = await client.delete(f"/terminals/{terminal}", headers=upstream.organizer_headers)
    assert unpaired.status_code == 204, unpaired.text
    after = await client.post("/sales", headers=booth["headers"], json=sale(booth["products"]))
    assert after.status_code == 401
    assert (
        await service.pool.fetchval(
            "select status from terminals where terminal_id = $1", uuid.UUID(terminal)
        )
        == "unpaired"
    )
    again = await client.delete(f"/terminals/{terminal}", headers=upstream.organizer_headers)
    assert again.status_code == 204
    suspended = await client.post(
        f"/terminals/{terminal}/suspend", headers=upstream.organizer_headers
    )
    assert suspended.status_code == 200 and suspended.json()["status"] == "unpaired"


async def test_the_till_listing_says_when_each_till_last_sold_online(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    _service, client = sales_app
    quiet = await upstream.exhibitor_at_booth([("Nước mắm", 90_000)])
    busy = await upstream.exhibitor_at_booth([("Mật ong", 200_000)])
    sold = await client.post("/sales", headers=busy["headers"], json=sale(busy["products"]))
    assert sold.status_code == 201, sold.text
    listed = await client.get(
        f"/fairs/{upstream.fair_id}/terminals", headers=upstream.organizer_headers
    )
    assert listed.status_code == 200, listed.text
    by_id = {t["terminal_id"]: t for t in listed.json()}
    assert by_id[busy["terminal"]["terminal_id"]]["last_online_at"] is not None
    assert by_id[quiet["terminal"]["terminal_id"]]["last_online_at"] is None


async def test_an_exhibitor_lists_the_tills_at_its_own_booths_only(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient]
) -> None:
    _service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Mật ong", 200_000)])
    neighbour = await upstream.exhibitor_at_booth([("Chè", 100_000)])
    exhibitor, _ = await upstream.credential("exhibitor", str(booth["exhibitor"].exhibitor_id))
    url = f"/fairs/{upstream.fair_id}/my-terminals"
    mine = await client.get(url, headers=exhibitor)
    assert mine.status_code == 200, mine.text
    [till] = mine.json()
    assert till["terminal_id"] == booth["terminal"]["terminal_id"]
    assert till["exhibitor_id"] == str(booth["exhibitor"].exhibitor_id)
    assert till["status"] == "active" and "token" not in till
    assert neighbour["terminal"]["terminal_id"] not in {t["terminal_id"] for t in mine.json()}
    # A fair it does not sell at, or none: not there. The organizer lists the fair's tills.
    elsewhere = await upstream.another_fair()
    for fair in (elsewhere.fair_id, uuid.uuid4()):
        other = await client.get(f"/fairs/{fair}/my-terminals", headers=exhibitor)
        assert other.status_code == 404, other.text
    refused = await client.get(url, headers=upstream.organizer_headers)
    assert refused.status_code == 403
