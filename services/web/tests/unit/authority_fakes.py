"""A fake registration for the authority pages (certifying councils, inspectors, the platform's
administrators, organizations' people and keys): enough state to search, issue, revoke,
import a register, create and suspend organizations, invite and make API keys, answering as
registration does (its error bodies included)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from fastapi.testclient import TestClient

from ocop_web.app import build
from ocop_web.settings import WebSettings

from .conftest import PRODUCT_GROUPS, csrf_of, session_body

TOKEN = "ocop_ses_" + "c" * 43
PASSWORD = "mot-cau-de-nho-lam"
QN_HOLDER = "7b6f0c1e-0000-4000-8000-0000000000a1"
HP_HOLDER = "7b6f0c1e-0000-4000-8000-0000000000b2"

ROLES: dict[str, dict[str, Any]] = {
    "provincial": {
        "organization_id": "hoi-dong-ocop-quang-ninh",
        "kind": "certifier",
        "name": "Hội đồng OCOP tỉnh Quảng Ninh",
        "role": "certifier",
        "org_role": "owner",
        "province": "Quảng Ninh",
        "level": "provincial",
    },
    "central": {
        "organization_id": "hoi-dong-ocop-trung-uong",
        "kind": "certifier",
        "name": "Hội đồng OCOP Trung ương",
        "role": "certifier",
        "org_role": "owner",
        "province": None,
        "level": "central",
    },
    "inspector": {
        "organization_id": "qltt-quang-ninh",
        "kind": "inspector",
        "name": "Cục Quản lý thị trường tỉnh Quảng Ninh",
        "role": "inspector",
        "org_role": "owner",
        "province": "Quang Ninh",
    },
    "admin": {
        "organization_id": "platform",
        "kind": "platform",
        "name": "Nền tảng hội chợ OCOP",
        "role": "admin",
        "org_role": "owner",
    },
    "organizer": {
        "organization_id": "so-cong-thuong-quang-ninh",
        "kind": "organizer",
        "name": "Sở Công Thương Quảng Ninh",
        "role": "organizer",
        "org_role": "owner",
    },
}


def certificate(number: str, star: int, status: str = "valid") -> dict[str, Any]:
    return {
        "certificate_id": str(uuid.uuid4()),
        "number": number,
        "star": star,
        "issuing_level": "province",
        "issuing_body": "UBND tỉnh Quảng Ninh",
        "decision_number": "123/QĐ-UBND",
        "decision_date": "2025-06-01",
        "valid_from": "2025-06-01",
        "valid_to": "2028-05-31",
        "status": status,
        "authority_id": "hoi-dong-ocop-quang-ninh",
        "decided_by": None,
    }


def product(name: str, holder: str, cert: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "product_id": str(uuid.uuid4()),
        "holder_id": holder,
        "name": name,
        "group": 2,
        "taxonomy": "2023",
        "gtin": None,
        "unit": "hộp",
        "list_price_vnd": 120000,
        "certificate": cert,
        "ocop_until": cert["valid_to"] if cert else None,
    }


def problem(status: int, detail: str, code: str, field_name: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"detail": detail, "code": code}
    if field_name:
        body["field"] = field_name
    return httpx.Response(status, json=body)


def invalid(loc: list[str], message: str, kind: str = "value_error") -> httpx.Response:
    return httpx.Response(
        422, json={"detail": [{"type": kind, "loc": ["body", *loc], "msg": message}]}
    )


def fold(text: str) -> str:
    import unicodedata

    bare = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in bare if not unicodedata.combining(c)).casefold()


@dataclass
class Registration:
    acting: str = "provincial"
    calls: list[httpx.Request] = field(default_factory=list)
    products: list[dict[str, Any]] = field(default_factory=list)
    organizations: dict[str, dict[str, Any]] = field(default_factory=dict)
    invitations: list[dict[str, Any]] = field(default_factory=list)
    keys: list[dict[str, Any]] = field(default_factory=list)
    lists_organizations: bool = False
    # POST /imports/register: the report, by valid_rows_only
    import_report: Callable[[bool], httpx.Response] | None = None

    def __post_init__(self) -> None:
        self.products = [
            product("Chè Đường Hoa túi 200 g", QN_HOLDER, certificate("QN-2025-0001", 4)),
            product("Chè xanh Đường Hoa hộp 100 g", QN_HOLDER, certificate("QN-2025-0002", 3)),
            product("Trà hoa vàng", QN_HOLDER, None),
            product("Nước mắm Cát Hải", HP_HOLDER, certificate("HP-2025-0007", 4)),
        ]

    @property
    def membership(self) -> dict[str, Any]:
        return ROLES[self.acting]

    def sent(self, method: str, path: str) -> list[httpx.Request]:
        return [c for c in self.calls if c.method == method and c.url.path == path]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        method, path = request.method, request.url.path
        if (method, path) == ("GET", "/product-groups"):
            return httpx.Response(200, json=PRODUCT_GROUPS)
        if (method, path) == ("POST", "/sessions"):
            return httpx.Response(
                201,
                json={**session_body([self.membership], self.membership), "token": TOKEN},
            )
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return httpx.Response(401, json={"detail": "invalid or revoked token"})
        if (method, path) == ("GET", "/session"):
            return httpx.Response(200, json=session_body([self.membership], self.membership))
        if (method, path) == ("GET", "/directory/exhibitors"):
            return httpx.Response(200, json=self.directory(request))
        if (method, path) == ("GET", "/fairs"):  # the inspector's fairs (none running here)
            return httpx.Response(200, json=[])
        if (method, path) == ("GET", "/products"):
            query = parse_qs(request.url.query.decode())
            found = self.products
            if "holder_id" in query:
                found = [p for p in found if p["holder_id"] == query["holder_id"][0]]
            if "q" in query:
                found = [p for p in found if fold(query["q"][0]) in fold(p["name"])]
            return httpx.Response(200, json=found)
        if match := re.fullmatch(r"/products/([^/]+)", path):
            for p in self.products:
                if p["product_id"] == match.group(1):
                    return httpx.Response(200, json=p)
            return problem(404, "no such product", "not_found")
        if method == "POST" and (match := re.fullmatch(r"/products/([^/]+)/certificates", path)):
            return self.issue(match.group(1), json.loads(request.content))
        if (method, path) == ("POST", "/certificates/revocations"):
            return self.revoke(json.loads(request.content))
        if (method, path) == ("POST", "/imports/register"):
            only = b'name="valid_rows_only"\r\n\r\ntrue' in request.content
            assert self.import_report is not None
            return self.import_report(only)
        return self.identity(request)

    def directory(self, request: httpx.Request) -> list[dict[str, Any]]:
        q = fold(parse_qs(request.url.query.decode()).get("q", [""])[0])
        entries: list[dict[str, Any]] = [
            {"exhibitor_id": QN_HOLDER, "name": "Hợp tác xã Chè Đường Hoa", "kind": "cooperative", "province": "Quảng Ninh"},
            {"exhibitor_id": HP_HOLDER, "name": "Hợp tác xã Chè Cát Hải", "kind": "cooperative", "province": "Hải Phòng"},
        ]  # fmt: skip
        found = [e for e in entries if q in fold(e["name"])]
        for e in found:
            e["products"] = [
                {
                    "product_id": p["product_id"],
                    "name": p["name"],
                    "group": p["group"],
                    "star": p["certificate"]["star"],
                    "valid_until": p["certificate"]["valid_to"],
                }
                for p in self.products
                if p["holder_id"] == e["exhibitor_id"] and p["certificate"]
            ]
        return found

    def issue(self, product_id: str, body: dict[str, Any]) -> httpx.Response:
        found = [p for p in self.products if p["product_id"] == product_id]
        if not found or found[0]["holder_id"] != QN_HOLDER:
            return problem(404, "no such product", "not_found")
        if body["star"] == 5:
            return problem(
                403,
                "5★ is decided by the central OCOP council, not a province's",
                "forbidden",
                "star",
            )
        found[0]["certificate"] = {**certificate(body["number"], body["star"]), **body}
        return httpx.Response(201, json=found[0])

    def revoke(self, body: dict[str, Any]) -> httpx.Response:
        held = {
            p["certificate"]["number"]: p
            for p in self.products
            if p["certificate"] and p["holder_id"] == QN_HOLDER
        }
        missing = [n for n in body["certificate_numbers"] if n not in held]
        if missing:
            return problem(
                404,
                f"no certificates numbered {', '.join(missing)} in your jurisdiction",
                "not_found",
                "certificate_numbers",
            )
        for n in body["certificate_numbers"]:
            held[n]["certificate"]["status"] = "revoked"
        return httpx.Response(
            200,
            json={
                "decision_number": body["decision_number"],
                "revoked": body["certificate_numbers"],
                "products": [held[n]["product_id"] for n in body["certificate_numbers"]],
                "authority_id": self.membership["organization_id"],
                "decided_by": None,
            },
        )

    def identity(self, request: httpx.Request) -> httpx.Response:
        method, path = request.method, request.url.path
        own = f"/organizations/{self.membership['organization_id']}"
        if (method, path) == ("GET", "/organizations"):
            if not self.lists_organizations:
                return httpx.Response(404, json={"detail": "Not Found"})
            return httpx.Response(200, json=list(self.organizations.values()))
        if (method, path) == ("POST", "/organizations"):
            body = json.loads(request.content)
            if body["kind"] == "retailer":  # its id a UUID, made when left out
                body.setdefault("organization_id", str(uuid.uuid4()))
                try:
                    uuid.UUID(body["organization_id"])
                except ValueError:
                    return invalid(["organization_id"], "a retailer's id is a UUID")
            if body["organization_id"] in self.organizations:
                return problem(409, "organization_id already exists", "conflict", "organization_id")
            if (
                body["kind"] == "certifier"
                and body.get("level") == "provincial"
                and not body.get("province")
            ):
                return invalid(["province"], "a provincial council names its province")
            created = {
                "organization_id": body["organization_id"],
                "kind": body["kind"],
                "name": body["name"],
                "role": body["kind"],
                "province": body.get("province"),
                "level": body.get("level"),
                "suspended": False,
            }
            self.organizations[body["organization_id"]] = created
            return httpx.Response(
                201,
                json={
                    "organization": created,
                    "owner_invitation": {
                        "code": "MOI-" + uuid.uuid4().hex[:12].upper(),
                        "expires_at": "2026-04-03T01:00:00Z",
                        "note": "shown once",
                    },
                },
            )
        if path == f"{own}/members" and method == "GET":
            return httpx.Response(200, json=[self.member("Trần Thị Bình", "owner")])
        if path == f"{own}/invitations":
            if method == "POST":
                invitation = {
                    "invitation_id": str(uuid.uuid4()),
                    "org_role": json.loads(request.content)["org_role"],
                    "status": "open",
                    "created_at": "2026-03-27T02:00:00Z",
                    "expires_at": "2026-04-03T02:00:00Z",
                    "used_at": None,
                    "used_by": None,
                }
                self.invitations.append(invitation)
                return httpx.Response(
                    201,
                    json={
                        "invitation_id": invitation["invitation_id"],
                        "code": "MOI-NHANVIEN-12345",
                        "expires_at": invitation["expires_at"],
                        "note": "shown once",
                    },
                )
            return httpx.Response(200, json=self.invitations)
        if method == "DELETE" and (m := re.fullmatch(rf"{own}/invitations/([^/]+)", path)):
            for i in self.invitations:
                if i["invitation_id"] == m.group(1):
                    i["status"] = "revoked"
            return httpx.Response(204)
        if path == f"{own}/api-keys":
            if method == "POST":
                body = json.loads(request.content)
                if not 1 <= body["expires_in_days"] <= 365:
                    return invalid(["expires_in_days"], "too large", "less_than_equal")
                key = {
                    "key_id": str(uuid.uuid4()),
                    "label": body["label"],
                    "created_at": "2026-03-27T02:00:00Z",
                    "expires_at": "2026-06-25T02:00:00Z",
                    "revoked_at": None,
                }
                self.keys.append(key)
                return httpx.Response(201, json={**key, "token": "ocop_key_" + "k" * 43})
            return httpx.Response(200, json=self.keys)
        if method == "DELETE" and (m := re.fullmatch(rf"{own}/api-keys/([^/]+)", path)):
            for k in self.keys:
                if k["key_id"] == m.group(1):
                    k["revoked_at"] = "2026-03-27T03:00:00Z"
            return httpx.Response(204)
        if m := re.fullmatch(r"/organizations/([^/]+)(/suspension)?", path):
            found = self.organizations.get(m.group(1))
            if found is None:
                return problem(404, "no such organization", "not_found")
            if m.group(2):
                found["suspended"] = method == "POST"
                return httpx.Response(200, json=found)
            return httpx.Response(200, json={"organization": found, "members": []})
        return problem(404, "not found", "not_found")

    @staticmethod
    def member(name: str, org_role: str) -> dict[str, Any]:
        return {
            "user_id": str(uuid.uuid4()),
            "name": name,
            "email": "binh@example.vn",
            "phone": None,
            "org_role": org_role,
            "joined_at": "2026-03-20T02:00:00Z",
        }


@pytest.fixture
def registration() -> Registration:
    return Registration()


@pytest.fixture
def client(registration: Registration) -> Iterator[TestClient]:
    transport = httpx.MockTransport(registration)
    app = build(
        WebSettings(env="test", check_assets=False, log_format="console", log_level="WARNING"),
        transports={"registration": transport, "booths": transport, "sales": transport},
    )
    with TestClient(app, base_url="http://testserver") as c:
        yield c


def sign_in(client: TestClient) -> TestClient:
    page = client.get("/sign-in")
    answer = client.post(
        "/sign-in",
        data={"login": "binh@example.vn", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return client


def post(client: TestClient, url: str, data: dict[str, Any], **kwargs: Any) -> httpx.Response:
    """A form posted with the CSRF token of the page it is on (the one at ``url``'s path)."""
    token = csrf_of(client.get("/sign-in").text)
    answer: httpx.Response = client.post(
        url, data={"csrf_token": token, **data}, follow_redirects=False, **kwargs
    )
    return answer
