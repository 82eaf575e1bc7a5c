"""The three services' HTTP APIs, called with the signed-in user's own session token, so
every rule stays enforced where it lives. One pooled async client per service (app
lifetime); per request an ``Api`` binds the token and the correlation id.

Answers become exceptions the pages handle: ``SignedOut`` (a 401 for the token: the user is
sent to sign in), ``ApiError`` (any other 4xx, with its body, which ``forms`` maps onto
fields), ``Unavailable`` (5xx or no answer: the 503 page).

A session is announced to booths and sales by Kafka (registration's credentials topic), so
for a fraction of a second after signing in they may not know it yet: a 401 from booths or
sales for a session signed in less than ``FRESH_SESSION`` ago is retried with a short
backoff (``RETRY_DELAYS``, under 2 s in all) before the person is sent to sign in."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import httpx

from ocop_shared.logging import get_logger

log = get_logger(__name__)

ServiceName = Literal["registration", "booths", "sales"]
SERVICES: tuple[ServiceName, ...] = ("registration", "booths", "sales")
CORRELATION_HEADER = "X-Correlation-ID"
# The browser's address, for the services' per-client rate limits (sign-in, sign-up, a till's
# pairing): they believe it only from a trusted proxy (ocop_shared.ratelimit, OCOP_TRUSTED_PROXIES).
FORWARDED_FOR = "X-Forwarded-For"
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A wrong password is a 401 too, but it is an answer to the form, not the end of a session.
FORM_401_CODES = frozenset({"wrong_login_or_password"})
# The services that learn of a session through Kafka (registration issues it and knows it
# at once), how long after signing in their 401 may still mean "not yet", and the waits.
ANNOUNCED_TO = frozenset({"booths", "sales"})
FRESH_SESSION = timedelta(seconds=10)
RETRY_DELAYS: tuple[float, ...] = (0.05, 0.1, 0.2, 0.4, 0.6, 0.6)  # 1.95 s in all


class SignedOut(Exception):
    """No session, or the service no longer accepts it (expired, signed out elsewhere,
    password changed, membership ended): the user signs in again."""

    def __init__(self, reason: str = "expired") -> None:
        super().__init__(reason)
        self.reason = reason


class Unavailable(Exception):
    """A service answered 5xx or not at all."""

    def __init__(self, service: str, detail: str, retry_after: str | None = None) -> None:
        super().__init__(f"{service}: {detail}")
        self.service = service
        self.retry_after = retry_after


@dataclass
class ApiError(Exception):
    """A 4xx answer other than a session's 401: the body as the service sent it
    (``{"detail": [{"loc", "msg", "type"}]}`` or ``{"detail", "code", "field"?}``)."""

    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status}: {self.body!r}"

    @property
    def code(self) -> str | None:
        if isinstance(self.body, dict) and isinstance(self.body.get("code"), str):
            return str(self.body["code"])
        return None


class Clients:
    """One ``httpx.AsyncClient`` per service for the app's lifetime (connection pools)."""

    def __init__(
        self,
        urls: Mapping[str, str],
        timeout: float,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    ) -> None:
        self.http: dict[str, httpx.AsyncClient] = {
            name: httpx.AsyncClient(
                base_url=url,
                timeout=timeout,
                transport=(transports or {}).get(name),
                headers={"Accept": "application/json"},
            )
            for name, url in urls.items()
        }

    async def close(self) -> None:
        for client in self.http.values():
            await client.aclose()

    def bind(self, token: str | None, correlation_id: str, client: str | None = None) -> Api:
        return Api(self, token, correlation_id, client=client)


class Api:
    """The services as the current user: ``await api.registration.get("/session")``.

    ``signed_in_at`` (the session's ``created_at``, set once registration has answered
    ``GET /session``) lets a fresh session's 401 from booths or sales be retried."""

    def __init__(
        self,
        clients: Clients,
        token: str | None,
        correlation_id: str,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        client: str | None = None,
    ) -> None:
        self.token = token
        self.client = client
        self.signed_in_at: datetime | None = None
        self.sleep = sleep
        self.now = now
        self.registration = ServiceCall("registration", clients, token, correlation_id, self)
        self.booths = ServiceCall("booths", clients, token, correlation_id, self)
        self.sales = ServiceCall("sales", clients, token, correlation_id, self)

    def fresh(self) -> bool:
        """Signed in so recently that booths and sales may not know the session yet."""
        return self.signed_in_at is not None and self.now() - self.signed_in_at < FRESH_SESSION


