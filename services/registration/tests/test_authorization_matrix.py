"""The authorization table, proven: every registration route x every role (and anonymous, and
the staff of each kind of organization on owners-only routes) x a record of the caller's own
organization and one of another organization's; each answered as ``TABLE`` says, and a
refused call writes no event.

The world, created through the API (credentials are installed directly, ``grants``):

| actor | own (the caller) | other organization |
|---|---|---|
| organizer | A, runs open fair FA | B, runs open fair FB |
| holder | HA (Quảng Ninh), applied to FA with PA | HB (Lạng Sơn), applied to FB with PB |
| delegation | DA, invited HA | DB, invited HB |
| certifier | Quảng Ninh's council (PA is in its jurisdiction) | (PB is Lạng Sơn's) |

A call that is allowed and changes something gets a record of its own (a fresh fair, holder,
application or invitation), so cases stay independent of their order.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from ocop_registration.adapters.http.authorization import TABLE
from ocop_registration.domain.timezone import VN
from ocop_shared.authz import Case, matrix
from ocop_testkit import valid_gtin, valid_tax_code
from ocop_testkit.authz import Call, outbox_position, run_matrix

Grants = Any  # tests/conftest.py's

STAFF_ROLES = ("organizer", "exhibitor", "certifier", "inspector", "retailer")
QUANG_NINH, LANG_SON = "Quảng Ninh", "Lạng Sơn"


def _fair_body() -> dict[str, Any]:
    now = datetime.now(VN).replace(tzinfo=None, microsecond=0)
    return {
        "name": "Hội chợ OCOP Quảng Ninh",
        "kind": "fair",
        "venue": "Hạ Long",
        "province": QUANG_NINH,
        "applications_open_at": (now - timedelta(days=1)).isoformat(),
        "applications_close_at": (now + timedelta(days=10)).isoformat(),
        "starts_at": (now + timedelta(days=20)).isoformat(),
        "ends_at": (now + timedelta(days=25)).isoformat(),
        "rules": {"min_star": 3},
    }


def _product_body() -> dict[str, Any]:
    return {"name": "Mật ong rừng", "group": 1, "gtin": valid_gtin(), "unit": "chai",
            "list_price_vnd": 250_000}  # fmt: skip


def _certificate_body() -> dict[str, Any]:
    return {"number": f"QN-{uuid.uuid4().hex[:12]}", "star": 4, "issuing_level": "province",
            "issuing_body": "Hội đồng OCOP", "decision_number": "12/QĐ-UBND",
            "decision_date": "2025-06-01", "valid_from": "2025-06-01"}  # fmt: skip


def _register_csv() -> bytes:
    out = io.StringIO()
    row = {
        "holder_name": f"HTX {uuid.uuid4().hex[:6]}", "holder_kind": "cooperative",
        "tax_code": valid_tax_code(), "province": QUANG_NINH, "product_name": "Chả mực",
        "group": "1", "gtin": valid_gtin(), "unit": "kg", "list_price_vnd": "350.000",
        "certificate_number": f"REG-{uuid.uuid4().hex[:12]}", "star": "4",
        "issuing_level": "province", "issuing_body": "Hội đồng OCOP",
        "decision_number": "12/QĐ-UBND", "decision_date": "2025-03-15", "valid_from": "2025-03-15",
    }  # fmt: skip
    writer = csv.DictWriter(out, list(row))
    writer.writeheader()
    writer.writerow(row)
    return out.getvalue().encode()


@dataclass
class Holder:
    exhibitor_id: str
    headers: dict[str, str]  # its owner's session, from the sign-up


@dataclass
class World:
    client: httpx.AsyncClient
    grants: Grants
    admin: dict[str, str] = field(default_factory=dict)
    org: dict[str, str] = field(default_factory=dict)  # own / other -> organizer id
    org_headers: dict[str, dict[str, str]] = field(default_factory=dict)
    fair: dict[str, str] = field(default_factory=dict)
    holder: dict[str, Holder] = field(default_factory=dict)
    delegation: dict[str, Holder] = field(default_factory=dict)
    product: dict[str, dict[str, Any]] = field(default_factory=dict)
    application: dict[str, str] = field(default_factory=dict)
    certifier: dict[str, dict[str, str]] = field(default_factory=dict)  # province -> headers
    authority: dict[str, str] = field(default_factory=dict)  # certifier / inspector -> id
    account: dict[str, str] = field(default_factory=dict)  # a person who signs in
    other_retailer: str = ""  # another retailer than authority["retailer"] (issue 15)
    credentials: dict[tuple[str, str, str], dict[str, str]] = field(default_factory=dict)
    caller: dict[str, dict[str, str]] = field(default_factory=dict)  # case id -> headers

    async def ok(self, method: str, url: str, headers: dict[str, str], **kw: Any) -> Any:
        response = await self.client.request(method, url, headers=headers, **kw)
        assert response.status_code < 300, (url, response.text)
        return response.json() if response.content else None

    async def sign_up(self, kind: str = "cooperative", province: str = QUANG_NINH) -> Holder:
        exhibitor_id, headers = await self.grants.exhibitor(
            kind, f"HTX {uuid.uuid4().hex[:6]}", province
        )
        return Holder(exhibitor_id, headers)

    async def open_fair(self, organizer: dict[str, str]) -> str:
        fair = await self.ok("POST", "/fairs", organizer, json=_fair_body())
        await self.ok("POST", f"/fairs/{fair['fair_id']}/lifecycle", organizer,
                      json={"action": "open"})  # fmt: skip
        return str(fair["fair_id"])

    async def certified(self, holder: Holder, province: str = QUANG_NINH) -> dict[str, Any]:
        product = await self.ok("POST", "/products", holder.headers, json=_product_body())
        return await self.ok(  # type: ignore[no-any-return]
            "POST",
            f"/products/{product['product_id']}/certificates",
            self.certifier[province],
            json=_certificate_body(),
        )

    async def apply(self, holder: Holder, fair_id: str, product_id: str) -> str:
        application = await self.ok(
            "POST",
            f"/fairs/{fair_id}/applications",
            holder.headers,
            json={"product_ids": [product_id], "booth_request": {"count": 1}},
        )
        return str(application["application_id"])

    async def fresh_application(self, fair_id: str) -> tuple[str, Holder]:
        holder = await self.sign_up()
        product = await self.certified(holder)
        return await self.apply(holder, fair_id, product["product_id"]), holder

    async def invite(self, delegation: Holder, holder_id: str) -> None:
        await self.ok("POST", f"/exhibitors/{delegation.exhibitor_id}/members",
                      delegation.headers, json={"member_ids": [holder_id]})  # fmt: skip

    async def grant(self, role: str, subject: str, org_role: str, **scope: Any) -> dict[str, str]:
        key = (role, subject, org_role)
        if key not in self.credentials:
            self.credentials[key] = await self.grants(role, subject, org_role=org_role, **scope)
        return self.credentials[key]

    # --- identity ---------------------------------------------------------------------------

    def organization(self, case: Case) -> str:
        """The organization a case's path names: the caller's own, or organizer B's."""
        if case.relation != "own":
            return self.org["other"]
        if case.role == "exhibitor":
            return self.holder["own"].exhibitor_id
        if case.role in ("certifier", "inspector", "retailer"):
            return self.authority[case.role]
        return self.org["own"]

    async def owner(self, organization_id: str) -> dict[str, str]:
        """A credential of an owner of the organization (the world's organizations)."""
        if organization_id == self.holder["own"].exhibitor_id:
            return await self.grant("exhibitor", organization_id, "owner")
        if organization_id == self.authority.get("certifier"):
            return await self.grant("certifier", organization_id, "owner", province=QUANG_NINH,
                                    level="provincial")  # fmt: skip
        if organization_id == self.authority.get("inspector"):
            return await self.grant("inspector", organization_id, "owner", province=QUANG_NINH)
        if organization_id in (self.authority.get("retailer"), self.other_retailer):
            return await self.grant("retailer", organization_id, "owner")
        return await self.grant("organizer", organization_id, "owner")

    async def new_organization(self, kind: str = "organizer", **scope: Any) -> tuple[str, str]:
        """A new organization and its owner's invitation code."""
        organization_id = f"{kind}-{uuid.uuid4().hex[:10]}"
        if kind == "retailer":  # a retailer's id is a UUID (issue 15)
            organization_id = str(uuid.uuid4())
        created = await self.ok(
            "POST",
            "/organizations",
            self.admin,
            json={"kind": kind, "organization_id": organization_id, "name": "Tổ chức", **scope},
        )
        return organization_id, created["owner_invitation"]["code"]

    async def join(self, code: str) -> dict[str, Any]:
        """A new person accepts an invitation: their session (and who they are)."""
        tag = uuid.uuid4().hex[:10]
        account = {"name": "Trần Thị Bình", "email": f"p-{tag}@example.vn",
                   "password": f"mat-khau-{tag}"}  # fmt: skip
        signed_in = await self.ok(
            "POST", "/invitations/accept", {}, json={"code": code, "account": account}
        )
        return {**signed_in, "login": account["email"], "password": account["password"],
                "headers": {"Authorization": f"Bearer {signed_in['token']}"}}  # fmt: skip

    async def member(self, organization_id: str, org_role: str = "staff") -> dict[str, Any]:
        invited = await self.ok(
            "POST",
            f"/organizations/{organization_id}/invitations",
            await self.owner(organization_id),
            json={"org_role": org_role},
        )
        return await self.join(invited["code"])

    async def session(self, case: Case) -> dict[str, Any]:
        """A real session of a person in the case's role (an owner, or staff): its headers
        and password."""
        if case.role == "exhibitor":
            organization_id = (await self.sign_up()).exhibitor_id
        elif case.role == "admin":
            organization_id = "platform"
        elif case.role == "organizer":
            organization_id = self.org["own"]
        else:
            organization_id = self.authority[case.role]
        return await self.member(organization_id, case.org_role)

    # --- who calls ------------------------------------------------------------------------

    async def headers(self, case: Case) -> dict[str, str]:
        if case.id in self.caller:
            return self.caller.pop(case.id)
        role, org_role = case.role, case.org_role
        if role == "anonymous":
            return {}
        if role == "admin":
            return self.admin
        if role == "organizer":
            return await self.grant(role, self.org["own"], org_role)
        if role == "exhibitor":
            return await self.grant(role, self.holder["own"].exhibitor_id, org_role)
        if role == "certifier":
            return await self.grant(role, self.authority[role], org_role, province=QUANG_NINH,
                                    level="provincial")  # fmt: skip
        if role == "inspector":
            return await self.grant(role, self.authority[role], org_role, province=QUANG_NINH)
        if role == "retailer":
            return await self.grant(role, self.authority[role], org_role)
        return await self.grant(role, "till-quang-ninh-1", org_role)

    async def as_exhibitor(self, case: Case, subject: str) -> None:
        """The case's exhibitor caller acts for ``subject`` (a delegation, a fresh holder)."""
        if case.role == "exhibitor":
            self.caller[case.id] = await self.grant("exhibitor", subject, case.org_role)


