"""A thin async client for the three services' HTTP APIs (used by the CLI, the demo loader
and the end-to-end test).

Every mutating request (POST, PUT, PATCH, DELETE) carries an ``Idempotency-Key`` (a random
UUID per call), and a call that meets a transport error (connection refused or reset, a
server that closed a keep-alive connection) or a 503 with ``Retry-After`` is sent again, the
same request with the SAME key, a few times with backoff: the services answer a repeated key
with the first answer, so a retried POST never runs twice. A 409 naming the key (the first
attempt still being answered) is waited out the same way.
"""

from __future__ import annotations

import asyncio
import email.utils
import os
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
IDEMPOTENCY_KEY = "Idempotency-Key"
# The connection failed or was dropped before an answer came: the request may or may not
# have run, and the key makes sending it again safe.
RETRIED_ERRORS = (httpx.ConnectError, httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)


@dataclass(frozen=True)
class Endpoints:
    registration: str = os.environ.get("OCOP_REGISTRATION_URL", "http://127.0.0.1:8001")
    booths: str = os.environ.get("OCOP_BOOTHS_URL", "http://127.0.0.1:8002")
    sales: str = os.environ.get("OCOP_SALES_URL", "http://127.0.0.1:8003")


class ApiError(RuntimeError):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(
            f"{response.request.method} {response.request.url} -> {response.status_code}: {response.text[:500]}"
        )
        self.response = response


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


@dataclass
class Client:
    endpoints: Endpoints = field(default_factory=Endpoints)
    timeout: float = 30.0
    attempts: int = 5  # per call, the first included
    backoff: float = 0.2  # seconds before the first retry, doubled each time (with jitter)
    max_delay: float = 5.0  # the longest wait between attempts, Retry-After included
    transport: httpx.AsyncBaseTransport | None = None  # another transport (tests)
    _http: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Client:
        self._http = httpx.AsyncClient(
            timeout=self.timeout,
            limits=httpx.Limits(max_connections=100),
            transport=self.transport,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._http is not None:
            await self._http.aclose()

    @property
    def http(self) -> httpx.AsyncClient:
        assert self._http is not None, "use 'async with Client()'"
        return self._http

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        token: str | None = None,
        *,
        expect: tuple[int, ...] = (200, 201),
        idempotency_key: str | None = None,
        **kw: Any,
    ) -> Any:
        base = getattr(self.endpoints, service)
        headers = bearer(token)
        if method.upper() in MUTATING:
            headers[IDEMPOTENCY_KEY] = idempotency_key or str(uuid.uuid4())
        response = await self.send(method, base + path, headers=headers, **kw)
        if response.status_code not in expect:
            raise ApiError(response)
        ctype = response.headers.get("content-type", "")
        return response.json() if ctype.startswith("application/json") else response.content

    async def send(
        self, method: str, url: str, *, headers: dict[str, str], **kw: Any
    ) -> httpx.Response:
        """Sends one request, again on a transport error or a 503 with Retry-After (and, for
        a keyed request, a 409 saying its key is still in flight): the same request, body and
        key, built once (a multipart body keeps its boundary)."""
        request = self.http.build_request(method, url, headers=headers, **kw)
        retry_in_flight = IDEMPOTENCY_KEY in headers
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            try:
                response = await self.http.send(request)
            except RETRIED_ERRORS:
                if last:
                    raise
                delay = self._backoff(attempt)
            else:
                wait = _retry_after(response, in_flight=retry_in_flight)
                if wait is None or last:
                    return response
                await response.aclose()
                delay = min(max(wait, self._backoff(attempt)), self.max_delay)
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff * 2.0 ** (attempt - 1) * random.uniform(0.5, 1.0), self.max_delay)

    async def ready(self, timeout: float = 60) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        for service in ("registration", "booths", "sales"):
            while True:
                try:
                    if (
                        await self.http.get(getattr(self.endpoints, service) + "/health/ready")
                    ).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if loop.time() > deadline:
                    raise TimeoutError(f"{service} is not ready")
                await asyncio.sleep(0.3)

    async def eventually(
        self,
        service: str,
        method: str,
        path: str,
        token: str | None = None,
        *,
        timeout: float = 60,
        also: tuple[int, ...] = (),
        **kw: Any,
    ) -> Any:
        """Retries while another service's events are still on their way (404/409/422, and
        the statuses in ``also``: 401 for a credential just issued at registration)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        retried = (404, 409, 422, *also)
        while True:
            try:
                return await self.call(service, method, path, token, **kw)
            except ApiError as exc:
                if exc.response.status_code not in retried or loop.time() > deadline:
                    raise
            await asyncio.sleep(0.25)


def _retry_after(response: httpx.Response, *, in_flight: bool) -> float | None:
    """Seconds to wait before asking again, or None if the answer is final: a 503 with
    Retry-After (the service's database is away), or a 409 naming the Idempotency-Key (the
    first attempt of this request is still being answered)."""
    if response.status_code == 503 and "retry-after" in response.headers:
        return _seconds(response.headers["retry-after"])
    if (
        in_flight
        and response.status_code == 409
        and IDEMPOTENCY_KEY.lower() in response.text.lower()
    ):
        return _seconds(response.headers.get("retry-after", "1"))
    return None


def _seconds(value: str) -> float:
    """Retry-After: delay-seconds or an HTTP date."""
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 1.0
    return max(when.timestamp() - time.time(), 0.0)