class ServiceCall:
    def __init__(
        self,
        service: ServiceName,
        clients: Clients,
        token: str | None,
        correlation_id: str,
        api: Api | None = None,
    ) -> None:
        self.service = service
        self._http = clients.http[service]
        self._token = token
        self._correlation_id = correlation_id
        self._api = api
        self._client = api.client if api is not None else None

    async def get(self, path: str, *, params: Mapping[str, Any] | None = None) -> Any:
        return (await self.send("GET", path, params=params)).json()

    async def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return _body(await self.send("POST", path, json=json, **kwargs))

    async def put(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return _body(await self.send("PUT", path, json=json, **kwargs))

    async def patch(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return _body(await self.send("PATCH", path, json=json, **kwargs))

    async def delete(self, path: str, **kwargs: Any) -> Any:
        return _body(await self.send("DELETE", path, **kwargs))

    async def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        files: Any = None,
        data: Any = None,
        idempotency_key: str | None = None,
        anonymous: bool = False,
    ) -> httpx.Response:
        """One call; a mutation carries an ``Idempotency-Key`` (a form's own, to make a
        double submission count once, or a new one) and is retried once with it through a
        dropped connection; a read is retried once too. A fresh session's 401 from booths or
        sales is tried again after each of ``RETRY_DELAYS`` (same key: it did nothing)."""
        headers = {CORRELATION_HEADER: self._correlation_id}
        if self._client:
            headers[FORWARDED_FOR] = self._client
        if self._token and not anonymous:
            headers["Authorization"] = f"Bearer {self._token}"
        if method in MUTATING:
            headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        delays = iter(RETRY_DELAYS)
        while True:
            response = await self._once(method, path, json, params, files, data, headers)
            if response.status_code == 401 and self._not_yet_announced(response, headers):
                delay = next(delays, None)
                if delay is not None:
                    log.info("session not known yet; retrying", service=self.service, wait=delay)
                    assert self._api is not None
                    await self._api.sleep(delay)
                    continue
            return self._judge(response, sent_token="Authorization" in headers)

    def _not_yet_announced(self, response: httpx.Response, headers: Mapping[str, str]) -> bool:
        if self.service not in ANNOUNCED_TO or "Authorization" not in headers:
            return False
        if self._api is None or not self._api.fresh():
            return False
        try:
            code = response.json().get("code")
        except (ValueError, AttributeError):
            code = None
        return code not in FORM_401_CODES

    async def _once(
        self,
        method: str,
        path: str,
        json: Any,
        params: Mapping[str, Any] | None,
        files: Any,
        data: Any,
        headers: Mapping[str, str],
    ) -> httpx.Response:
        response: httpx.Response | None = None
        for attempt in (1, 2):
            try:
                response = await self._http.request(
                    method, path, json=json, params=params, files=files, data=data, headers=headers
                )
                break
            except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
                if attempt == 2:
                    raise Unavailable(self.service, repr(exc)) from exc
            except httpx.TimeoutException as exc:
                raise Unavailable(self.service, "timed out") from exc
        assert response is not None
        return response

    def _judge(self, response: httpx.Response, *, sent_token: bool) -> httpx.Response:
        status = response.status_code
        if status < 400:
            return response
        if status >= 500:
            log.warning("service answered 5xx", service=self.service, status=status)
            raise Unavailable(
                self.service, f"answered {status}", response.headers.get("Retry-After")
            )
        try:
            body = response.json()
        except ValueError:
            body = {"detail": response.text[:500]}
        error = ApiError(status, body, dict(response.headers))
        if status == 401 and sent_token and error.code not in FORM_401_CODES:
            raise SignedOut("expired")
        raise error


def _body(response: httpx.Response) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    return response.json()
