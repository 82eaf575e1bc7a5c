"""The authorization table, proven: every route x role x relation (the caller's own record,
another organization's, another fair of the caller's) answers as ``TABLE`` says, and a
refused call changes nothing (no event written, no till, session, refund, refund approval,
sale or token touched)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from ocop_sales.adapters.http.authorization import TABLE
from ocop_shared.authz import KEY_HOLDER, Case, matrix
from ocop_shared.service import Service
from ocop_testkit import wait_for
from ocop_testkit.authz import Call, outbox_position, run_matrix

Upstream = Any

# These act on the calling till itself and name no record: there is no other organization's
# record to reach, so the "other organization" case of the till's own reach does not apply.
SELF_ONLY = {
    "POST /sales",
    "POST /sales/batch",
    "POST /sessions",
    "GET /terminals/me",
    "GET /terminals/me/catalog",
}
# The same for an exhibitor's own webhook keys: they name no record of another.
EXHIBITOR_SELF_ONLY = {"POST /bank-webhook-keys", "GET /bank-webhook-keys"}
STAFF = ("organizer", "exhibitor")  # the organizations whose people call sales


@dataclass
class World:
    """Two organizers' fairs (and a second fair of the first), with booths, tills and sales."""

    fair: Any  # the caller organizer's fair: its exhibitor's booth and till are the callers'
    other_fair: Any  # the same organizer's second fair
    other_org: Any  # another organizer's fair
    mine: dict[str, Any]  # the calling exhibitor's booth and till at `fair`
    target: dict[str, Any]  # another till at `fair`, to suspend and unpair
    theirs: dict[str, Any]  # a booth and till at `other_org`'s fair
    their_target: dict[str, Any]  # another till there
    elsewhere: dict[str, Any]  # a booth at `other_fair`
    my_sale: str
    their_sale: str
    their_session: str
    headers: dict[str, dict[str, str]]  # role -> credential


async def build_world(
    upstream: Upstream, new_upstream: Any, client: httpx.AsyncClient, sale: Any
) -> World:
    other_fair = await upstream.another_fair()
    other_org = await new_upstream()
    mine = await upstream.exhibitor_at_booth([("Mật ong", 200_000)])
    target = await upstream.exhibitor_at_booth([("Chè", 100_000)])
    theirs = await other_org.exhibitor_at_booth([("Nước mắm", 90_000)])
    their_target = await other_org.exhibitor_at_booth([("Miến", 60_000)])
    elsewhere = await other_fair.exhibitor_at_booth([("Sâm", 800_000)])

    async def sold(booth: dict[str, Any]) -> str:
        response = await client.post(
            "/sales", headers=booth["headers"], json=sale(booth["products"], [5])
        )
        assert response.status_code == 201, response.text
        return str(response.json()["sale_id"])

    their_session = await client.post(
        "/sessions", headers=theirs["headers"], json={"opening_cash_vnd": 0}
    )
    assert their_session.status_code == 201, their_session.text
    headers = {
        "admin": (await upstream.credential("admin", "platform"))[0],
        "organizer": upstream.organizer_headers,
        "exhibitor": (await upstream.credential("exhibitor", str(mine["exhibitor"].exhibitor_id)))[
            0
        ],
        "certifier": (await upstream.credential("certifier", "hoi-dong-ocop-quang-ninh"))[0],
        "inspector": (await upstream.credential("inspector", "qltt-quang-ninh"))[0],
        "terminal": mine["headers"],
        # Issue 15: the host retailer of the caller organizer's fair (a promotion week).
        "retailer": (await upstream.credential("retailer", str(await hosted(upstream))))[0],
        "anonymous": {},
        # Staff of the caller organizations act for them like their owners.
        "organizer-staff": (
            await upstream.credential("organizer", upstream.organizer, org_role="staff")
        )[0],
        "exhibitor-staff": (
            await upstream.credential(
                "exhibitor", str(mine["exhibitor"].exhibitor_id), org_role="staff"
            )
        )[0],
    }
    return World(
        fair=upstream,
        other_fair=other_fair,
        other_org=other_org,
        mine=mine,
        target=target,
        theirs=theirs,
        their_target=their_target,
        elsewhere=elsewhere,
        my_sale=await sold(mine),
        their_sale=await sold(theirs),
        their_session=str(their_session.json()["session_id"]),
        headers=headers,
    )


