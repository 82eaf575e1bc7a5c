"""Fake registration, booths and sales for the organizer console's pages (home, fairs,
review): enough of each API, answering as the services do (their error bodies included)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from ocop_web.app import build
from ocop_web.settings import WebSettings

from .conftest import ORGANIZER, PASSWORD, PRODUCT_GROUPS, TOKEN, csrf_of, session_body

TRANSITIONS = {
    "open": ("draft", "open"),
    "close": ("open", "closed"),
    "start": ("closed", "running"),
    "finish": ("running", "finished"),
}


def invalid(field: str, message: str, code: str = "value_error") -> httpx.Response:
    loc = ["body", *field.split(".")]
    return httpx.Response(422, json={"detail": [{"type": code, "loc": loc, "msg": message}]})


def conflict(message: str, field: str) -> httpx.Response:
    return httpx.Response(409, json={"detail": message, "code": "conflict", "field": field})


def fair(
    name: str = "Hội chợ OCOP Quảng Ninh 2026", status: str = "open", **rules: Any
) -> dict[str, Any]:
    return {
        "fair_id": str(uuid.uuid4()),
        "organizer_id": ORGANIZER["organization_id"],
        "name": name,
        "kind": "fair",
        "venue": "Cung Quy hoạch, Hội chợ và Triển lãm tỉnh",
        "province": "Quảng Ninh",
        "starts_at": "2026-08-29T01:00:00Z",
        "ends_at": "2026-09-03T15:00:00Z",
        "applications_open_at": "2026-06-01T00:00:00Z",
        "applications_close_at": "2026-08-20T16:59:00Z",
        "rules": {
            "min_star": 3,
            "product_groups": [1, 2, 3, 4, 5, 6],
            "taxonomy": "2023",
            "max_booths_per_holder": 2,
            "subsidy_percent": 50,
            "subsidy_max_booths": 2,
            **rules,
        },
        "status": status,
    }


def product(name: str, star: int, status: str = "valid", group: int = 1) -> dict[str, Any]:
    holder = str(uuid.uuid4())
    return {
        "product_id": str(uuid.uuid4()),
        "holder_id": holder,
        "name": name,
        "group": group,
        "taxonomy": "2023",
        "gtin": None,
        "unit": "hộp",
        "list_price_vnd": 150000,
        "certificate": {
            "certificate_id": str(uuid.uuid4()),
            "number": f"QN-{star}-{uuid.uuid4().hex[:4]}",
            "star": star,
            "issuing_level": "province",
            "issuing_body": "UBND tỉnh Quảng Ninh",
            "decision_number": "123/QĐ-UBND",
            "decision_date": "2025-01-10",
            "valid_from": "2025-01-10",
            "valid_to": "2028-01-09",
            "status": status,
        },
        "ocop_until": "2028-01-09",
    }


def application(
    fair_id: str,
    name: str,
    province: str,
    products: list[dict[str, Any]],
    *,
    submitted_at: str = "2026-06-02T03:00:00Z",
    status: str = "submitted",
    history: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    holder = products[0]["holder_id"]
    return {
        "application_id": str(uuid.uuid4()),
        "fair_id": fair_id,
        "exhibitor_id": holder,
        "exhibitor_name": name,
        "exhibitor_kind": "cooperative",
        "province": province,
        "products": products,
        "booth_request": {
            "count": 1,
            "booth_type": "standard",
            "zone": None,
            "product_group": None,
            "notes": "",
        },
        "status": status,
        "submitted_at": submitted_at,
        "reviewed_by": None,
        "reviewed_at": None,
        "reason": None,
        "best_star": max(p["certificate"]["star"] for p in products),
        "admitted": [],
        "history": {holder: history or []},
    }


class Services:
    """Registration (identity, fairs, applications), booths (floor plans) and sales (tills)."""

    def __init__(self) -> None:
        self.fairs: dict[str, dict[str, Any]] = {}
        self.applications: dict[str, dict[str, Any]] = {}
        self.floorplans: dict[str, dict[str, Any]] = {}
        self.unmatched: dict[str, list[dict[str, Any]]] = {}  # bank lines no payment was found for
        self.terminals: dict[str, list[dict[str, Any]]] = {}
        self.blocked: set[str] = set()  # applications whose approval registration refuses
        self.calls: list[tuple[str, str, Any]] = []
        self.acting = ORGANIZER

    def add_fair(self, found: dict[str, Any]) -> dict[str, Any]:
        self.fairs[found["fair_id"]] = found
        return found

    def add_application(self, found: dict[str, Any]) -> dict[str, Any]:
        self.applications[found["application_id"]] = found
        return found

    def writes(self, method: str = "POST") -> list[tuple[str, str, Any]]:
        return [c for c in self.calls if c[0] == method]

    def transport(self, service: str) -> httpx.MockTransport:
        return httpx.MockTransport(lambda request: self.answer(service, request))

    def answer(self, host: str, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        body: Any = json.loads(request.content) if request.content else None
        if method != "GET":
            self.calls.append((method, path, body))
        if (host, method, path) == ("registration", "GET", "/product-groups"):
            return httpx.Response(200, json=PRODUCT_GROUPS)
        if (method, path) == ("POST", "/sessions"):
            if body.get("password") != PASSWORD:
                return httpx.Response(401, json={"detail": "no", "code": "wrong_login_or_password"})
            return httpx.Response(
                201, json={**session_body([self.acting], self.acting), "token": TOKEN}
            )
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return httpx.Response(401, json={"detail": "invalid or revoked token"})
        if host == "booths":
            return self.booths(method, path)
        if host == "sales":
            return self.sales(method, path)
        return self.registration(method, path, body, request)

    def registration(
        self, method: str, path: str, body: Any, request: httpx.Request
    ) -> httpx.Response:
        parts = path.strip("/").split("/")
        if (method, path) == ("GET", "/session"):
            return httpx.Response(200, json=session_body([self.acting], self.acting))
        if (method, path) == ("GET", "/organizer/fairs"):
            return httpx.Response(200, json=list(self.fairs.values()))
        if (method, path) == ("GET", "/fairs"):
            return httpx.Response(
                200, json=[f for f in self.fairs.values() if f["status"] != "draft"]
            )
        if (method, path) == ("POST", "/fairs"):
            if body["ends_at"] <= body["starts_at"]:
                return invalid("ends_at", "the fair must end after it starts", "ends_before_start")
            if body["rules"]["subsidy_percent"] > 100:
                return invalid("rules.subsidy_percent", "must be between 0 and 100")
            created = {**fair(body["name"], "draft"), **body, "rules": body["rules"]}
            return httpx.Response(201, json=self.add_fair(created))
        if method == "POST" and parts[0] == "fairs" and parts[-1] == "lifecycle":
            found = self.fairs.get(parts[1])
            if found is None:
                return httpx.Response(404, json={"detail": "no such fair", "code": "not_found"})
            source, target = TRANSITIONS[body["action"]]
            if found["status"] != source:
                return conflict(
                    f"a fair that is {found['status']} cannot {body['action']}", "status"
                )
            found["status"] = target
            return httpx.Response(200, json=found)
        if method == "PATCH" and parts[0] == "fairs" and len(parts) == 2:
            found = self.fairs[parts[1]]
            if found["status"] not in ("draft", "open"):
                return httpx.Response(
                    409,
                    json={
                        "detail": "a closed fair",
                        "code": "fair_not_editable",
                        "field": "status",
                    },
                )
            merged = {**found, **body}
            if merged["applications_close_at"] > merged["starts_at"]:
                return invalid(
                    "applications_close_at",
                    "applications must close before the fair starts",
                    "window_closes_after_start",
                )
            found.update(body)
            return httpx.Response(200, json=found)
        if method == "PUT" and parts[0] == "fairs" and parts[-1] == "rules":
            found = self.fairs[parts[1]]
            if body["subsidy_percent"] > 100:
                return invalid("subsidy_percent", "must be between 0 and 100")
            found["rules"] = body
            return httpx.Response(200, json=found)
        if method == "GET" and parts[0] == "fairs" and parts[-1] == "applications":
            status = request.url.params.get("status")
            listed = [
                a
                for a in self.applications.values()
                if a["fair_id"] == parts[1] and (status is None or a["status"] == status)
            ]
            return httpx.Response(200, json=listed)
        if method == "POST" and parts[0] == "applications" and parts[-1] == "review":
            found = self.applications.get(parts[1])
            if found is None:
                return httpx.Response(
                    404, json={"detail": "no such application", "code": "not_found"}
                )
            if found["status"] not in ("submitted", "waitlisted"):
                return conflict(
                    f"an application that is {found['status']} cannot be {body['decision']}",
                    "decision",
                )
            if body["decision"] == "rejected" and not (
                body.get("reason") or body.get("reason_code")
            ):
                return invalid("reason", "a rejection must say why")
            if body["decision"] == "approved" and parts[1] in self.blocked:
                return conflict("'Chè' expired", "products.0")
            found.update(
                status=body["decision"],
                reason=body.get("reason"),
                reason_code=body.get("reason_code"),
                reviewed_at="2026-06-03T02:00:00Z",
            )
            return httpx.Response(200, json=found)
        return httpx.Response(404, json={"detail": "not found", "code": "not_found"})

    def booths(self, method: str, path: str) -> httpx.Response:
        parts = path.strip("/").split("/")
        if method == "GET" and parts[-1] == "floorplan" and parts[1] in self.floorplans:
            return httpx.Response(200, json=self.floorplans[parts[1]])
        if method == "GET" and parts[-1] == "unmatched" and parts[1] in self.unmatched:
            return httpx.Response(200, json=self.unmatched[parts[1]])
        return httpx.Response(404, json={"detail": "no such fair", "code": "fair_not_found"})

    def sales(self, method: str, path: str) -> httpx.Response:
        parts = path.strip("/").split("/")
        if method == "GET" and parts[-1] == "terminals" and parts[1] in self.terminals:
            return httpx.Response(200, json=self.terminals[parts[1]])
        return httpx.Response(404, json={"detail": "no such fair", "code": "not_found"})


@pytest.fixture
def services() -> Services:
    return Services()


@pytest.fixture
def organizer(services: Services) -> Iterator[TestClient]:
    """The web app signed in as an organizer, over the fake services."""
    app = build(
        WebSettings(env="test", check_assets=False, log_format="console", log_level="WARNING"),
        transports={name: services.transport(name) for name in ("registration", "booths", "sales")},
    )
    with TestClient(app, base_url="http://testserver") as client:
        page = client.get("/sign-in")
        signed = client.post(
            "/sign-in",
            data={"login": "an@example.vn", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
        services.calls.clear()
        yield client
