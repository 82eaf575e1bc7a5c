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
from ocop_shared.authz import Case, matrix
from ocop_shared.service import Service
from ocop_testkit.authz import Call, outbox_position, run_matrix

Upstream = Any

# These act on the calling till itself and name no record: there is no other organization's
# record to reach, so the "other organization" case of the till's own reach does not apply.
SELF_ONLY = {"POST /sales", "POST /sales/batch", "POST /sessions"}
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
    }


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
        if c.rule.route in SELF_ONLY and c.relation != "own" and c.expected == "missing"
    ]
    assert {(c.rule.route, c.role) for c in skipped} == {(r, "terminal") for r in SELF_ONLY}
    cases = [c for c in cases if c not in skipped]
    assert {c.rule.route for c in cases} == {r.route for r in TABLE.rules}

    async def credentials(case: Case) -> dict[str, str]:
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
                          (select count(*) from api_tokens where revoked_at is not null) as revoked"""
            )
            return hash((await outbox_position(conn, "sales"), *state.values()))

    failures = await run_matrix(
        client, cases, preparations(w, service, client, sale), credentials, written
    )
    assert failures == [], "\n".join(failures)
    # The allowed calls did their work: the target tills were unpaired by their organizer
    # and by the admin.
    for till in (w.target, w.their_target):
        status = await service.pool.fetchval(
            "select status from terminals where terminal_id = $1",
            uuid.UUID(till["terminal"]["terminal_id"]),
        )
        assert status == "unpaired"
