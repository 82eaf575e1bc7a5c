"""The till's routes without a stack: the shell page and its headers, the manifest, the
service worker, and the proxy to sales (its allow-list, the bearer token and nothing else
of the browser's, ETag passed through, 503 JSON when sales is away or slow)."""

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
from ocop_web.till import ALLOWED, PRECACHE
from ocop_web.till.routes import STATIC, allowed

SALE = "3f2c1d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
DEVICE = "ocop_ter_" + "d" * 43


class FakeSales:
    def __init__(self) -> None:
        self.calls: list[httpx.Request] = []
        self.down = False
        self.slow = False
        self.status = 200

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        if self.down:
            raise httpx.ConnectError("refused", request=request)
        if self.slow:
            raise httpx.ReadTimeout("slow", request=request)
        if request.url.path == "/terminals/me/catalog":
            if request.headers.get("if-none-match") == '"v1"':
                return httpx.Response(304, headers={"ETag": '"v1"'})
            return httpx.Response(200, json={"items": []}, headers={"ETag": '"v1"'})
        if request.url.path == "/sales/batch":
            return httpx.Response(
                self.status,
                json={"results": [], "counts": {}},
                headers={"Idempotent-Replay": "true", "Set-Cookie": "x=1"},
            )
        return httpx.Response(self.status, json={"path": request.url.path})


@pytest.fixture
def sales() -> FakeSales:
    return FakeSales()


@pytest.fixture
def client(sales: FakeSales) -> Iterator[TestClient]:
    def registration(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"detail": "no"})

    app = build(
        WebSettings(env="test", check_assets=False),
        transports={
            "registration": httpx.MockTransport(registration),
            "booths": httpx.MockTransport(registration),
            "sales": httpx.MockTransport(sales),
        },
    )
    with TestClient(app, base_url="http://till.test") as test_client:
        yield test_client


@pytest.mark.parametrize("path", ["/till/", "/till/pair", f"/till/sale/{SALE}"])
def test_every_till_address_is_the_one_shell_with_the_camera_allowed_there_only(
    client: TestClient, path: str
) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert '<html lang="vi">' in page.text
    assert '<script type="module" src="/static/till/app.js">' in page.text
    assert "style=" not in page.text and "<script>" not in page.text
    assert page.headers["permissions-policy"].startswith("camera=(self)")
    csp = page.headers["content-security-policy"]
    assert "worker-src 'self'" in csp and "connect-src 'self'" in csp
    assert "unsafe" not in csp
    # Every other page keeps the camera off.
    other = client.get("/sign-in")
    assert "camera=()" in other.headers["permissions-policy"]
    assert "worker-src 'self'" in other.headers["content-security-policy"]


def test_the_service_worker_is_scoped_to_the_till_and_keeps_every_file(
    client: TestClient,
) -> None:
    worker = client.get("/till/sw.js")
    assert worker.status_code == 200
    assert worker.headers["service-worker-allowed"] == "/till/"
    assert worker.headers["content-type"].startswith("text/javascript")
    version = re.search(r'const VERSION = "([0-9a-f]{16})";', worker.text)
    precache = re.search(r"const PRECACHE = (\[.*?\]);", worker.text)
    assert version and precache
    listed = json.loads(precache.group(1))
    assert listed == list(PRECACHE)
    for needed in (
        "/till/",
        "/static/till/app.js",
        "/static/till/db.js",
        "/static/till/sync.js",
        "/static/till/i18n.js",
        "/static/till/vietqr.js",
        "/static/till/till.css",
        "/static/vendor/qrcode-generator/qrcode.js",
        "/static/vendor/fonts/noto-sans-vietnamese-400-normal.woff2",
    ):
        assert needed in listed, needed
    assert "/static/till/worker.js" not in listed
    # Every file the shell and the modules import is kept (one missing: no offline start).
    for name in (STATIC / "till").glob("*.js"):
        for imported in re.findall(r'from "\./([\w.]+)"', name.read_text()):
            assert f"/static/till/{imported}" in listed, (name.name, imported)


def test_the_app_lives_within_the_workers_scope(client: TestClient) -> None:
    answer = client.get("/till", follow_redirects=False)
    assert answer.status_code == 308 and answer.headers["location"] == "/till/"


def test_the_manifest_installs_the_till(client: TestClient) -> None:
    answer = client.get("/till/manifest.webmanifest")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/manifest+json")
    body = answer.json()
    assert body["scope"] == "/till/" and body["start_url"] == "/till/"
    assert body["display"] == "standalone"
    for icon in body["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_the_proxy_forwards_the_bearer_token_and_nothing_of_the_browser_else(
    client: TestClient, sales: FakeSales
) -> None:
    client.cookies.set("ocop_session", "ocop_ses_secret")
    answer = client.post(
        "/till/api/sales/batch",
        json={"sales": []},
        headers={"Authorization": f"Bearer {DEVICE}", "X-Other": "x"},
    )
    assert answer.status_code == 200
    assert answer.json() == {"results": [], "counts": {}}
    assert answer.headers["idempotent-replay"] == "true"
    assert "set-cookie" not in answer.headers
    sent = sales.calls[-1]
    assert sent.url.path == "/sales/batch" and sent.method == "POST"
    assert sent.headers["authorization"] == f"Bearer {DEVICE}"
    assert "cookie" not in sent.headers and "x-other" not in sent.headers
    assert sent.headers["idempotency-key"]  # a mutation always carries one
    assert json.loads(sent.content) == {"sales": []}


