"""A whole fair end to end, with faults: two replicas of each of the three services as
processes, real Kafka and PostgreSQL; requests spread over the replicas. The demo loader
brings the fair in through people's accounts (the admin creates the organizer and the
certifying councils, their owners accept; holders and delegations sign up with owners; each
council imports its part of the register). A person's session signed out at registration is
refused by every replica of booths and sales within 1 s. Then 50 tills post 5,000
sales with random retries and offline batches, while a certificate is revoked, one replica of
each service (its relay leader) is killed with SIGKILL (relay leadership moves to the
survivor within 15 s, consumer groups rebalance; the sales replica is restarted), and the
broker is stopped for 10 s. Then nothing acknowledged is lost or counted twice, the revoked
product stopped selling, every figure reconciles, and no booth has two holders."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import asyncpg
import httpx
import pytest

from ocop_cli import demo
from ocop_cli.client import Client, Endpoints, bearer
from ocop_shared.settings import CommonSettings
from ocop_testkit import wait_for

from .conftest import DATABASE, SERVICES, Kafka, Processes, relay_leader

TILLS = 50
SALES = 5000
OFFLINE_TILLS = 10
BATCH = 25
LEADERSHIP_MOVES_WITHIN_S = 15
REVOCATION_WITHIN_S = 1.0  # issue 10: a revoked session fails at booths and sales within 1 s
POLL_S = 0.05


@dataclass
class Till:
    terminal_id: str
    token: str
    catalog: list[dict[str, Any]]
    offline: bool
    journal: dict[str, dict[str, Any]] = field(default_factory=dict)  # every sale it made
    acked: dict[str, int] = field(default_factory=dict)  # sale id -> total, once acknowledged
    refused: set[str] = field(default_factory=set)
    queue: list[dict[str, Any]] = field(default_factory=list)


def idempotency_key_in_flight(response: httpx.Response) -> bool:
    """The first request under this key is still being answered (by a replica that may have
    died meanwhile): ask again."""
    return response.status_code == 409 and "idempotency-key" in response.text.lower()


class Fair:
    def __init__(self, http: httpx.AsyncClient, endpoints: Endpoints, rng: random.Random) -> None:
        self.http, self.endpoints, self.rng = http, endpoints, rng
        self.acked = 0
        self.transport_errors = 0
        self.retries = 0
        self.served: Counter[str] = Counter()  # answers by replica address

    async def post(
        self, till: Till, path: str, body: Any, *, give_up_after: float = 180
    ) -> httpx.Response:
        """Keeps trying through a dead or restarting replica, as a till on a bad line would:
        every attempt of one request carries the same Idempotency-Key, each goes to the next
        replica the load balancer has."""
        headers = {**bearer(till.token), "Idempotency-Key": str(uuid.uuid4())}
        deadline = time.monotonic() + give_up_after
        while True:
            url = self.endpoints.sales
            try:
                response = await self.http.post(url + path, json=body, headers=headers, timeout=10)
                self.served[url] += 1
                if response.status_code < 500 and not idempotency_key_in_flight(response):
                    return response
                last = f"{response.status_code} {response.text[:300]}"
            except httpx.TransportError as exc:
                self.transport_errors += 1
                last = repr(exc)
            assert time.monotonic() < deadline, (
                f"POST {path} unanswered for {give_up_after} s; last: {last}"
            )
            await asyncio.sleep(0.2 + self.rng.random() * 0.3)

    async def sell_online(self, till: Till, body: dict[str, Any]) -> None:
        response = await self.post(till, "/sales", body)
        if response.status_code in (200, 201):
            till.acked[body["sale_id"]] = response.json()["total_vnd"]
            self.acked += 1
            if self.rng.random() < 0.1:  # the till did not hear the answer: it sends again
                # (as a new request, another key: the sale id alone makes it a replay)
                self.retries += 1
                again = await self.post(till, "/sales", body)
                assert (
                    again.status_code == 200
                    and again.json()["receipt_no"] == response.json()["receipt_no"]
                ), again.text
        else:
            assert response.status_code == 422, response.text
            assert "no longer valid" in response.text, response.text
            till.refused.add(body["sale_id"])
            self.drop_refused(till, body, response.json()["detail"][0]["loc"][2])

    @staticmethod
    def drop_refused(till: Till, body: dict[str, Any], line_no: str | int) -> None:
        """The till takes a product it may no longer sell off its screen."""
        product = body["lines"][int(line_no)]["product_id"]
        till.catalog = [p for p in till.catalog if p["product_id"] != product]

    async def upload(self, till: Till) -> None:
        repeats = self.rng.sample(list(till.acked), min(5, len(till.acked)))
        batch = till.queue + [till.journal[s] for s in repeats]
        self.rng.shuffle(batch)
        response = await self.post(till, "/sales/batch", {"sales": batch})
        assert response.status_code == 200, response.text
        for result in response.json()["results"]:
            assert result["status"] in ("recorded", "replayed", "rejected"), result
            if result["status"] == "rejected":
                assert "no longer valid" in result["error"]["message"], result
                till.refused.add(result["sale_id"])
                self.drop_refused(
                    till, till.journal[result["sale_id"]], result["error"]["field"].split(".")[1]
                )
            elif result["sale_id"] not in till.acked:
                till.acked[result["sale_id"]] = result["total_vnd"]
                self.acked += 1
        till.queue.clear()

    async def run_till(self, till: Till, count: int) -> None:
        for _ in range(count):
            if not till.catalog:
                break  # everything it sold was revoked
            body = demo.sale(till.catalog, self.rng)
            till.journal[body["sale_id"]] = body
            if till.offline:
                till.queue.append(body)
                if len(till.queue) >= BATCH:
                    await self.upload(till)
            else:
                await self.sell_online(till, body)
        if till.queue:
            await self.upload(till)


async def outbox_drained(conn: asyncpg.Connection) -> bool:
    pending = 0
    for schema in ("registration", "booths", "sales"):
        pending += await conn.fetchval(
            f"select count(*) from {schema}.outbox where published_at is null"
        )
    return pending == 0


async def kill_the_relay_leaders(
    services: Processes, conn: asyncpg.Connection
) -> dict[str, dict[str, Any]]:
    """SIGKILLs one replica of each service, the one whose relay leads, then waits until a
    surviving replica's relay holds the lease."""
    killed: dict[str, dict[str, Any]] = {}
    for service in SERVICES:
        leader = await wait_for(partial(relay_leader, conn, service, services), timeout=30)
        killed[service] = {"replica": leader, "pid": services.pid(leader)}
    for k in killed.values():
        services.kill(k["replica"])
        k["killed_at"] = time.monotonic()
    for service, k in killed.items():
        try:
            k["successor"] = await wait_for(
                partial(relay_leader, conn, service, services),
                timeout=LEADERSHIP_MOVES_WITHIN_S - (time.monotonic() - k["killed_at"]),
            )
        except AssertionError:
            raise AssertionError(
                f"{service}: no surviving replica took the relay lease within "
                f"{LEADERSHIP_MOVES_WITHIN_S} s of {k['replica']}'s SIGKILL"
            ) from None
        k["moved_in_s"] = time.monotonic() - k["killed_at"]
        assert k["successor"] != k["replica"]
    return killed


