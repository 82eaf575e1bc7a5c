"""The authorization table is the gate: roles it does not name get 403, routes it does not
cover stop the app from being built, and the matrix follows from the table."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from ocop_shared import auth, ratelimit
from ocop_shared.authz import (
    AuthorizationTable,
    Caller,
    OptionalCaller,
    Rule,
    api_routes,
    expected,
    matrix,
)

router = APIRouter()


@router.get("/things/{thing_id}")
async def get_thing(thing_id: str, caller: Caller) -> dict[str, Any]:
    return {"thing": thing_id, "role": caller.role}


@router.post("/things")
async def add_thing(caller: Caller) -> dict[str, Any]:
    return {"by": caller.subject}


@router.get("/directory")
async def directory(caller: OptionalCaller) -> dict[str, Any]:
    return {"signed_in": caller is not None}


TABLE = AuthorizationTable(
    "test",
    [
        Rule("GET /things/{thing_id}", {"organizer": "own", "admin": "any"}),
        Rule("POST /things", {"exhibitor": "own"}, owners_only=True),
        Rule("GET /directory", {"anyone": "public"}),
    ],
)

TOKENS = {
    "org": auth.Principal("organizer", "o1"),
    "exh": auth.Principal("exhibitor", "e1"),
    "exh-staff": auth.Principal("exhibitor", "e1", org_role="staff"),
}


class FakeService:
    pool = None
    rate_limits = ratelimit.limits(ratelimit.RateLimitSettings(rate_limit_factor=0))

    async def principal(self, token: str) -> auth.Principal | None:
        return TOKENS.get(token)


def app_with(table: AuthorizationTable) -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    table.check_covers(api_routes(app.routes))
    table.describe_routes(api_routes(app.routes))
    app.state.authorization = table
    app.state.service = FakeService()
    return app


async def call(method: str, url: str, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    transport = httpx.ASGITransport(app=app_with(TABLE))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.request(method, url, headers=headers)


async def test_the_table_gates_each_route_by_role() -> None:
    assert (await call("GET", "/things/1", "org")).status_code == 200
    assert (await call("GET", "/things/1", "exh")).status_code == 403
    assert (await call("GET", "/things/1")).status_code == 401
    assert (await call("GET", "/things/1", "forged")).status_code == 401
    assert (await call("POST", "/things", "exh")).status_code == 200
    assert (await call("POST", "/things", "exh-staff")).status_code == 403
    anonymous = await call("GET", "/directory")
    assert anonymous.status_code == 200 and anonymous.json() == {"signed_in": False}
    assert (await call("GET", "/directory", "exh")).json() == {"signed_in": True}
    assert (await call("GET", "/directory", "forged")).status_code == 401


def test_a_route_without_a_rule_stops_the_app_and_so_does_a_stale_rule() -> None:
    with pytest.raises(RuntimeError, match=r"routes without a rule.*POST /things"):
        app_with(AuthorizationTable("test", [r for r in TABLE.rules if r.method != "POST"]))
    with pytest.raises(RuntimeError, match=r"rules without a route.*DELETE /things"):
        app_with(TABLE.with_rules([Rule("DELETE /things/{thing_id}", {"admin": "any"})]))


def test_each_operation_says_who_may_call_it() -> None:
    operation = app_with(TABLE).openapi()["paths"]["/things/{thing_id}"]["get"]
    assert "Who may call it:** organizer: its organization's records" in operation["description"]


def test_the_matrix_follows_from_the_table() -> None:
    get_rule, post_rule, public_rule = TABLE.rules
    assert expected(get_rule, "organizer", "own") == "allowed"
    assert expected(get_rule, "organizer", "other_org") == "missing"
    assert expected(get_rule, "admin", "other_org") == "allowed"
    assert expected(get_rule, "admin", "other_fair") == "missing"  # not at this fair
    assert expected(get_rule, "exhibitor", "own") == "forbidden"
    assert expected(get_rule, "anonymous", "own") == "unauthenticated"
    assert expected(post_rule, "exhibitor", "own", "staff") == "forbidden"
    assert expected(public_rule, "anonymous", "other_org") == "allowed"
    cases = matrix(TABLE, ("organizer", "exhibitor", "anonymous"), staff_roles=("exhibitor",))
    assert len(cases) == 3 * 2 * 3 + 3 * 2
    staff = {c.id: c.expected for c in cases if c.org_role == "staff"}
    assert staff["POST /things as exhibitor-staff on own"] == "forbidden"
    assert staff["GET /directory as exhibitor-staff on own"] == "allowed"


def test_a_role_the_platform_does_not_know_is_refused_in_a_rule() -> None:
    with pytest.raises(ValueError, match="unknown role 'organiser'"):
        AuthorizationTable("test", [Rule("GET /x", {"organiser": "own"})])


def test_every_operation_documents_the_platforms_answers() -> None:
    from ocop_shared import answers

    app = app_with(TABLE)
    answers.document(app)
    paths = app.openapi()["paths"]
    gated = paths["/things/{thing_id}"]["get"]["responses"]
    assert {"401", "403", "404", "422", "429", "503"} <= set(gated)
    assert "409" not in gated and "400" not in gated
    assert gated["403"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    assert "Retry-After" in gated["429"]["headers"]
    changing = paths["/things"]["post"]["responses"]
    assert {"400", "401", "403", "409", "413", "422"} <= set(changing)
    public = paths["/directory"]["get"]["responses"]
    assert "401" in public and "403" not in public


def test_a_route_called_with_its_own_key_refuses_every_credential_and_scopes_the_key() -> None:
    """A webhook (``{"anyone": "key"}``): no role's credential is a key (401 for each, owners
    and staff alike); the owner's key is allowed; another organization's key is accepted but
    reaches nothing of the owner's (``ignored``: the matrix checks nothing changed)."""
    from ocop_shared.authz import KEY_HOLDER, ROLES

    hook = Rule("POST /hooks", {"anyone": "key"}, note="a provider's notifications")
    table = AuthorizationTable("test", [hook])
    assert hook.keyed and not hook.public
    assert all(hook.reach(role) is None for role in ROLES)
    assert hook.reach(KEY_HOLDER) == "key"
    cases = {
        (c.role, c.relation, c.org_role): c.expected
        for c in matrix(table, staff_roles=["exhibitor"])
    }
    assert cases[(KEY_HOLDER, "own", "owner")] == "allowed"
    assert cases[(KEY_HOLDER, "other_org", "owner")] == "ignored"
    others = {e for (role, _, _), e in cases.items() if role != KEY_HOLDER}
    assert others == {"unauthenticated"}
    assert ("exhibitor", "own", "staff") in cases and ("anonymous", "own", "owner") in cases
    assert expected(hook, "admin", "own") == "unauthenticated"
    row = table.markdown().splitlines()[2]
    assert row.startswith("| `POST /hooks` | – | – | – | – | – | – |") and "Apikey" in row
    assert "key" in hook.describe()


