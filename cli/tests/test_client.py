"""The CLI client retries transport errors and 503s with the same Idempotency-Key: against a
small in-test server that drops connections (on a port the OS picks), and against the real
registration service behind a proxy that loses its first answer."""

from __future__ import annotations

import asyncio
import socket
import struct
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from ocop_cli.client import ApiError, Client, Endpoints
from ocop_shared.settings import CommonSettings
from ocop_testkit import new_prefix, running_app


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Answer = tuple[int, dict[str, str], bytes]
Forward = Any  # an async function from a request (Seen) to an answer


@dataclass
class FlakyServer:
    """HTTP/1.1, one request per connection; each connection gets the next action: "close"
    (read the request, answer nothing), "reset" (read it, then a TCP reset), "forward-close"
    (hand it to ``forward``, then close without answering: the answer is lost), an answer,
    or, when none are left, "forward"."""

    actions: list[str | Answer]
    forward: Forward = None
    seen: list[Seen] = field(default_factory=list)
    server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    async def __aenter__(self) -> FlakyServer:
        self.server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            method, path, _ = head[0].split(" ", 2)
            headers = {
                k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in head[1:] if h)
            }
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            seen = Seen(method, path, headers, body)
            self.seen.append(seen)
            action = self.actions.pop(0) if self.actions else "forward"
            if action == "reset":
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
                return
            if action == "forward-close":
                await self.forward(seen)
                action = "close"
            if action == "close":
                writer.close()
                return
            status, out_headers, out_body = (
                await self.forward(seen) if action == "forward" else action
            )
            lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in out_headers.items()]
            lines += [f"content-length: {len(out_body)}", "connection: close", "", ""]
            writer.write("\r\n".join(lines).encode("latin-1") + out_body)
            await writer.drain()
            writer.close()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


JSON = {"content-type": "application/json"}


def client(url: str, **kw: Any) -> Client:
    return Client(Endpoints(registration=url, booths=url, sales=url), backoff=0.01, **kw)


async def test_dropped_and_reset_connections_and_503s_are_retried_with_the_same_key() -> None:
    actions: list[str | Answer] = [
        "close",
        "reset",
        (503, {"retry-after": "0", **JSON}, b'{"detail":"database away"}'),
        (201, JSON, b'{"fair_id":"f-1"}'),
    ]
    async with FlakyServer(actions) as server, client(server.url) as c:
        out = await c.call("registration", "POST", "/fairs", "tok", json={"name": "Hội chợ"})
    assert out == {"fair_id": "f-1"}
    assert len(server.seen) == 4
    keys = {s.headers["idempotency-key"] for s in server.seen}
    assert len(keys) == 1 and uuid.UUID(keys.pop())
    assert {s.body for s in server.seen} == {'{"name":"Hội chợ"}'.encode()}
    assert all(s.headers["authorization"] == "Bearer tok" for s in server.seen)


async def test_a_retried_upload_sends_the_same_bytes() -> None:
    """A multipart body is built once: a new boundary would be another body (a 422)."""
    async with FlakyServer(["close", (201, JSON, b"{}")]) as server, client(server.url) as c:
        await c.call(
            "registration", "POST", "/imports/register", "tok", files={"file": ("r.csv", b"a,b\n")}
        )
    first, second = server.seen
    assert first.body == second.body and b"a,b" in first.body
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]


