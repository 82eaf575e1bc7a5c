"""The till's API (issue 13): pairing a device with a one-time code, the till's own view and
catalogue (ETag, 304), receipt numbers given by the device, one sale as its receipt shows it,
a fair's till rules, and a session with its Z-report for a reprint."""

from __future__ import annotations

import asyncio
import hashlib
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from ocop_shared import ratelimit
from ocop_shared.contracts.registration import CertificateRevoked, ExhibitorUpdated
from ocop_shared.service import Service

Upstream = Any
App = tuple[Service, httpx.AsyncClient]
CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


@pytest.fixture(autouse=True)
def pairing_limit(sales_app: App) -> Iterator[None]:
    """These tests pair many devices from one address: a bucket of their own, generous."""
    service, _client = sales_app
    saved = service.rate_limits["sign_in"]
    service.rate_limits["sign_in"] = ratelimit.Limit(f"pair_{uuid.uuid4().hex[:8]}", 1000, 60)
    yield
    service.rate_limits["sign_in"] = saved


async def organizer_of_another_fair(new_upstream: Any) -> Upstream:
    """Another organizer's running fair, once sales knows the fair and its credential."""
    other = await new_upstream()
    url = f"/fairs/{other.fair_id}/till-rules"
    deadline = time.monotonic() + 30
    while (await other.client.get(url, headers=other.organizer_headers)).status_code != 200:
        assert time.monotonic() < deadline, "the other organizer never arrived"
        await asyncio.sleep(0.05)
    return other


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def enrol_for_pairing(upstream: Upstream, booth: dict[str, Any]) -> dict[str, Any]:
    response = await upstream.client.post(
        f"/fairs/{upstream.fair_id}/terminals",
        headers=upstream.organizer_headers,
        json={"booth_id": str(booth["booth_id"]), "label": "Quầy điện thoại", "pairing": True},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def paired(client: httpx.AsyncClient, code: str) -> dict[str, Any]:
    response = await client.post("/terminals/pair", json={"code": code})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_till_enrolled_for_pairing_is_paired_once_by_its_code(
    upstream: Upstream, sales_app: App
) -> None:
    service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Mật ong bạc hà", 250_000)])
    enrolled = await enrol_for_pairing(upstream, booth)
    assert enrolled["token"] is None
    code = enrolled["pairing_code"]
    assert CODE.match(code), code
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{5}", enrolled["receipt_prefix"])
    expires = datetime.fromisoformat(enrolled["pairing_expires_at"])
    assert timedelta(hours=23, minutes=59) < expires - datetime.now(UTC) <= timedelta(hours=24)
    terminal = uuid.UUID(enrolled["terminal_id"])
    # No device credential exists until a device pairs; only the code's hash is stored.
    assert (
        await service.pool.fetchval(
            "select count(*) from api_tokens where subject = $1", str(terminal)
        )
        == 0
    )
    stored = await service.pool.fetchval(
        "select code_hash from terminal_pairings where terminal_id = $1", terminal
    )
    assert stored == hashlib.sha256(code.replace("-", "").encode()).digest()

    # Typed sloppily: lower case, spaces, O for 0 and l for 1 still pair.
    typed = " ".join(code.replace("-", "").lower()).replace("0", "o").replace("1", "l")
    till = await paired(client, typed)
    assert till == {
        "terminal_id": str(terminal),
        "token": till["token"],
        "receipt_prefix": enrolled["receipt_prefix"],
        "fair_id": str(upstream.fair_id),
        "booth_id": str(booth["booth_id"]),
        "booth_code": enrolled["booth_code"],
        "label": "Quầy điện thoại",
    }
    me = await client.get("/terminals/me", headers=bearer(till["token"]))
    assert me.status_code == 200, me.text
    assert me.json()["terminal_id"] == str(terminal)

    # Once only: the same code again, an unknown code and a malformed one answer alike.
    again = await client.post("/terminals/pair", json={"code": code})
    unknown = await client.post("/terminals/pair", json={"code": "ZZZZ-ZZZZ-ZZZZ"})
    malformed = await client.post("/terminals/pair", json={"code": "hello"})
    for answer in (again, unknown, malformed):
        assert answer.status_code == 404
        assert answer.json() == again.json()
    assert again.json()["field"] == "code"
    assert (await client.get("/terminals/me", headers=bearer(till["token"]))).status_code == 200
    # Two devices racing with one code: exactly one is paired.
    second = await enrol_for_pairing(upstream, booth)
    race = await asyncio.gather(
        *(client.post("/terminals/pair", json={"code": second["pairing_code"]}) for _ in range(5))
    )
    assert sorted(r.status_code for r in race) == [200, 404, 404, 404, 404]
    # Enrolment without pairing is unchanged (API clients, the CLI, the demo).
    assert booth["terminal"]["token"].startswith("ocop_ter_")
    assert booth["terminal"]["pairing_code"] is None


async def test_an_expired_code_pairs_nothing(upstream: Upstream, sales_app: App) -> None:
    service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Chè Shan tuyết", 120_000)])
    enrolled = await enrol_for_pairing(upstream, booth)
    await service.pool.execute(
        "update terminal_pairings set expires_at = now() - interval '1 second' where terminal_id = $1",
        uuid.UUID(enrolled["terminal_id"]),
    )
    response = await client.post("/terminals/pair", json={"code": enrolled["pairing_code"]})
    assert response.status_code == 404
    assert response.json()["field"] == "code"
    assert (
        await service.pool.fetchval(
            "select count(*) from api_tokens where subject = $1", enrolled["terminal_id"]
        )
        == 0
    )


async def test_a_new_code_revokes_the_old_device_at_once_and_the_unused_code(
    upstream: Upstream, new_upstream: Any, sales_app: App
) -> None:
    _service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Nước mắm", 90_000)])
    enrolled = await enrol_for_pairing(upstream, booth)
    terminal = enrolled["terminal_id"]
    first = await paired(client, enrolled["pairing_code"])
    assert (await client.get("/terminals/me", headers=bearer(first["token"]))).status_code == 200

    issued = await client.post(
        f"/terminals/{terminal}/pairing-code", headers=upstream.organizer_headers
    )
    assert issued.status_code == 201, issued.text
    assert CODE.match(issued.json()["pairing_code"])
    # The device it replaces is refused on its very next request.
    assert (await client.get("/terminals/me", headers=bearer(first["token"]))).status_code == 401
    # A code issued and then replaced before use pairs nothing; the newest does.
    newer = await client.post(
        f"/terminals/{terminal}/pairing-code", headers=upstream.organizer_headers
    )
    stale = await client.post("/terminals/pair", json={"code": issued.json()["pairing_code"]})
    assert stale.status_code == 404
    replacement = await paired(client, newer.json()["pairing_code"])
    assert replacement["terminal_id"] == terminal
    assert (
        await client.get("/terminals/me", headers=bearer(replacement["token"]))
    ).status_code == 200

    # Another organizer's till is not there for this organizer.
    other = await organizer_of_another_fair(new_upstream)
    assert (
        await client.post(f"/terminals/{terminal}/pairing-code", headers=other.organizer_headers)
    ).status_code == 404
    # A suspended till gets no code, and a code issued before cannot pair it.
    pending = await client.post(
        f"/terminals/{terminal}/pairing-code", headers=upstream.organizer_headers
    )
    suspended = await client.post(
        f"/terminals/{terminal}/suspend", headers=upstream.organizer_headers
    )
    assert suspended.status_code == 200
    refused = await client.post(
        f"/terminals/{terminal}/pairing-code", headers=upstream.organizer_headers
    )
    assert refused.status_code == 409
    assert refused.json()["field"] == "terminal"
    late = await client.post("/terminals/pair", json={"code": pending.json()["pairing_code"]})
    assert late.status_code == 404
    assert late.json()["field"] == "code"


async def test_pairing_attempts_are_rate_limited_per_client(
    upstream: Upstream, sales_app: App
) -> None:
    service, client = sales_app
    service.rate_limits["sign_in"] = ratelimit.Limit(f"pair_{uuid.uuid4().hex[:8]}", 3, 60)
    answers = [
        (await client.post("/terminals/pair", json={"code": "AAAA-BBBB-CCCC"})).status_code
        for _ in range(4)
    ]
    assert answers == [404, 404, 404, 429]
    limited = await client.post("/terminals/pair", json={"code": "AAAA-BBBB-CCCC"})
    assert int(limited.headers["Retry-After"]) >= 1


async def test_receipt_numbers_given_by_the_till_are_kept_unique_and_move_the_counter(
    upstream: Upstream, sales_app: App, sale: Any
) -> None:
    _service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Mật ong", 200_000)])
    headers, products = booth["headers"], booth["products"]

    def numbered(receipt_no: int | None) -> dict[str, Any]:
        body: dict[str, Any] = sale(products)
        if receipt_no is not None:
            body["receipt_no"] = receipt_no
        return body

    given = numbered(5)
    response = await client.post("/sales", headers=headers, json=given)
    assert response.status_code == 201, response.text
    assert response.json()["receipt_no"] == 5
    # The same sale again is a replay with its number; another sale with that number is not.
    replay = await client.post("/sales", headers=headers, json=given)
    assert (replay.status_code, replay.json()["receipt_no"]) == (200, 5)
    taken = await client.post("/sales", headers=headers, json=numbered(5))
    assert taken.status_code == 409
    assert taken.json() == {
        "detail": taken.json()["detail"],
        "code": "receipt_taken",
        "field": "receipt_no",
    }
    # The counter moved past it: the server numbers the next sale 6.
    server = await client.post("/sales", headers=headers, json=numbered(None))
    assert server.json()["receipt_no"] == 6
    # Out of order (numbers 1..3 made offline, uploaded late), a taken one, a twin in the
    # batch: each kept or refused alone, the rest go on.
    batch = [numbered(3), numbered(1), numbered(5), numbered(2), numbered(9), numbered(9)]
    results = (await client.post("/sales/batch", headers=headers, json={"sales": batch})).json()[
        "results"
    ]
    assert [(r["status"], r.get("receipt_no")) for r in results] == [
        ("recorded", 3),
        ("recorded", 1),
        ("rejected", None),
        ("recorded", 2),
        ("recorded", 9),
        ("rejected", None),
    ]
    for refused in (results[2], results[5]):
        assert refused["error"]["code"] == "receipt_taken"
        assert refused["error"]["field"] == "receipt_no"
        assert refused["error"]["status"] == 409
    me = (await client.get("/terminals/me", headers=headers)).json()
    assert me["next_receipt_no"] == 10
    # A server-numbered sale in a batch skips the numbers the batch's sales give.
    mixed = (
        await client.post(
            "/sales/batch", headers=headers, json={"sales": [numbered(None), numbered(10)]}
        )
    ).json()["results"]
    assert [r["receipt_no"] for r in mixed] == [11, 10]
    # Out of range or not an integer: 422 naming it.
    for bad in (0, 2**31, "12"):
        body = numbered(None) | {"receipt_no": bad}
        refused = await client.post("/sales", headers=headers, json=body)
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"] == ["body", "receipt_no"]


async def test_concurrent_sales_with_one_receipt_number_store_one(
    upstream: Upstream, sales_app: App, sale: Any
) -> None:
    """Below the counter the counter guard lets both writes through: the unique receipt
    number decides, the loser reads again and is refused, never a 5xx."""
    service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Miến dong", 60_000)])
    headers = booth["headers"]
    first = sale(booth["products"]) | {"receipt_no": 50}
    assert (await client.post("/sales", headers=headers, json=first)).status_code == 201
    bodies = [sale(booth["products"]) | {"receipt_no": 7} for _ in range(8)]
    answers = await asyncio.gather(
        *(client.post("/sales", headers=headers, json=b) for b in bodies)
    )
    assert sorted(a.status_code for a in answers) == [201] + [409] * 7
    assert (
        await service.pool.fetchval(
            "select count(*) from sales where terminal_id = $1 and receipt_no = 7",
            uuid.UUID(booth["terminal"]["terminal_id"]),
        )
        == 1
    )


async def test_the_till_sees_itself_its_rules_session_and_exhibitors_bank(
    upstream: Upstream, sales_app: App
) -> None:
    _service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Sâm", 800_000)])
    headers = booth["headers"]
    me = (await client.get("/terminals/me", headers=headers)).json()
    exhibitor = booth["exhibitor"]
    assert me["status"] == "active"
    assert me["receipt_prefix"] == booth["terminal"]["receipt_prefix"]
    assert me["next_receipt_no"] == 1
    assert me["fair"]["fair_id"] == str(upstream.fair_id)
    assert me["fair"]["status"] == "running"
    assert me["booth"] == {
        "booth_id": str(booth["booth_id"]),
        "code": booth["terminal"]["booth_code"],
    }
    assert me["exhibitor"] == {
        "exhibitor_id": str(exhibitor.exhibitor_id),
        "name": exhibitor.name,
        "bank": None,
    }
    assert me["rules"] == {
        "offline_max_hours": 24,
        "offline_max_sale_vnd": 20_000_000,
        "offline_max_unsynced_vnd": 200_000_000,
        "offline_max_unsynced_count": 500,
        "max_discount_percent": 20,
    }
    assert me["session"] is None
    assert abs(datetime.fromisoformat(me["server_time"]) - datetime.now(UTC)) < timedelta(minutes=1)

    opened = (
        await client.post("/sessions", headers=headers, json={"opening_cash_vnd": 500_000})
    ).json()
    me = (await client.get("/terminals/me", headers=headers)).json()
    assert me["session"]["session_id"] == opened["session_id"]
    assert me["session"]["opening_cash_vnd"] == 500_000

    # The exhibitor's bank account arrives from registration.exhibitors.
    await upstream.publish(
        [
            ExhibitorUpdated(
                exhibitor=exhibitor.model_copy(
                    update={
                        "bank_bin": "970436",
                        "bank_account": "0011004455667",
                        "bank_account_name": "HTX MAT ONG BAC HA",
                    }
                )
            )
        ]
    )
    deadline = time.monotonic() + 30
    while (me := (await client.get("/terminals/me", headers=headers)).json())["exhibitor"][
        "bank"
    ] is None:
        assert time.monotonic() < deadline, "the bank account never arrived"
        await asyncio.sleep(0.05)
    assert me["exhibitor"]["bank"] == {
        "bin": "970436",
        "account": "0011004455667",
        "account_name": "HTX MAT ONG BAC HA",
    }
    # Only tills call it.
    assert (
        await client.get("/terminals/me", headers=upstream.organizer_headers)
    ).status_code == 403


async def test_the_catalogue_answers_304_until_it_changes_and_shows_a_revoked_product(
    upstream: Upstream, sales_app: App
) -> None:
    _service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Sâm Bố Chính", 800_000), ("Mật ong", 200_000)])
    headers = booth["headers"]
    revoked, kept = booth["products"]
    first = await client.get("/terminals/me/catalog", headers=headers)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    items = {i["product_id"]: i for i in first.json()["items"]}
    assert items[str(kept.product_id)] == {
        "product_id": str(kept.product_id),
        "name": "Mật ong",
        "gtin": kept.gtin,
        "producer_id": str(kept.holder_id),
        "producer_name": booth["exhibitor"].name,
        "star": kept.certificate.star,
        "product_group": kept.group,
        "list_price_vnd": 200_000,
        "sellable": True,
        "reason": None,
        "stock": None,  # issue 15: not tracked at this booth
        "sold_out": False,
    }
    same = await client.get("/terminals/me/catalog", headers=headers | {"If-None-Match": etag})
    assert (same.status_code, same.content, same.headers["ETag"]) == (304, b"", etag)
    listed = await client.get(
        "/terminals/me/catalog", headers=headers | {"If-None-Match": f'"x", {etag}'}
    )
    assert listed.status_code == 304

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
    deadline = time.monotonic() + 30
    while (
        changed := await client.get(
            "/terminals/me/catalog", headers=headers | {"If-None-Match": etag}
        )
    ).status_code == 304:
        assert time.monotonic() < deadline, "the revocation never reached the catalogue"
        await asyncio.sleep(0.05)
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    items = {i["product_id"]: i for i in changed.json()["items"]}
    assert (
        items[str(revoked.product_id)]["sellable"],
        items[str(revoked.product_id)]["reason"],
    ) == (
        False,
        "revoked",
    )
    assert items[str(kept.product_id)]["sellable"] is True


async def test_one_sale_as_its_receipt_shows_it_for_those_who_reach_it(
    upstream: Upstream, new_upstream: Any, sales_app: App, sale: Any
) -> None:
    _service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Mật ong", 200_000), ("Chè", 100_000)])
    other = await upstream.exhibitor_at_booth([("Nước mắm", 90_000)])
    body = sale(booth["products"], [2, 1], discount=20_000) | {"receipt_no": 123}
    sold = await client.post("/sales", headers=booth["headers"], json=body)
    assert sold.status_code == 201, sold.text
    sale_id = body["sale_id"]
    refund = await client.post(
        f"/sales/{sale_id}/refunds",
        headers=booth["headers"],
        json={
            "refund_id": str(uuid.uuid4()),
            "lines": [{"line_no": 0, "quantity": 1}],
            "method": "cash",
            "reason": "khách đổi ý",
        },
    )
    assert refund.status_code == 201, refund.text
    answer = await client.get(f"/sales/{sale_id}", headers=booth["headers"])
    assert answer.status_code == 200, answer.text
    detail = answer.json()
    prefix = booth["terminal"]["receipt_prefix"]
    assert detail["receipt"] == f"{prefix}-000123"
    assert (detail["receipt_no"], detail["total_vnd"]) == (123, 480_000)
    assert detail["payments"] == {"cash": 480_000}
    assert detail["booth_code"] == booth["terminal"]["booth_code"]
    honey, tea = booth["products"]
    assert [
        (
            line["line_no"],
            line["name"],
            line["producer_name"],
            line["star"],
            line["quantity"],
            line["discount_vnd"],
            line["total_vnd"],
            line["refunded_quantity"],
        )
        for line in detail["lines"]
    ] == [
        (0, "Mật ong", booth["exhibitor"].name, honey.certificate.star, 2, 20_000, 380_000, 1),
        (1, "Chè", booth["exhibitor"].name, tea.certificate.star, 1, 0, 100_000, 0),
    ]
    assert detail["lines"][0]["discount_reason"] == "khuyến mãi khai trương"
    assert [r["total_vnd"] for r in detail["refunds"]] == [refund.json()["total_vnd"]]
    # The exhibitor and the fair's organizer read it too.
    exhibitor_headers, _ = await upstream.credential(
        "exhibitor", str(booth["exhibitor"].exhibitor_id)
    )
    for reader in (exhibitor_headers, upstream.organizer_headers):
        assert (await client.get(f"/sales/{sale_id}", headers=reader)).json() == detail
    # Another till, another exhibitor, another organizer: not there; nor an unknown sale.
    other_org = await organizer_of_another_fair(new_upstream)
    other_exhibitor, _ = await upstream.credential(
        "exhibitor", str(other["exhibitor"].exhibitor_id)
    )
    for stranger in (other["headers"], other_exhibitor, other_org.organizer_headers):
        assert (await client.get(f"/sales/{sale_id}", headers=stranger)).status_code == 404
    unknown = await client.get(f"/sales/{uuid.uuid4()}", headers=booth["headers"])
    assert unknown.status_code == 404


async def test_a_fairs_till_rules_are_validated_and_its_discount_limit_applies(
    upstream: Upstream, new_upstream: Any, sales_app: App, sale: Any
) -> None:
    _service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Mật ong", 100_000)])
    url = f"/fairs/{upstream.fair_id}/till-rules"
    defaults = (await client.get(url, headers=upstream.organizer_headers)).json()
    assert defaults["max_discount_percent"] == 20
    good = defaults | {"offline_max_hours": 8, "max_discount_percent": 5}
    for field, bad in (
        ("offline_max_hours", 0),
        ("offline_max_hours", 73),
        ("offline_max_unsynced_count", 10_001),
        ("max_discount_percent", 51),
        ("offline_max_sale_vnd", "1000"),
    ):
        refused = await client.put(
            url, headers=upstream.organizer_headers, json=good | {field: bad}
        )
        assert refused.status_code == 422, (field, bad)
        assert refused.json()["detail"][0]["loc"] == ["body", field]
    missing = {k: v for k, v in good.items() if k != "offline_max_hours"}
    refused = await client.put(url, headers=upstream.organizer_headers, json=missing)
    assert refused.json()["detail"][0]["loc"] == ["body", "offline_max_hours"]
    too_big = good | {"offline_max_sale_vnd": 300_000_000, "offline_max_unsynced_vnd": 200_000_000}
    refused = await client.put(url, headers=upstream.organizer_headers, json=too_big)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "offline_max_sale_vnd"]
    # Another organizer's fair is not there, for reading or writing.
    other = await organizer_of_another_fair(new_upstream)
    assert (await client.get(url, headers=other.organizer_headers)).status_code == 404
    assert (await client.put(url, headers=other.organizer_headers, json=good)).status_code == 404

    # Before: 10 % off is within the service's 20 %.
    headers = booth["headers"]
    assert (
        await client.post("/sales", headers=headers, json=sale(booth["products"], discount=10_000))
    ).status_code == 201
    saved = await client.put(url, headers=upstream.organizer_headers, json=good)
    assert saved.status_code == 200, saved.text
    assert saved.json() == good
    assert (await client.get(url, headers=upstream.organizer_headers)).json() == good
    assert (await client.get("/terminals/me", headers=headers)).json()["rules"] == good
    # After: the fair's 5 % applies.
    beyond = await client.post(
        "/sales", headers=headers, json=sale(booth["products"], discount=10_000)
    )
    assert beyond.status_code == 422
    assert beyond.json()["detail"][0]["loc"] == ["body", "lines", "0", "discount_vnd"]
    assert "5 %" in beyond.json()["detail"][0]["msg"]
    within = await client.post(
        "/sales", headers=headers, json=sale(booth["products"], discount=5_000)
    )
    assert within.status_code == 201, within.text