async def signed_out_everywhere_within(
    http: httpx.AsyncClient, services: Processes, loaded: demo.Loaded
) -> dict[str, float]:
    """The demo organizer signs in again (a session of its own), uses it at every replica of
    each service until each accepts it (and caches it), then signs out at registration. Each
    replica is asked every 50 ms until it answers 401; answers how long each took, counted
    from just before the sign-out was sent."""
    person = loaded.accounts["organizer"]
    signed_in = await http.post(
        services.next_url("registration") + "/sessions",
        json={
            "login": person["login"],
            "password": person["password"],
            "organization_id": person["organization_id"],
        },
    )
    assert signed_in.status_code == 201, signed_in.text
    token = signed_in.json()["token"]
    probes = {
        **{r: services.url(r) + "/session" for r in services.replicas("registration")},
        **{
            r: services.url(r) + f"/fairs/{loaded.fair_id}/floorplan"
            for r in services.replicas("booths")
        },
        **{
            r: services.url(r) + f"/fairs/{loaded.fair_id}/terminals"
            for r in services.replicas("sales")
        },
    }

    async def accepted(url: str) -> bool:
        answer = await http.get(url, headers=bearer(token))
        assert answer.status_code in (200, 401), answer.text
        return answer.status_code == 200

    for url in probes.values():  # the session's announcement reaches booths and sales
        await wait_for(partial(accepted, url), timeout=30)
        assert await accepted(url)  # and now each replica has it in its token cache

    started = time.monotonic()
    out = await http.delete(services.next_url("registration") + "/session", headers=bearer(token))
    assert out.status_code == 204, out.text

    async def refused(url: str) -> float:
        while True:
            answer = await http.get(url, headers=bearer(token))
            waited = time.monotonic() - started
            if answer.status_code == 401:
                return waited
            assert answer.status_code == 200, answer.text
            assert waited < 30, f"{url} still accepts a session signed out {waited:.1f} s ago"
            await asyncio.sleep(POLL_S)

    return dict(zip(probes, await asyncio.gather(*map(refused, probes.values())), strict=True))