def preparations(
    w: World, service: Service, client: httpx.AsyncClient, sale: Any
) -> dict[str, Any]:
    def fair_of(case: Case) -> Any:
        return w.fair if case.relation == "own" else w.other_org

    async def enrol(case: Case) -> Call:
        if case.relation == "other_fair":
            # The caller's fair in the path, a booth of its other fair in the body: not
            # there, whoever asks.
            fair, booth = w.fair, w.elsewhere["booth_id"]
        else:
            fair = fair_of(case)
            booth = (w.mine if case.relation == "own" else w.theirs)["booth_id"]
        return Call(
            "POST",
            f"/fairs/{fair.fair_id}/terminals",
            json={"booth_id": str(booth), "label": "Quầy mới"},
        )

    async def list_terminals(case: Case) -> Call:
        return Call("GET", f"/fairs/{fair_of(case).fair_id}/terminals")

    async def my_terminals(case: Case) -> Call:
        return Call("GET", f"/fairs/{fair_of(case).fair_id}/my-terminals")

    def target(case: Case) -> str:
        till = w.target if case.relation == "own" else w.their_target
        return str(till["terminal"]["terminal_id"])

    async def suspend(case: Case) -> Call:
        return Call("POST", f"/terminals/{target(case)}/suspend")

    async def unpair(case: Case) -> Call:
        return Call("DELETE", f"/terminals/{target(case)}")

    async def record(case: Case) -> Call:
        return Call("POST", "/sales", json=sale(w.mine["products"]))

    async def batch(case: Case) -> Call:
        return Call("POST", "/sales/batch", json={"sales": [sale(w.mine["products"])]})

    async def listing(case: Case) -> Call:
        return Call("GET", f"/sales?fair_id={fair_of(case).fair_id}")

    async def refund(case: Case) -> Call:
        sale_id = w.my_sale if case.relation == "own" else w.their_sale
        return Call(
            "POST",
            f"/sales/{sale_id}/refunds",
            json={
                "refund_id": str(uuid.uuid4()),
                "lines": [{"line_no": 0, "quantity": 1}],
                "method": "cash",
                "reason": "khách đổi ý",
            },
        )

    async def approve(case: Case) -> Call:
        sale_id = w.my_sale if case.relation == "own" else w.their_sale
        return Call(
            "POST",
            f"/sales/{sale_id}/refund-approvals",
            json={
                "approval_id": str(uuid.uuid4()),
                "method": "vietqr",
                "reason": "khách không mang tiền mặt",
            },
        )

    async def open_session(case: Case) -> Call:
        return Call("POST", "/sessions", json={"opening_cash_vnd": 100_000})

    async def close_session(case: Case) -> Call:
        if case.relation == "own":
            terminal = uuid.UUID(w.mine["terminal"]["terminal_id"])
            session = await service.pool.fetchval(
                "select session_id from sessions where terminal_id = $1 and closed_at is null",
                terminal,
            )
            if session is None:
                opened = await client.post(
                    "/sessions", headers=w.mine["headers"], json={"opening_cash_vnd": 0}
                )
                session = opened.json()["session_id"]
        else:
            session = w.their_session
        return Call("POST", f"/sessions/{session}/close", json={"counted_cash_vnd": 0})

    async def report(case: Case) -> Call:
        return Call("GET", f"/fairs/{fair_of(case).fair_id}/reports/revenue")

    async def enrolled(case: Case, *, pairing: bool) -> dict[str, Any]:
        """A new till (by its organizer) at the caller's fair, or at another organizer's."""
        fair = fair_of(case)
        booth = (w.mine if case.relation == "own" else w.theirs)["booth_id"]
        response = await client.post(
            f"/fairs/{fair.fair_id}/terminals",
            headers=fair.organizer_headers,
            json={"booth_id": str(booth), "label": "Quầy thay thế", "pairing": pairing},
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def pair(case: Case) -> Call:
        code = (await enrolled(case, pairing=True))["pairing_code"]
        return Call("POST", "/terminals/pair", json={"code": code})

    async def pairing_code(case: Case) -> Call:
        till = await enrolled(case, pairing=False)
        return Call("POST", f"/terminals/{till['terminal_id']}/pairing-code")

    async def me(case: Case) -> Call:
        return Call("GET", "/terminals/me")

    async def catalog(case: Case) -> Call:
        return Call("GET", "/terminals/me/catalog")

    async def get_rules(case: Case) -> Call:
        return Call("GET", f"/fairs/{fair_of(case).fair_id}/till-rules")

    async def put_rules(case: Case) -> Call:
        rules = {
            "offline_max_hours": 12,
            "offline_max_sale_vnd": 10_000_000,
            "offline_max_unsynced_vnd": 100_000_000,
            "offline_max_unsynced_count": 300,
            "max_discount_percent": 20,
        }
        return Call("PUT", f"/fairs/{fair_of(case).fair_id}/till-rules", json=rules)

    async def one_sale(case: Case) -> Call:
        return Call("GET", f"/sales/{w.my_sale if case.relation == 'own' else w.their_sale}")

    async def one_session(case: Case) -> Call:
        if case.relation != "own":
            return Call("GET", f"/sessions/{w.their_session}")
        terminal = uuid.UUID(w.mine["terminal"]["terminal_id"])
        session = await service.pool.fetchval(
            "select session_id from sessions where terminal_id = $1 order by opened_at desc limit 1",
            terminal,
        )
        if session is None:
            opened = await client.post(
                "/sessions", headers=w.mine["headers"], json={"opening_cash_vnd": 0}
            )
            session = opened.json()["session_id"]
        return Call("GET", f"/sessions/{session}")

    return {
        "POST /fairs/{fair_id}/terminals": enrol,
        "GET /fairs/{fair_id}/terminals": list_terminals,
        "GET /fairs/{fair_id}/my-terminals": my_terminals,
        "POST /terminals/{terminal}/suspend": suspend,
        "DELETE /terminals/{terminal}": unpair,
        "POST /sales": record,
        "POST /sales/batch": batch,
        "GET /sales": listing,
        "POST /sales/{sale_id}/refunds": refund,
        "POST /sales/{sale_id}/refund-approvals": approve,
        "POST /sessions": open_session,
        "POST /sessions/{session_id}/close": close_session,
        "GET /fairs/{fair_id}/reports/revenue": report,
        "POST /terminals/pair": pair,
        "POST /terminals/{terminal}/pairing-code": pairing_code,
        "GET /terminals/me": me,
        "GET /terminals/me/catalog": catalog,
        "GET /fairs/{fair_id}/till-rules": get_rules,
        "PUT /fairs/{fair_id}/till-rules": put_rules,
        "GET /sales/{sale_id}": one_sale,
        "GET /sessions/{session_id}": one_session,
    }


async def hosted(upstream: Upstream) -> uuid.UUID:
    """The upstream fair made a promotion week hosted by a new retailer with one store."""
    from datetime import UTC, datetime, timedelta

    from ocop_shared.contracts.registration import (
        AdmissionRules,
        FairRulesChanged,
        FairSnapshot,
        StoreSnapshot,
    )

    retailer = uuid.uuid4()
    now = datetime.now(UTC)
    fair = FairSnapshot(
        fair_id=upstream.fair_id,
        organizer_id=upstream.organizer,
        name="Tuần lễ OCOP",
        kind="promotion_week",
        venue="Hạ Long",
        province="Quảng Ninh",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=3),
        applications_open_at=now - timedelta(days=30),
        applications_close_at=now - timedelta(days=2),
        rules=AdmissionRules(commission_percent=8),
        status="running",
        host_retailer_id=retailer,
        stores=[StoreSnapshot(store_code="HL01", name="Hạ Long 1")],
    )
    await upstream.publish([FairRulesChanged(fair=fair)])

    async def known() -> bool:
        found = await upstream.service.pool.fetchval(
            "select host_retailer_id from fairs where fair_id = $1", upstream.fair_id
        )
        return bool(found == retailer)

    await wait_for(known, timeout=30, interval=0.05)
    return retailer


