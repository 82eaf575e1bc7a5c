"""VietQR transfers against the real Postgres and Kafka: pending until the cashier or the
bank confirms them once; the SePay-style webhook, sent by a local sender (httpx against the
app) with the exhibitor's own key, however often it is delivered; other keys and other
amounts confirm nothing; a notification that arrives before its offline sale is matched at
upload; the Z-report counts what still waits for the bank."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from ocop_shared.service import Service

Upstream = Any
_ids = itertools.count(int(datetime.now(UTC).timestamp() * 1000))


def pending_sale(sale: Any, products: Any, code: str, *, confirmed: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = sale(products)
    body["payments"] = [
        {
            "method": "vietqr",
            "amount_vnd": body["total_vnd"],
            "payment_code": code,
            "confirmed": confirmed,
        }
    ]
    return body


def sepay(
    code: str, amount: int, *, content: str | None = None, kind: str = "in"
) -> dict[str, Any]:
    """A notification as SePay posts it."""
    return {
        "id": next(_ids),
        "gateway": "Vietcombank",
        "transactionDate": "2026-03-10 14:02:37",
        "accountNumber": "0123499999",
        "code": None,
        "content": content if content is not None else f"{code.lower()} thanh toan don hang",
        "transferType": kind,
        "transferAmount": amount,
        "accumulated": 19_077_000,
        "subAccount": None,
        "referenceCode": "MBVCB.3278907687",
        "description": "",
    }


def new_code() -> str:
    return "OCOP" + uuid.uuid4().hex[:10].upper()


async def webhook_key(upstream: Upstream, client: httpx.AsyncClient, booth: dict[str, Any]) -> str:
    owner, _ = await upstream.credential("exhibitor", str(booth["exhibitor"].exhibitor_id))
    made = await client.post("/bank-webhook-keys", headers=owner, json={"label": "SePay"})
    assert made.status_code == 201, made.text
    assert made.json()["header"] == f"Authorization: Apikey {made.json()['key']}"
    return str(made.json()["key"])


def apikey(key: str) -> dict[str, str]:
    return {"Authorization": f"Apikey {key}"}


async def transfer(service: Service, sale_id: str) -> Any:
    return await service.pool.fetchrow(
        "select * from transfers where sale_id = $1", uuid.UUID(sale_id)
    )


async def events(service: Service, sale_id: str) -> int:
    count: int = await service.pool.fetchval(
        """select count(*) from outbox where event_type = 'sales.transfer_confirmed'
              and convert_from(value, 'UTF8')::jsonb #>> '{payload,sale_id}' = $1""",
        sale_id,
    )
    return count