def test_a_table_covers_the_roles_it_names_and_the_retailer_only_when_it_says_so() -> None:
    """Issue 15's retailer: a table keeps the six core roles unless it covers ROLES; a rule
    naming a role the table does not cover is refused when the table is built."""
    from ocop_shared.authz import CORE_ROLES, ROLES

    assert "retailer" in ROLES and "retailer" not in CORE_ROLES
    rule = Rule("GET /stores", {"retailer": "own", "admin": "any"})
    try:
        AuthorizationTable("test", [rule])
    except ValueError as e:
        assert "retailer" in str(e)
    else:
        raise AssertionError("a core-roles table took a retailer rule")
    core = AuthorizationTable("test", [Rule("GET /x", {"admin": "any"})])
    assert "retailer" not in core.markdown().splitlines()[0]
    assert {c.role for c in matrix(core)} == {*CORE_ROLES, "anonymous"}
    table = AuthorizationTable("test", [rule], roles=ROLES)
    assert table.markdown().splitlines()[0].endswith("| retailer | note |")
    assert table.with_rules([Rule("GET /y", {"admin": "any"})]).roles == ROLES
    cases = {(c.role, c.relation): c.expected for c in matrix(table)}
    assert cases[("retailer", "own")] == "allowed"
    assert cases[("retailer", "other_org")] == "missing"
    assert cases[("organizer", "own")] == "forbidden"
