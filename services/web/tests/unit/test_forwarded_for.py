"""The web app tells the services whose request it forwards: ``X-Forwarded-For`` carries the
browser's address (as this app believes it) on the till's proxy and on every page's calls
(sign-in among them), so sales' and registration's per-client limits count each browser,
not the web app. A browser's own ``X-Forwarded-For`` counts only from a trusted proxy."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from ocop_shared.ratelimit import trusted_proxies
from ocop_web.app import build
from ocop_web.settings import WebSettings

DEVICE = "ocop_ter_" + "d" * 43


@pytest.fixture
def seen() -> dict[str, list[httpx.Request]]:
    return {"registration": [], "sales": []}


@pytest.fixture
def app_for(
    seen: dict[str, list[httpx.Request]], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[tuple[str, int]], TestClient]]:
    monkeypatch.setenv("OCOP_ENV", "test")  # loopback is a trusted proxy
    monkeypatch.delenv("OCOP_TRUSTED_PROXIES", raising=False)
    trusted_proxies.cache_clear()

    def registration(request: httpx.Request) -> httpx.Response:
        seen["registration"].append(request)
        return httpx.Response(401, json={"detail": "no"})

    def sales(request: httpx.Request) -> httpx.Response:
        seen["sales"].append(request)
        return httpx.Response(404, json={"detail": "no such code", "code": "not_found"})

    app = build(
        WebSettings(env="test", check_assets=False),
        transports={
            "registration": httpx.MockTransport(registration),
            "booths": httpx.MockTransport(registration),
            "sales": httpx.MockTransport(sales),
        },
    )
    opened: list[TestClient] = []

    def make(peer: tuple[str, int]) -> TestClient:
        client = TestClient(app, base_url="http://web.test", client=peer)
        opened.append(client.__enter__())
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)
    trusted_proxies.cache_clear()


def test_the_till_proxy_sends_the_browsers_address_never_the_browsers_header(
    app_for: Callable[[tuple[str, int]], TestClient], seen: dict[str, list[httpx.Request]]
) -> None:
    browser = app_for(("203.0.113.9", 40000))
    answer = browser.post(
        "/till/api/terminals/pair",
        json={"code": "ABCD-EFGH-JKMN"},
        headers={"X-Forwarded-For": "1.2.3.4"},  # made up by the client: ignored
    )
    assert answer.status_code == 404
    assert seen["sales"][-1].headers.get_list("x-forwarded-for") == ["203.0.113.9"]

    # Behind an ingress on a trusted address (loopback here): the address it forwards.
    ingress = app_for(("127.0.0.1", 40001))
    ingress.post(
        "/till/api/terminals/pair",
        json={"code": "ABCD-EFGH-JKMN"},
        headers={"X-Forwarded-For": "1.2.3.4, 198.51.100.4"},
    )
    assert seen["sales"][-1].headers.get_list("x-forwarded-for") == ["198.51.100.4"]


def test_a_pages_calls_carry_the_browsers_address(
    app_for: Callable[[tuple[str, int]], TestClient], seen: dict[str, list[httpx.Request]]
) -> None:
    browser = app_for(("203.0.113.10", 40002))
    browser.cookies.set("ocop_session", "ocop_ses_" + "s" * 43)
    browser.get("/", headers={"X-Forwarded-For": "1.2.3.4"}, follow_redirects=False)
    assert seen["registration"], "no call made"
    assert all(
        r.headers.get_list("x-forwarded-for") == ["203.0.113.10"] for r in seen["registration"]
    )