async def test_a_key_in_flight_is_waited_out_and_final_answers_are_not_retried() -> None:
    in_flight = (
        409,
        {"retry-after": "0", **JSON},
        b'{"detail":[{"type":"idempotency_key_in_flight","loc":["header","Idempotency-Key"]}]}',
    )
    async with (
        FlakyServer([in_flight, (201, JSON, b'{"ok":1}')]) as server,
        client(server.url) as c,
    ):
        assert await c.call("sales", "POST", "/sales", "tok", json={}) == {"ok": 1}
    assert len(server.seen) == 2

    taken = (409, JSON, b'{"detail":"booth taken","code":"conflict"}')
    for final in (taken, (500, JSON, b'{"detail":"bug"}'), (503, JSON, b"{}")):
        async with FlakyServer([final]) as server, client(server.url) as c:
            with pytest.raises(ApiError) as raised:
                await c.call("booths", "POST", "/holds", "tok", json={})
        assert raised.value.response.status_code == final[0]
        assert len(server.seen) == 1  # a real answer: not asked again

    # Reads carry no key, and are retried too.
    async with FlakyServer(["close", (200, JSON, b"[]")]) as server, client(server.url) as c:
        assert await c.call("registration", "GET", "/fairs") == []
    assert len(server.seen) == 2 and "idempotency-key" not in server.seen[0].headers


class Counting(httpx.AsyncHTTPTransport):
    attempts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.attempts += 1
        return await super().handle_async_request(request)


async def test_connection_refused_is_retried_then_given_up() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    transport = Counting()
    async with client(f"http://127.0.0.1:{port}", attempts=3, transport=transport) as c:
        with pytest.raises(httpx.ConnectError):
            await c.call("sales", "POST", "/sales", "tok", json={})
    assert transport.attempts == 3


# The real service: an answer lost on the way back does not make a second fair.


@pytest.fixture(scope="module")
async def registration(
    stack_settings: CommonSettings, test_database: str
) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    from ocop_registration.app import RegistrationSettings, build

    settings = RegistrationSettings(
        env="test", pg_database=test_database, topic_prefix=new_prefix()
    )
    service, app = build(settings)
    async with running_app(app) as http:
        yield service, http


async def test_a_lost_answer_is_retried_without_a_second_fair(
    registration: tuple[Any, httpx.AsyncClient],
) -> None:
    service, http = registration
    admin = service.settings.admin_token.get_secret_value()
    created = await http.post(
        "/organizations",
        json={
            "kind": "organizer",
            "organization_id": f"org-{uuid.uuid4().hex[:8]}",
            "name": "Sở Công Thương",
        },
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert created.status_code == 201, created.text
    owner = await http.post(  # its first owner accepts the invitation: a session
        "/invitations/accept",
        json={
            "code": created.json()["owner_invitation"]["code"],
            "account": {
                "name": "Nguyễn Thị Hoa",
                "email": f"hoa.{uuid.uuid4().hex[:8]}@ocop-demo.test",
                "password": "ha-long-bay-2024",
            },
        },
    )
    assert owner.status_code == 201, owner.text
    token = owner.json()["token"]

    async def forward(seen: Seen) -> Answer:
        headers = {k: v for k, v in seen.headers.items() if k not in ("host", "content-length")}
        answer = await http.request(seen.method, seen.path, headers=headers, content=seen.body)
        return answer.status_code, {"content-type": answer.headers["content-type"]}, answer.content

    now = datetime.now().replace(microsecond=0)
    name = f"Hội chợ {uuid.uuid4().hex[:8]}"
    fair = {
        "name": name,
        "kind": "fair",
        "venue": "Cung Quy hoạch, Hội chợ và Triển lãm Quảng Ninh",
        "province": "Quảng Ninh",
        "applications_open_at": (now - timedelta(days=1)).isoformat(),
        "applications_close_at": (now + timedelta(days=10)).isoformat(),
        "starts_at": (now + timedelta(days=20)).isoformat(),
        "ends_at": (now + timedelta(days=25)).isoformat(),
        "rules": {"min_star": 3},
    }
    async with FlakyServer(["forward-close"], forward) as server, client(server.url) as c:
        created = await c.call("registration", "POST", "/fairs", token, json=fair)
    assert len(server.seen) == 2  # the first ran, its answer was lost; the retry got it
    assert await service.pool.fetchval("select count(*) from fairs where name = $1", name) == 1
    stored = await service.pool.fetchval("select fair_id from fairs where name = $1", name)
    assert created["fair_id"] == str(stored)