async def test_a_session_and_its_z_report_are_read_back_with_the_receipt_range(
    upstream: Upstream, new_upstream: Any, sales_app: App, sale: Any
) -> None:
    _service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Mật ong", 100_000)])
    other = await upstream.exhibitor_at_booth([("Chè", 50_000)])
    headers = booth["headers"]
    session_id = (
        await client.post("/sessions", headers=headers, json={"opening_cash_vnd": 0})
    ).json()["session_id"]
    url = f"/sessions/{session_id}"
    open_now = (await client.get(url, headers=headers)).json()
    assert (open_now["closed_at"], open_now["z_report"]) == (None, None)
    for receipt_no in (10, 11, None):
        body = sale(booth["products"])
        if receipt_no is not None:
            body["receipt_no"] = receipt_no
        assert (await client.post("/sales", headers=headers, json=body)).status_code == 201
    closed = await client.post(f"{url}/close", headers=headers, json={"counted_cash_vnd": 300_000})
    report = closed.json()
    assert (report["first_receipt_no"], report["last_receipt_no"], report["sales"]) == (10, 12, 3)
    read = (await client.get(url, headers=headers)).json()
    assert read["z_report"] == report
    assert read["counted_cash_vnd"] == 300_000
    assert (await client.get(url, headers=upstream.organizer_headers)).json() == read
    other_org = await organizer_of_another_fair(new_upstream)
    for stranger in (other["headers"], other_org.organizer_headers):
        assert (await client.get(url, headers=stranger)).status_code == 404
    assert (await client.get(f"/sessions/{uuid.uuid4()}", headers=headers)).status_code == 404


async def test_a_till_reading_its_catalogue_is_seen_by_its_organizer(
    upstream: Upstream, sales_app: App
) -> None:
    """A browser till uploads in batches (judged offline), so its last online sale says
    little; its catalogue polls mark it seen, at most every 10 s."""
    _service, client = sales_app
    booth = await upstream.exhibitor_at_booth([("Chả mực Hạ Long", 300_000)])
    device = await paired(client, (await enrol_for_pairing(upstream, booth))["pairing_code"])
    listing_url = f"/fairs/{upstream.fair_id}/terminals"

    async def seen_at() -> str | None:
        listed = await client.get(listing_url, headers=upstream.organizer_headers)
        assert listed.status_code == 200, listed.text
        [till] = [t for t in listed.json() if t["terminal_id"] == device["terminal_id"]]
        value: str | None = till["last_seen_at"]
        return value

    assert await seen_at() is None  # paired, never heard of since
    read = await client.get("/terminals/me/catalog", headers=bearer(device["token"]))
    assert read.status_code == 200, read.text
    first = await seen_at()
    assert first is not None
    again = await client.get("/terminals/me/catalog", headers=bearer(device["token"]))
    assert again.status_code == 200
    assert await seen_at() == first  # within 10 s: no write per poll