def stock_preparations(w: World) -> dict[str, Any]:
    """Issue 15: stock movements, the stock report, the settlement, the retailer's file."""

    def fair_of(case: Case) -> Any:
        return w.fair if case.relation == "own" else w.other_org

    def movement(what: str) -> Any:
        async def prepare(case: Case) -> Call:
            if case.relation == "other_fair":  # the caller's fair, a booth of its other fair
                fair, booth = w.fair, w.elsewhere
            else:
                fair = fair_of(case)
                booth = w.mine if case.relation == "own" else w.theirs
            body = {
                "movement_id": str(uuid.uuid4()),
                "booth_id": str(booth["booth_id"]),
                "lines": [{"product_id": str(booth["products"][0].product_id), "quantity": 1}],
                "reason": "kiểm kê",
            }
            return Call("POST", f"/fairs/{fair.fair_id}/stock/{what}", json=body)

        return prepare

    async def stock_report(case: Case) -> Call:
        return Call("GET", f"/fairs/{fair_of(case).fair_id}/reports/stock")

    async def settlement(case: Case) -> Call:
        return Call("GET", f"/fairs/{fair_of(case).fair_id}/reports/settlement")

    async def retailer_sales(case: Case) -> Call:
        gtin = w.mine["products"][0].gtin
        content = f"store,date,gtin,quantity,amount\nHL01,2020-01-01,{gtin},1,1000\n".encode()
        return Call(
            "POST",
            f"/fairs/{fair_of(case).fair_id}/retailer-sales",
            files={"file": (f"{uuid.uuid4().hex}.csv", content, "text/csv")},
        )

    return {
        "POST /fairs/{fair_id}/stock/receipts": movement("receipts"),
        "POST /fairs/{fair_id}/stock/returns": movement("returns"),
        "POST /fairs/{fair_id}/stock/adjustments": movement("adjustments"),
        "GET /fairs/{fair_id}/reports/stock": stock_report,
        "GET /fairs/{fair_id}/reports/settlement": settlement,
        "POST /fairs/{fair_id}/retailer-sales": retailer_sales,
    }


