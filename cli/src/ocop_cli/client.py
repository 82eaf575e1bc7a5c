"""A thin async client for the three services' HTTP APIs (used by the CLI, the demo loader
and the end-to-end test)."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from typing import Any

import httpx


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
    _http: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Client:
        self._http = httpx.AsyncClient(
            timeout=self.timeout, limits=httpx.Limits(max_connections=100)
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
        **kw: Any,
    ) -> Any:
        base = getattr(self.endpoints, service)
        response = await self.http.request(method, base + path, headers=bearer(token), **kw)
        if response.status_code not in expect:
            raise ApiError(response)
        ctype = response.headers.get("content-type", "")
        return response.json() if ctype.startswith("application/json") else response.content

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
        **kw: Any,
    ) -> Any:
        """Retries while another service's events are still on their way (404/409/422)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            try:
                return await self.call(service, method, path, token, **kw)
            except ApiError as exc:
                if exc.response.status_code not in (404, 409, 422) or loop.time() > deadline:
                    raise
            await asyncio.sleep(0.25)
