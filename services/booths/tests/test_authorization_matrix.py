"""The authorization table, proven: every booths route x every role (and anonymous, and the
staff of an organizer and of an exhibitor) x a record of the caller's own, of another
organization's and, where the route names a record besides the fair, of the caller's own
other fair; each answered as ``TABLE`` says, and a refused call writes no event.

The world: organizer A runs fairs F and G, organizer B runs fair H (and A and B each an empty
fair for floor-plan imports). Exhibitor XA applied to F and G, XB to F and H, XG to G only;
each holds a booth at each of its fairs, so the allocation engine has nobody to place. The
caller is always A's organizer, XA, or an authority, a till or the admin:

| relation | path | record |
|---|---|---|
| own | F (XA's fair) | at F, A's or XA's |
| other_org | H (B's fair; XA did not apply), or F with XB's hold or statement | another organization's |
| other_fair | F | at G: a booth, or exhibitor XG; for XA's own statement, the path H |
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx

from ocop_booths.adapters.http.authorization import TABLE
from ocop_shared import auth
from ocop_shared.authz import ROLES, Case, matrix
from ocop_shared.service import Service
from ocop_shared.settings import CommonSettings
from ocop_testkit import publish_events, wait_for
from ocop_testkit.authz import Call, outbox_position, run_matrix
from ocop_testkit.identity import issued_credential

BoothFair = Any  # tests/conftest.py's


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


RULES = {"max_booths_per_holder": 1000}
PER_FAIR = 150


@dataclass
class World:
    client: httpx.AsyncClient
    admin: dict[str, str]
    f: BoothFair  # A's
    g: BoothFair  # A's other fair
    h: BoothFair  # B's
    empty_a: BoothFair  # A's, nothing taken: floor plans may be replaced
    empty_b: BoothFair  # B's
    xa: uuid.UUID
    xb: uuid.UUID
    xg: uuid.UUID
    holder_at: dict[uuid.UUID, dict[str, str]] = field(default_factory=dict)  # fair -> headers
    free: dict[uuid.UUID, list[str]] = field(default_factory=dict)  # fair -> free booth ids
    credentials: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    def take(self, fair: BoothFair) -> str:
        booths = self.free[fair.fair_id]
        assert booths, "the floor plan ran out of booths; draw more"
        return booths.pop()

    async def occupied(self, fair: BoothFair) -> str:
        """A booth of the fair, held by the exhibitor there (XA at F and G, XB at H)."""
        booth_id = self.take(fair)
        r = await self.client.post(
            f"/fairs/{fair.fair_id}/holds",
            headers=self.holder_at[fair.fair_id],
            json={"booth_id": booth_id},
        )
        assert r.status_code == 201, r.text
        return booth_id

    async def blocked(self, fair: BoothFair) -> str:
        booth_id = self.take(fair)
        r = await self.client.post(
            f"/fairs/{fair.fair_id}/booths/{booth_id}/block",
            headers=self.admin,
            json={"reason": "sửa điện"},
        )
        assert r.status_code == 200, r.text
        return booth_id

    # Where a case's path points, and where its record lives, for organizers' routes.
    def path_fair(self, case: Case) -> BoothFair:
        return self.h if case.relation == "other_org" else self.f

    def record_fair(self, case: Case) -> BoothFair:
        return {"own": self.f, "other_org": self.h, "other_fair": self.g}[case.relation]


async def _world(fair_class: type, service: Service, client: httpx.AsyncClient) -> World:
    settings: CommonSettings = service.settings
    f = fair_class(settings, service, client)
    g, empty_a = f.sibling(), f.sibling()
    h = fair_class(settings, service, client)
    empty_b = h.sibling()
    for fair in (f, g, h, empty_a, empty_b):
        await fair.open(**RULES)
    admin_token, admin_credential = issued_credential("admin", "platform")
    world = World(
        client, bearer(admin_token), f, g, h, empty_a, empty_b, uuid.uuid4(), uuid.uuid4(),
        uuid.uuid4(),
    )  # fmt: skip
    for fair in (f, g, h):
        world.free[fair.fair_id] = [b["booth_id"] for b in await fair.floorplan(PER_FAIR)]
    approved = {
        (fair.fair_id, ex): (await fair.approved_exhibitors(1, count=1000, exhibitor_ids=[ex]))[0]
        for fair, ex in [(f, world.xa), (g, world.xa), (f, world.xb), (h, world.xb), (g, world.xg)]
    }
    xa_headers = approved[(f.fair_id, world.xa)]["headers"]
    world.holder_at = {
        f.fair_id: xa_headers,
        g.fair_id: xa_headers,
        h.fair_id: approved[(h.fair_id, world.xb)]["headers"],
    }
    # Everyone holds a booth at each of its fairs: the allocation engine has nobody to place.
    for (fair_id, ex), got in approved.items():
        fair = next(x for x in (f, g, h) if x.fair_id == fair_id)
        r = await client.post(
            f"/fairs/{fair_id}/holds", headers=got["headers"], json={"booth_id": world.take(fair)}
        )
        assert r.status_code == 201, (ex, r.text)

    announced = {
        ("admin", "owner"): (admin_token, admin_credential),
        ("organizer", "staff"): issued_credential("organizer", f.organizer_id, org_role="staff"),
        ("exhibitor", "staff"): issued_credential("exhibitor", str(world.xa), org_role="staff"),
        ("certifier", "owner"): issued_credential(
            "certifier", "hoi-dong-ocop-quang-ninh", province="Quảng Ninh", level="provincial"
        ),
        ("inspector", "owner"): issued_credential(
            "inspector", "qltt-quang-ninh", province="Quảng Ninh"
        ),
        ("retailer", "owner"): issued_credential(
            "retailer", "6f1d2c1e-5b1a-4c1e-9d1e-0c0ffee00015"
        ),
    }
    await publish_events(settings, [event for _token, event in announced.values()])
    ids = [event.credential_id for _token, event in announced.values()]
    await wait_for(
        lambda: service.pool.fetchval(
            "select count(*) = $2 from api_tokens where credential_id = any($1::uuid[])",
            ids,
            len(ids),
        )
    )
    till = auth.new_token("terminal")
    async with service.pool.acquire() as conn:  # tills' tokens are sales' own; one stored here
        await auth.store_grant(
            conn, auth.Grant(auth.hash_token(till), "terminal", "till-1", kind="device")
        )
    world.credentials = {key: bearer(token) for key, (token, _event) in announced.items()}
    world.credentials[("organizer", "owner")] = f.organizer
    world.credentials[("exhibitor", "owner")] = xa_headers
    world.credentials[("terminal", "owner")] = bearer(till)
    return world


Prepare = Callable[[Case], Awaitable[Call]]


def _prepares(w: World) -> dict[str, Prepare]:
    def booth_url(fair: BoothFair, booth_id: str, action: str) -> str:
        return f"/fairs/{fair.fair_id}/booths/{booth_id}/{action}"

    async def put_floorplan(case: Case) -> Call:
        fair = w.empty_b if case.relation == "other_org" else w.empty_a
        plan = {
            "zones": [{"code": "A", "name": "Khu A", "kind": "regional"}],
            "booths": [
                {"code": "A-1", "zone": "A", "width_m": 3, "depth_m": 3, "price_vnd": 1, "x": 0, "y": 0}
            ],
        }  # fmt: skip
        return Call("PUT", f"/fairs/{fair.fair_id}/floorplan", json=plan)

    async def get_floorplan(case: Case) -> Call:
        return Call("GET", f"/fairs/{w.path_fair(case).fair_id}/floorplan")

    async def block(case: Case) -> Call:
        booth_id = w.take(w.record_fair(case))
        return Call("POST", booth_url(w.path_fair(case), booth_id, "block"), json={"reason": "x"})

    async def unblock(case: Case) -> Call:
        booth_id = await w.blocked(w.record_fair(case))
        return Call("POST", booth_url(w.path_fair(case), booth_id, "unblock"), json={"reason": "x"})

    async def move(case: Case) -> Call:
        # other_fair: the occupant is at G, the free target at F (the path's fair).
        source = await w.occupied(w.record_fair(case))
        target = w.take(w.path_fair(case))
        return Call(
            "POST",
            booth_url(w.path_fair(case), source, "move"),
            json={"to_booth_id": target, "reason": "gần lối đi"},
        )

    async def swap(case: Case) -> Call:
        # other_fair: the path's booth is at F, the other one at G.
        first = await w.occupied(w.path_fair(case))
        second = await w.occupied(w.record_fair(case))
        return Call(
            "POST",
            booth_url(w.path_fair(case), first, "swap"),
            json={"other_booth_id": second, "reason": "cùng khu"},
        )

    async def history(case: Case) -> Call:
        booth_id = await w.occupied(w.record_fair(case))
        return Call("GET", booth_url(w.path_fair(case), booth_id, "history"))

    async def propose(case: Case) -> Call:
        return Call("POST", f"/fairs/{w.path_fair(case).fair_id}/allocations")

    async def commit(case: Case) -> Call:
        r = await w.client.post(
            f"/fairs/{w.record_fair(case).fair_id}/allocations", headers=w.admin
        )
        assert r.status_code == 201, r.text
        return Call("POST", f"/allocations/{r.json()['run_id']}/commit")

    async def run(case: Case) -> Call:
        r = await w.client.post(
            f"/fairs/{w.record_fair(case).fair_id}/allocations", headers=w.admin
        )
        assert r.status_code == 201, r.text
        return Call("GET", f"/allocations/{r.json()['run_id']}")

    async def waitlist(case: Case) -> Call:
        return Call("GET", f"/fairs/{w.path_fair(case).fair_id}/waitlist")

    # Exhibitors' routes: the caller is XA.
    async def hold(case: Case) -> Call:
        # own: a booth of F; other_org: a booth of H, where XA did not apply; other_fair: a
        # booth of G (XA's other fair) through F.
        return Call(
            "POST",
            f"/fairs/{w.path_fair(case).fair_id}/holds",
            json={"booth_id": w.take(w.record_fair(case))},
        )

    async def drop_hold(case: Case) -> Call:
        if case.relation == "other_org":  # XB's hold at F
            booth_id = w.take(w.f)
            r = await w.client.post(
                f"/fairs/{w.f.fair_id}/holds",
                headers=w.holder_at[w.h.fair_id],
                json={"booth_id": booth_id},
            )
            assert r.status_code == 201, r.text
        else:  # XA's hold at F, or at G through F
            booth_id = await w.occupied(w.record_fair(case))
        return Call("DELETE", f"/fairs/{w.f.fair_id}/holds/{booth_id}")

    async def put_choices(case: Case) -> Call:
        # As a hold: own, a booth of F; other_org, one of H; other_fair, one of G through F
        # (F is self-service, so XA's own call is a 409 not_ranked: allowed, refused by rule).
        return Call(
            "PUT",
            f"/fairs/{w.path_fair(case).fair_id}/choices",
            json={"booth_ids": [w.take(w.record_fair(case))]},
        )

    async def get_choices(case: Case) -> Call:
        return Call("GET", f"/fairs/{w.path_fair(case).fair_id}/choices")

    async def my_booths(case: Case) -> Call:
        return Call("GET", f"/fairs/{w.path_fair(case).fair_id}/my-booths")

    def whose(case: Case) -> uuid.UUID:
        """The exhibitor an organizer's call names: XA at F, XB at H, XG (at G) through F."""
        return {"own": w.xa, "other_org": w.xb, "other_fair": w.xg}[case.relation]

    async def fees(case: Case) -> Call:
        if case.role == "exhibitor":
            if case.relation == "other_org":  # XB's statement
                return Call("GET", f"/fairs/{w.f.fair_id}/fees?exhibitor_id={w.xb}")
            fair = w.h if case.relation == "other_fair" else w.f  # XA's are at F and G
            return Call("GET", f"/fairs/{fair.fair_id}/fees")
        fair_id = w.path_fair(case).fair_id
        return Call("GET", f"/fairs/{fair_id}/fees?exhibitor_id={whose(case)}")

    async def pay(case: Case) -> Call:
        body = {
            "exhibitor_id": str(whose(case)),
            "amount_vnd": 1_000,
            "reference": f"UNC {uuid.uuid4().hex[:8]}",
        }
        return Call("POST", f"/fairs/{w.path_fair(case).fair_id}/payments", json=body)

    async def statement(case: Case) -> Call:
        csv = b"amount_vnd,description\n1000,chuyen khoan khac\n"
        return Call(
            "POST",
            f"/fairs/{w.path_fair(case).fair_id}/payments/statement",
            files={"file": ("sao-ke.csv", csv, "text/csv")},
        )

    async def unmatched(case: Case) -> Call:
        return Call("GET", f"/fairs/{w.path_fair(case).fair_id}/payments/unmatched")

    return {
        "PUT /fairs/{fair_id}/floorplan": put_floorplan,
        "GET /fairs/{fair_id}/floorplan": get_floorplan,
        "POST /fairs/{fair_id}/booths/{booth_id}/block": block,
        "POST /fairs/{fair_id}/booths/{booth_id}/unblock": unblock,
        "POST /fairs/{fair_id}/booths/{booth_id}/move": move,
        "POST /fairs/{fair_id}/booths/{booth_id}/swap": swap,
        "GET /fairs/{fair_id}/booths/{booth_id}/history": history,
        "POST /fairs/{fair_id}/allocations": propose,
        "GET /allocations/{run_id}": run,
        "POST /allocations/{run_id}/commit": commit,
        "GET /fairs/{fair_id}/waitlist": waitlist,
        "POST /fairs/{fair_id}/holds": hold,
        "DELETE /fairs/{fair_id}/holds/{booth_id}": drop_hold,
        "GET /fairs/{fair_id}/my-booths": my_booths,
        "PUT /fairs/{fair_id}/choices": put_choices,
        "GET /fairs/{fair_id}/choices": get_choices,
        "GET /fairs/{fair_id}/fees": fees,
        "POST /fairs/{fair_id}/payments": pay,
        "POST /fairs/{fair_id}/payments/statement": statement,
        "GET /fairs/{fair_id}/payments/unmatched": unmatched,
    }