def test_no_csrf_token_is_needed_but_another_sites_origin_is_refused(
    client: TestClient, sales: FakeSales
) -> None:
    ok = client.post("/till/api/terminals/pair", json={"code": "K7Q2M9XA3B5C"})
    assert ok.status_code == 200
    assert "authorization" not in sales.calls[-1].headers
    calls = len(sales.calls)
    cross = client.post(
        "/till/api/terminals/pair",
        json={"code": "K7Q2M9XA3B5C"},
        headers={"Origin": "https://evil.example"},
    )
    assert cross.status_code == 403 and cross.json()["code"] == "cross_site"
    assert len(sales.calls) == calls  # nothing forwarded


def test_the_catalogue_etag_passes_both_ways(client: TestClient) -> None:
    first = client.get("/till/api/terminals/me/catalog", headers={"Authorization": "Bearer t"})
    assert first.status_code == 200 and first.headers["etag"] == '"v1"'
    again = client.get(
        "/till/api/terminals/me/catalog",
        headers={"Authorization": "Bearer t", "If-None-Match": '"v1"'},
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == '"v1"'


def test_query_strings_pass(client: TestClient, sales: FakeSales) -> None:
    fair = "11111111-2222-4333-8444-555555555555"
    client.get(f"/till/api/transfers?fair_id={fair}&status=pending")
    assert sales.calls[-1].url.params["fair_id"] == fair
    assert sales.calls[-1].url.params["status"] == "pending"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/till/api/fairs/x/terminals"),
        ("POST", "/till/api/fairs/x/terminals"),
        ("DELETE", f"/till/api/terminals/{SALE}"),
        ("POST", f"/till/api/terminals/{SALE}/suspend"),
        ("GET", "/till/api/fairs/x/reports/revenue"),
        ("POST", "/till/api/sales/batch/../../fairs"),
        ("GET", "/till/api/sales/not-a-uuid"),
        ("POST", f"/till/api/sales/{SALE}/transfers/lower-case/confirm"),
        ("PUT", "/till/api/terminals/me"),
    ],
)
def test_only_the_allow_list_is_forwarded(
    client: TestClient, sales: FakeSales, method: str, path: str
) -> None:
    answer = client.request(method, path, headers={"Authorization": "Bearer t"})
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"
    assert not sales.calls


def test_the_allow_list_holds_the_designs_routes() -> None:
    for method, path in [
        ("POST", "terminals/pair"),
        ("GET", "terminals/me"),
        ("GET", "terminals/me/catalog"),
        ("POST", "sales/batch"),
        ("GET", f"sales/{SALE}"),
        ("POST", f"sales/{SALE}/refunds"),
        ("POST", f"sales/{SALE}/transfers/OCOPK7Q2M123/confirm"),
        ("GET", "transfers"),
        ("POST", "sessions"),
        ("GET", f"sessions/{SALE}"),
        ("POST", f"sessions/{SALE}/close"),
    ]:
        assert allowed(method, path), (method, path)
    assert not allowed("GET", "terminals/pair")
    assert len(ALLOWED) == 12


@pytest.mark.parametrize("trouble", ["down", "slow", "5xx"])
def test_sales_away_slow_or_failing_answers_503_json_so_the_till_queues(
    client: TestClient, sales: FakeSales, trouble: str
) -> None:
    if trouble == "down":
        sales.down = True
    elif trouble == "slow":
        sales.slow = True
    else:
        sales.status = 500
    answer = client.post(
        "/till/api/sales/batch", json={"sales": []}, headers={"Authorization": "Bearer t"}
    )
    assert answer.status_code == 503
    body: dict[str, Any] = answer.json()
    assert body["code"] == "sales_unavailable"
    assert answer.headers["retry-after"]


def test_refusals_pass_through_with_their_body(client: TestClient, sales: FakeSales) -> None:
    sales.status = 401
    answer = client.get("/till/api/terminals/me", headers={"Authorization": "Bearer t"})
    assert answer.status_code == 401
    assert answer.json() == {"path": "/terminals/me"}


def test_a_body_over_a_mebibyte_is_refused_before_sales(
    client: TestClient, sales: FakeSales
) -> None:
    answer = client.post(
        "/till/api/sales/batch",
        content=b"x" * (1024 * 1024 + 1),
        headers={"Authorization": "Bearer t", "Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert not sales.calls
