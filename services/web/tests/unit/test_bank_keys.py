"""The exhibitor's automatic transfer confirmation (issue 13): webhook keys for a bank
notification service, against a fake sales: made by an owner (the key and the webhook
address shown once, in that answer only), listed without the key, revoked behind a
confirmation; staff sent away; the address from OCOP_PUBLIC_API_URL, else the sales URL."""

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

from .exhibitor_fakes import TOKEN, Portal, exhibitor
from .test_exhibitor_portal import post, summary_of

__all__ = ["exhibitor"]  # fixtures

PAGE = "/exhibitor/organization/bank-notifications"
KEY = "ocop_whk_" + "k" * 40


class KeysPortal(Portal):
    org_role: str = "owner"
    keys: list[dict[str, Any]]
    writes: list[tuple[str, str, Any]]

    def membership(self) -> dict[str, Any]:
        return {**super().membership(), "org_role": self.org_role}

    def sales_api(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        if not path.startswith("/bank-webhook-keys"):
            return super().sales_api(request)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return httpx.Response(401, json={"detail": "no"})
        if self.org_role != "owner":
            return httpx.Response(403, json={"detail": "owners only", "code": "forbidden"})
        if method == "GET":
            return httpx.Response(200, json=[{k: v for k, v in r.items()} for r in self.keys])
        body = json.loads(request.content) if request.content else None
        self.writes.append((method, path, body))
        if method == "POST":
            if len(body["label"]) > 80:
                detail = [{"type": "string_too_long", "loc": ["body", "label"], "msg": "long"}]
                return httpx.Response(422, json={"detail": detail})
            row = {
                "key_id": str(uuid.uuid4()),
                "label": body["label"],
                "hint": KEY[-4:],
                "created_by": "owner",
                "created_at": "2026-08-29T01:30:00Z",
                "revoked_at": None,
                "last_used_at": None,
            }
            self.keys.append(row)
            return httpx.Response(
                201, json={**row, "key": KEY, "header": f"Authorization: Apikey {KEY}"}
            )
        key_id = path.rsplit("/", 1)[-1]
        for row in self.keys:
            if row["key_id"] == key_id:
                row["revoked_at"] = "2026-08-29T02:00:00Z"
                return httpx.Response(200, json=row)
        return httpx.Response(404, json={"detail": "no such key", "code": "not_found"})


@pytest.fixture
def portal() -> KeysPortal:
    made = KeysPortal()
    made.keys, made.writes = [], []
    return made


@pytest.fixture
def web(portal: KeysPortal, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.delenv("OCOP_PUBLIC_API_URL", raising=False)
    app = build(
        WebSettings(
            env="test",
            check_assets=False,
            sales_url="http://sales.internal:8003",
            public_api_url="https://api.ocop.example.vn/",
        ),
        transports={
            "registration": httpx.MockTransport(portal.registration),
            "booths": httpx.MockTransport(portal.booths),
            "sales": httpx.MockTransport(portal.sales_api),
        },
    )
    with TestClient(app, base_url="http://testserver") as c:
        yield c


def test_an_owner_makes_a_key_shown_once_with_the_webhook_address(
    exhibitor: TestClient, portal: KeysPortal
) -> None:
    organization = exhibitor.get("/exhibitor/organization")
    assert f'href="{PAGE}"' in organization.text and "Nhận báo có tự động" in organization.text
    page = exhibitor.get(PAGE)
    assert page.status_code == 200
    assert "Nhận báo có tự động" in page.text and 'data-testid="no-keys"' in page.text
    assert "https://api.ocop.example.vn/bank-notifications" in page.text
    made = post(exhibitor, PAGE, {"key_label": "SePay", "idempotency_key": str(uuid.uuid4())})
    assert made.status_code == 201
    assert portal.writes == [("POST", "/bank-webhook-keys", {"label": "SePay"})]
    assert f'data-testid="key">{KEY}<' in made.text
    assert f"Authorization: Apikey {KEY}" in made.text
    assert "chỉ hiển thị một lần" in made.text
    listed = exhibitor.get(PAGE)
    assert KEY not in listed.text  # never again
    assert (
        "SePay" in listed.text and f"…{KEY[-4:]}" in listed.text and "Đang hoạt động" in listed.text
    )


def test_a_key_revoked_behind_a_confirmation(exhibitor: TestClient, portal: KeysPortal) -> None:
    post(exhibitor, PAGE, {"key_label": "SePay", "idempotency_key": str(uuid.uuid4())})
    key_id = portal.keys[0]["key_id"]
    confirm = exhibitor.get(f"{PAGE}/{key_id}/revoke")
    assert confirm.status_code == 200 and "Thu hồi khóa này" in confirm.text
    assert portal.keys[0]["revoked_at"] is None  # nothing yet
    done = post(exhibitor, f"{PAGE}/{key_id}/revoke", {})
    assert done.status_code == 303 and done.headers["location"] == f"{PAGE}?notice=revoked"
    assert ("DELETE", f"/bank-webhook-keys/{key_id}", None) in portal.writes
    after = exhibitor.get(done.headers["location"])
    assert "Đã thu hồi khóa" in after.text and "Đã thu hồi" in after.text
    assert f"{PAGE}/{key_id}/revoke" not in after.text
    # an unknown key: not found, nothing sent
    assert exhibitor.get(f"{PAGE}/{uuid.uuid4()}/revoke").status_code == 404


def test_an_empty_label_is_named_and_nothing_is_made(
    exhibitor: TestClient, portal: KeysPortal
) -> None:
    answer = post(exhibitor, PAGE, {"key_label": "  ", "idempotency_key": str(uuid.uuid4())})
    assert answer.status_code == 422
    assert "key_label" in summary_of(answer.text)
    assert portal.writes == []


def test_staff_are_sent_away(exhibitor: TestClient, portal: KeysPortal) -> None:
    portal.org_role = "staff"
    assert exhibitor.get(PAGE).status_code == 403
    assert f'href="{PAGE}"' not in exhibitor.get("/exhibitor/organization").text


def test_without_a_public_address_the_sales_url_is_shown(portal: KeysPortal) -> None:
    app = build(
        WebSettings(env="test", check_assets=False, sales_url="http://127.0.0.1:8003"),
        transports={
            "registration": httpx.MockTransport(portal.registration),
            "booths": httpx.MockTransport(portal.booths),
            "sales": httpx.MockTransport(portal.sales_api),
        },
    )
    with TestClient(app, base_url="http://testserver") as client:
        client.cookies.set("ocop_session", TOKEN)
        page = client.get(PAGE)
    assert 'data-testid="webhook-url">http://127.0.0.1:8003/bank-notifications<' in page.text
