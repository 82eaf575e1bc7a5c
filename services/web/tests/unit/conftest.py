"""The web app in-process, its services replaced by a fake registration (httpx's
MockTransport): no stack, no browser."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from ocop_web.app import build
from ocop_web.settings import WebSettings

TOKEN = "ocop_ses_" + "a" * 43
PASSWORD = "mat-khau-dung-roi"


def membership(
    org_id: str, name: str, kind: str = "holder", role: str = "exhibitor"
) -> dict[str, Any]:
    return {
        "organization_id": org_id,
        "kind": kind,
        "name": name,
        "role": role,
        "org_role": "owner",
    }


# Registration's GET /product-groups (public), as its domain.products.CLASSIFICATIONS answers.
PRODUCT_GROUPS: list[dict[str, Any]] = [
    {
        "taxonomy": "2023",
        "decision": "148/QĐ-TTg",
        "groups": [
            {"number": 1, "name_vi": "Thực phẩm", "name_en": "Food"},
            {"number": 2, "name_vi": "Đồ uống", "name_en": "Beverages"},
            {
                "number": 3,
                "name_vi": "Dược liệu và sản phẩm từ dược liệu",
                "name_en": "Medicinal herbs and products",
            },
            {"number": 4, "name_vi": "Hàng thủ công mỹ nghệ", "name_en": "Handicrafts"},
            {"number": 5, "name_vi": "Sinh vật cảnh", "name_en": "Ornamental plants and animals"},
            {
                "number": 6,
                "name_vi": "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
                "name_en": "Community and eco-tourism",
            },
        ],
    },
    {
        "taxonomy": "2019",
        "decision": "1048/QĐ-TTg",
        "groups": [
            {"number": 1, "name_vi": "Thực phẩm", "name_en": "Food"},
            {"number": 2, "name_vi": "Đồ uống", "name_en": "Drinks"},
            {"number": 3, "name_vi": "Thảo dược", "name_en": "Herbal products"},
            {"number": 4, "name_vi": "Vải và may mặc", "name_en": "Textiles and garments"},
            {
                "number": 5,
                "name_vi": "Lưu niệm, nội thất, trang trí",
                "name_en": "Souvenirs, furniture and decoration",
            },
            {
                "number": 6,
                "name_vi": "Dịch vụ du lịch nông thôn",
                "name_en": "Rural tourism services",
            },
        ],
    },
]


HOLDER = membership("7b6f0c1e-0000-4000-8000-000000000001", "Hợp tác xã Chè Đường Hoa")
ORGANIZER = membership(
    "so-cong-thuong-quang-ninh", "Sở Công Thương Quảng Ninh", "organizer", "organizer"
)


def session_body(memberships: list[dict[str, Any]], acting: dict[str, Any]) -> dict[str, Any]:
    return {
        "session": {
            "session_id": "00000000-0000-4000-8000-000000000001",
            "created_at": "2026-03-27T01:00:00+00:00",
            "expires_at": "2099-03-27T13:00:00+00:00",
            "idle_expires_at": "2099-03-27T01:30:00+00:00",
        },
        "user": {
            "user_id": "00000000-0000-4000-8000-000000000002",
            "name": "Nguyễn Văn An",
            "email": "an@example.vn",
            "phone": None,
        },
        "organization": acting,
        "memberships": memberships,
    }


class FakeRegistration:
    """Enough of registration's identity API for the pages: sign-in, who am I, sign-out."""

    def __init__(self) -> None:
        self.memberships = [HOLDER]
        self.calls: list[httpx.Request] = []
        self.live = True

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        path, method = request.url.path, request.method
        if (method, path) == ("GET", "/product-groups"):
            return httpx.Response(200, json=PRODUCT_GROUPS)
        if (method, path) == ("POST", "/sessions"):
            body = json.loads(request.content)
            if body.get("password") != PASSWORD:
                return httpx.Response(
                    401,
                    json={"detail": "wrong login or password", "code": "wrong_login_or_password"},
                )
            chosen = [
                m for m in self.memberships if m["organization_id"] == body.get("organization_id")
            ]
            if not chosen and len(self.memberships) > 1:
                ids = ", ".join(m["organization_id"] for m in self.memberships)
                return httpx.Response(
                    422,
                    json={
                        "detail": [
                            {
                                "type": "value_error",
                                "loc": ["body", "organization_id"],
                                "msg": f"member of several organizations; say which one of: {ids}",
                            }
                        ]
                    },
                )
            self.live = True
            acting = chosen[0] if chosen else self.memberships[0]
            return httpx.Response(
                201, json={**session_body(self.memberships, acting), "token": TOKEN}
            )
        if request.headers.get("authorization") != f"Bearer {TOKEN}" or not self.live:
            return httpx.Response(401, json={"detail": "invalid or revoked token"})
        if (method, path) == ("GET", "/session"):
            return httpx.Response(200, json=session_body(self.memberships, self.memberships[0]))
        if (method, path) in (("DELETE", "/session"), ("POST", "/session/sign-out-everywhere")):
            self.live = False
            return httpx.Response(204)
        if (method, path) == ("POST", "/session/password"):
            body = json.loads(request.content)
            if body["current_password"] != PASSWORD:
                return httpx.Response(
                    401,
                    json={
                        "detail": "wrong login or password",
                        "code": "wrong_login_or_password",
                        "field": "current_password",
                    },
                )
            if len(body["new_password"]) < 10:
                return httpx.Response(
                    422,
                    json={
                        "detail": [
                            {
                                "type": "value_error",
                                "loc": ["body", "new_password"],
                                "msg": "too short",
                            }
                        ]
                    },
                )
            return httpx.Response(204)
        return httpx.Response(404, json={"detail": "not found", "code": "not_found"})


@pytest.fixture
def registration() -> FakeRegistration:
    return FakeRegistration()


@pytest.fixture
def client(registration: FakeRegistration) -> Iterator[TestClient]:
    transport = httpx.MockTransport(registration)
    app = build(
        WebSettings(env="test", check_assets=False, log_format="console", log_level="WARNING"),
        transports={"registration": transport, "booths": transport, "sales": transport},
    )
    with TestClient(app, base_url="http://testserver") as c:
        yield c


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


@pytest.fixture
def signed_in(client: TestClient) -> TestClient:
    page = client.get("/sign-in")
    answer = client.post(
        "/sign-in",
        data={"login": "an@example.vn", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return client