@dataclass
class Bank:
    prepare: dict[str, Any]
    webhook_sale: str  # the calling exhibitor's pending sale the webhook confirms


async def transfer_preparations(
    w: World, upstream: Upstream, client: httpx.AsyncClient, sale: Any
) -> Bank:
    """VietQR transfers (issue 13): pending sales of both tills, both exhibitors' webhook keys."""

    async def pending(booth: dict[str, Any]) -> tuple[str, str, int]:
        body = sale(booth["products"])
        code = "OCOP" + uuid.uuid4().hex[:10].upper()
        body["payments"] = [
            {"method": "vietqr", "amount_vnd": body["total_vnd"], "payment_code": code,
             "confirmed": False}
        ]  # fmt: skip
        response = await client.post("/sales", headers=booth["headers"], json=body)
        assert response.status_code == 201, response.text
        return str(body["sale_id"]), code, int(body["total_vnd"])

    mine, theirs = await pending(w.mine), await pending(w.theirs)
    webhook_sale, webhook_code, webhook_amount = await pending(w.mine)
    owners = {
        "own": w.headers["exhibitor"],
        "other_org": (
            await upstream.credential("exhibitor", str(w.theirs["exhibitor"].exhibitor_id))
        )[0],
    }

    async def new_key(relation: str) -> dict[str, Any]:
        made = await client.post(
            "/bank-webhook-keys", headers=owners[relation], json={"label": "SePay"}
        )
        assert made.status_code == 201, made.text
        body: dict[str, Any] = made.json()
        return body

    keys = {"own": (await new_key("own"))["key"], "other_org": (await new_key("other_org"))["key"]}

    async def confirm(case: Case) -> Call:
        sale_id, code, _ = mine if case.relation == "own" else theirs
        return Call("POST", f"/sales/{sale_id}/transfers/{code}/confirm")

    async def listing(case: Case) -> Call:
        fair = w.fair if case.relation == "own" else w.other_org
        return Call("GET", f"/transfers?fair_id={fair.fair_id}")

    async def make_key(case: Case) -> Call:
        return Call("POST", "/bank-webhook-keys", json={"label": "Casso"})

    async def list_keys(case: Case) -> Call:
        return Call("GET", "/bank-webhook-keys")

    async def revoke_key(case: Case) -> Call:
        key_id = (await new_key("own" if case.relation == "own" else "other_org"))["key_id"]
        return Call("DELETE", f"/bank-webhook-keys/{key_id}")

    async def notify(case: Case) -> Call:
        # The calling exhibitor's pending transfer, named with its own key ("own") or another
        # exhibitor's ("other_org"); every role's credential is no key at all.
        body = {
            "id": uuid.uuid4().int % 10**12,
            "gateway": "Vietcombank",
            "transactionDate": "2026-03-10 14:02:37",
            "accountNumber": "0123499999",
            "code": webhook_code,
            "content": f"{webhook_code} thanh toan",
            "transferType": "in",
            "transferAmount": webhook_amount,
            "referenceCode": "FT2607",
        }
        headers = {}
        if case.role == KEY_HOLDER:
            headers = {"Authorization": f"Apikey {keys[case.relation]}"}
        return Call("POST", "/bank-notifications", json=body, headers=headers)

    return Bank(
        {
            "POST /sales/{sale_id}/transfers/{payment_code}/confirm": confirm,
            "GET /transfers": listing,
            "POST /bank-webhook-keys": make_key,
            "GET /bank-webhook-keys": list_keys,
            "DELETE /bank-webhook-keys/{key_id}": revoke_key,
            "POST /bank-notifications": notify,
        },
        webhook_sale,
    )