async def test_a_pending_transfer_is_confirmed_by_the_cashier_once(
    upstream: Upstream, new_upstream: Any, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Mật ong", 150_000)])
    code = new_code()
    body = pending_sale(sale, booth["products"], code)
    made = await client.post("/sales", headers=booth["headers"], json=body)
    assert made.status_code == 201, made.text
    listed = await client.get("/transfers?status=pending", headers=booth["headers"])
    assert [t["payment_code"] for t in listed.json()] == [code]
    assert listed.json()[0]["status"] == "pending" and listed.json()[0]["confirmed_by"] is None

    url = f"/sales/{body['sale_id']}/transfers/{code}/confirm"
    # Another organizer's and another till's reach: 404, nothing changes.
    other = await new_upstream()
    their = await other.exhibitor_at_booth([("Chè", 10_000)])
    for headers in (other.organizer_headers, their["headers"]):
        refused = await client.post(url, headers=headers)
        assert refused.status_code == 404, refused.text
    assert (await transfer(service, body["sale_id"]))["status"] == "pending"

    answers = [await client.post(url, headers=booth["headers"]) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200], answers[0].text
    assert {(a.json()["status"], a.json()["confirmed_by"]) for a in answers} == {
        ("confirmed", "cashier")
    }
    assert len({a.json()["confirmed_at"] for a in answers}) == 1
    # The fair's organizer may confirm too: the same answer.
    by_organizer = await client.post(url, headers=upstream.organizer_headers)
    assert by_organizer.json() == answers[0].json()
    assert await events(service, body["sale_id"]) == 1
    missing = await client.post(
        f"/sales/{body['sale_id']}/transfers/OCOPNOSUCH1/confirm", headers=booth["headers"]
    )
    assert missing.status_code == 404


async def test_the_webhook_confirms_a_pending_sale_once_however_often_it_is_delivered(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Nước mắm", 95_000)])
    key = await webhook_key(upstream, client, booth)
    code = new_code()
    body = pending_sale(sale, booth["products"], code)
    assert (await client.post("/sales", headers=booth["headers"], json=body)).status_code == 201
    notification = sepay(code, body["total_vnd"])
    delivered = await asyncio.gather(
        *(
            client.post("/bank-notifications", headers=apikey(key), json=notification)
            for _ in range(5)
        )
    )
    assert [(d.status_code, d.json()) for d in delivered] == [(200, {"success": True})] * 5
    stored = await transfer(service, body["sale_id"])
    assert (stored["status"], stored["confirmed_by"]) == ("confirmed", "bank")
    assert stored["bank_transaction_id"] == str(notification["id"])
    assert await events(service, body["sale_id"]) == 1
    kept = await service.pool.fetchval(
        "select count(*) from bank_notifications where provider_id = $1", str(notification["id"])
    )
    assert kept == 1
    # The cashier confirming afterwards answers the bank's confirmation, no second event.
    again = await client.post(
        f"/sales/{body['sale_id']}/transfers/{code}/confirm", headers=booth["headers"]
    )
    assert again.status_code == 200 and again.json()["confirmed_by"] == "bank"
    assert await events(service, body["sale_id"]) == 1


async def test_wrong_keys_are_refused_and_other_keys_or_amounts_confirm_nothing(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Miến dong", 60_000)])
    other = await upstream.exhibitor_at_booth([("Sâm", 60_000)])
    key = await webhook_key(upstream, client, booth)
    their_key = await webhook_key(upstream, client, other)
    code = new_code()
    body = pending_sale(sale, booth["products"], code)
    assert (await client.post("/sales", headers=booth["headers"], json=body)).status_code == 201
    notification = sepay(code, body["total_vnd"])
    count = "select count(*) from bank_notifications"
    before = await service.pool.fetchval(count)
    owner, _ = await upstream.credential("exhibitor", str(booth["exhibitor"].exhibitor_id))
    for headers in (
        {},
        apikey("ocop_whk_not-a-key"),
        {"Authorization": f"Bearer {key}"},
        owner,  # a person's credential is not a webhook key
        booth["headers"],  # nor is a till's
    ):
        refused = await client.post("/bank-notifications", headers=headers, json=notification)
        assert refused.status_code == 401, refused.text
    # Checked before the body: a wrong key with a malformed body is still 401.
    bad = await client.post("/bank-notifications", headers=apikey("x"), content=b"{")
    assert bad.status_code == 401
    assert await service.pool.fetchval(count) == before

    # Another exhibitor's key: accepted (its own account's notification), confirms nothing
    # of ours. Another amount with our key: kept, the transfer still waits.
    theirs = await client.post("/bank-notifications", headers=apikey(their_key), json=notification)
    assert theirs.status_code == 200
    short = sepay(code, body["total_vnd"] - 1)
    assert (
        await client.post("/bank-notifications", headers=apikey(key), json=short)
    ).status_code == 200
    outgoing = sepay(code, body["total_vnd"], kind="out")
    assert (
        await client.post("/bank-notifications", headers=apikey(key), json=outgoing)
    ).status_code == 200
    assert (await transfer(service, body["sale_id"]))["status"] == "pending"
    assert await events(service, body["sale_id"]) == 0

    # Malformed, with the right key: 422 naming the field.
    for field, value in (("transferAmount", "150.000"), ("transferType", "sideways"), ("id", None)):
        broken = {**notification, field: value}
        answer = await client.post("/bank-notifications", headers=apikey(key), json=broken)
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"][0]["loc"][:2] == ["body", field]

    # A revoked key stops at once.
    owner_keys = await client.get("/bank-webhook-keys", headers=owner)
    assert [k["hint"] for k in owner_keys.json()] == [key[-4:]] and "key" not in owner_keys.json()[
        0
    ]
    key_id = owner_keys.json()[0]["key_id"]
    revoked = await client.delete(f"/bank-webhook-keys/{key_id}", headers=owner)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    late = await client.post("/bank-notifications", headers=apikey(key), json=notification)
    assert late.status_code == 401
    assert (await transfer(service, body["sale_id"]))["status"] == "pending"


async def test_a_notification_before_its_offline_sale_confirms_it_at_upload(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Bánh gai", 80_000)])
    key = await webhook_key(upstream, client, booth)
    code = new_code()
    body = pending_sale(sale, booth["products"], code)
    early = sepay(code, body["total_vnd"])
    assert (
        await client.post("/bank-notifications", headers=apikey(key), json=early)
    ).status_code == 200
    kept = await service.pool.fetchval(
        "select payment_code from bank_notifications where provider_id = $1", str(early["id"])
    )
    assert kept is None  # nothing to match yet: kept
    other = pending_sale(sale, booth["products"], new_code())
    for _ in range(3):  # the batch replayed: the sale, its transfer and the event once
        uploaded = await client.post(
            "/sales/batch", headers=booth["headers"], json={"sales": [body, other]}
        )
        assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["counts"] == {"replayed": 2}
    stored = await transfer(service, body["sale_id"])
    assert (stored["status"], stored["confirmed_by"]) == ("confirmed", "bank")
    assert stored["bank_transaction_id"] == str(early["id"])
    # In the sale's own write (not a later sweep): confirmed at the sale's recording time.
    recorded_at = await service.pool.fetchval(
        "select recorded_at from sales where sale_id = $1", uuid.UUID(body["sale_id"])
    )
    assert stored["confirmed_at"] == recorded_at
    assert (await transfer(service, other["sale_id"]))["status"] == "pending"
    matched = await service.pool.fetchval(
        "select payment_code from bank_notifications where provider_id = $1", str(early["id"])
    )
    assert matched == code
    assert await events(service, body["sale_id"]) == 1
    assert await events(service, other["sale_id"]) == 0
    # The same code on another sale is refused, naming it; the rest of a batch goes on.
    reused = pending_sale(sale, booth["products"], code)
    fine = sale(booth["products"])
    answer = await client.post(
        "/sales/batch", headers=booth["headers"], json={"sales": [reused, fine]}
    )
    first, second = answer.json()["results"]
    assert first["status"] == "rejected" and first["error"]["field"] == "payments.0.payment_code"
    assert first["error"]["code"] == "payment_code_taken" and second["status"] == "recorded"


async def test_vietqr_refuses_500_million_and_the_z_report_counts_what_waits_for_the_bank(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    _service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Trầm hương", 500_000_000), ("Chè", 70_000)])
    big, tea = booth["products"]
    refused = await client.post(
        "/sales", headers=booth["headers"], json=pending_sale(sale, [big], new_code())
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"][0]["loc"] == ["body", "payments", "0", "amount_vnd"]

    opened = await client.post("/sessions", headers=booth["headers"], json={"opening_cash_vnd": 0})
    assert opened.status_code == 201, opened.text
    bodies = [pending_sale(sale, [tea], new_code()) for _ in range(3)]
    bodies.append(pending_sale(sale, [tea], new_code(), confirmed=True))
    for body in bodies:
        assert (await client.post("/sales", headers=booth["headers"], json=body)).status_code == 201
    confirmed = await client.post(
        f"/sales/{bodies[0]['sale_id']}/transfers/{bodies[0]['payments'][0]['payment_code']}/confirm",
        headers=booth["headers"],
    )
    assert confirmed.status_code == 200
    closed = await client.post(
        f"/sessions/{opened.json()['session_id']}/close",
        headers=booth["headers"],
        json={"counted_cash_vnd": 0},
    )
    assert closed.status_code == 200, closed.text
    report = closed.json()
    assert (report["pending_transfers"], report["pending_transfers_vnd"]) == (2, 140_000)
    assert report["net_by_method"] == {"vietqr": 280_000}


async def test_the_reconciler_matches_a_notification_and_a_sale_that_crossed(
    upstream: Upstream, sales_app: tuple[Service, httpx.AsyncClient], sale: Any
) -> None:
    """A notification written while the sale's write was in flight (each unseen by the other)
    is left unmatched beside a pending transfer; the reconciler confirms it, once."""
    from ocop_sales.adapters.postgres import repositories
    from ocop_sales.application.commands.transfers import reconcile
    from ocop_sales.domain.transfers import match_text
    from ocop_shared.uow import UnitOfWorkFactory

    service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Cốm", 45_000)])
    key = await webhook_key(upstream, client, booth)
    code = new_code()
    body = pending_sale(sale, booth["products"], code)
    assert (await client.post("/sales", headers=booth["headers"], json=body)).status_code == 201
    exhibitor = booth["exhibitor"].exhibitor_id
    key_id = await service.pool.fetchval(
        "select key_id from bank_webhook_keys where exhibitor_id = $1", exhibitor
    )
    assert key.endswith(
        await service.pool.fetchval("select hint from bank_webhook_keys where key_id = $1", key_id)
    )
    # As the crossing leaves it: stored, unmatched, the transfer still pending.
    await service.pool.execute(
        """insert into bank_notifications (exhibitor_id, key_id, provider, provider_id, content,
                                           amount_vnd, match_text, body)
           values ($1, $2, 'sepay', $3, $4, $5, $6, '{}')""",
        exhibitor, key_id, "crossed-1", code, body["total_vnd"], match_text(None, code),
    )  # fmt: skip
    uow = UnitOfWorkFactory(service.pool, repositories, producer="sales")
    await reconcile(uow)
    stored = await transfer(service, body["sale_id"])
    assert (stored["status"], stored["confirmed_by"]) == ("confirmed", "bank")
    assert stored["bank_transaction_id"] == "crossed-1"
    await reconcile(uow)
    assert await events(service, body["sale_id"]) == 1