async def the_other_kinds_are_loaded(client: Client, loaded: demo.Loaded) -> None:
    """Issue 15: beside the regional fair, the demo runs a promotion week at the retailer's two
    stores (stands and shelves, its commission, stock received, one day's sales file imported:
    the settlement has figures, the retailer's people see it) and an open-ended showroom with
    weekly hours, stock received and its tills."""
    organizer, week, centre = loaded.organizer_token, loaded.promotion_week, loaded.showroom
    retailer = loaded.accounts["retailer"]
    assert retailer["organization_id"] == week["retailer_id"]

    fair = await client.call("registration", "GET", f"/fairs/{week['fair_id']}")
    assert fair["kind"] == "promotion_week" and fair["status"] == "running"
    assert fair["host_retailer_id"] == week["retailer_id"]
    assert sorted(s["store_code"] for s in fair["stores"]) == sorted(week["stores"])
    assert fair["rules"]["commission_percent"] == 10
    plan = await client.call("booths", "GET", f"/fairs/{week['fair_id']}/floorplan", organizer)
    assert len(plan["booths"]) == week["booths"] > 0
    assert {b["kind"] for b in plan["booths"]} == {"stand", "shelf"}
    assert {b["store_code"] for b in plan["booths"]} == set(week["stores"])
    assert sum(b["state"] == "confirmed" for b in plan["booths"]) == week["placed"] > 0

    settlement = await client.call(
        "sales", "GET", f"/fairs/{week['fair_id']}/reports/settlement", organizer
    )
    assert settlement["commission_percent"] == 10 and settlement["rows"], settlement
    assert settlement["amount_vnd"] == week["retailer_sales_vnd"] > 0
    assert settlement["commission_vnd"] == sum(r["commission_vnd"] for r in settlement["rows"])
    assert 0 < settlement["commission_vnd"] < settlement["amount_vnd"]
    assert settlement["amount_due_vnd"] == settlement["amount_vnd"] - settlement["commission_vnd"]
    assert sum(r["received"] for r in settlement["rows"]) == week["received"] > 0
    assert all(0 < r["sold_quantity"] <= r["received"] for r in settlement["rows"])
    # The retailer's owner signs in and sees the same settlement.
    signed_in = await client.call("registration", "POST", "/sessions", json={
        "login": retailer["login"], "password": retailer["password"],
        "organization_id": retailer["organization_id"],
    })  # fmt: skip
    seen = await client.eventually(
        "sales",
        "GET",
        f"/fairs/{week['fair_id']}/reports/settlement",
        signed_in["token"],
        also=(401,),
    )
    assert seen["amount_due_vnd"] == settlement["amount_due_vnd"]

    fair = await client.call("registration", "GET", f"/fairs/{centre['fair_id']}")
    assert fair["kind"] == "showroom" and fair["status"] == "running" and fair["open_ended"]
    assert sorted(h["weekday"] for h in fair["opening_hours"]) == list(range(7))
    assert fair["rules"]["commission_percent"] == 15
    stock = await client.call(
        "sales", "GET", f"/fairs/{centre['fair_id']}/reports/stock", organizer
    )
    assert sum(p["received"] for p in stock["products"]) == centre["received"] > 0
    assert sum(p["sold"] for p in stock["products"]) >= centre["sales"]
    tills = await client.call("sales", "GET", f"/fairs/{centre['fair_id']}/terminals", organizer)
    assert len(tills) == centre["terminals"] == centre["placed"] > 0