async def test_every_route_answers_every_role_as_the_table_says_and_refusals_change_nothing(
    upstream: Upstream,
    new_upstream: Any,
    sales_app: tuple[Service, httpx.AsyncClient],
    sale: Any,
) -> None:
    service, client = sales_app
    w = await build_world(upstream, new_upstream, client, sale)
    cases = matrix(TABLE, staff_roles=STAFF)
    skipped = [
        c
        for c in cases
        if c.rule.route in SELF_ONLY | EXHIBITOR_SELF_ONLY
        and c.relation != "own"
        and c.expected == "missing"
    ]
    assert {(c.rule.route, c.role) for c in skipped} == {(r, "terminal") for r in SELF_ONLY} | {
        (r, "exhibitor") for r in EXHIBITOR_SELF_ONLY
    }
    cases = [c for c in cases if c not in skipped]
    assert {c.rule.route for c in cases} == {r.route for r in TABLE.rules}

    bank = await transfer_preparations(w, upstream, client, sale)

    async def credentials(case: Case) -> dict[str, str]:
        if case.role == KEY_HOLDER:  # a webhook's key, sent by the call itself
            return {}
        return w.headers[case.role if case.org_role == "owner" else f"{case.role}-staff"]

    async def written() -> int:
        """Moves with any event written and any change a refused call could make here."""
        async with service.pool.acquire() as conn:
            state = await conn.fetchrow(
                """select (select count(*) from terminals) as tills,
                          (select count(*) from terminals where status <> 'active') as stopped,
                          (select count(*) from sessions) as sessions,
                          (select count(*) from sessions where closed_at is not null) as closed,
                          (select count(*) from sales) as sales,
                          (select count(*) from refunds) as refunds,
                          (select count(*) from refund_approvals) as approvals,
                          (select count(*) from till_rules) as till_rules,
                          (select count(*) from terminal_pairings where used_at is not null
                                or revoked_at is not null) as pairings_ended,
                          (select count(*) from api_tokens where revoked_at is not null) as revoked,
                          (select count(*) from transfers where status = 'confirmed') as confirmed,
                          (select count(*) from bank_webhook_keys where revoked_at is not null)
                              as keys_revoked,
                          (select count(*) from stock_movements) as movements,
                          (select count(*) from retailer_imports) as imports"""
            )
            return hash((await outbox_position(conn, "sales"), *state.values()))

    failures = await run_matrix(
        client,
        cases,
        {**preparations(w, service, client, sale), **bank.prepare, **stock_preparations(w)},
        credentials,
        written,
    )
    assert failures == [], "\n".join(failures)
    # The webhook with the exhibitor's own key confirmed its pending transfer (by the bank);
    # the other exhibitor's key, refused first, had left it pending (``ignored``: no change).
    confirmed_by = await service.pool.fetchval(
        "select confirmed_by from transfers where sale_id = $1", uuid.UUID(bank.webhook_sale)
    )
    assert confirmed_by == "bank"
    # The allowed calls did their work: the target tills were unpaired by their organizer
    # and by the admin.
    for till in (w.target, w.their_target):
        status = await service.pool.fetchval(
            "select status from terminals where terminal_id = $1",
            uuid.UUID(till["terminal"]["terminal_id"]),
        )
        assert status == "unpaired"
