"""The rate limits' client address (``ocop_shared.ratelimit.client_of``): ``X-Forwarded-For``
is believed only from a trusted proxy (``OCOP_TRUSTED_PROXIES``), read from the right."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.requests import Request

from ocop_shared import ratelimit
from ocop_shared.ratelimit import client_of, forwarded_allow_ips, parse_networks, trusted_proxies

LOOPBACK = parse_networks("127.0.0.0/8, ::1")
CLUSTER = parse_networks("10.0.0.0/8")


def request(peer: str | None, *forwarded: str) -> Request:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/terminals/pair",
        "headers": headers,
        "client": (peer, 51234) if peer else None,
    }
    return Request(scope)


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    trusted_proxies.cache_clear()
    yield monkeypatch
    trusted_proxies.cache_clear()


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored() -> None:
    assert client_of(request("203.0.113.7", "198.51.100.1"), LOOPBACK) == "203.0.113.7"
    assert client_of(request("10.1.2.3", "198.51.100.1"), LOOPBACK) == "10.1.2.3"


def test_from_a_trusted_proxy_the_forwarded_client_counts() -> None:
    assert client_of(request("127.0.0.1", "198.51.100.1"), LOOPBACK) == "198.51.100.1"
    assert client_of(request("::1", "2001:db8::5"), LOOPBACK) == "2001:db8::5"
    # Without the header, the proxy itself.
    assert client_of(request("127.0.0.1"), LOOPBACK) == "127.0.0.1"


def test_the_chain_is_read_from_the_right_skipping_trusted_proxies_only() -> None:
    # The client wrote "1.1.1.1" itself; the ingress (10.0.0.9) appended the real address,
    # the web app (10.0.0.7) connects: the real address counts, not the made-up one.
    spoofed = request("10.0.0.7", "1.1.1.1, 198.51.100.1, 10.0.0.9")
    assert client_of(spoofed, CLUSTER) == "198.51.100.1"
    # Several headers are one list, in order.
    assert client_of(request("10.0.0.7", "1.1.1.1", "198.51.100.1"), CLUSTER) == "198.51.100.1"
    # Ports and brackets as proxies write them.
    assert client_of(request("10.0.0.7", "198.51.100.1:4431"), CLUSTER) == "198.51.100.1"
    assert client_of(request("10.0.0.7", "[2001:db8::5]:443"), CLUSTER) == "2001:db8::5"
    # Only proxies in the chain: the farthest one.
    assert client_of(request("10.0.0.7", "10.0.0.8, 10.0.0.9"), CLUSTER) == "10.0.0.8"


def test_a_garbled_entry_stops_the_walk() -> None:
    assert client_of(request("10.0.0.7", "198.51.100.1, not-an-address"), CLUSTER) == "10.0.0.7"
    assert client_of(request("10.0.0.7", "junk, 198.51.100.1"), CLUSTER) == "198.51.100.1"


def test_no_trusted_proxy_means_the_peer_always(fresh_settings: pytest.MonkeyPatch) -> None:
    assert client_of(request("127.0.0.1", "198.51.100.1"), ()) == "127.0.0.1"
    assert client_of(request(None, "198.51.100.1"), LOOPBACK) == "unknown"


def test_defaults_none_in_production_loopback_elsewhere(
    fresh_settings: pytest.MonkeyPatch,
) -> None:
    fresh_settings.delenv("OCOP_TRUSTED_PROXIES", raising=False)
    fresh_settings.setenv("OCOP_ENV", "production")
    assert trusted_proxies() == ()
    assert forwarded_allow_ips() == []  # uvicorn trusts nobody either
    assert client_of(request("127.0.0.1", "198.51.100.1")) == "127.0.0.1"
    trusted_proxies.cache_clear()
    for env in ("development", "test"):
        fresh_settings.setenv("OCOP_ENV", env)
        trusted_proxies.cache_clear()
        assert forwarded_allow_ips() == ["127.0.0.0/8", "::1/128"]
        assert client_of(request("127.0.0.1", "198.51.100.1")) == "198.51.100.1"
    fresh_settings.setenv("OCOP_ENV", "production")
    fresh_settings.setenv("OCOP_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.10")
    trusted_proxies.cache_clear()
    assert forwarded_allow_ips() == ["10.0.0.0/8", "192.0.2.10/32"]
    assert client_of(request("192.0.2.10", "198.51.100.1")) == "198.51.100.1"
    assert client_of(request("127.0.0.1", "198.51.100.1")) == "127.0.0.1"


def test_a_malformed_setting_is_refused() -> None:
    with pytest.raises(ValueError):
        ratelimit.parse_networks("10.0.0.0/8, proxy.internal")
