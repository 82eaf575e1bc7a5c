"""Fakes of the three services for the exhibitor portal's pages (httpx MockTransport, one
per service): enough state to sign up, add products, apply, hold a booth and read sales."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from ocop_web.app import build
from ocop_web.settings import WebSettings

from .conftest import PRODUCT_GROUPS, session_body

TOKEN = "ocop_ses_" + "e" * 43
HOLDER_ID = "7b6f0c1e-0000-4000-8000-0000000000aa"
DELEGATION_ID = "7b6f0c1e-0000-4000-8000-0000000000dd"
FAIR_ID = "f0000000-0000-4000-8000-000000000001"
BOOTH_A = "b0000000-0000-4000-8000-00000000000a"
BOOTH_B = "b0000000-0000-4000-8000-00000000000b"
BOOTH_C = "b0000000-0000-4000-8000-00000000000c"
PASSWORD = "mot-cau-de-nho-lam"
VIETQR = "00020101021238570010A000000727012700069704180113VN0001234567890208QRIBFTTA53037045405450005802VN62150811OCOP-F01-0016304ABCD"


def certificate(
    star: int = 4, status: str = "valid", valid_to: str = "2028-12-31"
) -> dict[str, Any]:
    return {
        "certificate_id": str(uuid.uuid4()),
        "number": "QN-2025-0042",
        "star": star,
        "issuing_level": "province",
        "issuing_body": "UBND tỉnh Quảng Ninh",
        "decision_number": "123/QĐ-UBND",
        "decision_date": "2025-06-01",
        "valid_from": "2025-06-01",
        "valid_to": valid_to,
        "status": status,
        "authority_id": "hoi-dong-ocop-quang-ninh",
        "decided_by": None,
    }


def product(name: str, cert: dict[str, Any] | None, holder: str = HOLDER_ID) -> dict[str, Any]:
    return {
        "product_id": str(uuid.uuid4()),
        "holder_id": holder,
        "name": name,
        "group": 2,
        "taxonomy": "2023",
        "gtin": None,
        "unit": "túi 200 g",
        "list_price_vnd": 120000,
        "certificate": cert,
        "ocop_until": cert["valid_to"] if cert else None,
    }


FAIR = {
    "fair_id": FAIR_ID,
    "organizer_id": "so-cong-thuong-quang-ninh",
    "name": "Hội chợ OCOP Quảng Ninh 2026",
    "kind": "fair",
    "venue": "Cung Quy hoạch, Hội chợ và Triển lãm",
    "province": "Quảng Ninh",
    "starts_at": "2026-04-24T01:00:00+00:00",
    "ends_at": "2026-04-28T14:00:00+00:00",
    "applications_open_at": "2020-01-01T00:00:00+00:00",
    "applications_close_at": "2099-04-10T16:59:00+00:00",
    "rules": {
        "min_star": 3,
        "product_groups": [1, 2, 3],
        "taxonomy": "2023",
        "max_booths_per_holder": 2,
        "subsidy_percent": 50,
        "subsidy_max_booths": 1,
    },
    "status": "open",
}


def problem(status: int, detail: str, code: str, field_name: str | None = None) -> httpx.Response:
    return httpx.Response(status, json={"detail": detail, "code": code, "field": field_name})


def invalid(code: str, loc: list[str], msg: str) -> httpx.Response:
    """A 422 as registration answers a rule broken: the code as ``type``, the field in loc."""
    return httpx.Response(422, json={"detail": [{"type": code, "loc": ["body", *loc], "msg": msg}]})


def password_refusal(account: dict[str, Any]) -> str | None:
    """Registration's password policy (domain/passwords.py), its messages as it words them."""
    if "password" not in account:
        return None
    password = str(account["password"])
    if len(password) < 10:
        return "at least 10 characters"
    if len(set(password)) == 1:
        return "not one character repeated"
    if password in {account.get("email"), account.get("phone")}:
        return "must not be the email or phone number signed in with"
    if password.casefold() in {"matkhau123", "1234567890"}:
        return "one of the most common passwords; choose another"
    return None