def _rel(case: Case) -> str:
    return "own" if case.relation == "own" else "other"


def _allowed(case: Case) -> bool:
    return case.expected == "allowed"


async def _world(client: httpx.AsyncClient, grants: Grants) -> World:
    world = World(client, grants, admin=grants.admin)
    world.certifier = {
        QUANG_NINH: await grants.certifier(QUANG_NINH),
        LANG_SON: await grants.certifier(LANG_SON),
    }
    for rel, province in (("own", QUANG_NINH), ("other", LANG_SON)):
        world.org[rel], world.org_headers[rel] = await grants.organizer()
        world.fair[rel] = await world.open_fair(world.org_headers[rel])
        world.holder[rel] = await world.sign_up(province=province)
        world.delegation[rel] = await world.sign_up("delegation", province)
        world.product[rel] = await world.certified(world.holder[rel], province)
        world.application[rel] = await world.apply(
            world.holder[rel], world.fair[rel], world.product[rel]["product_id"]
        )
        await world.invite(world.delegation[rel], world.holder[rel].exhibitor_id)
    world.authority["certifier"], _ = await world.new_organization(
        "certifier", province=QUANG_NINH, level="provincial"
    )
    world.authority["inspector"], _ = await world.new_organization("inspector", province=QUANG_NINH)
    world.authority["retailer"], _ = await world.new_organization("retailer")
    world.other_retailer, _ = await world.new_organization("retailer")
    person = await world.member(world.org["own"])
    world.account = {"login": person["login"], "password": person["password"]}
    return world