@pytest.mark.slow
async def test_a_whole_fair_survives_faults_and_reconciles(
    services: Processes, endpoints: Endpoints, kafka: Kafka, stack_settings: CommonSettings
) -> None:
    started = time.perf_counter()
    rng = random.Random(2024)
    admin = {s: f"dev-admin-token-{s}" for s in ("registration", "booths", "sales")}
    async with Client(endpoints) as client:
        await client.ready(timeout=120)
        loaded = await demo.load(
            client, demo.generate(2024, scale=0.5, salt="e2e"), admin, terminals=TILLS
        )
        assert loaded.summary["terminals"] == TILLS
        assert set(loaded.accounts) == set(demo.SHOWN)
        await the_other_kinds_are_loaded(client, loaded)
        catalogs = {}
        for t in loaded.terminals:
            catalogs[t["terminal_id"]] = await demo.till_catalog(
                client, loaded.organizer_token, loaded.fair_id, t
            )
        tills = [
            Till(
                t["terminal_id"], t["token"], catalogs[t["terminal_id"]], offline=i < OFFLINE_TILLS
            )
            for i, t in enumerate(loaded.terminals)
        ]
        assert all(t.catalog for t in tills)
        # The product to revoke: one that several tills sell.
        revoked = tills[OFFLINE_TILLS].catalog[0]
        council = loaded.certifiers[revoked["certificate"]["authority_id"]]
        setup_s = time.perf_counter() - started

        # Issue 10: a session signed out at registration fails at every replica within 1 s.
        async with httpx.AsyncClient(timeout=10) as http:
            signed_out = await signed_out_everywhere_within(http, services, loaded)
        assert max(signed_out.values()) <= REVOCATION_WITHIN_S, signed_out

        selling_started = time.perf_counter()
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=TILLS + 10)) as http:
            fair = Fair(http, endpoints, rng)
            selling = asyncio.gather(*(fair.run_till(t, SALES // TILLS) for t in tills))

            killed: dict[str, dict[str, Any]] = {}  # per service: which replica, when...
            watch = await asyncpg.connect(stack_settings.admin_dsn(DATABASE))

            async def faults() -> dict[str, float]:
                marks: dict[str, float] = {}
                # Both replicas of sales take their share of the tills' requests.
                await wait_for(lambda: fair.acked >= 600, timeout=180)
                assert all(fair.served[services.url(r)] > 0 for r in services.replicas("sales")), (
                    fair.served
                )
                await wait_for(lambda: fair.acked >= 1200, timeout=180)
                await client.call(  # by the council that decided it
                    "registration",
                    "POST",
                    "/certificates/revocations",
                    council,
                    json={
                        "decision_number": "47/QĐ-UBND",
                        "reason": "Không duy trì tiêu chuẩn chất lượng",
                        "certificate_numbers": [revoked["certificate"]["number"]],
                    },
                )
                marks["revoked_at"] = time.time()
                await wait_for(lambda: fair.acked >= 2200, timeout=180)
                killed.update(await kill_the_relay_leaders(services, watch))  # kill -9, mid-sale
                sales = killed["sales"]["replica"]
                services.start(sales)
                await asyncio.to_thread(services.wait_ready, sales)
                marks["sales_restarted"] = time.time()
                killed["sales"]["served_when_back"] = fair.served[services.url(sales)]
                await wait_for(lambda: fair.acked >= 3200, timeout=180)
                await asyncio.to_thread(kafka, "stop")
                try:
                    await asyncio.sleep(10)
                finally:
                    await asyncio.to_thread(kafka, "start")
                return marks

            try:
                marks, _ = await asyncio.gather(faults(), selling)
            finally:
                selling.cancel()  # a failed fault step leaves no till selling on
                await watch.close()
            selling_s = time.perf_counter() - selling_started

            # A few refunds, from the tills' own journals.
            refunds = 0
            for till in tills[OFFLINE_TILLS : OFFLINE_TILLS + 20]:
                sale_id = next(iter(till.acked))
                r = await fair.post(
                    till,
                    f"/sales/{sale_id}/refunds",
                    {
                        "refund_id": str(uuid.uuid4()),
                        "lines": [{"line_no": 0, "quantity": 1}],
                        # money goes back the way it came
                        "method": till.journal[sale_id]["payments"][0]["method"],
                        "reason": "khách đổi ý",
                    },
                )
                assert r.status_code == 201, r.text
                refunds += 1
            # The restarted sales replica is back in the rotation and answers.
            sales = killed["sales"]["replica"]
            assert fair.served[services.url(sales)] > killed["sales"]["served_when_back"], sales

    conn = await asyncpg.connect(stack_settings.admin_dsn(DATABASE))
    try:
        await wait_for(lambda: outbox_drained(conn), timeout=120)
        fair_id = loaded.fair_id

        # 1. No acknowledged sale lost, none counted twice, nothing the tills did not make.
        stored = {
            str(r["sale_id"]): r
            for r in await conn.fetch(
                "select sale_id, terminal_id, receipt_no, total_vnd, recorded_at, device_time from sales.sales where fair_id = $1",
                uuid.UUID(fair_id),
            )
        }
        acked = {s: total for t in tills for s, total in t.acked.items()}
        made = {s for t in tills for s in t.journal}
        assert set(acked) <= set(stored), f"{len(set(acked) - set(stored))} acknowledged sales lost"
        assert set(stored) <= made
        assert len(stored) == len(acked)
        assert all(stored[s]["total_vnd"] == total for s, total in acked.items())

        # 2. Each till's receipts have no gaps; its own records match the stored totals.
        for till in tills:
            receipts = sorted(
                r["receipt_no"]
                for r in stored.values()
                if str(r["terminal_id"]) == till.terminal_id
            )
            assert receipts == list(range(1, len(receipts) + 1)), till.terminal_id
            assert sum(till.acked.values()) == sum(
                r["total_vnd"] for r in stored.values() if str(r["terminal_id"]) == till.terminal_id
            )

        # 3. The revoked product: refused from the moment its revocation was processed.
        block = await conn.fetchrow(
            "select blocked_at, processed_at from sales.product_blocks where product_id = $1",
            uuid.UUID(revoked["product_id"]),
        )
        assert block is not None, "the revocation never reached sales"
        late = await conn.fetchval(
            """select count(*) from sales.sales s join sales.sale_lines l using (sale_id)
                where l.product_id = $1 and s.recorded_at > $2 and s.device_time >= $3""",
            uuid.UUID(revoked["product_id"]), block["processed_at"], block["blocked_at"],
        )  # fmt: skip
        assert late == 0
        refused = sum(len(t.refused) for t in tills)

        # 4. Every report reconciles to the dong with the sales table and the tills' records.
        expected = sum(acked.values()) - await conn.fetchval(
            "select coalesce(sum(r.total_vnd), 0)::bigint from sales.refunds r join sales.sales s using (sale_id) where s.fair_id = $1",
            uuid.UUID(fair_id),
        )
        async with Client(endpoints) as client:
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
                report = await client.call(
                    "sales",
                    "GET",
                    f"/fairs/{fair_id}/reports/revenue",
                    loaded.organizer_token,
                    params={"by": by},
                )
                assert report["total_net_vnd"] == expected, by
            # ... and with what registration learned from the sales events, per producer.
            by_producer = await client.call(
                "sales",
                "GET",
                f"/fairs/{fair_id}/reports/revenue",
                loaded.organizer_token,
                params={"by": "producer"},
            )
        await wait_for(
            lambda: conn.fetchval(
                "select coalesce(sum(gross_vnd - refunded_vnd), 0)::bigint = $2 from registration.holder_results where fair_id = $1",
                uuid.UUID(fair_id),
                expected,
            ),
            timeout=60,
        )
        assert len(by_producer["rows"]) == await conn.fetchval(
            "select count(*) from registration.holder_results where fair_id = $1",
            uuid.UUID(fair_id),
        )

        # 5. No booth with two holders, and sales agrees with booths on who holds which booth.
        assert (
            await conn.fetchval(
                "select count(*) from (select booth_id from booths.occupancy group by booth_id having count(*) > 1) x"
            )
            == 0
        )
        held = {
            (r["booth_id"], r["exhibitor_id"])
            for r in await conn.fetch(
                "select booth_id, exhibitor_id from booths.occupancy where fair_id = $1 and status in ('assigned', 'confirmed')",
                uuid.UUID(fair_id),
            )
        }
        known = {
            (r["booth_id"], r["exhibitor_id"])
            for r in await conn.fetch(
                "select booth_id, exhibitor_id from sales.booth_holders where fair_id = $1",
                uuid.UUID(fair_id),
            )
        }
        assert held == known
    finally:
        await conn.close()
    lag_ms = (block["processed_at"] - block["blocked_at"]).total_seconds() * 1000
    signed_out_ms = {r: round(s * 1000) for r, s in signed_out.items()}
    moved = ", ".join(
        f"{k['replica']} -> {k['successor']} in {k['moved_in_s']:.1f} s" for k in killed.values()
    )
    print(
        f"\ne2e: setup {setup_s:.1f} s, selling {selling_s:.1f} s, {len(stored)} sales stored = acknowledged, "
        f"{fair.retries} retries, {fair.transport_errors} transport errors ridden out, {refused} refused after revocation, "
        f"{refunds} refunds, revocation lag {lag_ms:.0f} ms, total {time.perf_counter() - started:.1f} s; marks {sorted(marks)}; "
        f"a signed-out session refused after (ms) {signed_out_ms}; "
        f"relay leaders killed: {moved}; sales answered by {dict(fair.served)}"
    )