@dataclass
class Portal:
    """The services' state as one exhibitor sees it."""

    kind: str = "holder"  # or "delegation"
    signed_up: list[dict[str, Any]] = field(default_factory=list)
    products: list[dict[str, Any]] = field(default_factory=list)
    applications: list[dict[str, Any]] = field(default_factory=list)
    holds: list[str] = field(default_factory=list)
    memberships: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    invited_members: list[list[str]] = field(default_factory=list)
    calls: list[httpx.Request] = field(default_factory=list)
    booth_taken_meanwhile: bool = False
    hold_ended_meanwhile: bool = False
    sales: list[dict[str, Any]] = field(default_factory=list)
    joined: list[dict[str, Any]] = field(default_factory=list)
    tills: list[dict[str, Any]] = field(default_factory=list)  # sales' my-terminals
    ranked: bool = False  # the fair's allocation_mode
    more_booths: bool = False  # a third booth, free (A03)
    choices: list[str] = field(default_factory=list)  # booth ids, best first
    choice_refused: dict[str, Any] | None = None  # booths' next answer to PUT choices

    def fair(self) -> dict[str, Any]:
        mode = "ranked" if self.ranked else "self_service"
        return {**FAIR, "rules": {**FAIR["rules"], "allocation_mode": mode}}  # type: ignore[dict-item]

    @property
    def organization_id(self) -> str:
        return DELEGATION_ID if self.kind == "delegation" else HOLDER_ID

    def membership(self) -> dict[str, Any]:
        return {
            "organization_id": self.organization_id,
            "kind": self.kind,
            "name": "Đoàn Quảng Ninh" if self.kind == "delegation" else "HTX Chè Đường Hoa",
            "role": "organizer" if self.kind == "organizer" else "exhibitor",
            "org_role": "owner",
        }

    def authorized(self, request: httpx.Request) -> bool:
        return bool(request.headers.get("authorization") == f"Bearer {TOKEN}")

    # --- registration -----------------------------------------------------------------------

    def registration(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        path, method = request.url.path, request.method
        body: dict[str, Any] = json.loads(request.content) if request.content else {}
        if (method, path) == ("POST", "/exhibitors"):
            return self.sign_up(body)
        if (method, path) == ("POST", "/invitations/accept"):
            if body.get("code") != "MOT-LAN-DUY-NHAT-42":
                return problem(422, "no such invitation code", "value_error", "code")
            weak = password_refusal(body.get("account") or {})
            if weak:
                return invalid("value_error", ["account", "password"], weak)
            self.joined.append(body)
            m = self.membership()
            return httpx.Response(201, json={**session_body([m], m), "token": TOKEN})
        if (method, path) == ("GET", "/product-groups"):
            return httpx.Response(200, json=PRODUCT_GROUPS)
        if (method, path) == ("GET", "/fairs"):
            return httpx.Response(200, json=[self.fair()])
        if (method, path) == ("GET", f"/fairs/{FAIR_ID}"):
            return httpx.Response(200, json=self.fair())
        if (method, path) == ("GET", "/products"):
            holder = request.url.params.get("holder_id")
            return httpx.Response(200, json=[p for p in self.products if p["holder_id"] == holder])
        if (method, path) == ("GET", "/directory/exhibitors"):
            return httpx.Response(
                200,
                json=[
                    {
                        "exhibitor_id": HOLDER_ID,
                        "name": "HTX Chè Đường Hoa",
                        "kind": "cooperative",
                        "province": "Quảng Ninh",
                        "products": [],
                    },
                    {
                        "exhibitor_id": DELEGATION_ID,
                        "name": "Đoàn Quảng Ninh",
                        "kind": "delegation",
                        "province": "Quảng Ninh",
                        "products": [],
                    },
                ],
            )
        if not self.authorized(request):
            return httpx.Response(401, json={"detail": "invalid or revoked token"})
        if (method, path) == ("GET", "/session"):
            m = self.membership()
            return httpx.Response(200, json=session_body([m], m))
        if (method, path) == ("POST", "/products"):
            return self.add_product(body)
        if (method, path) == ("GET", "/applications"):
            return httpx.Response(200, json=self.applications)
        if method == "POST" and path.startswith("/applications/") and path.endswith("/withdraw"):
            found = [a for a in self.applications if a["application_id"] == path.split("/")[2]]
            if not found:
                return problem(404, "no", "not_found")
            found[0]["status"] = "withdrawn"
            self.holds.clear()  # booths releases them when it hears of it
            return httpx.Response(200, json=found[0])
        if method == "GET" and path.startswith("/applications/"):
            found = [a for a in self.applications if a["application_id"] == path.split("/")[2]]
            return httpx.Response(200, json=found[0]) if found else problem(404, "no", "not_found")
        if (method, path) == ("POST", f"/fairs/{FAIR_ID}/applications"):
            return self.apply(body)
        if (method, path) == ("GET", f"/exhibitors/{self.organization_id}"):
            members = [HOLDER_ID] if self.kind == "delegation" else []
            return httpx.Response(
                200, json={"exhibitor_id": self.organization_id, "member_ids": members}
            )
        if (method, path) == ("GET", f"/exhibitors/{self.organization_id}/memberships"):
            return httpx.Response(200, json=self.memberships)
        if method == "POST" and "/delegations/" in path:
            self.decisions.append(path)
            return httpx.Response(200, json={})
        if (method, path) == ("POST", f"/exhibitors/{DELEGATION_ID}/members"):
            self.invited_members.append(body["member_ids"])
            return httpx.Response(201, json=[])
        if (method, path) == ("GET", f"/organizations/{self.organization_id}/members"):
            return httpx.Response(
                200,
                json=[
                    {
                        "user_id": str(uuid.uuid4()),
                        "name": "Nguyễn Văn An",
                        "email": "an@example.vn",
                        "phone": None,
                        "org_role": "owner",
                        "joined_at": "2026-03-01T02:00:00+00:00",
                    }
                ],
            )
        if (method, path) == ("GET", f"/organizations/{self.organization_id}/invitations"):
            return httpx.Response(200, json=[])
        if (method, path) == ("POST", f"/organizations/{self.organization_id}/invitations"):
            return httpx.Response(
                201,
                json={
                    "invitation_id": str(uuid.uuid4()),
                    "code": "MOT-LAN-DUY-NHAT-42",
                    "expires_at": "2026-04-03T02:00:00+00:00",
                    "note": "",
                },
            )
        return problem(404, "not found", "not_found")

    def sign_up(self, body: dict[str, Any]) -> httpx.Response:
        if body.get("tax_code") == "0101243150":
            return problem(
                409,
                "tax_code already registered; ask its owner",
                "conflict",
                "tax_code",
            )
        if body.get("tax_code") and not body["tax_code"].replace("-", "").isdigit():
            return problem(
                422, "not a valid Vietnamese tax code: invalid format", "value_error", "tax_code"
            )
        if body["owner"].get("phone") and not body["owner"]["phone"].startswith("09"):
            return problem(422, "not a Vietnamese phone number", "value_error", "owner.phone")
        if len(body["owner"]["password"]) < 10:
            return invalid("value_error", ["owner", "password"], "at least 10 characters")
        if body["owner"]["password"].casefold() == "matkhau123":
            return invalid(
                "value_error",
                ["owner", "password"],
                "one of the most common passwords; choose another",
            )
        self.signed_up.append(body)
        m = self.membership()
        return httpx.Response(
            201,
            json={**session_body([m], m), "exhibitor": {"exhibitor_id": HOLDER_ID}, "token": TOKEN},
        )

    def add_product(self, body: dict[str, Any]) -> httpx.Response:
        if body.get("gtin") and body["gtin"] != "8935049500018":
            return problem(422, "check digit is wrong (expected 8)", "value_error", "gtin")
        made = product(body["name"], None)
        made.update(group=body["group"], unit=body["unit"], list_price_vnd=body["list_price_vnd"])
        self.products.append(made)
        return httpx.Response(201, json=made)

    def apply(self, body: dict[str, Any]) -> httpx.Response:
        mine = {p["product_id"]: p for p in self.products}
        if any(a["status"] != "withdrawn" for a in self.applications):
            return problem(409, "already applied to this fair", "already_applied", "fair_id")
        for i, pid in enumerate(body["product_ids"]):
            p = mine[pid]
            if p["certificate"] is None:
                return invalid(
                    "no_certificate", ["product_ids", str(i)], f"'{p['name']}' has no certificate"
                )
            if p["certificate"]["star"] < FAIR["rules"]["min_star"]:  # type: ignore[index]
                return invalid(
                    "below_min_star",
                    ["product_ids", str(i)],
                    f"'{p['name']}' 2★ is below the fair's minimum of 3★",
                )
        application = {
            "application_id": str(uuid.uuid4()),
            "fair_id": FAIR_ID,
            "exhibitor_id": self.organization_id,
            "exhibitor_name": "HTX Chè Đường Hoa",
            "exhibitor_kind": "cooperative",
            "province": "Quảng Ninh",
            "products": [mine[p] for p in body["product_ids"]],
            "booth_request": {**body["booth_request"], "zone": None, "product_group": None},
            "status": "submitted",
            "submitted_at": "2026-03-27T03:00:00+00:00",
            "reviewed_by": None,
            "reviewed_at": None,
            "reason": None,
            "best_star": 4,
            "admitted": [],
        }
        self.applications.append(application)
        return httpx.Response(201, json=application)

    # --- booths -----------------------------------------------------------------------------

    def booths(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        path, method = request.url.path, request.method
        if not self.authorized(request):
            return httpx.Response(401, json={"detail": "invalid or revoked token"})
        body: dict[str, Any] = json.loads(request.content) if request.content else {}
        if (method, path) == ("GET", f"/fairs/{FAIR_ID}/floorplan"):
            return httpx.Response(200, json=self.floorplan())
        if (method, path) == ("POST", f"/fairs/{FAIR_ID}/holds"):
            if self.ranked:
                return problem(
                    409, "this fair allocates from ranked choices", "not_self_service", "fair_id"
                )
            if self.booth_taken_meanwhile:
                return problem(
                    409, "this booth was just taken by someone else", "booth_taken", "booth_id"
                )
            self.holds.append(body["booth_id"])
            return httpx.Response(201, json={"booth_id": body["booth_id"], "status": "held"})
        if method == "DELETE" and path.startswith(f"/fairs/{FAIR_ID}/holds/"):
            if path.rsplit("/", 1)[1] not in self.holds or self.hold_ended_meanwhile:
                return problem(404, "you hold no such booth at this fair", "hold_not_found")
            self.holds.remove(path.rsplit("/", 1)[1])
            return httpx.Response(
                200, json={"booth_id": path.rsplit("/", 1)[1], "state": "released"}
            )
        if path == f"/fairs/{FAIR_ID}/choices":
            if not self.ranked:
                return problem(409, "self-service fair", "not_ranked", "fair_id")
            if method == "PUT":
                if self.choice_refused is not None:
                    refused, self.choice_refused = self.choice_refused, None
                    return httpx.Response(409, json=refused)
                self.choices = list(body["booth_ids"])
            plan = {b["booth_id"]: b for b in self.floorplan()["booths"]}
            return httpx.Response(
                200,
                json={
                    "fair_id": FAIR_ID,
                    "application_id": None,
                    "allocation_mode": "ranked",
                    "choices": [
                        {
                            "rank": i + 1,
                            "booth_id": b,
                            "code": plan[b]["code"],
                            "zone": "A",
                            "booth_type": "standard",
                            "state": plan[b]["state"],
                        }
                        for i, b in enumerate(self.choices)
                    ],
                },
            )
        if (method, path) == ("GET", f"/fairs/{FAIR_ID}/my-booths"):
            return httpx.Response(200, json=[self.my_booth(b) for b in self.holds])
        if (method, path) == ("GET", f"/fairs/{FAIR_ID}/fees"):
            due = 4_500_000 * len(self.holds)
            return httpx.Response(
                200,
                json={
                    "fair_id": FAIR_ID,
                    "exhibitor_id": self.organization_id,
                    "lines": [
                        {
                            "booth_code": "A01",
                            "booth_type": "standard",
                            "price_vnd": 9_000_000,
                            "surcharge_vnd": 0,
                            "subsidy_vnd": 4_500_000,
                            "due_vnd": 4_500_000,
                            "status": "held",
                        }
                        for _ in self.holds
                    ],
                    "due_vnd": due,
                    "paid_vnd": 0,
                    "balance_vnd": due,
                    "payment_reference": "OCOP F01 001",
                    "vietqr": VIETQR if due else None,
                },
            )
        return problem(404, "not found", "not_found")

    def floorplan(self) -> dict[str, Any]:
        def booth(booth_id: str, code: str, x: float, state: str) -> dict[str, Any]:
            return {
                "booth_id": booth_id,
                "code": code,
                "zone": "A",
                "booth_type": "standard",
                "width_m": 3,
                "depth_m": 3,
                "price_vnd": 9_000_000,
                "x": x,
                "y": 0,
                "open_sides": 1,
                "state": "held" if booth_id in self.holds else state,
                "neighbours": [],
                "exhibitor_id": None,
            }

        return {
            "fair_id": FAIR_ID,
            "zones": [
                {
                    "code": "A",
                    "name": "Khu A – Quảng Ninh",
                    "kind": "regional",
                    "product_groups": [],
                }
            ],
            "booths": [booth(BOOTH_A, "A01", 0, "available"), booth(BOOTH_B, "A02", 3, "taken")]
            + ([booth(BOOTH_C, "A03", 6, "available")] if self.more_booths else []),
        }

    def my_booth(self, booth_id: str) -> dict[str, Any]:
        return {
            "booth_id": booth_id,
            "code": "A01",
            "zone": "A",
            "booth_type": "standard",
            "status": "held",
            "hold_expires_at": "2026-03-27T03:30:00+00:00",
            "payment_due_at": None,
        }

    # --- sales ------------------------------------------------------------------------------

    def sales_api(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        path, method = request.url.path, request.method
        if not self.authorized(request):
            return httpx.Response(401, json={"detail": "invalid or revoked token"})
        if (method, path) == ("GET", f"/fairs/{FAIR_ID}/reports/revenue"):
            by = request.url.params["by"]
            keys = {
                "day": ["2026-04-25", "2026-04-24"],
                "product": ["Chè Đường Hoa túi 200 g"],
                "producer": ["HTX Chè Đường Hoa", "HTX Mật ong Ba Chẽ"],
            }[by]
            rows = [
                {
                    "key": k,
                    "sales": 3,
                    "quantity": 5,
                    "gross_vnd": 600000,
                    "refunds_vnd": 0,
                    "net_vnd": 600000,
                }
                for k in keys
            ]
            return httpx.Response(
                200,
                json={
                    "fair_id": FAIR_ID,
                    "by": by,
                    "rows": rows,
                    "total_net_vnd": 600000 * len(rows),
                    "generated_at": "2026-04-25T08:00:00+00:00",
                },
            )
        if (method, path) == ("GET", f"/fairs/{FAIR_ID}/terminals"):
            return problem(403, "not allowed", "forbidden")
        if (method, path) == ("GET", f"/fairs/{FAIR_ID}/my-terminals"):
            return httpx.Response(200, json=self.tills)
        if (method, path) == ("GET", "/sales"):
            return httpx.Response(200, json=self.sales)
        return problem(404, "not found", "not_found")


@pytest.fixture
def portal() -> Portal:
    return Portal()


@pytest.fixture
def web(portal: Portal) -> Iterator[TestClient]:
    app = build(
        WebSettings(env="test", check_assets=False, log_format="console", log_level="WARNING"),
        transports={
            "registration": httpx.MockTransport(portal.registration),
            "booths": httpx.MockTransport(portal.booths),
            "sales": httpx.MockTransport(portal.sales_api),
        },
    )
    with TestClient(app, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def exhibitor(web: TestClient) -> TestClient:
    """Signed in as the exhibitor (the session cookie set as sign-in would)."""
    web.cookies.set("ocop_session", TOKEN)
    return web