Prepare = Callable[[Case], Awaitable[Call]]


def _prepares(w: World) -> dict[str, Prepare]:
    p: dict[str, Prepare] = {}

    def route(name: str) -> Callable[[Prepare], Prepare]:
        def add(fn: Prepare) -> Prepare:
            p[name] = fn
            return fn

        return add

    # --- fairs ---------------------------------------------------------------------------
    @route("POST /fairs")
    async def _(c: Case) -> Call:
        return Call("POST", "/fairs", json=_fair_body())

    @route("GET /fairs")
    async def _(c: Case) -> Call:
        return Call("GET", "/fairs")

    @route("GET /organizer/fairs")
    async def _(c: Case) -> Call:
        return Call("GET", "/organizer/fairs")

    @route("GET /fairs/{fair_id}")
    async def _(c: Case) -> Call:
        return Call("GET", f"/fairs/{w.fair[_rel(c)]}")

    @route("POST /fairs/{fair_id}/lifecycle")
    async def _(c: Case) -> Call:
        fair_id = w.fair[_rel(c)]
        if _allowed(c):  # a draft of its own to open
            fair = await w.ok("POST", "/fairs", w.org_headers[_rel(c)], json=_fair_body())
            fair_id = fair["fair_id"]
        return Call("POST", f"/fairs/{fair_id}/lifecycle", json={"action": "open"})

    @route("PATCH /fairs/{fair_id}")
    async def _(c: Case) -> Call:
        return Call("PATCH", f"/fairs/{w.fair[_rel(c)]}", json={"venue": "Cung Triển lãm Hạ Long"})

    @route("GET /product-groups")
    async def _(c: Case) -> Call:
        return Call("GET", "/product-groups")

    @route("PUT /fairs/{fair_id}/rules")
    async def _(c: Case) -> Call:
        return Call("PUT", f"/fairs/{w.fair[_rel(c)]}/rules", json={"min_star": 3})

    # --- exhibitors ----------------------------------------------------------------------
    @route("GET /exhibitors")
    async def _(c: Case) -> Call:
        return Call("GET", "/exhibitors?q=htx")

    @route("GET /directory/exhibitors")
    async def _(c: Case) -> Call:
        return Call("GET", "/directory/exhibitors?q=htx")

    @route("GET /banks")
    async def _(c: Case) -> Call:
        return Call("GET", "/banks")

    @route("GET /exhibitors/{exhibitor_id}")
    async def _(c: Case) -> Call:
        return Call("GET", f"/exhibitors/{w.holder[_rel(c)].exhibitor_id}")

    @route("PATCH /exhibitors/{exhibitor_id}")
    async def _(c: Case) -> Call:
        return Call(
            "PATCH", f"/exhibitors/{w.holder[_rel(c)].exhibitor_id}", json={"commune": "Hạ Long"}
        )

    @route("POST /exhibitors/{delegation_id}/members")
    async def _(c: Case) -> Call:
        await w.as_exhibitor(c, w.delegation["own"].exhibitor_id)
        return Call(
            "POST",
            f"/exhibitors/{w.delegation[_rel(c)].exhibitor_id}/members",
            json={"member_ids": [w.holder[_rel(c)].exhibitor_id]},
        )

    @route("GET /exhibitors/{exhibitor_id}/memberships")
    async def _(c: Case) -> Call:
        return Call("GET", f"/exhibitors/{w.holder[_rel(c)].exhibitor_id}/memberships")

    async def invitation(c: Case, action: str) -> Call:
        holder, delegation = w.holder[_rel(c)], w.delegation[_rel(c)]
        if _allowed(c):  # a fresh invitation to the caller's holder
            delegation = await w.sign_up("delegation")
            await w.invite(delegation, holder.exhibitor_id)
        url = f"/exhibitors/{holder.exhibitor_id}/delegations/{delegation.exhibitor_id}/{action}"
        return Call("POST", url)

    @route("POST /exhibitors/{holder_id}/delegations/{delegation_id}/accept")
    async def _(c: Case) -> Call:
        return await invitation(c, "accept")

    @route("POST /exhibitors/{holder_id}/delegations/{delegation_id}/decline")
    async def _(c: Case) -> Call:
        return await invitation(c, "decline")

    @route("DELETE /exhibitors/{delegation_id}/members/{holder_id}")
    async def _(c: Case) -> Call:
        await w.as_exhibitor(c, w.delegation["own"].exhibitor_id)
        delegation, holder = w.delegation[_rel(c)], w.holder[_rel(c)]
        return Call(
            "DELETE", f"/exhibitors/{delegation.exhibitor_id}/members/{holder.exhibitor_id}"
        )

    # --- products and certificates -------------------------------------------------------
    @route("POST /products")
    async def _(c: Case) -> Call:
        return Call("POST", "/products", json=_product_body())

    @route("GET /products")
    async def _(c: Case) -> Call:
        return Call("GET", "/products?q=mat ong")

    @route("GET /products/{product_id}")
    async def _(c: Case) -> Call:
        return Call("GET", f"/products/{w.product[_rel(c)]['product_id']}")

    @route("PATCH /products/{product_id}")
    async def _(c: Case) -> Call:
        return Call(
            "PATCH",
            f"/products/{w.product[_rel(c)]['product_id']}",
            json={"list_price_vnd": 260_000},
        )

    @route("POST /products/{product_id}/certificates")
    async def _(c: Case) -> Call:
        product_id = w.product[_rel(c)]["product_id"]
        return Call("POST", f"/products/{product_id}/certificates", json=_certificate_body())

    @route("POST /certificates/revocations")
    async def _(c: Case) -> Call:
        product = w.product[_rel(c)]
        if _allowed(c):  # a certificate of its own to revoke
            product = await w.certified(w.holder["own"])
        return Call(
            "POST",
            "/certificates/revocations",
            json={
                "decision_number": "47/QĐ-UBND",
                "reason": "Không duy trì chất lượng",
                "certificate_numbers": [product["certificate"]["number"]],
            },
        )

    @route("POST /imports/register")
    async def _(c: Case) -> Call:
        return Call(
            "POST",
            "/imports/register",
            files={"file": ("register.csv", _register_csv(), "text/csv")},
        )

    # --- applications --------------------------------------------------------------------
    @route("POST /fairs/{fair_id}/applications")
    async def _(c: Case) -> Call:
        product_id = w.product["own"]["product_id"]
        if _allowed(c):  # a holder that has not applied yet
            holder = await w.sign_up()
            product_id = (await w.certified(holder))["product_id"]
            await w.as_exhibitor(c, holder.exhibitor_id)
        return Call(
            "POST",
            f"/fairs/{w.fair[_rel(c)]}/applications",
            json={"product_ids": [product_id], "booth_request": {"count": 1}},
        )

    @route("GET /fairs/{fair_id}/applications")
    async def _(c: Case) -> Call:
        return Call("GET", f"/fairs/{w.fair[_rel(c)]}/applications")

    @route("GET /applications")
    async def _(c: Case) -> Call:
        return Call("GET", "/applications")

    @route("GET /applications/{application_id}")
    async def _(c: Case) -> Call:
        return Call("GET", f"/applications/{w.application[_rel(c)]}")

    @route("POST /applications/{application_id}/review")
    async def _(c: Case) -> Call:
        application_id = w.application[_rel(c)]
        if _allowed(c):
            application_id, _holder = await w.fresh_application(w.fair[_rel(c)])
        return Call("POST", f"/applications/{application_id}/review", json={"decision": "approved"})

    @route("POST /applications/{application_id}/withdraw")
    async def _(c: Case) -> Call:
        application_id = w.application[_rel(c)]
        if _allowed(c):
            application_id, holder = await w.fresh_application(w.fair[_rel(c)])
            await w.as_exhibitor(c, holder.exhibitor_id)
        return Call("POST", f"/applications/{application_id}/withdraw")

    # --- on-site quality inspection (issue 15) -----------------------------------------------
    running: dict[str, tuple[str, str]] = {}  # own / other -> (fair, a product exhibited there)

    async def running_fair(rel: str) -> tuple[str, str]:
        """A running fair of organizer own (in the inspector's province, Quảng Ninh) or other
        (in Lạng Sơn), with an approved product."""
        if rel not in running:
            organizer = w.org_headers[rel]
            province = QUANG_NINH if rel == "own" else LANG_SON
            fair = await w.ok(
                "POST", "/fairs", organizer, json={**_fair_body(), "province": province}
            )
            fair_id = str(fair["fair_id"])
            await w.ok("POST", f"/fairs/{fair_id}/lifecycle", organizer, json={"action": "open"})
            application_id, holder = await w.fresh_application(fair_id)
            await w.ok("POST", f"/applications/{application_id}/review", organizer,
                       json={"decision": "approved"})  # fmt: skip
            for action in ("close", "start"):
                await w.ok("POST", f"/fairs/{fair_id}/lifecycle", organizer,
                           json={"action": action})  # fmt: skip
            shown = await w.ok("GET", f"/applications/{application_id}", holder.headers)
            running[rel] = (fair_id, str(shown["products"][0]["product_id"]))
        return running[rel]

    @route("POST /fairs/{fair_id}/inspections")
    async def _(c: Case) -> Call:
        fair_id, product_id = await running_fair(_rel(c))
        return Call("POST", f"/fairs/{fair_id}/inspections", json={
            "inspection_id": str(uuid.uuid4()), "product_id": product_id, "booth_code": "A-1",
            "finding": "Đạt", "decision": "pass",
        })  # fmt: skip

    @route("GET /fairs/{fair_id}/inspections")
    async def _(c: Case) -> Call:
        fair_id, _ = await running_fair(_rel(c))
        return Call("GET", f"/fairs/{fair_id}/inspections")

    @route("GET /products/{product_id}/inspections")
    async def _(c: Case) -> Call:
        return Call("GET", f"/products/{w.product[_rel(c)]['product_id']}/inspections")

    @route("GET /inspection-referrals")
    async def _(c: Case) -> Call:
        return Call("GET", "/inspection-referrals")

    # --- retailers and their stores (issue 15) ---------------------------------------------
    def retailer(c: Case) -> str:
        return w.authority["retailer"] if c.relation == "own" else w.other_retailer

    @route("GET /retailers")
    async def _(c: Case) -> Call:
        return Call("GET", "/retailers")

    @route("GET /retailers/{retailer_id}/stores")
    async def _(c: Case) -> Call:
        return Call("GET", f"/retailers/{retailer(c)}/stores")

    @route("POST /retailers/{retailer_id}/stores")
    async def _(c: Case) -> Call:
        code = f"S{uuid.uuid4().hex[:8].upper()}"
        return Call("POST", f"/retailers/{retailer(c)}/stores",
                    json={"store_code": code, "name": "Siêu thị", "address": "Hạ Long"})  # fmt: skip

    # --- trade matching, visitors and fair series (issue 15) -------------------------------
    held: dict[str, tuple[str, str, Holder, str]] = {}  # own / other -> fair, product, holder, day

    async def held_fair(rel: str) -> tuple[str, str, Holder, str]:
        """A running fair of organizer own or other, with a holder approved there."""
        if rel not in held:
            organizer = w.org_headers[rel]
            fair = await w.ok("POST", "/fairs", organizer, json=_fair_body())
            fair_id = str(fair["fair_id"])
            await w.ok("POST", f"/fairs/{fair_id}/lifecycle", organizer, json={"action": "open"})
            application_id, holder = await w.fresh_application(fair_id)
            await w.ok("POST", f"/applications/{application_id}/review", organizer,
                       json={"decision": "approved"})  # fmt: skip
            for action in ("close", "start"):
                await w.ok("POST", f"/fairs/{fair_id}/lifecycle", organizer,
                           json={"action": action})  # fmt: skip
            shown = await w.ok("GET", f"/applications/{application_id}", holder.headers)
            held[rel] = (fair_id, str(shown["products"][0]["product_id"]), holder,
                         str(fair["starts_at"]))  # fmt: skip
        return held[rel]

    buyer = {"name": "Nguyễn Thị Hoa", "organization": "Công ty TNHH Thực phẩm Sạch",
             "country": "VN", "province": "Hà Nội", "contact": "0912345678"}  # fmt: skip

    async def trade_case(c: Case) -> tuple[str, str, Holder, str]:
        fair_id, product_id, holder, starts_at = await held_fair(_rel(c))
        if c.relation == "own":
            await w.as_exhibitor(c, holder.exhibitor_id)
        return fair_id, product_id, holder, starts_at

    @route("POST /fairs/{fair_id}/meetings")
    async def _(c: Case) -> Call:
        fair_id, _, holder, starts_at = await trade_case(c)
        return Call("POST", f"/fairs/{fair_id}/meetings", json={
            "meeting_id": str(uuid.uuid4()), "exhibitor_id": holder.exhibitor_id, "buyer": buyer,
            "held_at": starts_at, "outcome": "follow_up",
        })  # fmt: skip

    @route("POST /fairs/{fair_id}/trade-contracts")
    async def _(c: Case) -> Call:
        fair_id, product_id, holder, starts_at = await trade_case(c)
        return Call("POST", f"/fairs/{fair_id}/trade-contracts", json={
            "contract_id": str(uuid.uuid4()), "kind": "mou", "exhibitor_id": holder.exhibitor_id,
            "buyer": buyer, "product_ids": [product_id], "value_vnd": 0,
            "signed_on": starts_at[:10],
        })  # fmt: skip

    @route("GET /fairs/{fair_id}/trade")
    async def _(c: Case) -> Call:
        fair_id, *_ = await trade_case(c)
        return Call("GET", f"/fairs/{fair_id}/trade")

    @route("GET /fairs/{fair_id}/trade-report")
    async def _(c: Case) -> Call:
        fair_id, *_ = await held_fair(_rel(c))
        return Call("GET", f"/fairs/{fair_id}/trade-report")

    @route("POST /fairs/{fair_id}/visitor-counts")
    async def _(c: Case) -> Call:
        fair_id, _, _, starts_at = await held_fair(_rel(c))
        return Call("POST", f"/fairs/{fair_id}/visitor-counts", json={
            "count_id": str(uuid.uuid4()), "day": starts_at[:10], "increment": 3, "gate": "Cổng 1",
        })  # fmt: skip

    @route("GET /fairs/{fair_id}/visitor-counts")
    async def _(c: Case) -> Call:
        fair_id, *_ = await held_fair(_rel(c))
        return Call("GET", f"/fairs/{fair_id}/visitor-counts")

    series: dict[str, str] = {}

    async def series_of(rel: str) -> str:
        if rel not in series:
            made = await w.ok("POST", "/fair-series", w.org_headers[rel],
                              json={"series_id": str(uuid.uuid4()), "name": "Hội chợ Xuân"})  # fmt: skip
            series[rel] = str(made["series_id"])
        return series[rel]

    @route("POST /fair-series")
    async def _(c: Case) -> Call:
        return Call("POST", "/fair-series", json={"series_id": str(uuid.uuid4()),
                                                  "name": "Hội chợ OCOP Hè"})  # fmt: skip

    @route("GET /fair-series")
    async def _(c: Case) -> Call:
        return Call("GET", "/fair-series")

    @route("PUT /fairs/{fair_id}/series")
    async def _(c: Case) -> Call:
        return Call("PUT", f"/fairs/{w.fair[_rel(c)]}/series",
                    json={"series_id": await series_of(_rel(c))})  # fmt: skip

    @route("GET /fair-series/{series_id}/report")
    async def _(c: Case) -> Call:
        return Call("GET", f"/fair-series/{await series_of(_rel(c))}/report")

    # --- identity (H1's routes) ------------------------------------------------------------
    @route("POST /exhibitors")
    async def _(c: Case) -> Call:
        tag = uuid.uuid4().hex[:10]
        return Call("POST", "/exhibitors", json={
            "kind": "cooperative", "name": f"HTX {tag}", "tax_code": valid_tax_code(),
            "province": QUANG_NINH,
            "owner": {"name": "Lê Văn Cường", "email": f"o-{tag}@example.vn",
                      "password": f"mat-khau-{tag}"},
        })  # fmt: skip

    @route("POST /sessions")
    async def _(c: Case) -> Call:
        return Call("POST", "/sessions", json=w.account)

    @route("POST /invitations/accept")
    async def _(c: Case) -> Call:
        invited = await w.ok("POST", f"/organizations/{w.org['own']}/invitations",
                             await w.owner(w.org["own"]), json={"org_role": "staff"})  # fmt: skip
        tag = uuid.uuid4().hex[:10]
        account = {"name": "Phạm Văn Dũng", "email": f"a-{tag}@example.vn",
                   "password": f"mat-khau-{tag}"}  # fmt: skip
        return Call(
            "POST", "/invitations/accept", json={"code": invited["code"], "account": account}
        )

    @route("POST /password-resets")
    async def _(c: Case) -> Call:
        person = await w.member(w.org["own"])
        code = await w.ok(
            "POST",
            f"/organizations/{w.org['own']}/members/{person['user']['user_id']}/reset-code",
            await w.owner(w.org["own"]),
        )
        return Call("POST", "/password-resets", json={
            "login": person["login"], "code": code["code"],
            "new_password": f"mat-khau-moi-{uuid.uuid4().hex[:8]}",
        })  # fmt: skip

    async def own_session(c: Case, method: str, url: str, json: Any = None) -> Call:
        """A person's own session (a credential that is no session, e.g. an installed grant,
        is no one's session: 404)."""
        if c.relation == "own" and c.rule.reach(c.role) is not None:
            person = await w.session(c)
            w.caller[c.id] = person["headers"]
            if json is not None:
                json = {**json, "current_password": person["password"]}
        return Call(method, url, json=json)

    @route("GET /session")
    async def _(c: Case) -> Call:
        return await own_session(c, "GET", "/session")

    @route("DELETE /session")
    async def _(c: Case) -> Call:
        return await own_session(c, "DELETE", "/session")

    @route("POST /session/sign-out-everywhere")
    async def _(c: Case) -> Call:
        return await own_session(c, "POST", "/session/sign-out-everywhere")

    @route("POST /session/password")
    async def _(c: Case) -> Call:
        return await own_session(c, "POST", "/session/password", json={
            "current_password": "", "new_password": f"mat-khau-moi-{uuid.uuid4().hex[:8]}",
        })  # fmt: skip

    @route("POST /organizations")
    async def _(c: Case) -> Call:
        return Call("POST", "/organizations", json={
            "kind": "organizer", "organization_id": f"organizer-{uuid.uuid4().hex[:10]}",
            "name": "Sở Công Thương Lạng Sơn",
        })  # fmt: skip

    @route("GET /organizations/{organization_id}")
    async def _(c: Case) -> Call:
        return Call("GET", f"/organizations/{w.organization(c)}")

    @route("GET /organizations/{organization_id}/members")
    async def _(c: Case) -> Call:
        return Call("GET", f"/organizations/{w.organization(c)}/members")

    async def a_member(c: Case) -> str:
        if _allowed(c):
            return str((await w.member(w.organization(c)))["user"]["user_id"])
        return str(uuid.uuid4())

    @route("DELETE /organizations/{organization_id}/members/{user_id}")
    async def _(c: Case) -> Call:
        if _allowed(c) and c.org_role == "staff" and c.role != "admin":  # staff leave
            person = await w.member(w.organization(c))
            w.caller[c.id] = person["headers"]
            user_id = str(person["user"]["user_id"])
        else:
            user_id = await a_member(c)
        return Call("DELETE", f"/organizations/{w.organization(c)}/members/{user_id}")

    @route("POST /organizations/{organization_id}/members/{user_id}/reset-code")
    async def _(c: Case) -> Call:
        user_id = await a_member(c)
        return Call("POST", f"/organizations/{w.organization(c)}/members/{user_id}/reset-code")

    @route("POST /organizations/{organization_id}/invitations")
    async def _(c: Case) -> Call:
        return Call(
            "POST", f"/organizations/{w.organization(c)}/invitations", json={"org_role": "staff"}
        )

    @route("GET /organizations/{organization_id}/invitations")
    async def _(c: Case) -> Call:
        return Call("GET", f"/organizations/{w.organization(c)}/invitations")

    @route("DELETE /organizations/{organization_id}/invitations/{invitation_id}")
    async def _(c: Case) -> Call:
        organization_id = w.organization(c)
        invited = await w.ok("POST", f"/organizations/{organization_id}/invitations",
                             await w.owner(organization_id), json={"org_role": "staff"})  # fmt: skip
        return Call(
            "DELETE",
            f"/organizations/{organization_id}/invitations/{invited['invitation_id']}",
        )

    @route("POST /organizations/{organization_id}/api-keys")
    async def _(c: Case) -> Call:
        return Call(
            "POST",
            f"/organizations/{w.organization(c)}/api-keys",
            json={"label": "kết nối kế toán", "expires_in_days": 30},
        )

    @route("GET /organizations/{organization_id}/api-keys")
    async def _(c: Case) -> Call:
        return Call("GET", f"/organizations/{w.organization(c)}/api-keys")

    @route("DELETE /organizations/{organization_id}/api-keys/{key_id}")
    async def _(c: Case) -> Call:
        organization_id = w.organization(c)
        key = await w.ok("POST", f"/organizations/{organization_id}/api-keys",
                         await w.owner(organization_id),
                         json={"label": "tích hợp", "expires_in_days": 30})  # fmt: skip
        return Call("DELETE", f"/organizations/{organization_id}/api-keys/{key['key_id']}")

    async def suspension(c: Case, method: str) -> Call:
        organization_id = w.organization(c)
        if _allowed(c):  # never the world's own organizations
            organization_id, _ = await w.new_organization()
            if method == "DELETE":
                await w.ok("POST", f"/organizations/{organization_id}/suspension", w.admin)
        return Call(method, f"/organizations/{organization_id}/suspension")

    @route("POST /organizations/{organization_id}/suspension")
    async def _(c: Case) -> Call:
        return await suspension(c, "POST")

    @route("DELETE /organizations/{organization_id}/suspension")
    async def _(c: Case) -> Call:
        return await suspension(c, "DELETE")

    return p


async def test_every_route_answers_every_role_as_the_table_says(
    reg_client: httpx.AsyncClient, grants: Grants
) -> None:
    world = await _world(reg_client, grants)

    async def written() -> int:
        async with grants.service.pool.acquire() as conn:
            return await outbox_position(conn, "registration")

    cases = matrix(TABLE, staff_roles=STAFF_ROLES)
    failures = await run_matrix(reg_client, cases, _prepares(world), world.headers, written)
    assert not failures, "\n".join(failures)