def cases() -> list[Case]:
    """The generated matrix, with the staff of organizer A and of exhibitor XA on every route
    (staff act for their organization)."""
    return matrix(TABLE, staff_roles=("organizer", "exhibitor"))


async def test_every_route_answers_every_role_as_the_table_says(
    booths_app: tuple[Service, httpx.AsyncClient],
    booth_fair: BoothFair,
    admin_conn: asyncpg.Connection,
) -> None:
    service, client = booths_app
    world = await _world(type(booth_fair), service, client)
    all_cases = cases()
    assert {c.rule.route for c in all_cases} == {r.route for r in TABLE.rules}

    async def credentials(case: Case) -> dict[str, str]:
        if case.role == "anonymous":
            return {}
        return world.credentials[(case.role, case.org_role)]

    failures = await run_matrix(
        client,
        all_cases,
        _prepares(world),
        credentials,
        lambda: outbox_position(admin_conn, "booths"),
    )
    assert failures == [], "\n".join(failures)


def test_the_matrix_covers_each_route_with_each_role_and_relation() -> None:
    """The generated cases themselves: nobody is forgotten (a table edit cannot silently
    drop a role, a relation or the staff from the test above)."""
    found: dict[str, set[tuple[str, str, str]]] = {}
    for c in cases():
        found.setdefault(c.rule.route, set()).add((c.role, c.relation, c.org_role))
    for rule in TABLE.rules:
        relations = ["own", "other_org", *(["other_fair"] if rule.fair_scoped else [])]
        wanted = {
            (role, relation, "owner") for role in (*ROLES, "anonymous") for relation in relations
        } | {
            (role, relation, "staff")
            for role in ("organizer", "exhibitor")
            for relation in relations
        }
        assert found[rule.route] == wanted, rule.route
