"""Issue 11's business-flow rules through the sales API: refunds go back the way the money
came unless an organizer of the fair approved another method (the approval is recorded and the
refund's event carries it); a price below the list is a stated discount within 20 %; an
offline sale backdated more than 24 h before the till's last online sale is judged at that
bound and flagged for review (or refused, naming the line, when that sells a revoked
product). The pure decisions are in ``tests/unit/test_business_rules.py``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest

from ocop_shared.service import Service
from ocop_testkit import wait_for

Upstream = Any


def refund_body(method: str, approval_id: str | None = None, quantity: int = 1) -> dict[str, Any]:
    body: dict[str, Any] = {
        "refund_id": str(uuid.uuid4()),
        "lines": [{"line_no": 0, "quantity": quantity}],
        "method": method,
        "reason": "khách trả hàng",
    }
    if approval_id is not None:
        body["approval_id"] = approval_id
    return body


async def refunds_of(service: Service, sale_id: str) -> int:
    return int(
        await service.pool.fetchval(
            "select count(*) from refunds where sale_id = $1", uuid.UUID(sale_id)
        )
    )


# -- a: refunds by the sale's payment method --------------------------------------------------


@pytest.mark.parametrize(("paid", "refunded"), [("vietqr", "cash"), ("cash", "vietqr")])
async def test_a_refund_by_another_method_than_the_sale_was_paid_is_refused(
    upstream: Upstream,
    sales_app: tuple[Service, httpx.AsyncClient],
    sale: Any,
    paid: str,
    refunded: str,
) -> None:
    service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Mật ong", 200_000)])
    body = sale(booth["products"], method=paid)
    assert (await client.post("/sales", headers=booth["headers"], json=body)).status_code == 201
    url = f"/sales/{body['sale_id']}/refunds"
    response = await client.post(url, headers=booth["headers"], json=refund_body(refunded))
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "method"] and "refund-approvals" in error["msg"]
    assert await refunds_of(service, body["sale_id"]) == 0
    # By the sale's own method it goes through.
    response = await client.post(url, headers=booth["headers"], json=refund_body(paid))
    assert response.status_code == 201, response.text


async def test_an_organizers_approval_lets_a_transfer_be_refunded_in_cash_and_the_event_says_so(
    upstream: Upstream,
    new_upstream: Any,
    sales_app: tuple[Service, httpx.AsyncClient],
    sale: Any,
) -> None:
    service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Chè Shan tuyết", 150_000)])
    body = sale(booth["products"], [2], method="vietqr")
    assert (await client.post("/sales", headers=booth["headers"], json=body)).status_code == 201
    approvals = f"/sales/{body['sale_id']}/refund-approvals"
    approval = {
        "approval_id": str(uuid.uuid4()),
        "method": "cash",
        "reason": "tài khoản của khách bị khoá",
    }
    # Another organizer's approval: no such sale for it.
    other = await new_upstream()

    async def answered() -> httpx.Response | None:  # once sales installed its credential
        r = await client.post(approvals, headers=other.organizer_headers, json=approval)
        return None if r.status_code == 401 else r

    response = await wait_for(answered, timeout=30, interval=0.05)
    assert response.status_code == 404, response.text
    # The fair's organizer approves; the same request again is a replay, another content a 409.
    response = await client.post(approvals, headers=upstream.organizer_headers, json=approval)
    assert response.status_code == 201, response.text
    approved = response.json()
    # Who approved: the person acting for the organizer (the organizer itself for an API key).
    assert (approved["method"], approved["status"], approved["approved_by"]) == (
        "cash",
        "recorded",
        str(upstream.organizer_credential.user_id),
    )
    again = await client.post(approvals, headers=upstream.organizer_headers, json=approval)
    assert again.status_code == 200 and again.json()["status"] == "replayed"
    changed = await client.post(
        approvals, headers=upstream.organizer_headers, json={**approval, "method": "card"}
    )
    assert changed.status_code == 409 and changed.json()["field"] == "approval_id"
    # The till cites it: by cash now, by card not (the approval is for cash).
    url = f"/sales/{body['sale_id']}/refunds"
    card = await client.post(
        url, headers=booth["headers"], json=refund_body("card", approval["approval_id"])
    )
    assert card.status_code == 422 and card.json()["detail"][0]["loc"] == ["body", "method"]
    cash = refund_body("cash", approval["approval_id"], quantity=2)
    response = await client.post(url, headers=booth["headers"], json=cash)
    assert response.status_code == 201, response.text
    row = await service.pool.fetchrow(
        "select method, approval_id from refunds where refund_id = $1",
        uuid.UUID(cash["refund_id"]),
    )
    assert (row["method"], str(row["approval_id"])) == ("cash", approval["approval_id"])
    value = await service.pool.fetchval(
        """select value from outbox where event_type = 'sales.sale_refunded'
            and convert_from(value, 'UTF8')::jsonb -> 'payload' ->> 'refund_id' = $1""",
        cash["refund_id"],
    )
    envelope = orjson.loads(value)
    assert envelope["version"] == 2
    assert envelope["payload"]["method"] == "cash"
    assert envelope["payload"]["approval"]["approval_id"] == approval["approval_id"]
    assert envelope["payload"]["approval"]["reason"] == "tài khoản của khách bị khoá"


# -- b: prices below the list ----------------------------------------------------------------


async def test_a_till_may_not_sell_a_100000_dong_product_for_1_dong(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Sâm Ngọc Linh", 100_000)])
    cheap = sale(booth["products"])
    cheap["lines"][0]["unit_price_vnd"] = 1
    cheap["total_vnd"] = cheap["payments"][0]["amount_vnd"] = 1
    response = await client.post("/sales", headers=booth["headers"], json=cheap)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "lines", "0", "unit_price_vnd"]
    # A discount without its reason, or beyond 20 %, is refused too...
    no_reason = sale(booth["products"], discount=5_000)
    del no_reason["lines"][0]["discount_reason"]
    too_much = sale(booth["products"], discount=20_001)
    for body, field in ((no_reason, "discount_reason"), (too_much, "discount_vnd")):
        response = await client.post("/sales", headers=booth["headers"], json=body)
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["loc"] == ["body", "lines", "0", field]
    assert not await service.pool.fetchval(
        "select count(*) from sales where exhibitor_id = $1", booth["exhibitor"].exhibitor_id
    )
    # ...while 20 % with its reason is sold, and the reason kept with the line.
    fine = sale(booth["products"], discount=20_000)
    response = await client.post("/sales", headers=booth["headers"], json=fine)
    assert response.status_code == 201, response.text
    line = await service.pool.fetchrow(
        "select discount_vnd, discount_reason, total_vnd from sale_lines where sale_id = $1",
        uuid.UUID(fine["sale_id"]),
    )
    assert tuple(line.values()) == (20_000, "khuyến mãi khai trương", 80_000)


# -- c: offline sales backdated before the till's last online contact --------------------------


async def test_an_offline_sale_backdated_days_is_flagged_or_refused_never_silently_counted(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Nước mắm", 90_000), ("Miến dong", 60_000)])
    revoked, kept = booth["products"]
    terminal = uuid.UUID(booth["terminal"]["terminal_id"])
    now = datetime.now(UTC)
    # The fair has run for five days; the till was enrolled four days ago and sold online
    # just now (its last confirmed online contact).
    await service.pool.execute(
        "update fairs set starts_at = $2 where fair_id = $1",
        upstream.fair_id,
        now - timedelta(days=5),
    )
    await service.pool.execute(
        "update terminals set created_at = $2 where terminal_id = $1",
        terminal,
        now - timedelta(days=4),
    )
    online = sale([kept])
    assert (await client.post("/sales", headers=booth["headers"], json=online)).status_code == 201
    contact = await service.pool.fetchval(
        "select last_online_at from terminals where terminal_id = $1", terminal
    )
    assert contact is not None and abs((contact - now).total_seconds()) < 60
    # The product was revoked 27 h ago; the till uploads sales it says it made 30 h ago.
    await service.pool.execute(
        "update catalog set blocked_at = $2 where product_id = $1",
        revoked.product_id,
        now - timedelta(hours=27),
    )
    made = now - timedelta(hours=30)
    batch = [
        sale([revoked], device_time=made),  # "before the revocation": judged 24 h ago
        sale([kept], device_time=made),  # counted, flagged for review
        sale([kept], device_time=now - timedelta(hours=3)),  # within the window
    ]
    response = await client.post("/sales/batch", headers=booth["headers"], json={"sales": batch})
    assert response.status_code == 200, response.text
    refused_, flagged, normal = response.json()["results"]
    assert refused_["status"] == "rejected"
    assert refused_["error"]["field"] == "lines.0.product_id" and refused_["error"]["status"] == 422
    assert "device_time" in refused_["error"]["message"]
    assert (flagged["status"], flagged["review"]) == ("recorded", "backdated")
    assert normal["status"] == "recorded" and "review" not in normal
    # Stored as the till reported it, flagged; listed for review to the fair's organizer.
    row = await service.pool.fetchrow(
        "select device_time, review from sales where sale_id = $1",
        uuid.UUID(batch[1]["sale_id"]),
    )
    assert (row["device_time"], row["review"]) == (made, "backdated")
    listed = await client.get(
        "/sales",
        headers=upstream.organizer_headers,
        params={"fair_id": str(upstream.fair_id), "for_review": "true"},
    )
    assert listed.status_code == 200, listed.text
    assert [(s["sale_id"], s["review"]) for s in listed.json()] == [
        (batch[1]["sale_id"], "backdated")
    ]
    # A replay answers as the first time, flag included.
    again = await client.post("/sales/batch", headers=booth["headers"], json={"sales": batch[1:2]})
    assert again.json()["results"][0] | {"status": "x"} == flagged | {"status": "x"}
    assert again.json()["results"][0]["status"] == "replayed"
